#!/usr/bin/env python3
"""The numbers of a study report against the engines and R on the same patients.

  compare_with_engines.py --cirrus BIN --db REGISTRY --study S.toml --json REPORT.json --work DIR

The registry is exported to CSV (`cirrus export`), and each endpoint's
follow-up is derived again here, in a second implementation of the rules of
docs/studies.md written from the documentation: time zero, the last contact,
the first event, competing event or censoring outcome. The (time, status,
group) rows go to `cirrus km` / `cirrus cif` / `cirrus logrank` and to R
(survival::survfit and survdiff, cmprsk::cuminc), and every estimate, limit,
number at risk, count and test of the report's JSON must agree with them:
with cirrus to 1e-12, with R to 1e-8. The lab trajectories' n and means are
derived again from the exported labs and visits (means and t intervals against
R's t.test), and the adverse-event table from the exported adverse events.
Exit 1 lists the disagreements.
"""
import argparse
import csv
import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import tomllib

DAYS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}
ALWAYS_END = ["death", "lost-to-follow-up", "withdrawal"]
Z95 = 1.959963984540054


def read_table(folder, name):
    path = os.path.join(folder, name + ".csv")
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def day(text):
    return datetime.date.fromisoformat(text)


def derive(export, study, endpoint, as_of=None):
    """(time, status, group) per analysed patient: status 0 censored, 1 event, 2 competing."""
    s = study["study"]
    unit = DAYS[s.get("time_unit", "months")]
    origin_kind = s.get("origin", "enrolment")
    grouping = s.get("groups", "none")
    keep = lambda d: as_of is None or d <= as_of  # noqa: E731
    patients = {p["patient"]: p for p in read_table(export, "patients")
                if p["study"] == s["code"] and (not p["enrolment"] or keep(day(p["enrolment"])))}
    contact = {code: [day(p["enrolment"])] if p["enrolment"] else [] for code, p in patients.items()}
    infusions = {code: [] for code in patients}
    outcomes = {code: {} for code in patients}

    def add(code, text):
        if code in patients and text and keep(day(text)):
            contact[code].append(day(text))
            return True
        return False

    for r in read_table(export, "infusions"):
        if add(r["patient"], r["date"]):
            infusions[r["patient"]].append(day(r["date"]))
    for r in read_table(export, "visits"):
        if r["status"] == "completed":
            add(r["patient"], r["date"])
    for r in read_table(export, "labs"):
        add(r["patient"], r["date"])
    for r in read_table(export, "assessments"):
        add(r["patient"], r["date"])
    for r in read_table(export, "procedures"):
        add(r["patient"], r["date"])
    for r in read_table(export, "adverse_events"):
        add(r["patient"], r["onset"])
    for r in read_table(export, "events"):
        if add(r["patient"], r["date"]):
            outcomes[r["patient"]].setdefault(r["event"], []).append(day(r["date"]))

    events = endpoint["events"]
    competing = endpoint.get("competing", [])
    censor = list(endpoint.get("censor", [])) + [k for k in ALWAYS_END if k not in events and k not in competing]
    rows = []
    for code, p in patients.items():
        if origin_kind == "enrolment":
            origin = day(p["enrolment"]) if p["enrolment"] else None
        else:
            origin = min(infusions[code]) if infusions[code] else None
        if origin is None:
            continue
        dates = lambda kinds: sorted(d for k in kinds for d in outcomes[code].get(k, []))  # noqa: E731
        if any(d < origin for d in dates(events + competing)):
            continue
        first = lambda kinds: next((d for d in dates(kinds) if d >= origin), None)  # noqa: E731
        end, status = max([origin] + contact[code]), 0
        c = first(censor)
        if c is not None and c < end:
            end = c
        k = first(competing)
        if k is not None and k <= end:
            end, status = k, 2
        e = first(events)
        if e is not None and e <= end:
            end, status = e, 1
        group = "all" if grouping == "none" else (p["arm"] or "no arm")
        rows.append(((end - origin).days / unit, status, group))
    return rows


class Problems:
    def __init__(self):
        self.items = []
        self.checked = 0

    def close(self, what, got, want, tol):
        self.checked += 1
        if got is None or want is None:
            if got is not want and not (got is None and want is None):
                self.items.append(f"{what}: report {got!r}, expected {want!r}")
            return
        if not math.isclose(got, want, rel_tol=tol, abs_tol=tol):
            self.items.append(f"{what}: report {got!r}, expected {want!r}")

    def equal(self, what, got, want):
        self.checked += 1
        if got != want:
            self.items.append(f"{what}: report {got!r}, expected {want!r}")


def run_json(args):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"compare_with_engines: {' '.join(args)} failed: {r.stderr.strip()}")
    return json.loads(r.stdout)


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["time", "status", "group"])
        for t, s, g in rows:
            w.writerow([repr(t), s, g])


def loglog(f, se):
    if f is None or se is None or not (0 < f < 1):
        return None, None
    a = Z95 * se / (f * abs(math.log(f)))
    return f ** math.exp(a), f ** math.exp(-a)


def compare_groups(problems, where, kind, report_groups, rows, at, engine, r_rows):
    by_group = {}
    for t, s, g in rows:
        by_group.setdefault(g, []).append((t, s))
    for gi, g in enumerate(report_groups):
        code = g["group"]
        mine = by_group.get(code, [])
        w = f"{where}, group {code}"
        problems.equal(f"{w}: n", g["n"], len(mine))
        problems.equal(f"{w}: events", g["events"], sum(1 for _, s in mine if s == 1))
        problems.equal(f"{w}: censored", g["censored"], sum(1 for _, s in mine if s == 0))
        last = max((t for t, _ in mine), default=-1)
        eng = engine.get(code, {})
        for k, a in enumerate(g["at"]):
            t = a["time"]
            problems.equal(f"{w} at {t}: n_risk", a["n_risk"], sum(1 for u, _ in mine if u >= t))
            if t > last:
                problems.equal(f"{w} at {t}: estimate past the last follow-up", a["estimate"], None)
                continue
            e = eng.get(t)
            if e is not None:
                problems.close(f"{w} at {t}: estimate vs cirrus", a["estimate"], e[0], 1e-12)
                problems.close(f"{w} at {t}: lower vs cirrus", a["lower"], e[1], 1e-12)
                problems.close(f"{w} at {t}: upper vs cirrus", a["upper"], e[2], 1e-12)
            elif any(st == 1 for _, st, _ in rows):
                problems.items.append(f"{w} at {t}: the engine gives no estimate")
            else:
                # cirrus km refuses data without an event; the curve is flat.
                problems.close(f"{w} at {t}: estimate without events", a["estimate"],
                               1.0 if kind == "survival" else 0.0, 0)
            rr = r_rows.get((code, t))
            if rr is not None:
                problems.close(f"{w} at {t}: estimate vs R", a["estimate"], rr[0], 1e-8)
                if kind == "survival":
                    problems.close(f"{w} at {t}: lower vs R", a["lower"], rr[1], 1e-8)
                    problems.close(f"{w} at {t}: upper vs R", a["upper"], rr[2], 1e-8)
                    problems.equal(f"{w} at {t}: n_risk vs R", a["n_risk"], int(rr[3]))
                else:
                    lo, up = loglog(rr[0], math.sqrt(rr[1]) if rr[1] is not None else None)
                    problems.close(f"{w} at {t}: lower vs R", a["lower"], lo, 1e-7)
                    problems.close(f"{w} at {t}: upper vs R", a["upper"], up, 1e-7)


def engine_estimates(cirrus, csv_path, kind, at, landmark=None):
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if landmark is None or float(r["time"]) > landmark]
    if not any(r["status"] == "1" for r in rows):
        return {}, None
    times = ",".join(repr(t) for t in at)
    extra = ["--landmark", repr(landmark)] if landmark is not None else []
    out = {}
    if kind == "survival":
        doc = run_json([cirrus, "km", "--input", csv_path, "--time", "time", "--event", "status",
                        "--event-value", "1", "--group", "group", "--times", times, "--format", "json"] + extra)
        for g in doc["groups"]:
            out[g["group"]] = {a["time"]: (a["survival"], a["lower"], a["upper"]) for a in g["at"]}
        test = run_json([cirrus, "logrank", "--input", csv_path, "--time", "time", "--event", "status",
                         "--event-value", "1", "--group", "group", "--format", "json"] + extra) \
            if len(doc["groups"]) > 1 else None
        return out, test and (test["chisq"], test["p"])
    doc = run_json([cirrus, "cif", "--input", csv_path, "--time", "time", "--event", "status", "--group", "group",
                    "--times", times, "--format", "json"] + extra)
    for c in doc["curves"]:
        if c["cause"] != "1":
            continue
        est = {}
        for a in c["at"]:
            lo, up = loglog(a["cif"], a["std_err"])
            est[a["time"]] = (a["cif"], lo, up)
        out[c["group"]] = est
    gray = [g for g in doc.get("gray", []) if g["cause"] == "1"]
    return out, (gray[0]["stat"], gray[0]["p"]) if gray else None


# The canonical unit of each analyte the example studies follow, and the
# factor from each unit the export may write (docs/data-model.md).
LAB_CODES = {"albumin": "ALB", "bilirubin": "BILI", "prothrombin-activity": "PTA", "cholinesterase": "CHE",
             "inr": "INR", "creatinine": "CREAT"}
TO_CANONICAL = {("ALB", "g/L"): 0.1, ("ALB", "g/dL"): 1.0, ("ALB", ""): 1.0,
                ("BILI", "umol/L"): 1 / 17.1, ("BILI", "mg/dL"): 1.0, ("BILI", ""): 1.0,
                ("PTA", "%"): 1.0, ("PTA", ""): 1.0, ("CHE", "U/L"): 1.0, ("CHE", ""): 1.0,
                ("INR", ""): 1.0, ("CREAT", "umol/L"): 1 / 88.4, ("CREAT", "mg/dL"): 1.0, ("CREAT", ""): 1.0}
RELATED = {"possible", "probable", "definite"}


def analysed(export, study, as_of):
    """Each analysed patient's (group, time zero)."""
    s = study["study"]
    keep = lambda d: as_of is None or d <= as_of  # noqa: E731
    first_infusion = {}
    for r in read_table(export, "infusions"):
        if keep(day(r["date"])):
            d = day(r["date"])
            first_infusion[r["patient"]] = min(first_infusion.get(r["patient"], d), d)
    out = {}
    for p in read_table(export, "patients"):
        if p["study"] != s["code"] or (p["enrolment"] and not keep(day(p["enrolment"]))):
            continue
        origin = day(p["enrolment"]) if s.get("origin", "enrolment") == "enrolment" and p["enrolment"] else \
            first_infusion.get(p["patient"]) if s.get("origin", "enrolment") != "enrolment" else None
        if origin is None:
            continue
        out[p["patient"]] = ("all" if s.get("groups", "none") == "none" else (p["arm"] or "no arm"), origin)
    return out


def compare_labs(problems, export, study, report, as_of, rscript, work):
    patients = analysed(export, study, as_of)
    keep = lambda d: as_of is None or d <= as_of  # noqa: E731
    visit_of = {}
    for r in read_table(export, "visits"):
        if r["status"] == "completed" and keep(day(r["date"])):
            visit_of[(r["patient"], r["date"])] = r["visit"]
    for i, (definition, result) in enumerate(zip(study.get("labs", []), report.get("labs", []))):
        code = LAB_CODES[definition["analyte"]]
        values = {}
        for r in read_table(export, "labs"):
            if r["analyte"] != code or not r["value"] or r["patient"] not in patients or not keep(day(r["date"])):
                continue
            visit = visit_of.get((r["patient"], r["date"]))
            if visit is None:
                continue
            factor = TO_CANONICAL.get((code, r["unit"]))
            if factor is None:
                sys.exit(f"compare_with_engines: no conversion of {code} from {r['unit']!r}")
            values.setdefault((patients[r["patient"]][0], visit), []).append(float(r["value"]) * factor)
        rows_path = os.path.join(work, f"lab-{i + 1}.csv")
        with open(rows_path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["group", "visit", "value"])
            for (g, v), xs in sorted(values.items()):
                for x in xs:
                    w.writerow([g, v, repr(x)])
        r_ci = {}
        if rscript:
            script = os.path.join(work, "lab.R")
            with open(script, "w", encoding="utf-8") as f:
                f.write('d <- read.csv(commandArgs(TRUE)[1], colClasses = c("character", "character", "numeric"))\n'
                        'for (k in unique(paste(d$group, d$visit, sep = "\\t"))) {\n'
                        '  x <- d$value[paste(d$group, d$visit, sep = "\\t") == k]\n'
                        '  if (length(x) > 1) { ci <- t.test(x)$conf.int\n'
                        '    cat(sprintf("%s\\t%.17g\\t%.17g\\t%.17g\\n", k, mean(x), ci[1], ci[2])) } }\n')
            out = subprocess.run([rscript, "--vanilla", script, rows_path], capture_output=True, text=True, check=True)
            for line in out.stdout.splitlines():
                g, v, m, lo, up = line.split("\t")
                r_ci[(g, v)] = (float(m), float(lo), float(up))
        group_n = {g["code"]: g["n"] for g in report["groups"]}
        for g in result["groups"]:
            for v in g["visits"]:
                w = f"lab {definition['analyte']!r}, group {g['group']}, visit {v['visit']}"
                xs = values.get((g["group"], v["visit"]), [])
                problems.equal(f"{w}: n", v["n"], len(xs))
                problems.equal(f"{w}: every patient counted once",
                               v["n"] + v["dead"] + v["transplanted"] + v["not_due"] + v["missing"], group_n[g["group"]])
                if xs:
                    problems.close(f"{w}: mean", v["mean"], sum(xs) / len(xs), 1e-12)
                ref = r_ci.get((g["group"], v["visit"]))
                if ref:
                    problems.close(f"{w}: mean vs R", v["mean"], ref[0], 1e-10)
                    problems.close(f"{w}: lower vs R t.test", v["lower"], ref[1], 1e-8)
                    problems.close(f"{w}: upper vs R t.test", v["upper"], ref[2], 1e-8)


def compare_safety(problems, export, study, report, as_of):
    patients = analysed(export, study, as_of)
    keep = lambda d: as_of is None or d <= as_of  # noqa: E731
    tally = {}  # (term, group) -> {patient: [events, serious, related, max grade]}
    for r in read_table(export, "adverse_events"):
        p = patients.get(r["patient"])
        if p is None or not keep(day(r["onset"])) or day(r["onset"]) < p[1]:
            continue
        for term in ("any adverse event", r["term"]):
            t = tally.setdefault((term, p[0]), {}).setdefault(r["patient"], [0, 0, 0, 0])
            t[0] += 1
            t[1] += r["serious"] == "yes"
            t[2] += r["relatedness"] in RELATED
            t[3] = max(t[3], int(r["grade"]))
    infusions = {}
    for r in read_table(export, "infusions"):
        p = patients.get(r["patient"])
        if p is not None and keep(day(r["date"])):
            infusions[p[0]] = infusions.get(p[0], 0) + 1
    codes = [g["code"] for g in report["groups"]]
    for gi, code in enumerate(codes):
        problems.equal(f"safety: infusions of {code}", report["safety"]["infusions"][gi], infusions.get(code, 0))
    terms = {t for t, _ in tally}
    problems.equal("safety: terms", sorted(r["term"] for r in report["safety"]["rows"]), sorted(terms))
    for row in report["safety"]["rows"]:
        for gi, cell in enumerate(row["groups"]):
            t = tally.get((row["term"], codes[gi]), {})
            w = f"safety: {row['term']!r}, group {codes[gi]}"
            problems.equal(f"{w}: patients", cell["patients"], len(t))
            problems.equal(f"{w}: events", cell["events"], sum(x[0] for x in t.values()))
            problems.equal(f"{w}: serious", cell["serious"], sum(x[1] for x in t.values()))
            problems.equal(f"{w}: related", cell["related"], sum(x[2] for x in t.values()))
            problems.equal(f"{w}: max grade", cell["max_grade"],
                           [sum(1 for x in t.values() if x[3] == k) for k in range(1, 6)])


R_SCRIPT = r"""
suppressMessages({library(survival); library(cmprsk)})
a <- commandArgs(TRUE); d <- read.csv(a[1], colClasses = c("numeric", "integer", "character"))
at <- as.numeric(strsplit(a[3], ",")[[1]]); lm <- suppressWarnings(as.numeric(a[4]))
if (!is.na(lm)) { d <- d[d$time > lm, ]; d$time <- d$time - lm }
if (a[2] == "survival") {
  f <- survfit(Surv(time, status == 1) ~ group, data = d)
  s <- summary(f, times = at, extend = TRUE)
  g <- if (is.null(s$strata)) rep("all", length(s$time)) else sub("^group=", "", as.character(s$strata))
  for (i in seq_along(s$time)) cat(sprintf("at,%s,%.17g,%.17g,%.17g,%.17g,%d\n", g[i], s$time[i], s$surv[i],
                                           s$lower[i], s$upper[i], as.integer(s$n.risk[i])))
  if (length(unique(d$group)) > 1 && sum(d$status == 1) > 0) {
    t <- survdiff(Surv(time, status == 1) ~ group, data = d)
    df <- sum(t$exp > 0) - 1  # as print.survdiff counts it
    cat(sprintf("test,%.17g,%.17g\n", t$chisq, pchisq(t$chisq, df, lower.tail = FALSE)))
  }
} else {
  # cuminc cannot fit a single patient; the cirrus comparisons still run.
  f <- tryCatch(cuminc(d$time, d$status, d$group), error = function(e) NULL)
  if (is.null(f)) quit(status = 0)
  tp <- timepoints(f, at)
  for (r in rownames(tp$est)) {
    parts <- strsplit(r, " ")[[1]]
    if (parts[length(parts)] != "1") next
    g <- paste(parts[-length(parts)], collapse = " ")
    for (j in seq_along(at)) cat(sprintf("at,%s,%.17g,%.17g,%.17g,NA,NA\n", g, at[j], tp$est[r, j], tp$var[r, j]))
  }
  if (!is.null(f$Tests) && "1" %in% rownames(f$Tests)) cat(sprintf("test,%.17g,%.17g\n", f$Tests["1", "stat"], f$Tests["1", "pv"]))
}
"""


def r_estimates(rscript, csv_path, kind, at, landmark, work):
    if rscript is None:
        return {}, None
    script = os.path.join(work, "oracle.R")
    with open(script, "w", encoding="utf-8") as f:
        f.write(R_SCRIPT)
    args = [rscript, "--vanilla", script, csv_path, kind, ",".join(repr(t) for t in at),
            "NA" if landmark is None else repr(landmark)]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"compare_with_engines: R failed: {r.stderr.strip()}")
    out, test = {}, None
    for line in r.stdout.splitlines():
        parts = line.split(",")
        num = lambda x: None if x in ("NA", "NaN") else float(x)  # noqa: E731
        if parts[0] == "at":
            group = parts[1] if kind == "survival" or len(parts) == 7 else parts[1]
            out[(group, float(parts[2]))] = tuple(num(x) for x in parts[3:7])
        elif parts[0] == "test":
            test = (float(parts[1]), float(parts[2]))
    return out, test


def compare_test(problems, where, report_test, engine_test, r_test):
    if engine_test is None:
        problems.equal(f"{where}: test (none without events)", report_test["statistic"], None)
        return
    if report_test["statistic"] is None:
        problems.items.append(f"{where}: the report has no test ({report_test['not_computable']}), the engine has one")
        return
    problems.close(f"{where}: test statistic vs cirrus", report_test["statistic"], engine_test[0], 1e-12)
    problems.close(f"{where}: test p vs cirrus", report_test["p"], engine_test[1], 1e-12)
    if r_test is not None:
        problems.close(f"{where}: test statistic vs R", report_test["statistic"], r_test[0], 1e-8)
        problems.close(f"{where}: test p vs R", report_test["p"], r_test[1], 1e-8)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cirrus", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--study", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--as-of")
    ap.add_argument("--rscript", default=shutil.which("Rscript"))
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    export = os.path.join(args.work, "export")
    shutil.rmtree(export, ignore_errors=True)
    subprocess.run([args.cirrus, "export", "--db", args.db, "--format", "csv", "--out", export], check=True,
                   capture_output=True)
    with open(args.study, "rb") as f:
        study = tomllib.load(f)
    with open(args.json, encoding="utf-8") as f:
        report = json.load(f)
    as_of = day(args.as_of) if args.as_of else None
    problems = Problems()
    for i, (definition, result) in enumerate(zip(study["endpoints"], report["endpoints"])):
        kind = definition.get("kind", "survival")
        rows = derive(export, study, definition, as_of)
        path = os.path.join(args.work, f"endpoint-{i + 1}.csv")
        write_rows(path, rows)
        at = definition.get("at", [])
        passes = [(f"endpoint {result['name']!r}", result, None)]
        if result.get("landmark"):
            passes.append((f"endpoint {result['name']!r}, landmark", result["landmark"], definition["landmark"]))
        for where, part, landmark in passes:
            lm_rows = rows if landmark is None else [(t - landmark, s, g) for t, s, g in rows if t > landmark]
            if landmark is not None:
                problems.equal(f"{where}: excluded", part["excluded"], len(rows) - len(lm_rows))
            engine, engine_test = engine_estimates(args.cirrus, path, kind, at, landmark) if at else ({}, None)
            r_rows, r_test = r_estimates(args.rscript, path, kind, at, landmark, args.work) if at else ({}, None)
            compare_groups(problems, where, kind, part["groups"], lm_rows, at, engine, r_rows)
            if len(part["groups"]) > 1 and at:
                compare_test(problems, where, part["test"], engine_test, r_test)
    compare_labs(problems, export, study, report, as_of, args.rscript, args.work)
    compare_safety(problems, export, study, report, as_of)
    for p in problems.items:
        print("MISMATCH " + p)
    r_note = "with R" if args.rscript else "without R (Rscript not found)"
    print(f"compare_with_engines: {problems.checked} values checked against cirrus km/cif/logrank {r_note}; "
          f"{len(problems.items)} disagree")
    return 1 if problems.items else 0


if __name__ == "__main__":
    sys.exit(main())
