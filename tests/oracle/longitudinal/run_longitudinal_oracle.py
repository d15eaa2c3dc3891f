#!/usr/bin/env python3
"""Compares `cirrus change`, `cirrus ancova` and `cirrus mmrm` with R on the same data.

r_longitudinal.R writes OUTDIR/expected.json (see PROVENANCE.md): for every case
the cirrus command, its input in data/, its arguments, and R's result in the
shape of the command's --format json output. This driver runs each case and
compares every field recursively:

  numbers   |cirrus - R| <= 1e-6 * max(1, |R|); the Satterthwaite df of `mmrm`
            (entries that carry `_df_sensitivity`) to 1e-3 relative, and the
            fields that depend on that df (lower, upper, p) with the extra
            |d field / d df| * 1e-3 * df that the df's own tolerance allows
  counts    n, dropped, n_subjects, n_observations, residual_df: exactly
  strings, booleans: exactly
  null      R could not compute the value: cirrus must write null (the key present)
  arrays    the same length, compared element by element in order
  objects   every key of R's (keys starting with "_" are the oracle's own
            notes); a key cirrus adds is a mismatch, except `iterations`

Then the bad-input cases of the contract (issue 12): unknown column, a
non-numeric time, two rows for one subject and time, a group with one subject,
nothing left to analyse; each of the three commands must exit 2 and name the
file and the offending value (and the line, where there is one) on stderr.

Exit 0 when all agree, 1 with a per-case list of disagreements, 2 when R or
cirrus cannot run at all.

  run_longitudinal_oracle.py --cirrus build/release/cirrus [--rscript Rscript]
                             [--keep DIR] [--only REGEX]
"""
import argparse
import json
import math
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data"

# Both sides evaluate the same closed forms (t, Wilcoxon, lm) or reach the same
# REML optimum (R's polished to a Newton decrement below 1e-20); 1e-6 is the
# agreement the contract asks for, far outside double rounding.
TOLERANCE = 1e-6
# Satterthwaite's df involves the Hessian of the REML criterion, which an
# implementation may compute analytically or by differences: 1e-3 relative.
DF_TOLERANCE = 1e-3
EXACT_KEYS = {"n", "dropped", "n_subjects", "n_observations", "residual_df"}
EXTRA_KEYS_ALLOWED = {"iterations"}
# the fields that name an array element in a diff
LABEL_KEYS = ("group", "reference", "time", "term", "kind")
COMMAND_TIMEOUT_S = 120


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cirrus", required=True, help="the cirrus binary")
    parser.add_argument("--rscript", default="Rscript")
    parser.add_argument("--keep", help="write R's expected.json here and keep it")
    parser.add_argument("--only", help="run only the cases whose name matches this regular expression")
    return parser.parse_args()


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def label(item, index):
    if isinstance(item, dict):
        parts = [f"{k}={item[k]}" for k in LABEL_KEYS if isinstance(item.get(k), (str, int, float))]
        if parts:
            return f"[{index}]({', '.join(parts)})"
    return f"[{index}]"


class Comparison:
    def __init__(self):
        self.values = 0
        self.problems = {}  # case -> [lines]

    def fail(self, case, text):
        self.problems.setdefault(case, []).append(text)

    def compare(self, case, path, key, expected, got, sensitivity=None):
        """`key`: the object key this value sits under (for the tolerance rules);
        `sensitivity`: the `_df_sensitivity` of the object this value sits in."""
        if isinstance(expected, dict):
            if not isinstance(got, dict):
                self.fail(case, f"{path}: cirrus {json.dumps(got)[:80]}, R an object")
                return
            own = expected.get("_df_sensitivity")  # applies to this object's own numbers only
            for k, v in expected.items():
                if k.startswith("_"):
                    continue
                if k not in got:
                    self.values += 1
                    self.fail(case, f"{path}.{k}: missing from cirrus output (R {json.dumps(v)[:60]})")
                    continue
                self.compare(case, f"{path}.{k}", k, v, got[k], own)
            for k in got:
                if k not in expected and k not in EXTRA_KEYS_ALLOWED:
                    self.fail(case, f"{path}.{k}: cirrus writes a key that R has not ({json.dumps(got[k])[:60]})")
            return
        if isinstance(expected, list):
            if not isinstance(got, list):
                self.fail(case, f"{path}: cirrus {json.dumps(got)[:80]}, R an array of {len(expected)}")
                return
            if len(got) != len(expected):
                self.values += 1
                want = [label(e, i) for i, e in enumerate(expected)]
                have = [label(g, i) for i, g in enumerate(got)]
                self.fail(case, f"{path}: cirrus has {len(got)} elements, R {len(expected)}\n"
                                f"      R:      {' '.join(want)[:400]}\n      cirrus: {' '.join(have)[:400]}")
                return
            for i, (e, g) in enumerate(zip(expected, got)):
                self.compare(case, f"{path}{label(e, i)}", None, e, g)
            return
        self.values += 1
        if expected is None:
            if got is not None:
                self.fail(case, f"{path}: cirrus {got!r}, R null (not computable)")
            return
        if isinstance(expected, (bool, str)):
            if type(got) is not type(expected) or got != expected:
                self.fail(case, f"{path}: cirrus {json.dumps(got)}, R {json.dumps(expected)}")
            return
        if not is_number(got) or not math.isfinite(got):
            self.fail(case, f"{path}: cirrus {json.dumps(got)}, R {expected!r}")
            return
        if key in EXACT_KEYS:
            if got != expected:
                self.fail(case, f"{path}: cirrus {got!r}, R {expected!r} (a count: must be equal)")
            return
        allowed = TOLERANCE * max(1.0, abs(expected))
        note = ""
        if sensitivity is not None and key == "df":
            allowed = DF_TOLERANCE * abs(expected)
            note = ", Satterthwaite df: 1e-3 relative"
        elif sensitivity is not None and key in sensitivity:
            # the df of this entry, whose tolerance this field inherits
            allowed += abs(sensitivity[key]) * DF_TOLERANCE * abs(sensitivity["_df"])
            note = ", with the df's allowance"
        diff = abs(got - expected)
        if not diff <= allowed:
            self.fail(case, f"{path}: cirrus {got!r}, R {expected!r} (|diff| {diff:.3g} > {allowed:.3g}{note})")


def attach_df(expected):
    """Gives each `_df_sensitivity` the df of its entry (the allowance scales with it)."""
    if isinstance(expected, dict):
        if "_df_sensitivity" in expected:
            expected["_df_sensitivity"]["_df"] = expected["df"]
        for v in expected.values():
            attach_df(v)
    elif isinstance(expected, list):
        for v in expected:
            attach_df(v)


def run_cirrus(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None


def run_cases(args, out, cmp):
    cases = json.loads((out / "expected.json").read_text())["cases"]
    if args.only:
        cases = [c for c in cases if re.search(args.only, c["name"])]
    for case in cases:
        name = case["name"]
        argv = [args.cirrus, case["command"], "--input", str(DATA / case["input"])] + case["args"] + ["--format", "json"]
        run = run_cirrus(argv)
        if run is None:
            cmp.fail(name, f"cirrus ran past {COMMAND_TIMEOUT_S} s: {' '.join(argv)}")
            continue
        if run.returncode != 0:
            cmp.fail(name, f"cirrus exited {run.returncode}: {run.stderr.strip()[:500]}\n      {' '.join(argv)}")
            continue
        try:
            got = json.loads(run.stdout)
        except json.JSONDecodeError as e:
            cmp.fail(name, f"cirrus output is not JSON ({e}): {run.stdout[:200]!r}")
            continue
        expected = case["expected"]
        attach_df(expected)
        cmp.compare(name, "", None, expected, got)
    return len(cases)


# ---- bad input ---------------------------------------------------------------------
# One small valid trial (two groups of three, weeks 0, 4 and 12) and five ways
# to break it. `needles`: what stderr must contain besides the file's name:
# each item is a string, or a tuple of strings of which one is enough.
GOOD = [
    ("s1", "a", "0", "3.1"), ("s1", "a", "4", "3.3"), ("s1", "a", "12", "3.4"),
    ("s2", "a", "0", "2.9"), ("s2", "a", "4", "3.0"), ("s2", "a", "12", "3.2"),
    ("s3", "a", "0", "3.5"), ("s3", "a", "4", "3.4"), ("s3", "a", "12", "3.6"),
    ("t1", "b", "0", "3.0"), ("t1", "b", "4", "3.5"), ("t1", "b", "12", "3.8"),
    ("t2", "b", "0", "2.7"), ("t2", "b", "4", "3.1"), ("t2", "b", "12", "3.3"),
    ("t3", "b", "0", "3.3"), ("t3", "b", "4", "3.6"), ("t3", "b", "12", "4.0"),
]
HEADER = "id,arm,week,albumin"


def bad_inputs():
    """(name, file name, rows, --value column, needles)."""
    rows = list(GOOD)
    non_numeric = rows[:7] + [("s3", "a", "w4", "3.4")] + rows[8:]     # line 9 (the header is line 1)
    duplicate = rows[:11] + [("t1", "b", "4", "3.6")] + rows[11:]      # line 13 repeats line 12
    lonely = [r for r in rows if r[0] not in ("t2", "t3")]             # group b: only t1
    nothing = [r if r[2] == "0" else (r[0], r[1], r[2], "NA") for r in rows]
    return [
        ("unknown_column", "unknown_column.csv", rows, "albumen", ["albumen"]),
        ("non_numeric_time", "non_numeric_time.csv", non_numeric, "albumin", ["w4", "week", re.compile(r"\b9\b")]),
        ("duplicate_row", "duplicate_row.csv", duplicate, "albumin",
         ["t1", re.compile(r"\b(12|13)\b")]),
        ("group_with_one_subject", "group_with_one_subject.csv", lonely, "albumin", ["arm", re.compile(r"\bb\b")]),
        ("nothing_left", "nothing_left.csv", nothing, "albumin", []),
    ]


def check_bad_inputs(args, tmp, cmp):
    count = 0
    for name, file_name, rows, value, needles in bad_inputs():
        path = tmp / file_name
        path.write_text("\n".join([HEADER] + [",".join(r) for r in rows]) + "\n")
        common = ["--input", str(path), "--subject", "id", "--time", "week", "--value", value,
                  "--baseline-time", "0", "--group", "arm"]
        for command, extra in (("change", []), ("ancova", ["--at", "12"]), ("mmrm", [])):
            count += 1
            case = f"error_{name}_{command}"
            argv = [args.cirrus, command] + common + extra
            run = run_cirrus(argv)
            cmp.values += 1
            if run is None:
                cmp.fail(case, f"cirrus ran past {COMMAND_TIMEOUT_S} s")
                continue
            said = run.stderr.strip()
            if run.returncode != 2:
                cmp.fail(case, f"exit code {run.returncode}, the contract says 2; stderr: {said[:300]!r}")
                continue
            missing = [] if file_name in said else [f"the file ({file_name})"]
            for needle in needles:
                if isinstance(needle, str) and needle not in said:
                    missing.append(repr(needle))
                elif not isinstance(needle, str) and not needle.search(said):
                    missing.append(f"/{needle.pattern}/")
            if missing:
                cmp.fail(case, f"stderr does not name {', '.join(missing)}: {said[:300]!r}")
    return count


def main():
    args = parse_arguments()
    if not pathlib.Path(args.cirrus).exists():
        print(f"no cirrus binary at {args.cirrus}", file=sys.stderr)
        return 2
    cmp = Comparison()
    with tempfile.TemporaryDirectory(prefix="cirrus-longitudinal-oracle-") as tmp_name:
        tmp = pathlib.Path(tmp_name)
        out = pathlib.Path(args.keep) if args.keep else tmp / "r"
        r = subprocess.run([args.rscript, str(HERE / "r_longitudinal.R"), str(out)], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"R failed:\n{r.stderr}", file=sys.stderr)
            return 2
        count = run_cases(args, out, cmp)
        if not args.only:
            count += check_bad_inputs(args, tmp, cmp)
    for case, lines in cmp.problems.items():
        print(f"{case}: {len(lines)} disagreement{'s' if len(lines) > 1 else ''}")
        for line in lines[:40]:
            print(f"  {line}")
        if len(lines) > 40:
            print(f"  ... and {len(lines) - 40} more")
    bad = sum(len(v) for v in cmp.problems.values())
    print(f"longitudinal oracle: {count} cases, {len(cmp.problems)} of them with disagreements; "
          f"{cmp.values} values compared, {bad} disagreements")
    return 1 if cmp.problems else 0


if __name__ == "__main__":
    sys.exit(main())
