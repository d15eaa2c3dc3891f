#!/usr/bin/env python3
"""Compares cirrus's survival commands with R's survival package on the same data.

r_reference.R writes the data sets and R's results (see PROVENANCE.md); this
driver runs the matching cirrus command with --format json for every case and
compares every number. Exit 0 when all agree, 1 with a list of disagreements,
2 when R or cirrus cannot run.

  run_survival_oracle.py --cirrus build/release/cirrus [--rscript Rscript] [--keep DIR]
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from oracle_common import Comparison, number, parse_arguments, print_problems, read_csv, run_cases  # noqa: E402


def compare_km(case, prefix, result, cmp):
    by_group = {g["group"]: g for g in result["groups"]}
    for row in read_csv(f"{prefix}.summary.csv"):
        g = by_group.get(row["group"])
        if g is None:
            cmp.problems.append(f"{case}: group {row['group']!r} missing from cirrus output")
            continue
        for key in ("n", "events", "median", "median_lower", "median_upper"):
            cmp.check(case, f"group {row['group']}", key, number(row[key]), g[key])
    points = {}
    for row in read_csv(f"{prefix}.curve.csv"):
        points.setdefault(row["group"], []).append(row)
    for group, rows in points.items():
        curve = by_group[group]["curve"]
        if len(curve) != len(rows):
            cmp.problems.append(f"{case}: group {group}: R has {len(rows)} curve points, cirrus {len(curve)}")
            continue
        for i, (row, point) in enumerate(zip(rows, curve)):
            for key in ("time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper"):
                cmp.check(case, f"group {group} point {i}", key, number(row[key]), point[key])
    at_path = pathlib.Path(f"{prefix}.at.csv")
    if at_path.exists():
        at = {}
        for row in read_csv(at_path):
            at.setdefault(row["group"], []).append(row)
        for group, rows in at.items():
            got = {p["time"]: p for p in by_group[group]["at"]}
            for row in rows:
                point = got.get(float(row["time"]))
                if point is None:
                    cmp.problems.append(f"{case}: group {group}: no value at time {row['time']}")
                    continue
                for key in ("n_risk", "survival", "lower", "upper"):
                    cmp.check(case, f"group {group} at {row['time']}", key, number(row[key]), point[key])


def compare_logrank(case, prefix, result, cmp):
    test = read_csv(f"{prefix}.test.csv")[0]
    for key in ("chisq", "df", "p"):
        cmp.check(case, "test", key, number(test[key]), result[key])
    groups_path = pathlib.Path(f"{prefix}.groups.csv")
    if groups_path.exists():
        by_group = {g["group"]: g for g in result["groups"]}
        for row in read_csv(groups_path):
            for key in ("n", "observed", "expected"):
                cmp.check(case, f"group {row['group']}", key, number(row[key]), by_group[row["group"]][key])


def compare_cox(case, prefix, result, cmp):
    fit = read_csv(f"{prefix}.fit.csv")[0]
    for key in ("n", "events", "iterations", "loglik_null", "loglik"):
        cmp.check(case, "fit", key, number(fit[key]), result[key])
    for test in ("lrt", "wald", "score"):
        cmp.check(case, test, "statistic", number(fit[test]), result[test]["statistic"])
        cmp.check(case, test, "df", number(fit[test + "_df"]), result[test]["df"])
        cmp.check(case, test, "p", number(fit[test + "_p"]), result[test]["p"])
    terms = {t["term"]: t for t in result["terms"]}
    for row in read_csv(f"{prefix}.terms.csv"):
        got = terms.get(row["term"])
        if got is None:
            cmp.problems.append(f"{case}: term {row['term']!r} missing from cirrus output")
            continue
        for key in ("coef", "se", "robust_se", "hr", "lower", "upper", "z", "p"):
            cmp.check(case, f"term {row['term']}", key, number(row[key]), got[key])


def compare_zph(case, prefix, result, cmp):
    ph = result.get("ph_test")
    if ph is None:
        cmp.problems.append(f"{case}: no ph_test in cirrus output")
        return
    terms = {t["term"]: t for t in ph["terms"]}
    for row in read_csv(f"{prefix}.zph.csv"):
        got = ph["global"] if row["term"] == "GLOBAL" else terms.get(row["term"])
        if got is None:
            cmp.problems.append(f"{case}: PH test of {row['term']!r} missing from cirrus output")
            continue
        for key in ("chisq", "df", "p"):
            cmp.check(case, f"zph {row['term']}", key, number(row[key]), got[key])


def compare_rmst(case, prefix, result, cmp):
    by_group = {g["group"]: g for g in result["groups"]}
    for row in read_csv(f"{prefix}.groups.csv"):
        g = by_group.get(row["group"])
        if g is None:
            cmp.problems.append(f"{case}: group {row['group']!r} missing from cirrus output")
            continue
        for key in ("rmst", "se", "lower", "upper"):
            cmp.check(case, f"group {row['group']}", key, number(row[key]), g[key])
    test = read_csv(f"{prefix}.test.csv")[0]
    cmp.check(case, "test", "tau", number(test["tau"]), result["tau"])
    if test["group1"] == "NA":
        for key in ("compared", "difference", "difference_se", "difference_lower", "difference_upper", "p"):
            if result[key] is not None:
                cmp.problems.append(f"{case}: one group, but cirrus reports {key} {result[key]!r}")
    else:
        if result["compared"] != [test["group1"], test["group2"]]:
            cmp.problems.append(f"{case}: R compares {test['group1']} - {test['group2']}, cirrus {result['compared']}")
        for r_key, key in (("difference", "difference"), ("se", "difference_se"), ("lower", "difference_lower"),
                           ("upper", "difference_upper"), ("p", "p")):
            cmp.check(case, "difference", key, number(test[r_key]), result[key])
    comparisons_path = pathlib.Path(f"{prefix}.comparisons.csv")
    if comparisons_path.exists():
        got = {(c["group1"], c["group2"]): c for c in result.get("comparisons", [])}
        for row in read_csv(comparisons_path):
            c = got.get((row["group1"], row["group2"]))
            if c is None:
                cmp.problems.append(f"{case}: no comparison {row['group1']} - {row['group2']}")
                continue
            for key in ("difference", "se", "lower", "upper", "p"):
                cmp.check(case, f"{row['group1']} - {row['group2']}", key, number(row[key]), c[key])


def main():
    args = parse_arguments()
    cmp = Comparison()
    comparers = {
        "km": ("km", compare_km),
        "logrank": ("logrank", compare_logrank),
        "cox": ("cox", compare_cox),
        "zph": ("cox", compare_zph),  # the PH test is `cox --zph`
        "rmst": ("rmst", compare_rmst),
    }
    count = run_cases(args, HERE / "r_reference.R", comparers, cmp, "cirrus-survival-oracle-")
    if count is None:
        return 2
    print_problems(cmp)
    print(f"survival oracle: {count} cases, {cmp.values - len(cmp.problems)} values agree with R, "
          f"{len(cmp.problems)} disagree")
    return 1 if cmp.problems else 0


if __name__ == "__main__":
    sys.exit(main())
