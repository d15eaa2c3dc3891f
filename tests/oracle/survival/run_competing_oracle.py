#!/usr/bin/env python3
"""Compares `cirrus cif` with R's cmprsk::cuminc on the same data.

r_competing.R writes the data sets and R's results (see PROVENANCE.md); this
driver runs the matching cirrus command with --format json for every case and
compares every number: each curve point (time, cif, std_err), n and events per
curve, the values at --times (cmprsk::timepoints), and Gray's test (stat, df,
p). Exit 0 when all agree, 1 with a list of disagreements, 2 when R or cirrus
cannot run.

  run_competing_oracle.py --cirrus build/release/cirrus [--rscript Rscript] [--keep DIR]
"""
import argparse
import json
import pathlib
import shlex
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from oracle_common import Comparison, number, read_csv  # noqa: E402


class TrackedComparison(Comparison):
    """Comparison that also records the largest relative difference seen."""

    def __init__(self):
        super().__init__()
        self.max_relative = 0.0
        self.max_where = ""

    def check(self, case, where, key, expected, got):
        super().check(case, where, key, expected, got)
        if isinstance(expected, float) and isinstance(got, (int, float)) and expected != 0:
            relative = abs(expected - got) / abs(expected)
            if relative > self.max_relative:
                self.max_relative = relative
                self.max_where = f"{case}: {where} {key}"


def compare_cif(case, prefix, result, cmp):
    curves = {(c["cause"], c["group"]): c for c in result["curves"]}
    for row in read_csv(f"{prefix}.summary.csv"):
        key = (row["cause"], row["group"])
        curve = curves.get(key)
        if curve is None:
            cmp.problems.append(f"{case}: cause {key[0]} group {key[1]} missing from cirrus output")
            continue
        for k in ("n", "events"):
            cmp.check(case, f"cause {key[0]} group {key[1]}", k, number(row[k]), curve[k])
    if len(curves) != len(read_csv(f"{prefix}.summary.csv")):
        cmp.problems.append(f"{case}: R has {len(read_csv(f'{prefix}.summary.csv'))} curves, cirrus {len(curves)}")
    points = {}
    for row in read_csv(f"{prefix}.curve.csv"):
        points.setdefault((row["cause"], row["group"]), []).append(row)
    for key, rows in points.items():
        curve = curves[key]["curve"]
        if len(curve) != len(rows):
            cmp.problems.append(f"{case}: cause {key[0]} group {key[1]}: R has {len(rows)} points, cirrus {len(curve)}")
            continue
        for i, (row, point) in enumerate(zip(rows, curve)):
            for k in ("time", "cif", "std_err"):
                cmp.check(case, f"cause {key[0]} group {key[1]} point {i}", k, number(row[k]), point[k])
    at_path = pathlib.Path(f"{prefix}.at.csv")
    if at_path.exists():
        for row in read_csv(at_path):
            key = (row["cause"], row["group"])
            got = {p["time"]: p for p in curves[key]["at"]}
            point = got.get(float(row["time"]))
            if point is None:
                cmp.problems.append(f"{case}: cause {key[0]} group {key[1]}: no value at time {row['time']}")
                continue
            for k in ("cif", "std_err"):
                cmp.check(case, f"cause {key[0]} group {key[1]} at {row['time']}", k, number(row[k]), point[k])
    gray_path = pathlib.Path(f"{prefix}.gray.csv")
    gray = {g["cause"]: g for g in result["gray"]}
    if gray_path.exists():
        rows = read_csv(gray_path)
        if len(rows) != len(gray):
            cmp.problems.append(f"{case}: R has {len(rows)} Gray tests, cirrus {len(gray)}")
        for row in rows:
            test = gray.get(row["cause"])
            if test is None:
                cmp.problems.append(f"{case}: no Gray test for cause {row['cause']}")
                continue
            for k in ("stat", "df", "p"):
                cmp.check(case, f"Gray cause {row['cause']}", k, number(row[k]), test[k])
    elif gray:
        cmp.problems.append(f"{case}: R has no Gray test (one group), cirrus has {len(gray)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cirrus", required=True)
    parser.add_argument("--rscript", default="Rscript")
    parser.add_argument("--keep", help="write the R output here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cirrus-competing-oracle-") as tmp:
        out = pathlib.Path(args.keep or tmp)
        r = subprocess.run([args.rscript, str(HERE / "r_competing.R"), str(out)], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"R failed:\n{r.stderr}", file=sys.stderr)
            return 2
        cmp = TrackedComparison()
        cases = [line.split("\t") for line in (out / "cases.tsv").read_text().splitlines() if line]
        for name, kind, cirrus_args in cases:
            argv = [args.cirrus, kind] + shlex.split(cirrus_args) + ["--format", "json"]
            argv[argv.index("--input") + 1] = str(out / argv[argv.index("--input") + 1])
            run = subprocess.run(argv, capture_output=True, text=True)
            if run.returncode != 0:
                cmp.problems.append(f"{name}: cirrus exited {run.returncode}: {run.stderr.strip()}")
                continue
            compare_cif(name, str(out / name), json.loads(run.stdout), cmp)
    for problem in cmp.problems[:50]:
        print(problem, file=sys.stderr)
    if len(cmp.problems) > 50:
        print(f"... and {len(cmp.problems) - 50} more", file=sys.stderr)
    print(f"competing-risks oracle: {len(cases)} cases, {cmp.values - len(cmp.problems)} values agree with R "
          f"(cmprsk::cuminc), {len(cmp.problems)} disagree; largest relative difference "
          f"{cmp.max_relative:.3g} ({cmp.max_where or 'none'})")
    return 1 if cmp.problems else 0


if __name__ == "__main__":
    sys.exit(main())
