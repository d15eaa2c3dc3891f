#!/usr/bin/env python3
"""Checks one `cirrus report` HTML file (and its --format json twin) the way a
reader would meet it: in a real browser, on screen and on paper.

    python3 tests/report/check_report.py --html REPORT.html [--json REPORT.json]
        --out DIR [--chromium /usr/bin/chromium] [--timeout 60]

What it checks (every failure is printed as `FAIL [what] message`; the exit
status is 1 if there was any, 2 for a usage or environment error):

  browser   headless Chromium opens the file, screenshots the whole page to
            DIR/report.png and prints it to DIR/report.pdf (one browser run,
            driven over the DevTools protocol on a pipe: --remote-debugging-pipe).
  blank     the screenshot (decoded here with zlib) is not one flat colour.
  console   no console.error/console.assert, no uncaught exception, no error
            entry in the browser log, no alert() dialog.
  network   the page requests nothing but itself and data: URLs (the browser's
            resolver maps every host to NOTFOUND, so nothing leaves the machine).
  pdf       pdftotext -layout reads DIR/report.pdf; every endpoint's name from
            the JSON is in the text, and every group's n_risk values appear as
            consecutive numbers (a row of the risk table) or with a fixed stride
            (a column of a transposed table).
  svg       every inline <svg> is well-formed XML to xmllint (DIR/figure-K.svg),
            has role="img", a <title> and a <desc> child, and is <= 150,000 bytes.
  size      the HTML is <= 3,000,000 bytes.
  external  no src/href/... attribute or CSS url() points at http:, https: or
            //; resources (src, srcset, <link href>, <use href>, ...) are data:
            or #fragment only, so the file is self-contained.
  numbers   every element with data-json="/json/pointer" (RFC 6901), optionally
            data-scale="100", shows the JSON value: its text, less "," and a
            trailing "%", equals value*scale rounded to the decimals shown; "NR",
            "not reached", "—" match null; "<0.001" means value*scale < 0.001.
  json      the JSON parses and has the shape {"endpoints": [...]}.

Only the Python standard library is used; the programs it runs are chromium,
pdftotext, pdfinfo (poppler-utils) and xmllint (libxml2-utils).
"""

import argparse
import base64
import collections
import fcntl
import html.parser
import itertools
import json
import math
import os
import pathlib
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zlib

MAX_HTML_BYTES = 3_000_000
MAX_SVG_BYTES = 150_000
WINDOW_WIDTH = 1280
WINDOW_HEIGHT = 1000
MAX_SHOT_HEIGHT = 16384  # Chromium's largest capture; longer pages are cut there
MIN_INK_SHARE = 0.005  # at least 0.5% of the pixels differ from the background
MIN_COLOURS = 4  # text alone antialiases to dozens of greys

NULL_WORDS = {"nr", "not reached", "—", "–", "-", "n/a", "na", "not estimable", "ne"}


class Failures:
    def __init__(self):
        self.items = []

    def add(self, what, message):
        self.items.append((what, message))
        print(f"FAIL [{what}] {message}", flush=True)


def note(message):
    print(f"note: {message}", flush=True)


# --------------------------------------------------------------------------
# Chromium over the DevTools protocol (pipe transport: fd 3 in, fd 4 out,
# messages are JSON separated by NUL bytes).


class BrowserError(Exception):
    pass


class Browser:
    def __init__(self, chromium, profile, log_path, deadline):
        self.deadline = deadline
        self.buf = b""
        self.next_id = 0
        self.events = []
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # Lift the child's ends above fd 10 so the dup2 onto 3 and 4 below can
        # neither be a no-op (which would keep close-on-exec) nor clobber each other.
        child_in = fcntl.fcntl(to_child_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_child_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_child_r)
        os.close(from_child_w)

        def wire_pipes():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        args = [
            chromium,
            "--headless=new",
            "--no-sandbox",  # CI runs as root in a container; the sandbox refuses root
            "--disable-gpu",
            "--hide-scrollbars",
            "--disable-dev-shm-usage",  # containers often have a 64 MB /dev/shm
            "--user-data-dir=" + profile,
            "--remote-debugging-pipe",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--mute-audio",
            "--force-device-scale-factor=1",
            f"--window-size={WINDOW_WIDTH},{WINDOW_HEIGHT}",
            "about:blank",
        ]
        env = dict(os.environ)
        # Keep Chromium's and fontconfig's caches and crash dumps in the profile.
        env["XDG_CONFIG_HOME"] = os.path.join(profile, "xdg-config")
        env["XDG_CACHE_HOME"] = os.path.join(profile, "xdg-cache")
        if not os.access(env.get("HOME", "/nonexistent"), os.W_OK):
            env["HOME"] = profile
        self.log = open(log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=self.log,
                stderr=self.log,
                preexec_fn=wire_pipes,
                close_fds=False,  # fds 3 and 4 must survive; the rest are close-on-exec
                start_new_session=True,
                env=env,
            )
        finally:
            os.close(child_in)
            os.close(child_out)
        self.w = to_child_w
        self.r = from_child_r
        os.set_blocking(self.r, False)

    def remaining(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise BrowserError("ran out of time (--timeout)")
        return left

    def _recv(self, timeout):
        end = min(self.deadline, time.monotonic() + timeout)
        while b"\0" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.r, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                raise BrowserError("chromium closed the DevTools pipe (it crashed or exited)")
            self.buf += chunk
        message, self.buf = self.buf.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self.w, data):]
        except BrokenPipeError:
            raise BrowserError("chromium closed the DevTools pipe (it crashed or exited)")
        return self.next_id

    def call(self, method, params=None, session=None):
        wanted = self.send(method, params, session)
        while True:
            message = self._recv(self.remaining())
            if message is None:
                raise BrowserError(f"timed out waiting for {method}")
            if message.get("id") == wanted:
                if "error" in message:
                    raise BrowserError(f"{method} failed: {message['error'].get('message')}")
                return message.get("result", {})
            self._event(message)

    def _event(self, message):
        if "method" not in message:
            return
        self.events.append(message)
        if message["method"] == "Page.javascriptDialogOpening":
            # An alert() would block the page for ever; dismiss it (and report it).
            self.send("Page.handleJavaScriptDialog", {"accept": True}, message.get("sessionId"))

    def wait_event(self, method, timeout, since=0):
        """The first `method` event from self.events[since:] on, waiting if need be."""
        end = time.monotonic() + timeout
        for e in self.events[since:]:
            if e["method"] == method:
                return e
        while True:
            left = min(end - time.monotonic(), self.remaining())
            if left <= 0:
                return None
            message = self._recv(left)
            if message is None:
                return None
            self._event(message)
            if message.get("method") == method:
                return message

    def drain(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            message = self._recv(end - time.monotonic())
            if message is None:
                break
            self._event(message)

    def close(self):
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close")
                except BrowserError:
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
            else:
                # The browser's own helpers (zygote, gpu) share its process group.
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for fd in (self.r, self.w):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.log.close()


def render(html_path, out, chromium, timeout, fails):
    """Opens the report, saves report.png and report.pdf; returns a dict of facts."""
    url = pathlib.Path(os.path.abspath(html_path)).as_uri()
    profile = os.path.join(out, "chromium-profile")
    shutil.rmtree(profile, ignore_errors=True)
    os.makedirs(profile)
    log_path = os.path.join(out, "chromium.log")
    facts = {}
    try:
        browser = Browser(chromium, profile, log_path, time.monotonic() + timeout)
    except OSError as e:
        fails.add("browser", f"cannot start {chromium}: {e}")
        return None
    try:
        targets = browser.call("Target.getTargets")["targetInfos"]
        pages = [t for t in targets if t["type"] == "page"]
        if pages:
            target = pages[0]["targetId"]
        else:
            target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        facts["frame"] = target  # a page target's id is its main frame's id
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(domain + ".enable", None, session)
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": WINDOW_WIDTH, "height": WINDOW_HEIGHT, "deviceScaleFactor": 1,
                      "mobile": False}, session)
        since = len(browser.events)
        nav = browser.call("Page.navigate", {"url": url}, session)
        if nav.get("errorText"):
            fails.add("browser", f"chromium could not open {url}: {nav['errorText']}")
            return None
        if browser.wait_event("Page.loadEventFired", browser.remaining(), since) is None:
            raise BrowserError(f"the page did not finish loading within {timeout:g} s "
                               "(raise --timeout if the report is just big)")
        browser.call("Runtime.evaluate", {"expression": "document.fonts.ready.then(() => 0)",
                                          "awaitPromise": True}, session)
        browser.drain(0.1)  # late console messages and failed loads

        metrics = browser.call("Page.getLayoutMetrics", None, session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width = max(WINDOW_WIDTH, int(math.ceil(size["width"])))
        height = int(math.ceil(size["height"]))
        facts["page_height"] = height
        if width > WINDOW_WIDTH:
            note(f"the page is {width}px wide, wider than the {WINDOW_WIDTH}px window")
        if height > MAX_SHOT_HEIGHT:
            note(f"the page is {height}px tall; the screenshot stops at {MAX_SHOT_HEIGHT}px")
        shot = browser.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, MAX_SHOT_HEIGHT), "scale": 1},
        }, session)
        facts["png"] = os.path.join(out, "report.png")
        with open(facts["png"], "wb") as f:
            f.write(base64.b64decode(shot["data"]))

        pdf = browser.call("Page.printToPDF", {
            "printBackground": True, "displayHeaderFooter": False, "preferCSSPageSize": True,
        }, session)
        facts["pdf"] = os.path.join(out, "report.pdf")
        with open(facts["pdf"], "wb") as f:
            f.write(base64.b64decode(pdf["data"]))
        browser.drain(0.05)
    except BrowserError as e:
        fails.add("browser", f"headless chromium: {e} (its log: {log_path})")
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    judge_events(browser.events, url, facts.get("frame"), fails)
    return facts


def judge_events(events, url, main_frame, fails):
    network = collections.OrderedDict()  # url -> reasons
    ids = {}
    for e in events:
        method, p = e["method"], e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", a.get("type"))))
                            for a in p.get("args", []))
            frames = (p.get("stackTrace") or {}).get("callFrames") or [{}]
            where = f" at line {frames[0]['lineNumber'] + 1}" if "lineNumber" in frames[0] else ""
            fails.add("console", f"console.{p['type']}: {text}{where}")
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = (d.get("exception") or {}).get("description") or d.get("text", "")
            fails.add("console", f"uncaught exception: {text.splitlines()[0] if text else '?'}"
                                 f" at line {d.get('lineNumber', -1) + 1}")
        elif method == "Page.javascriptDialogOpening":
            fails.add("console", f"the page opened a {p.get('type')} dialog: {p.get('message')}")
        elif method == "Log.entryAdded":
            entry = p.get("entry", {})
            if entry.get("level") != "error":
                continue
            if entry.get("source") == "network" or entry.get("networkRequestId"):
                network.setdefault(entry.get("url") or "?", []).append(entry.get("text", ""))
            else:
                fails.add("console", f"browser log error ({entry.get('source')}): {entry.get('text')}")
        elif method == "Network.requestWillBeSent":
            req = p.get("request", {}).get("url", "")
            ids[p.get("requestId")] = req
            main_document = (p.get("type") == "Document" and p.get("requestId") == p.get("loaderId")
                             and p.get("frameId") == main_frame)
            if main_document or req == url or req.startswith(("data:", "about:", "blob:")):
                continue
            network.setdefault(req, []).append("requested")
        elif method == "Network.loadingFailed":
            req = ids.get(p.get("requestId"), "?")
            network.setdefault(req, []).append(p.get("errorText", "failed"))
    for req, reasons in network.items():
        reasons = list(dict.fromkeys(r for r in reasons if r))
        shown = req if len(req) < 120 else req[:117] + "..."
        fails.add("network", f"the page tried to load {shown} ({'; '.join(reasons)}): "
                             "a report must be self-contained")


# --------------------------------------------------------------------------
# PNG decoding (enough for what Chromium writes: 8-bit, not interlaced).


def _add_bytes(a, b):
    """Bytewise (a + b) mod 256 of two equal-length byte strings, via big ints."""
    n = len(a)
    x = int.from_bytes(a, "big")
    y = int.from_bytes(b, "big")
    low = int.from_bytes(b"\x7f" * n, "big")
    high = int.from_bytes(b"\x80" * n, "big")
    return (((x & low) + (y & low)) ^ ((x ^ y) & high)).to_bytes(n, "big")


def decode_png(path):
    """Returns (width, height, channels, rows), rows a list of bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG has no IHDR")
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    raw = zlib.decompress(b"".join(idat))
    bpp = channels
    stride = width * bpp
    if len(raw) < height * (stride + 1):
        raise ValueError("PNG data is truncated")
    prev = bytes(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = raw[start + 1:start + 1 + stride]
        if kind == 0:
            cur = line
        elif kind == 2:
            cur = _add_bytes(line, prev)
        elif kind == 1:
            out = bytearray(stride)
            for c in range(bpp):
                out[c::bpp] = bytes(itertools.accumulate(line[c::bpp], lambda s, v: (s + v) & 255))
            cur = bytes(out)
        elif kind == 3:
            out = bytearray(line)
            for i in range(stride):
                left = out[i - bpp] if i >= bpp else 0
                out[i] = (out[i] + ((left + prev[i]) >> 1)) & 255
            cur = bytes(out)
        elif kind == 4:
            out = bytearray(line)
            for i in range(stride):
                if i >= bpp:
                    a, c = out[i - bpp], prev[i - bpp]
                else:
                    a = c = 0
                b = prev[i]
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                out[i] = (out[i] + pred) & 255
            cur = bytes(out)
        else:
            raise ValueError(f"bad PNG filter type {kind} in row {y}")
        rows.append(cur)
        prev = cur
    return width, height, channels, rows


def check_screenshot(path, fails):
    try:
        width, height, channels, rows = decode_png(path)
    except (ValueError, zlib.error, OSError) as e:
        fails.add("blank", f"cannot decode the screenshot {path}: {e}")
        return None
    # Every other pixel of every other row is plenty for a share and a count;
    # colour only (alpha dropped); zip over strided slices runs at C speed.
    colours = collections.Counter()
    step = 2 if width > 64 and height > 64 else 1
    for row in rows[::step]:
        planes = [row[c::channels * step] for c in range(min(channels, 3))]
        colours.update(zip(*planes))
    total = sum(colours.values())
    background, count = colours.most_common(1)[0]
    ink = 1 - count / total
    stats = {"width": width, "height": height, "ink": ink, "colours": len(colours),
             "background": background}
    if ink < MIN_INK_SHARE or len(colours) < MIN_COLOURS:
        fails.add("blank", f"the screenshot {path} looks blank: {ink:.2%} of its {width}x{height} "
                           f"pixels differ from the background {background}, {len(colours)} distinct "
                           f"colours (need >= {MIN_INK_SHARE:.1%} and >= {MIN_COLOURS})")
    return stats


# --------------------------------------------------------------------------
# PDF text: endpoint names and risk tables.


def pdf_text(pdf, out, fails):
    txt = os.path.join(out, "report.txt")
    r = subprocess.run(["pdftotext", "-layout", pdf, txt], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fails.add("pdf", f"pdftotext failed on {pdf}: {r.stderr.strip()}")
        return None, None
    with open(txt, encoding="utf-8", errors="replace") as f:
        text = f.read()
    pages = None
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=60)
        m = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
        pages = int(m.group(1)) if m else None
    if pages is None:
        pages = text.count("\f") or 1
    return text, pages


def _token(t):
    return t.replace(",", "").replace("\u2009", "").replace("\u202f", "").strip("()[];:")


def find_run(tokens, values, max_stride):
    """The first position from which values occur in order, each at most
    max_stride tokens after the one before (a row of a risk table has them
    side by side; a column of a transposed one has a few cells between them,
    fewer where an estimate is absent)."""
    want = [str(v) for v in values]
    for p, t in enumerate(tokens):
        if t != want[0]:
            continue
        at = p
        for w in want[1:]:
            nxt = next((q for q in range(at + 1, min(at + max_stride, len(tokens) - 1) + 1)
                        if tokens[q] == w), None)
            if nxt is None:
                break
            at = nxt
        else:
            return p, at - p
    return None


def check_risk_tables(text, doc, fails):
    tokens = [_token(t) for t in text.split()]
    flat = " ".join(text.split()).casefold()
    endpoints = doc.get("endpoints", [])
    checked = 0
    for e_i, ep in enumerate(endpoints):
        name = ep.get("name")
        if not isinstance(name, str) or not name.strip():
            fails.add("json", f"/endpoints/{e_i}/name is missing or empty")
        elif " ".join(name.split()).casefold() not in flat:
            fails.add("pdf", f"endpoint name {name!r} is not in the PDF text")
        groups = ep.get("groups", [])
        for g_i, g in enumerate(groups):
            at = g.get("at") or []
            values = []
            for a_i, a in enumerate(at):
                v = a.get("n_risk") if isinstance(a, dict) else None
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v):
                    fails.add("json", f"/endpoints/{e_i}/groups/{g_i}/at/{a_i}/n_risk is {v!r}, "
                                      "not an integer")
                    values = None
                    break
                values.append(int(v))
            if not values:
                continue
            checked += 1
            # Stride 1: a row of the risk table; more: a column of a transposed one
            # (one column per group, plus times and maybe estimates).
            if find_run(tokens, values, max_stride=2 * len(groups) + 4) is None:
                fails.add("pdf", f"risk table of {name!r}, group {g.get('group')!r}: the at-risk "
                                 f"numbers {' '.join(map(str, values))} do not appear in order in "
                                 "the PDF text")
    return checked


# --------------------------------------------------------------------------
# The HTML itself: figures, size, references, numbers.


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
URL_ATTRS = {"src", "href", "xlink:href", "srcset", "poster", "data", "action", "formaction",
             "background", "cite", "longdesc", "manifest", "ping", "icon"}
RESOURCE_ATTRS = {"src", "srcset", "poster", "data", "background"}
RESOURCE_HREF_TAGS = {"link", "use", "image", "feimage", "script", "img", "iframe", "embed",
                      "object", "audio", "video", "source", "track", "input"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)\s*([^'")\s]*)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)""", re.I)
EXTERNAL = re.compile(r"^\s*(https?:|//|ftp:|ws:|wss:)", re.I)


def is_external(value):
    return bool(EXTERNAL.match(value))


class ReportParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # [tag, capture index or None]
        self.captures = []  # [pointer, scale, text parts, line, closed]
        self.refs = []  # (line, tag, attr, value)
        self.styles = []  # (line, css text)
        self.svg_count = 0
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, void=tag in VOID)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, void=True)

    def _start(self, tag, attrs, void):
        line = self.getpos()[0]
        a = dict(attrs)
        if tag == "svg":
            self.svg_count += 1
        for name, value in attrs:
            if name in URL_ATTRS and value is not None:
                self.refs.append((line, tag, name, value))
            if name == "style" and value:
                self.styles.append((line, value))
        capture = None
        if "data-json" in a:
            capture = len(self.captures)
            self.captures.append([a["data-json"], a.get("data-scale"), [], line, void])
        if not void:
            self.stack.append([tag, capture])
            if tag == "style":
                self.in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        if not any(t == tag for t, _ in self.stack):
            return  # stray end tag
        while self.stack:
            t, capture = self.stack.pop()
            if capture is not None:
                self.captures[capture][4] = True
            if t == tag:
                break

    def handle_data(self, data):
        if self.in_style:
            self.styles.append((self.getpos()[0], data))
        for _, capture in self.stack:
            if capture is not None:
                self.captures[capture][2].append(data)


def check_references(parser, fails):
    for line, tag, attr, value in parser.refs:
        v = value.strip()
        if is_external(v):
            fails.add("external", f"line {line}: <{tag} {attr}=\"{v[:80]}\"> points outside the file")
            continue
        resource = attr in RESOURCE_ATTRS or (attr in ("href", "xlink:href") and tag in RESOURCE_HREF_TAGS)
        if resource and v and not v.lower().startswith(("data:", "#")):
            fails.add("external", f"line {line}: <{tag} {attr}=\"{v[:80]}\"> loads another file: "
                                  "inline it (data: URL or inline SVG)")
    for line, css in parser.styles:
        for m in CSS_URL.finditer(css):
            target = m.group(2)
            if target and not target.lower().startswith(("data:", "#")):
                fails.add("external", f"line {line}: CSS url({target[:80]}) loads another file")
        for m in CSS_IMPORT.finditer(css):
            fails.add("external", f"line {line}: CSS @import {m.group(1)[:80]}")


SVG_ELEMENT = re.compile(r"<svg\b.*?</svg\s*>", re.S | re.I)


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def check_svgs(html_text, out, parser_count, fails):
    figures = SVG_ELEMENT.findall(html_text)
    if len(figures) != parser_count:
        fails.add("svg", f"found {len(figures)} <svg>...</svg> elements but {parser_count} <svg> "
                         "start tags (an unclosed or nested svg?)")
    for k, svg in enumerate(figures, 1):
        path = os.path.join(out, f"figure-{k}.svg")
        with open(path, "w", encoding="utf-8") as f:
            f.write(svg)
        label = f"figure {k} ({path})"
        if re.search(r"<svg\b", svg[4:], re.I):
            fails.add("svg", f"{label}: an <svg> nested in an <svg>")
        size = len(svg.encode("utf-8"))
        if size > MAX_SVG_BYTES:
            fails.add("svg", f"{label}: {size:,} bytes, more than {MAX_SVG_BYTES:,}")
        r = subprocess.run(["xmllint", "--noout", path], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            first = " | ".join(r.stderr.strip().splitlines()[:3])
            fails.add("svg", f"{label}: not well-formed XML: {first}")
            continue
        root = ET.parse(path).getroot()
        if root.get("role") != "img":
            fails.add("svg", f"{label}: the <svg> lacks role=\"img\"")
        children = {_local(c.tag): c for c in reversed(list(root))}
        for need in ("title", "desc"):
            child = children.get(need)
            if child is None:
                fails.add("svg", f"{label}: the <svg> has no <{need}> child")
            elif not "".join(child.itertext()).strip():
                fails.add("svg", f"{label}: its <{need}> is empty")
    return len(figures)


class PointerError(Exception):
    pass


def resolve(doc, pointer):
    """RFC 6901."""
    if pointer == "":
        return doc
    if not pointer.startswith("/"):
        raise PointerError("does not start with /")
    node = doc
    for raw in pointer[1:].split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            if not re.fullmatch(r"0|[1-9][0-9]*", key):
                raise PointerError(f"{key!r} is not an array index")
            i = int(key)
            if i >= len(node):
                raise PointerError(f"index {i} is past the end of an array of {len(node)}")
            node = node[i]
        elif isinstance(node, dict):
            if key not in node:
                raise PointerError(f"no member {key!r}")
            node = node[key]
        else:
            raise PointerError(f"{key!r} steps into a {type(node).__name__}")
    return node


NUMBER = re.compile(r"([<>≤≥]=?)?\s*([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?")


def parse_shown(text):
    """'81.2%' -> (None, 81.2, 1); '<0.001' -> ('<', 0.001, 3); 'NR' -> 'null'."""
    t = " ".join(text.split())
    if t.casefold() in NULL_WORDS:
        return "null"
    t = t.replace("\u2212", "-").replace(",", "").replace("\u2009", "").replace("\u202f", "")
    t = t.replace("\xa0", "")
    if t.endswith("%"):
        t = t[:-1].rstrip()
    m = NUMBER.fullmatch(t)
    if not m:
        return None
    op, sign, whole, frac, exp = m.groups()
    frac = frac or ""
    value = float(f"{sign}{whole}.{frac or '0'}e{exp or 0}")
    decimals = len(frac) - int(exp or 0)
    return (op, value, decimals)


def check_numbers(parser, doc, fails):
    checked = 0
    for pointer, scale_text, parts, line, closed in parser.captures:
        where = f"line {line}: data-json=\"{pointer}\""
        text = " ".join("".join(parts).split())
        if not closed:
            fails.add("numbers", f"{where}: the element is never closed")
        try:
            value = resolve(doc, pointer)
        except PointerError as e:
            fails.add("numbers", f"{where}: the pointer does not resolve: {e}")
            continue
        try:
            scale = float(scale_text) if scale_text is not None else 1.0
        except ValueError:
            fails.add("numbers", f"{where}: data-scale=\"{scale_text}\" is not a number")
            continue
        checked += 1
        if isinstance(value, str):
            if text != " ".join(value.split()):
                fails.add("numbers", f"{where}: shows {text!r}, the JSON has {value!r}")
            continue
        shown = parse_shown(text)
        if shown is None:
            fails.add("numbers", f"{where}: shows {text!r}, which is not a number")
            continue
        if value is None:
            if shown != "null":
                fails.add("numbers", f"{where}: shows {text!r}, the JSON has null")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fails.add("numbers", f"{where}: points at a {type(value).__name__}, not a number")
            continue
        if shown == "null":
            fails.add("numbers", f"{where}: shows {text!r} (none), the JSON has {value!r}")
            continue
        op, number, decimals = shown
        target = value * scale
        if not math.isfinite(target):
            fails.add("numbers", f"{where}: the JSON value {value!r} is not finite")
            continue
        slack = 1e-9 * max(1.0, abs(target))
        if op is None:
            ok = abs(target - number) <= 0.5 * 10.0 ** -decimals + slack
        elif op.startswith(("<", "≤")):
            ok = target < number + slack if op in ("<",) else target <= number + slack
        else:
            ok = target > number - slack if op in (">",) else target >= number - slack
        if not ok:
            scaled = f" (x{scale:g} = {target!r})" if scale != 1 else ""
            fails.add("numbers", f"{where}: shows {text!r}, the JSON has {value!r}{scaled}")
    return checked


# --------------------------------------------------------------------------


def find_chromium(given):
    if given:
        return given if os.path.isfile(given) and os.access(given, os.X_OK) else shutil.which(given)
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html", required=True, help="the report's HTML file")
    ap.add_argument("--json", help="the same report written with --format json")
    ap.add_argument("--out", required=True, help="folder for report.png, report.pdf, figure-K.svg")
    ap.add_argument("--chromium", help="the browser (default: $CHROMIUM or chromium on PATH)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds the browser may take (60)")
    ap.add_argument("--no-browser", action="store_true",
                    help="only the checks that need no browser (svg, size, external, numbers): "
                         "quick feedback while writing a report; not the full check")
    args = ap.parse_args(argv)

    started = time.monotonic()
    chromium = None if args.no_browser else find_chromium(args.chromium)
    if not chromium and not args.no_browser:
        print("check_report: no chromium found (install it with scripts/install-deps.sh, "
              "or pass --chromium)", file=sys.stderr)
        return 2
    for tool in ("xmllint",) if args.no_browser else ("pdftotext", "xmllint"):
        if not shutil.which(tool):
            print(f"check_report: {tool} not found (scripts/install-deps.sh installs it)",
                  file=sys.stderr)
            return 2
    try:
        with open(args.html, "rb") as f:
            html_bytes = f.read()
    except OSError as e:
        print(f"check_report: cannot read --html: {e}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):  # what an earlier run left must not pass for this one's
        if re.fullmatch(r"figure-\d+\.svg|report\.(png|pdf|txt)|chromium\.log", name):
            os.remove(os.path.join(args.out, name))
    fails = Failures()

    doc = None
    if args.json:
        try:
            with open(args.json, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            fails.add("json", f"cannot read {args.json}: {e}")
        if doc is not None and not (isinstance(doc, dict) and isinstance(doc.get("endpoints"), list)):
            fails.add("json", f"{args.json} has no \"endpoints\" array")
            doc = {"endpoints": []} if not isinstance(doc, dict) else dict(doc, endpoints=[])

    # Static checks first: they are quick and say the most about a broken file.
    if len(html_bytes) > MAX_HTML_BYTES:
        fails.add("size", f"{args.html} is {len(html_bytes):,} bytes, more than {MAX_HTML_BYTES:,}")
    try:
        html_text = html_bytes.decode("utf-8")
    except UnicodeDecodeError as e:
        fails.add("size", f"{args.html} is not valid UTF-8: {e}")
        html_text = html_bytes.decode("utf-8", errors="replace")
    parser = ReportParser()
    parser.feed(html_text)
    parser.close()
    check_references(parser, fails)
    figures = check_svgs(html_text, args.out, parser.svg_count, fails)
    numbers = None
    if doc is not None:
        numbers = check_numbers(parser, doc, fails)
        if not parser.captures:
            fails.add("numbers", "no element carries data-json: nothing ties the report's numbers "
                                 "to the JSON")
    elif parser.captures:
        note(f"{len(parser.captures)} data-json numbers not checked: no --json given")

    facts = {}
    if args.no_browser:
        note("--no-browser: no screenshot, console, network or PDF checks")
    else:
        facts = render(args.html, args.out, chromium, args.timeout, fails) or {}
    shot = check_screenshot(facts["png"], fails) if "png" in facts else None
    pages = risk = None
    if "pdf" in facts:
        text, pages = pdf_text(facts["pdf"], args.out, fails)
        if text is not None and doc is not None:
            risk = check_risk_tables(text, doc, fails)

    print(f"screenshot: {facts.get('png', 'none')}"
          + (f" ({shot['width']}x{shot['height']}, {shot['ink']:.1%} ink, {shot['colours']} colours)"
             if shot else ""))
    print(f"pdf: {facts.get('pdf', 'none')}" + (f" ({pages} page{'s' if pages != 1 else ''})"
                                                   if pages is not None else ""))
    print(f"figures checked: {figures}")
    if risk is not None:
        print(f"risk-table groups checked: {risk}")
    print(f"numbers checked: {numbers if numbers is not None else 'none (no --json)'}")
    print(f"time: {time.monotonic() - started:.1f} s")
    if fails.items:
        kinds = sorted({w for w, _ in fails.items})
        print(f"check_report: {len(fails.items)} failure(s) in {args.html}: {', '.join(kinds)}")
        return 1
    print(f"check_report: OK {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
