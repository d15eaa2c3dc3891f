#!/usr/bin/env python3
"""Self-test of check_report.py: the hand-written good report passes, and each
broken variant of it fails for its own reason (and only that one).

    python3 tests/report/test_check_report.py [-v]

The browser runs are made once, in parallel, in setUpClass. Without chromium
those tests are skipped (and, run as a script, it exits 77 for ctest's
SKIP_RETURN_CODE); the checks that need no browser run anyway.
"""

import concurrent.futures
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
CHECKER = os.path.join(HERE, "check_report.py")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import check_report  # noqa: E402

CHROMIUM = check_report.find_chromium(os.environ.get("CHROMIUM"))
TOOLS = CHROMIUM and shutil.which("pdftotext") and shutil.which("xmllint")
NO_BROWSER = ("chromium, pdftotext or xmllint is not installed (scripts/install-deps.sh "
              "installs them): the browser checks of the report checker are skipped")

with open(os.path.join(FIXTURES, "good.html"), encoding="utf-8") as f:
    GOOD_HTML = f.read()
GOOD_JSON = os.path.join(FIXTURES, "good.json")
with open(GOOD_JSON, encoding="utf-8") as f:
    GOOD_DOC = json.load(f)


def variant(old, new, count=1):
    assert GOOD_HTML.count(old) == count, f"fixture changed: {old!r} occurs {GOOD_HTML.count(old)}x"
    return GOOD_HTML.replace(old, new)


CONTROL_RISK_ROW = re.search(r'  <tr class="control">.*?</tr>\n', GOOD_HTML, re.S).group(0)

# name -> (html, with the JSON?, the failure kinds expected, a text each message must hold).
# The cases whose fault is in the file alone run with --no-browser (0.1 s, not 2 s);
# "good" shows the browser checks pass on the file they are mutations of.
STATIC = {"wrong_number", "wrong_null", "bad_pointer", "no_data_json", "svg_without_title",
          "svg_invalid"}
CASES = {
    "good": (GOOD_HTML, True, set(), None),
    "wrong_number": (variant(">81.2%<", ">81.3%<"), True, {"numbers"},
                     "/endpoints/0/groups/0/at/1/estimate\": shows '81.3%'"),
    "wrong_null": (variant(">41.7<", ">NR<"), True, {"numbers"}, "the JSON has 41.7"),
    "bad_pointer": (variant('"/endpoints/0/groups/1/at/3/upper"', '"/endpoints/0/groups/2/at/3/upper"'),
                    True, {"numbers"}, "does not resolve: index 2 is past the end"),
    "no_data_json": (re.sub(r' data-json="[^"]*"( data-scale="100")?', "", GOOD_HTML), True,
                     {"numbers"}, "no element carries data-json"),
    "external_image": (variant("</h1>", '</h1>\n<img src="http://example.com/a.png" alt="logo">'), True,
                       {"external", "network"}, "http://example.com/a.png"),
    "console_error": (variant("</body>", '<script>console.error("x")</script>\n</body>'), True,
                      {"console"}, "console.error: x"),
    "uncaught_exception": (variant("</body>", "<script>null.f()</script>\n</body>"), True,
                           {"console"}, "uncaught exception: TypeError"),
    "svg_without_title": (variant("  <title>Cumulative incidence of relapse</title>\n", ""), True,
                          {"svg"}, "figure 2 "),
    "svg_invalid": (variant('<g stroke="#444" fill="none"><path d="M60,20V260H540"/></g>',
                            '<g stroke="#444" fill="none"><path d="M60,20V260H540"></g>'), True,
                    {"svg"}, "not well-formed XML"),
    "risk_row_missing": (variant(CONTROL_RISK_ROW, ""), True, {"pdf"},
                         "group 'Control': the at-risk numbers 1187 930 688 431 do not appear"),
    "blank": ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Empty</title>'
              "</head><body></body></html>\n", False, {"blank"}, "looks blank"),
}


def run_checker(tmp, name, html, with_json):
    html_path = os.path.join(tmp, name + ".html")
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(html)
    cmd = [sys.executable, CHECKER, "--html", html_path, "--out", os.path.join(tmp, name),
           "--chromium", CHROMIUM]
    if with_json:
        cmd += ["--json", GOOD_JSON]
    if name in STATIC:
        cmd.append("--no-browser")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    return r.returncode, r.stdout + r.stderr


@unittest.skipUnless(TOOLS, NO_BROWSER)
class BrowserRuns(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="check_report_test.")
        workers = max(3, min(6, os.cpu_count() or 2))  # a run waits on the browser much of its time
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            futures = {name: pool.submit(run_checker, cls.tmp, name, html, with_json)
                       for name, (html, with_json, _, _) in CASES.items()}
            cls.results = {name: f.result() for name, f in futures.items()}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def check_case(self, name):
        _, _, kinds, text = CASES[name]
        rc, out = self.results[name]
        failed = set(re.findall(r"^FAIL \[(\w[\w-]*)\]", out, re.M))
        self.assertEqual(failed, kinds, f"{name}: failures {failed}, expected {kinds}\n{out}")
        self.assertEqual(rc, 1 if kinds else 0, f"{name}: exit status {rc}\n{out}")
        if text:
            fails = "\n".join(line for line in out.splitlines() if line.startswith("FAIL"))
            self.assertIn(text, fails, out)
        return out

    def test_good_report_passes(self):
        out = self.check_case("good")
        self.assertIn("numbers checked: 39", out)
        self.assertIn("figures checked: 2", out)
        self.assertIn("risk-table groups checked: 3", out)
        self.assertRegex(out, r"pdf: \S+report\.pdf \(\d+ pages?\)")
        out_dir = os.path.join(self.tmp, "good")
        for f in ("report.png", "report.pdf", "report.txt", "figure-1.svg", "figure-2.svg"):
            self.assertTrue(os.path.getsize(os.path.join(out_dir, f)) > 0, f)
        self.assertFalse(os.path.exists(os.path.join(out_dir, "chromium-profile")))

    def test_wrong_number(self):
        self.check_case("wrong_number")

    def test_number_shown_for_null(self):
        self.check_case("wrong_null")

    def test_pointer_that_does_not_resolve(self):
        self.check_case("bad_pointer")

    def test_no_data_json_at_all(self):
        self.check_case("no_data_json")

    def test_external_image(self):
        out = self.check_case("external_image")
        self.assertIn("ERR_NAME_NOT_RESOLVED", out)  # the request was made, and went nowhere

    def test_console_error(self):
        self.check_case("console_error")

    def test_uncaught_exception(self):
        self.check_case("uncaught_exception")

    def test_svg_without_title(self):
        self.check_case("svg_without_title")

    def test_invalid_svg(self):
        self.check_case("svg_invalid")

    def test_risk_table_row_missing_from_pdf(self):
        self.check_case("risk_row_missing")

    def test_blank_page(self):
        self.check_case("blank")


class StaticChecks(unittest.TestCase):
    """The checks that need no browser, on inputs too odd for a whole report."""

    def failures(self, fn, *args):
        fails = check_report.Failures()
        with io.StringIO() as buf:
            stdout, sys.stdout = sys.stdout, buf
            try:
                result = fn(*args, fails)
            finally:
                sys.stdout = stdout
        return result, fails.items

    def parse(self, html):
        p = check_report.ReportParser()
        p.feed(html)
        p.close()
        return p

    def test_pointer(self):
        doc = {"a/b": {"m~n": [10, {"": 5}]}, "x": None}
        self.assertEqual(check_report.resolve(doc, "/a~1b/m~0n/0"), 10)
        self.assertEqual(check_report.resolve(doc, "/a~1b/m~0n/1/"), 5)
        self.assertIsNone(check_report.resolve(doc, "/x"))
        self.assertIs(check_report.resolve(doc, ""), doc)
        for bad in ("a", "/nope", "/a~1b/m~0n/2", "/a~1b/m~0n/01", "/a~1b/m~0n/-", "/x/y"):
            with self.assertRaises(check_report.PointerError, msg=bad):
                check_report.resolve(doc, bad)

    def test_shown_numbers(self):
        doc = {"p": 0.81234, "q": 0.00002, "n": 12345, "m": None, "neg": -0.0512, "s": "Arm A",
               "half": 0.8125}
        good = [("/p", "100", "81.2%"), ("/p", "100", "81%"), ("/p", None, "0.81"),
                ("/p", None, "0.8123"), ("/n", None, "12,345"), ("/n", None, "12345"),
                ("/m", None, "NR"), ("/m", None, "—"), ("/m", None, " not  reached "),
                ("/q", None, "<0.001"), ("/neg", "100", "\u22125.1%"), ("/s", None, "Arm A"),
                ("/half", "100", "81.2%"), ("/half", "100", "81.3%")]  # a tie rounds either way
        bad = [("/p", "100", "81.3%"), ("/p", None, "0.82"), ("/n", None, "12,346"),
               ("/m", None, "0"), ("/n", None, "NR"), ("/q", None, "<0.00001"),
               ("/p", None, "81.2 (78.9-83.4)"), ("/s", None, "Arm B"), ("/p", "x", "1")]
        html = "".join(f'<span data-json="{p}"{f" data-scale={s}" if s else ""}>{t}</span>'
                       for p, s, t in good)
        checked, fails = self.failures(check_report.check_numbers, self.parse(html), doc)
        self.assertEqual((checked, fails), (len(good), []))
        for p, s, t in bad:
            html = f'<span data-json="{p}"{f" data-scale={s}" if s else ""}>{t}</span>'
            _, fails = self.failures(check_report.check_numbers, self.parse(html), doc)
            self.assertEqual([k for k, _ in fails], ["numbers"], (p, s, t))

    def test_nested_text_and_svg_text(self):
        doc = {"a": 3.14159}
        html = ('<table><tr><td data-json="/a"><b>3.14</b></td><td>9</td></tr></table>'
                '<svg><text data-json="/a">3.1</text></svg><p data-json="/a">3<br>.142</p>')
        checked, fails = self.failures(check_report.check_numbers, self.parse(html), doc)
        self.assertEqual((checked, fails), (3, []))

    def test_references(self):
        ok = ('<a href="#top">x</a><img src="data:image/png;base64,AAAA" alt="">'
              '<svg><use href="#m"/></svg><a href="mailto:registry@example.org">mail</a>'
              '<div style="background: url(data:image/png;base64,AA)"></div>')
        _, fails = self.failures(check_report.check_references, self.parse(ok))
        self.assertEqual(fails, [])
        for bad in ('<a href="https://example.org">x</a>', '<img src="//cdn.example.org/a.png">',
                    '<link rel="stylesheet" href="report.css">', '<img src="figure1.png">',
                    '<script src="http://x.org/a.js"></script>', '<svg><image xlink:href="a.png"/></svg>',
                    "<style>@import 'x.css';</style>", "<style>body{background:url(https://x/a.png)}</style>",
                    '<p style="background-image:url(bg.png)">x</p>', '<img srcset="a.png 2x">'):
            _, fails = self.failures(check_report.check_references, self.parse(bad))
            self.assertTrue(fails and all(k == "external" for k, _ in fails), bad)

    @unittest.skipUnless(shutil.which("xmllint"), "xmllint is not installed")
    def test_svg_rules(self):
        tmp = tempfile.mkdtemp(prefix="check_report_svg.")
        self.addCleanup(shutil.rmtree, tmp, True)
        ok = '<svg role="img"><title>T</title><desc>D</desc><path d="M0,0"/></svg>'
        cases = {
            ok: None,
            ok.replace(' role="img"', ""): 'lacks role="img"',
            ok.replace("<desc>D</desc>", ""): "no <desc> child",
            ok.replace("<title>T</title>", "<g><title>T</title></g>"): "no <title> child",
            ok.replace("<title>T</title>", "<title> </title>"): "<title> is empty",
            ok.replace("M0,0", "M0,0" + " L1,1" * 40000): "more than 150,000",
            ok.replace("<desc>D</desc>", "<desc>a&nbsp;b</desc>"): "not well-formed",
            ok.replace("</svg>", "<svg role='img'></svg></svg>"): "nested",
        }
        for svg, expect in cases.items():
            html = f"<p>{svg}</p>"
            n, fails = self.failures(check_report.check_svgs, html, tmp, self.parse(html).svg_count)
            self.assertEqual(n, 1 if "nested" not in (expect or "") else 1)
            if expect is None:
                self.assertEqual(fails, [])
            else:
                self.assertTrue(any(k == "svg" and expect in m for k, m in fails), (expect, fails))

    def test_risk_table_search(self):
        text = ("Number at risk\n Group 0 12 24\n Arm A 1,204 1,011 802\n Arm B 99 50 7\n"
                "\f Month  A  B\n 0  30 31\n 6  20 21\n 12 10 11\n")
        doc = {"endpoints": [{"name": "Number   at risk", "groups": [
            {"group": "Arm A", "at": [{"n_risk": 1204}, {"n_risk": 1011}, {"n_risk": 802}]},
            {"group": "Arm B", "at": [{"n_risk": 99}, {"n_risk": 50}, {"n_risk": 7}]},
            {"group": "col A", "at": [{"n_risk": 30}, {"n_risk": 20}, {"n_risk": 10}]},
            {"group": "col B", "at": [{"n_risk": 31}, {"n_risk": 21}, {"n_risk": 11}]},
        ]}]}
        checked, fails = self.failures(check_report.check_risk_tables, text, doc)
        self.assertEqual((checked, fails), (4, []))
        doc["endpoints"][0]["groups"][1]["at"][2]["n_risk"] = 8
        doc["endpoints"][0]["name"] = "Overall survival"
        _, fails = self.failures(check_report.check_risk_tables, text, doc)
        self.assertEqual([k for k, _ in fails], ["pdf", "pdf"])

    def test_png_decoder_all_filters(self):
        tmp = tempfile.mkdtemp(prefix="check_report_png.")
        self.addCleanup(shutil.rmtree, tmp, True)
        for channels, colour in ((3, 2), (4, 6), (1, 0)):
            width, height = 7, 10
            rows = [bytes((x * 37 + y * 11 + c * 101 + (x * y) % 13) & 255
                          for x in range(width) for c in range(channels)) for y in range(height)]
            path = os.path.join(tmp, f"c{colour}.png")
            write_png(path, width, height, colour, channels, rows, filters=[0, 1, 2, 3, 4] * 2)
            w, h, ch, got = check_report.decode_png(path)
            self.assertEqual((w, h, ch), (width, height, channels))
            self.assertEqual(got, rows, f"colour type {colour}")

    def test_blank_and_inked_screenshots(self):
        tmp = tempfile.mkdtemp(prefix="check_report_png.")
        self.addCleanup(shutil.rmtree, tmp, True)
        width, height = 100, 50
        white = [b"\xff" * (3 * width)] * height
        path = os.path.join(tmp, "blank.png")
        write_png(path, width, height, 2, 3, white, filters=[2])
        _, fails = self.failures(check_report.check_screenshot, path)
        self.assertEqual([k for k, _ in fails], ["blank"])
        inked = [bytes((0 if 10 < x < 30 and 10 < y < 30 else 255) if c else (x * 5) & 255
                       for x in range(width) for c in range(3)) if y < 40 else white[0]
                 for y in range(height)]
        write_png(path, width, height, 2, 3, inked, filters=[4, 1])
        stats, fails = self.failures(check_report.check_screenshot, path)
        self.assertEqual(fails, [])
        self.assertGreater(stats["colours"], 10)


def write_png(path, width, height, colour, channels, rows, filters):
    """A PNG writer with every filter type, so the decoder meets them all."""
    def paeth(a, b, c):
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        return a if pa <= pb and pa <= pc else (b if pb <= pc else c)

    raw = bytearray()
    prev = bytes(width * channels)
    for y, row in enumerate(rows):
        kind = filters[y % len(filters)]
        out = bytearray()
        for i, v in enumerate(row):
            a = row[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][kind]
            out.append((v - pred) & 255)
        raw += bytes([kind]) + out
        prev = row

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes(raw)))
                + chunk(b"IEND", b""))


if __name__ == "__main__":
    result = unittest.main(exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    if not TOOLS:
        print(f"SKIP: {NO_BROWSER}", file=sys.stderr)
        sys.exit(77)
    sys.exit(0)
