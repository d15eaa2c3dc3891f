#!/usr/bin/env python3
"""Compares `cirrus cif` with R's cmprsk::cuminc, and `cirrus finegray` with
cmprsk::crr, on the same data.

r_competing.R writes the data sets and R's results (see PROVENANCE.md); this
driver runs the matching cirrus command with --format json for every case and
compares every number: each curve point (time, cif, std_err), n and events per
curve, the values at --times (cmprsk::timepoints), and Gray's test (stat, df,
p). For finegray: per term coef, se (crr's invinf) and robust_se (crr's var),
and n, events, converged, loglik, loglik_null, the likelihood ratio and the
Wald statistic, at FINEGRAY_RELATIVE_TOLERANCE. Exit 0 when all agree, 1 with
a list of disagreements, 2 when R or cirrus cannot run.

  run_competing_oracle.py --cirrus build/release/cirrus [--rscript Rscript] [--keep DIR]
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from oracle_common import (  # noqa: E402
    ABSOLUTE_TOLERANCE, Comparison, number, parse_arguments, print_problems, read_csv, run_cases)

# crr stops Newton-Raphson when max|score| max(|b|, 1) < max(|loglik|, 1) 1e-6,
# so its coefficients are the maximiser only to about 1e-6. cirrus takes the
# same Newton steps from the same start, with the same halving and stopping
# rule, so it stops at the same iterate and only rounding remains (largest
# difference seen 2.3e-13): the fits are compared at the engine's 1e-9. Were
# the iteration counts ever to differ, the gap would be up to crr's 1e-6.
FINEGRAY_RELATIVE_TOLERANCE = 1e-9


class TrackedComparison(Comparison):
    """Comparison that also records the largest relative difference seen."""

    def __init__(self):
        super().__init__()
        self.max_relative = 0.0
        self.max_where = ""
        self.max_finegray = 0.0
        self.max_finegray_where = ""

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


def compare_finegray(case, prefix, result, cmp):
    def check(where, key, expected, got):
        cmp.values += 1
        if expected is None or got is None or abs(expected - got) > (
                ABSOLUTE_TOLERANCE + FINEGRAY_RELATIVE_TOLERANCE * abs(expected)):
            cmp.problems.append(f"{case}: {where} {key}: R {expected!r}, cirrus {got!r}")
        if expected:
            relative = abs(expected - got) / abs(expected) if got is not None else float("inf")
            if relative > cmp.max_finegray:
                cmp.max_finegray = relative
                cmp.max_finegray_where = f"{case}: {where} {key}"

    fit = read_csv(f"{prefix}.fit.csv")[0]
    for key in ("n", "events"):
        check("fit", key, number(fit[key]), result[key])
    if (fit["converged"] == "TRUE") != result["converged"]:
        cmp.problems.append(f"{case}: converged: R {fit['converged']}, cirrus {result['converged']}")
    for key in ("loglik", "loglik_null"):
        check("fit", key, number(fit[key]), result[key])
    check("fit", "lrt", number(fit["lrt"]), result["lrt"]["statistic"])
    check("fit", "wald", number(fit["wald"]), result["wald"]["statistic"])
    terms = {t["term"]: t for t in result["terms"]}
    for row in read_csv(f"{prefix}.terms.csv"):
        term = terms.get(row["term"])
        if term is None:
            cmp.problems.append(f"{case}: term {row['term']} missing from cirrus output")
            continue
        for key in ("coef", "se", "robust_se"):
            check(f"term {row['term']}", key, number(row[key]), term[key])


def main():
    args = parse_arguments()
    cmp = TrackedComparison()
    comparers = {"cif": ("cif", compare_cif), "finegray": ("finegray", compare_finegray)}
    count = run_cases(args, HERE / "r_competing.R", comparers, cmp, "cirrus-competing-oracle-")
    if count is None:
        return 2
    print_problems(cmp)
    print(f"competing-risks oracle: {count} cases, {cmp.values - len(cmp.problems)} values agree with R "
          f"(cmprsk::cuminc), {len(cmp.problems)} disagree; largest relative difference "
          f"{cmp.max_relative:.3g} ({cmp.max_where or 'none'}); Fine-Gray (cmprsk::crr) largest relative difference "
          f"{cmp.max_finegray:.3g} ({cmp.max_finegray_where or 'none'})")
    return 1 if cmp.problems else 0


if __name__ == "__main__":
    sys.exit(main())
