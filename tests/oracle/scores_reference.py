#!/usr/bin/env python3
"""Independent reference implementation of the cirrus liver scores, and an oracle driver.

Written only from docs/reference/scores.md,
never from the C++ sources in src/scores/. See PROVENANCE.md next to this file for where each
rule and expected value comes from.

Usage:
    python3 scores_reference.py --cirrus PATH_TO_BINARY [--rows N] [--seed S] [--keep DIR]

The driver
  1. checks that this reference reproduces the worked examples of the reference document
     (Kim 2021 Table 4, the meld-cds-hook adolescent example, the OPTN MELD-Na rounding-order
     vectors, the 90-day survival checks, the Child-Pugh umol/L examples), and stops with exit
     status 2 if it does not;
  2. builds a deterministic boundary set and N deterministic random panels (random.Random(seed)),
     in two CSV files: conventional units, and SI units with shuffled column order;
  3. runs `cirrus score --input F --output G` on each file;
  4. compares every output column of every row with this reference; prints
     "scores oracle: R rows x 11 columns agree" and exits 0, or lists the disagreements and
     exits 1.

Python 3.11 standard library only.

Arithmetic: every score is evaluated in decimal arithmetic with 40 significant digits on the
exact decimal value written in the CSV (Decimal.ln / log10 / sqrt), so rounding is half-up on
the exact decimal value (ROUND_HALF_UP), and exact .5 ties (which do occur in MELD 3.0 when
bilirubin, INR and creatinine are all floored to 1.0) are resolved as the reference demands.
Random rows whose result lies within 1e-9 of a rounding tie or a cut-off without being exactly on
it are regenerated, since a binary64 implementation cannot be held to either side of those.

Comparison: integers, Child-Pugh class and ALBI grade exactly; `missing` as a set of names;
floats with relative tolerance 1e-12 (plus 1e-13 absolute). ALBI computed from SI-unit input
(bilirubin umol/L, albumin g/L) additionally allows a relative error of --si-rel-error (default
1e-11) on the converted value, propagated to the score (see PROVENANCE.md, "SI conversion").
"""
from __future__ import annotations

import argparse
import csv
import functools
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, getcontext

getcontext().prec = 40

D = Decimal
ONE = D(1)
ZERO = D(0)
NEAR = D("1e-9")        # a value this close to a tie or cut-off (but not on it) is "fragile"
REL_TOL = 1e-12         # float comparison (brief): relative 1e-12 ...
ABS_TOL = 1e-13         # ... plus a tiny absolute term for ALBI values near 0 (cancellation)

OUTPUT_COLUMNS = [
    "child_pugh_points", "child_pugh_class", "meld", "meld_na", "meld3",
    "meld3_90d_survival", "albi", "albi_grade", "fib4", "apri", "missing",
]
INT_COLUMNS = {"child_pugh_points", "meld", "meld_na", "meld3", "albi_grade"}
STR_COLUMNS = {"child_pugh_class"}
FLOAT_COLUMNS = {"meld3_90d_survival", "albi", "fib4", "apri"}

# Names used in the `missing` column (reported as a set; order is not asserted).
MISSING_NAMES = ["sex", "age", "bilirubin", "albumin", "inr", "creatinine", "sodium", "dialysis",
                 "ascites", "encephalopathy", "platelets", "ast", "alt"]

CONV_COLUMNS = ["sex", "age_years", "bilirubin_mg_dl", "albumin_g_dl", "inr", "creatinine_mg_dl",
                "sodium_mmol_l", "dialysis", "ascites", "encephalopathy", "platelets_10e9_l",
                "ast_u_l", "alt_u_l", "ast_uln_u_l", "aetiology", "pt_prolonged_s"]
SI_COLUMNS = ["sex", "age_years", "bilirubin_umol_l", "albumin_g_l", "inr", "creatinine_umol_l",
              "sodium_mmol_l", "dialysis", "ascites", "encephalopathy", "platelets_10e9_l",
              "ast_u_l", "alt_u_l", "aetiology", "pt_prolonged_s"]   # no ast_uln column: default 40

BILI_UMOL_PER_MG_DL = D("17.1")     # section 8
CREA_UMOL_PER_MG_DL = D("88.4")     # section 8


# ---------------------------------------------------------------------------------------------
# Reference implementation
# ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def ln(x: Decimal) -> Decimal:
    """Natural log at 40 significant digits (ln(1) = 0 exactly)."""
    return ZERO if x == ONE else x.ln()


def half_up(x: Decimal) -> int:
    """Round half-up (away from zero for the positive scores) on the exact decimal value."""
    return int(x.quantize(ONE, rounding=ROUND_HALF_UP))


def is_fragile(x: Decimal, cut: Decimal) -> bool:
    """True when x is within NEAR of `cut` without being exactly on it."""
    d = abs(x - cut)
    return ZERO < d < NEAR


def tie_fragile(x: Decimal) -> bool:
    """True when x is within NEAR of an integer + 0.5 without being exactly on it."""
    frac = x - x.to_integral_value(rounding=ROUND_FLOOR)
    return is_fragile(frac, D("0.5"))


@dataclass
class Panel:
    sex: str | None = None            # "male" / "female"
    age: Decimal | None = None
    bili: Decimal | None = None       # mg/dL
    alb: Decimal | None = None        # g/dL
    inr: Decimal | None = None
    crea: Decimal | None = None       # mg/dL
    na: Decimal | None = None
    dialysis: bool | None = None
    ascites: str | None = None
    enceph: str | None = None
    pt: Decimal | None = None         # s prolonged over control
    plt: Decimal | None = None
    ast: Decimal | None = None
    alt: Decimal | None = None
    ast_uln: Decimal = D(40)          # section 6: 40 U/L default
    cholestatic: bool = False         # aetiology includes PBC or PSC
    si_bili: bool = False             # bilirubin was entered in umol/L
    si_alb: bool = False              # albumin was entered in g/L
    fragile: list[str] = field(default_factory=list)


def _cell(row: dict[str, str], name: str) -> str | None:
    v = row.get(name)
    if v is None:
        return None
    v = v.strip()
    return v if v else None


def parse_row(row: dict[str, str]) -> Panel:
    """Canonical units (section 8): SI values are converted exactly, in decimal, before any
    floor, cap or cut-off is applied."""
    def num(*alternatives: tuple[str, Decimal]) -> Decimal | None:
        for name, divisor in alternatives:
            v = _cell(row, name)
            if v is not None:
                return D(v) / divisor
        return None

    p = Panel()
    p.sex = _cell(row, "sex")
    p.age = num(("age_years", ONE))
    p.bili = num(("bilirubin_mg_dl", ONE), ("bilirubin_umol_l", BILI_UMOL_PER_MG_DL))
    p.alb = num(("albumin_g_dl", ONE), ("albumin_g_l", D(10)))
    p.si_bili = _cell(row, "bilirubin_mg_dl") is None and _cell(row, "bilirubin_umol_l") is not None
    p.si_alb = _cell(row, "albumin_g_dl") is None and _cell(row, "albumin_g_l") is not None
    p.inr = num(("inr", ONE))
    p.crea = num(("creatinine_mg_dl", ONE), ("creatinine_umol_l", CREA_UMOL_PER_MG_DL))
    p.na = num(("sodium_mmol_l", ONE))
    dia = _cell(row, "dialysis")
    p.dialysis = None if dia is None else (dia == "1")
    p.ascites = _cell(row, "ascites")
    p.enceph = _cell(row, "encephalopathy")
    p.pt = num(("pt_prolonged_s", ONE))
    p.plt = num(("platelets_10e9_l", ONE))
    p.ast = num(("ast_u_l", ONE))
    p.alt = num(("alt_u_l", ONE))
    uln = num(("ast_uln_u_l", ONE))
    if uln is not None:
        p.ast_uln = uln
    aet = _cell(row, "aetiology") or ""
    p.cholestatic = any(t.strip().upper() in ("PBC", "PSC") for t in aet.split(";"))
    return p


# --- Child-Pugh (section 1.2, closed middle bands) -------------------------------------------

ASCITES_POINTS = {"none": 1, "mild": 2, "moderate-severe": 3}
ENCEPH_POINTS = {"none": 1, "0": 1, "grade1-2": 2, "1": 2, "2": 2, "grade3-4": 3, "3": 3, "4": 3}


def _three_band_low_good(v: Decimal, lo: Decimal, hi: Decimal, p: Panel, what: str) -> int:
    """< lo -> 1, lo..hi (closed) -> 2, > hi -> 3."""
    for cut in (lo, hi):
        if is_fragile(v, cut):
            p.fragile.append(f"{what} {v} near cut-off {cut}")
    if v < lo:
        return 1
    if v <= hi:
        return 2
    return 3


def child_pugh(p: Panel) -> tuple[int, str] | None:
    if p.bili is None or p.alb is None or p.ascites is None or p.enceph is None:
        return None
    if p.inr is not None:                       # INR takes precedence when present
        coag = _three_band_low_good(p.inr, D("1.7"), D("2.3"), p, "INR")
    elif p.pt is not None:
        coag = _three_band_low_good(p.pt, D(4), D(6), p, "PT")
    else:
        return None
    if p.cholestatic:                           # PBC/PSC variant: < 4 / 4-10 / > 10 mg/dL
        bili = _three_band_low_good(p.bili, D(4), D(10), p, "bilirubin")
    else:                                       # < 2.0 / 2.0-3.0 / > 3.0 mg/dL
        bili = _three_band_low_good(p.bili, D(2), D(3), p, "bilirubin")
    for cut in (D("2.8"), D("3.5")):
        if is_fragile(p.alb, cut):
            p.fragile.append(f"albumin {p.alb} near cut-off {cut}")
    if p.alb > D("3.5"):                        # > 3.5 / 2.8-3.5 / < 2.8 g/dL
        alb = 1
    elif p.alb >= D("2.8"):
        alb = 2
    else:
        alb = 3
    total = bili + alb + coag + ASCITES_POINTS[p.ascites] + ENCEPH_POINTS[p.enceph]
    cls = "A" if total <= 6 else ("B" if total <= 9 else "C")
    return total, cls


# --- MELD family (sections 2, 3, 4) ----------------------------------------------------------

def meld_i(p: Panel) -> Decimal:
    """Unrounded MELD(i) (section 2): floors 1.0, creatinine cap 4.0, dialysis -> 4.0."""
    bili = max(p.bili, ONE)
    inr = max(p.inr, ONE)
    crea = D(4) if p.dialysis else min(max(p.crea, ONE), D(4))
    return D("0.957") * ln(crea) + D("0.378") * ln(bili) + D("1.120") * ln(inr) + D("0.643")


def meld_from_meld_i(mi: Decimal, p: Panel | None = None) -> int:
    """round(MELD(i), 1) * 10, half-up, cap 40."""
    tenth = mi.quantize(D("0.1"), rounding=ROUND_HALF_UP)
    if p is not None and tie_fragile(mi * 10):
        p.fragile.append(f"10*MELD(i) {mi * 10} near a rounding tie")
    return min(int(tenth * 10), 40)


def meld(p: Panel) -> int | None:
    if p.bili is None or p.crea is None or p.inr is None or p.dialysis is None:
        return None
    return meld_from_meld_i(meld_i(p), p)


def meld_na_from_meld(m: int, na: Decimal, p: Panel | None = None) -> int:
    """OPTN 2016 (section 3): gate and formula use the ROUNDED integer MELD(i)."""
    if m <= 11:
        return m
    na_b = min(max(na, D(125)), D(137))
    v = m + D("1.32") * (137 - na_b) - D("0.033") * m * (137 - na_b)
    if p is not None and tie_fragile(v):
        p.fragile.append(f"MELD-Na {v} near a rounding tie")
    return min(half_up(v), 40)


def meld_na(p: Panel, m: int | None = None) -> int | None:
    if m is None:
        m = meld(p)
    if m is None or p.na is None:
        return None
    return meld_na_from_meld(m, p.na, p)


def is_adolescent(p: Panel) -> bool:
    return p.age is not None and D(12) <= p.age < D(18)


def meld3_applicable(p: Panel) -> bool:
    return p.age is None or p.age >= D(12)


def meld3_raw(p: Panel) -> Decimal:
    bili = max(p.bili, ONE)
    inr = max(p.inr, ONE)
    crea = D(3) if p.dialysis else min(max(p.crea, ONE), D(3))
    na = min(max(p.na, D(125)), D(137))
    alb = min(max(p.alb, D("1.5")), D("3.5"))
    if is_adolescent(p):
        intercept = D("7.33")                   # 12-17 y: 7.33 regardless of sex
    else:
        intercept = D(6) + (D("1.33") if p.sex == "female" else ZERO)
    lb, lc = ln(bili), ln(crea)
    return (intercept
            + D("4.56") * lb
            + D("0.82") * (137 - na)
            - D("0.24") * (137 - na) * lb
            + D("9.09") * ln(inr)
            + D("11.14") * lc
            + D("1.85") * (D("3.5") - alb)
            - D("1.83") * (D("3.5") - alb) * lc)


def meld3(p: Panel) -> int | None:
    if not meld3_applicable(p):
        return None
    if None in (p.bili, p.crea, p.inr, p.na, p.alb, p.dialysis):
        return None
    if not is_adolescent(p) and p.sex not in ("male", "female"):
        return None
    raw = meld3_raw(p)
    if tie_fragile(raw):
        p.fragile.append(f"MELD 3.0 raw {raw} near a rounding tie")
    return min(max(half_up(raw), 6), 40)


def meld3_survival(score: int) -> float:
    """Section 4.1, applied to the rounded, capped MELD 3.0 score (binary64, like C++)."""
    return 0.946 ** math.exp(0.17698 * score - 3.56)


# --- ALBI, FIB-4, APRI (sections 5, 6) --------------------------------------------------------

ALBI_CUT_1 = D("-2.60")
ALBI_CUT_2 = D("-1.39")


def albi(p: Panel) -> tuple[Decimal, int] | None:
    if p.bili is None or p.alb is None:
        return None
    score = D("0.66") * (p.bili * BILI_UMOL_PER_MG_DL).log10() - D("0.085") * (p.alb * 10)
    for cut in (ALBI_CUT_1, ALBI_CUT_2):
        if abs(score - cut) < D("1e-11"):
            p.fragile.append(f"ALBI {score} within 1e-11 of {cut}")
    grade = 1 if score <= ALBI_CUT_1 else (2 if score <= ALBI_CUT_2 else 3)
    return score, grade


def fib4(p: Panel) -> Decimal | None:
    if None in (p.age, p.ast, p.alt, p.plt):
        return None
    return p.age * p.ast / (p.plt * p.alt.sqrt())


def apri(p: Panel) -> Decimal | None:
    if p.ast is None or p.plt is None:
        return None
    return (p.ast / p.ast_uln) / p.plt * 100


def missing_fields(p: Panel) -> frozenset[str]:
    absent = {
        "sex": p.sex is None, "age": p.age is None, "bilirubin": p.bili is None,
        "albumin": p.alb is None, "inr": p.inr is None, "creatinine": p.crea is None,
        "sodium": p.na is None, "dialysis": p.dialysis is None, "ascites": p.ascites is None,
        "encephalopathy": p.enceph is None, "platelets": p.plt is None, "ast": p.ast is None,
        "alt": p.alt is None,
    }
    need = {"bilirubin", "albumin", "ascites", "encephalopathy", "inr"}       # Child-Pugh
    need |= {"bilirubin", "creatinine", "inr", "dialysis", "sodium"}          # MELD, MELD-Na
    if meld3_applicable(p):
        need |= {"bilirubin", "creatinine", "inr", "sodium", "albumin", "dialysis"}
        if not is_adolescent(p):
            need.add("sex")
    need |= {"age", "ast", "alt", "platelets"}                                # FIB-4, APRI
    return frozenset(n for n in MISSING_NAMES if n in need and absent[n])


def albi_abs_tol(p: Panel, si_rel_error: float) -> float:
    """Absolute tolerance for ALBI. A converted SI value may carry a relative error of
    `si_rel_error` (section 1.3 item 4 allows rounding a converted value before use); propagate
    it: d(ALBI) = 0.66/ln(10) * d(bili)/bili + 0.85 * d(alb)."""
    tol = ABS_TOL
    if p.si_bili:
        tol += 0.66 / math.log(10) * si_rel_error
    if p.si_alb and p.alb is not None:
        tol += 0.85 * float(p.alb) * si_rel_error
    return tol


def reference_scores(row: dict[str, str], si_rel_error: float = 0.0
                     ) -> tuple[dict[str, object], list[str], dict[str, float]]:
    """Expected output cells for one input row: int / str / float / frozenset, or None for an
    empty cell; the list of reasons the row is numerically fragile (empty if robust); and the
    absolute tolerance of each float column."""
    p = parse_row(row)
    out: dict[str, object] = {c: None for c in OUTPUT_COLUMNS}
    tol = {c: ABS_TOL for c in FLOAT_COLUMNS}
    tol["albi"] = albi_abs_tol(p, si_rel_error)
    cp = child_pugh(p)
    if cp is not None:
        out["child_pugh_points"], out["child_pugh_class"] = cp
    out["meld"] = meld(p)
    out["meld_na"] = meld_na(p, out["meld"])
    m3 = meld3(p)
    out["meld3"] = m3
    if m3 is not None:
        out["meld3_90d_survival"] = meld3_survival(m3)
    a = albi(p)
    if a is not None:
        out["albi"], out["albi_grade"] = float(a[0]), a[1]
    f = fib4(p)
    out["fib4"] = None if f is None else float(f)
    ap = apri(p)
    out["apri"] = None if ap is None else float(ap)
    out["missing"] = missing_fields(p)
    return out, p.fragile, tol


# ---------------------------------------------------------------------------------------------
# Self-test against the documented worked examples
# ---------------------------------------------------------------------------------------------

def _panel(**kw) -> Panel:
    d = dict(sex="male", age=D(50), bili=ONE, alb=D(4), inr=ONE, crea=ONE, na=D(137),
             dialysis=False, ascites="none", enceph="none")
    d.update({k: (D(v) if isinstance(v, (str, int)) and k not in ("sex", "ascites", "enceph")
                  else v) for k, v in kw.items()})
    return Panel(**d)


KIM_TABLE4 = [  # sex, bili, Na, INR, Cr, alb, MELD 3.0  (section 4, Kim 2021 Table 4)
    ("male", "2.5", "131", "1.0", "1.2", "3.8", 16),
    ("female", "2.5", "131", "1.0", "1.2", "3.8", 17),
    ("male", "6.0", "131", "1.5", "1.5", "3.5", 25),
    ("male", "6.0", "131", "1.5", "1.5", "2.2", 26),
    ("female", "6.0", "131", "1.5", "1.5", "2.2", 27),
    ("male", "12.0", "128", "2.2", "1.8", "2.0", 34),
    ("male", "12.0", "128", "2.2", "2.8", "2.0", 38),
    ("female", "12.0", "128", "2.2", "2.8", "2.0", 39),
]

# MELD-Na rounding-order vectors (section 3). The document gives the properties; the inputs
# below were chosen here to have them (bilirubin only; creatinine = INR = 1.0 unless stated).
#   name, bili, INR, Cr, Na, MELD(i) (rounded), OPTN MELD-Na, unrounded-gate variant or None
MELD_NA_VECTORS = [
    ("MN01", "3.5", "1.0", "1.0", "125", 11, 11, None),   # MELD(i) 11, Na 125 -> 11 (Kim08 22)
    ("MN02", "3.8", "1.0", "1.0", "125", 11, 11, 23),     # unrounded 11.48 -> 11 (naive 23)
    ("MN03", "4.4", "1.0", "1.0", "125", 12, 23, None),   # MELD(i) 12, Na 125 -> 23 (Kim08 22.52)
    ("MN04", "1.2", "1.5", "1.5", "130", 16, 22, 21),     # OPTN 22, unrounded 21
]


def _naive_unrounded_meld_na(p: Panel) -> int:
    """The WRONG variant criticised in section 3 (gate and formula on the unrounded value)."""
    u = meld_i(p) * 10
    if u <= 11:
        return half_up(u)
    na = min(max(p.na, D(125)), D(137))
    return min(half_up(u + D("1.32") * (137 - na) - D("0.033") * u * (137 - na)), 40)


def _kim2008(m: Decimal, na: Decimal) -> Decimal:
    """Kim 2008 NEJM MELDNa (section 3 "Variants"; not what cirrus reports), Na 125-140."""
    na = min(max(na, D(125)), D(140))
    return m - na - D("0.025") * m * (140 - na) + 140


def self_test() -> None:
    problems: list[str] = []

    def check(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    for sex, b, na, inr, cr, alb, want in KIM_TABLE4:
        got = meld3(_panel(sex=sex, bili=b, na=na, inr=inr, crea=cr, alb=alb))
        check(got == want, f"Kim 2021 Table 4 {sex} bili {b} Na {na} INR {inr} Cr {cr} "
                           f"alb {alb}: want {want}, got {got}")
    ado = dict(bili="1.2", na="135", inr="1.1", crea="1.5", alb="3.0")
    got = meld3(_panel(sex="male", age=D(15), **ado))
    check(got == 16, f"MELD 3.0 adolescent male 15 y: want 16, got {got}")
    got = meld3(_panel(sex="female", age=D(15), **ado))
    check(got == 16, f"MELD 3.0 adolescent female 15 y (7.33 regardless of sex): want 16, got {got}")
    got = meld3(_panel(sex="male", age=D(40), **ado))
    check(got == 14, f"MELD 3.0 adult male: want 14, got {got}")
    check(meld3(_panel(sex="male", age=D(11), **ado)) is None, "MELD 3.0 under 12 must be empty")

    for name, b, inr, cr, na, mi_int, want, naive in MELD_NA_VECTORS:
        p = _panel(bili=b, inr=inr, crea=cr, na=na)
        check(meld(p) == mi_int, f"{name}: MELD(i) want {mi_int}, got {meld(p)}")
        check(meld_na(p) == want, f"{name}: OPTN MELD-Na want {want}, got {meld_na(p)}")
        if naive is not None:
            check(_naive_unrounded_meld_na(p) == naive, f"{name}: unrounded-gate variant want "
                                                        f"{naive}, got {_naive_unrounded_meld_na(p)}")
    # section 3 "Variants": Kim 2008 NEJM MELDNa on the same vectors (MN01 -> 22, MN03 -> 22.52)
    k01 = _kim2008(meld_i(_panel(bili="3.5")) * 10, D(125))
    k03 = _kim2008(meld_i(_panel(bili="4.4")) * 10, D(125))
    check(half_up(k01) == 22, f"MN01 Kim 2008 MELDNa want 22, got {k01}")
    check(abs(k03 - D("22.52")) < D("0.005") and half_up(k03) == 23,
          f"MN03 Kim 2008 MELDNa want 22.52 -> 23, got {k03}")
    u = meld_i(_panel(bili="3.8")) * 10
    check(abs(u - D("11.48")) < D("0.005"), f"MN02 unrounded 10*MELD(i) should be 11.48, got {u}")
    # section 2: minimum 6 (6.43 rounds to 6); 40 cap
    check(meld(_panel(bili="0.5", inr="0.9", crea="0.4")) == 6, "MELD minimum 6")
    check(meld(_panel(bili="40", inr="6", crea="6")) == 40, "MELD cap 40")
    # section 3: at MELD(i) = 40 the sodium terms cancel
    check(meld_na_from_meld(40, D(125)) == 40, "MELD-Na at 40 with Na 125")
    # section 4.1 survival: values quoted in the document
    for m, s, tol in [(6, 0.995, 6e-4), (14, 0.981, 6e-4), (20, 0.947, 6e-4), (28, 0.799, 6e-4),
                      (30, 0.727, 6e-4), (40, 0.154, 6e-4), (26, 0.855, 1e-3), (28, 0.791, 1e-2)]:
        check(abs(meld3_survival(m) - s) <= tol, f"90-day survival at {m}: want {s} +- {tol}, "
                                                  f"got {meld3_survival(m)}")
    # section 1.3 pitfall 2: umol/L examples after conversion with 17.1
    def cp_bili_points(umol: str, chol: bool = False) -> int:
        p = parse_row({"bilirubin_umol_l": umol, "albumin_g_dl": "4.0", "inr": "1.0",
                       "ascites": "none", "encephalopathy": "none",
                       "aetiology": "PBC" if chol else ""})
        return child_pugh(p)[0] - 4
    check(cp_bili_points("34") == 1, "34 umol/L (1.988 mg/dL) scores 1 point")
    check(cp_bili_points("51") == 2, "51 umol/L scores 2 points after conversion")
    check(cp_bili_points("68", chol=True) == 1, "68 umol/L (3.98 mg/dL) PBC scores 1 point")
    # section 1.2 closed middle bands
    for b, want in [("2.0", 2), ("3.0", 2), ("1.99", 1), ("3.01", 3)]:
        p = _panel(bili=b)
        check(child_pugh(p)[0] - 4 == want, f"bilirubin {b} -> {want} points")
    for a, want in [("3.5", 2), ("2.8", 2), ("3.51", 1), ("2.79", 3)]:
        p = _panel(alb=a)
        check(child_pugh(p)[0] - 4 == want, f"albumin {a} -> {want} points")
    for i, want in [("1.7", 2), ("2.3", 2), ("1.69", 1), ("2.31", 3)]:
        p = _panel(inr=i)
        check(child_pugh(p)[0] - 4 == want, f"INR {i} -> {want} points")
    check(child_pugh(_panel(inr=None, pt="4"))[0] == 6, "PT 4.0 s -> 2 points")
    # section 7: half-up, not half-to-even
    check(half_up(D("12.5")) == 13 and half_up(D("11.5")) == 12, "half-up rounding")
    # section 5: grade from the unrounded score
    check(albi(_panel(bili="1.0", alb="4.5"))[1] == 1, "ALBI bili 1.0 alb 4.5 (-3.01) is grade 1")
    check(albi(_panel(bili="1.0", alb="4.0"))[1] == 2, "ALBI bili 1.0 alb 4.0 (-2.586) is grade 2")

    if problems:
        print("scores oracle: reference self-test FAILED:", file=sys.stderr)
        for pr in problems:
            print("  " + pr, file=sys.stderr)
        sys.exit(2)


# ---------------------------------------------------------------------------------------------
# Data generation
# ---------------------------------------------------------------------------------------------

@dataclass
class Case:
    label: str
    row: dict[str, str]
    ref: tuple | None = None          # cached reference_scores(row, si_rel_error)


BASE_CONV = {
    "sex": "male", "age_years": "50", "bilirubin_mg_dl": "1.0", "albumin_g_dl": "4.0",
    "inr": "1.0", "creatinine_mg_dl": "1.0", "sodium_mmol_l": "137", "dialysis": "0",
    "ascites": "none", "encephalopathy": "none", "platelets_10e9_l": "150", "ast_u_l": "40",
    "alt_u_l": "40", "ast_uln_u_l": "", "aetiology": "HBV", "pt_prolonged_s": "",
}
BASE_SI = {
    "sex": "male", "age_years": "50", "bilirubin_umol_l": "17.1", "albumin_g_l": "40",
    "inr": "1.0", "creatinine_umol_l": "88.4", "sodium_mmol_l": "137", "dialysis": "0",
    "ascites": "none", "encephalopathy": "none", "platelets_10e9_l": "150", "ast_u_l": "40",
    "alt_u_l": "40", "aetiology": "HBV", "pt_prolonged_s": "",
}


def conv(label: str, **kw: str) -> Case:
    row = dict(BASE_CONV)
    for k, v in kw.items():
        assert k in row, k
        row[k] = v
    return Case(label, row)


def si(label: str, **kw: str) -> Case:
    row = dict(BASE_SI)
    for k, v in kw.items():
        assert k in row, k
        row[k] = v
    return Case(label, row)


def _solve_increasing(f, target: float, lo: float, hi: float) -> float:
    """Bisection for an increasing f."""
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def boundary_conv() -> list[Case]:
    c: list[Case] = []
    # --- Kim 2021 Table 4 and the adolescent example (section 4) ---
    for k, (sex, b, na, inr, cr, alb, _want) in enumerate(KIM_TABLE4, 1):
        c.append(conv(f"Kim2021 Table4 #{k}", sex=sex, bilirubin_mg_dl=b, sodium_mmol_l=na,
                      inr=inr, creatinine_mg_dl=cr, albumin_g_dl=alb))
    ado = dict(bilirubin_mg_dl="1.2", sodium_mmol_l="135", inr="1.1", creatinine_mg_dl="1.5",
               albumin_g_dl="3.0")
    for sex in ("male", "female", ""):
        c.append(conv(f"adolescent 15y sex={sex or '-'}", sex=sex, age_years="15", **ado))
    c.append(conv("adult male (meld-cds-hook 14)", age_years="40", **ado))

    sexes = ("male", "female")
    # --- Child-Pugh cut-offs (section 1.2) ---
    for b in ["1.99", "1.9999999", "2", "2.0", "2.0000001", "2.01", "2.99", "2.9999999", "3",
              "3.0", "3.0000001", "3.01", "4", "10"]:
        for aet in ("HBV", "", "MASLD;HCV", "autoimmune"):
            c.append(conv(f"CP bilirubin {b} aet={aet or '-'}", bilirubin_mg_dl=b, aetiology=aet))
    for b in ["1.5", "2.5", "3.5", "3.99", "3.9999999", "4", "4.0", "4.0000001", "4.01", "9.99",
              "9.9999999", "10", "10.0", "10.0000001", "10.01", "20"]:
        for aet in ("PBC", "PSC", "HBV;PBC", "PSC;autoimmune", "pbc"):
            c.append(conv(f"CP cholestatic bilirubin {b} aet={aet}", bilirubin_mg_dl=b,
                          aetiology=aet))
    for a in ["2.79", "2.7999999", "2.8", "2.80", "2.8000001", "2.81", "3.49", "3.4999999", "3.5",
              "3.50", "3.5000001", "3.51"]:
        c.append(conv(f"CP albumin {a}", albumin_g_dl=a))
    for i in ["1.69", "1.6999999", "1.7", "1.70", "1.7000001", "1.71", "2.29", "2.2999999", "2.3",
              "2.30", "2.3000001", "2.31"]:
        c.append(conv(f"CP INR {i}", inr=i))
        c.append(conv(f"CP INR {i} with PT 10 (INR wins)", inr=i, pt_prolonged_s="10"))
    for pt in ["0", "3.9", "3.9999999", "4", "4.0", "4.0000001", "4.1", "5.9", "6", "6.0",
               "6.0000001", "6.1", "12"]:
        c.append(conv(f"CP PT {pt} s, no INR", inr="", pt_prolonged_s=pt))
    asc_forms = ["none", "mild", "moderate-severe"]
    enc_forms = ["none", "grade1-2", "grade3-4", "0", "1", "2", "3", "4"]
    for asc in asc_forms:
        for enc in enc_forms:
            c.append(conv(f"CP ascites {asc} enceph {enc}", ascites=asc, encephalopathy=enc))
    # every combination of item points -> totals 5..15 and the A/B/C class edges
    bili_v, alb_v, inr_v = ["1.0", "2.5", "3.5"], ["4.0", "3.0", "2.5"], ["1.2", "2.0", "2.5"]
    for ib, b in enumerate(bili_v):
        for ia, a in enumerate(alb_v):
            for ii, i in enumerate(inr_v):
                for ias, asc in enumerate(asc_forms):
                    for ie, enc in enumerate(["none", "grade1-2", "grade3-4"]):
                        c.append(conv(f"CP combo {ib+1}{ia+1}{ii+1}{ias+1}{ie+1}",
                                      bilirubin_mg_dl=b, albumin_g_dl=a, inr=i, ascites=asc,
                                      encephalopathy=enc))

    # --- MELD floors (section 2; section 4 for MELD 3.0) ---
    lows = ["0.5", "0.99", "1.0", "1.01"]
    for b in lows:
        for cr in lows:
            for i in lows:
                for dia in ("0", "1"):
                    c.append(conv(f"MELD floors bili {b} Cr {cr} INR {i} dia {dia}",
                                  bilirubin_mg_dl=b, creatinine_mg_dl=cr, inr=i, dialysis=dia,
                                  sodium_mmol_l="130", albumin_g_dl="3.0"))
    # --- creatinine caps 3.0 / 4.0 and dialysis ---
    for cr in ["0.3", "1.0", "2.0", "2.9", "2.99", "3", "3.0", "3.01", "3.1", "3.5", "3.9", "3.99",
               "4", "4.0", "4.01", "4.1", "6.0", "12.0", "25"]:
        for dia in ("0", "1"):
            for sex in sexes:
                c.append(conv(f"creatinine {cr} dia {dia} {sex}", sex=sex, creatinine_mg_dl=cr,
                              dialysis=dia, bilirubin_mg_dl="3.0", inr="1.5",
                              sodium_mmol_l="130", albumin_g_dl="2.5"))
    # --- sodium bounds 125 / 137 ---
    for na in ["100", "115", "120", "124.9", "124.99", "125", "125.0", "125.01", "125.1", "127.5",
               "130", "133.3", "136.9", "136.99", "137", "137.0", "137.01", "137.1", "140", "150",
               "180"]:
        for sex in sexes:
            c.append(conv(f"sodium {na} high MELD {sex}", sex=sex, sodium_mmol_l=na,
                          bilirubin_mg_dl="5", inr="1.5", creatinine_mg_dl="1.5",
                          albumin_g_dl="2.9"))
            c.append(conv(f"sodium {na} low MELD {sex}", sex=sex, sodium_mmol_l=na,
                          bilirubin_mg_dl="1.5", inr="1.1", creatinine_mg_dl="1.0",
                          albumin_g_dl="3.2"))
    # --- MELD 3.0 albumin bounds 1.5 / 3.5 (and the ln(Cr) interaction) ---
    for a in ["0.5", "1.0", "1.4", "1.49", "1.4999999", "1.5", "1.50", "1.5000001", "1.51", "1.6",
              "3.4", "3.49", "3.4999999", "3.5", "3.5000001", "3.51", "3.6", "4.5", "7"]:
        for cr in ("1.0", "2.0"):
            for sex in sexes:
                c.append(conv(f"MELD3 albumin {a} Cr {cr} {sex}", sex=sex, albumin_g_dl=a,
                              creatinine_mg_dl=cr, bilirubin_mg_dl="2.0", inr="1.3",
                              sodium_mmol_l="132"))
    # --- MELD-Na gate: rounded MELD(i) 11 vs 12 (section 3) ---
    for name, b, inr, cr, na, *_ in MELD_NA_VECTORS:
        for sex in sexes:
            c.append(conv(f"{name} {sex}", sex=sex, bilirubin_mg_dl=b, inr=inr,
                          creatinine_mg_dl=cr, sodium_mmol_l=na))
    f10 = lambda b: 3.78 * math.log(b) + 6.43      # 10*MELD(i) with Cr = INR = 1
    for target in [10.9, 11.0, 11.2, 11.4, 11.45, 11.48, 11.49, 11.499, 11.501, 11.51, 11.55,
                   11.6, 11.9, 12.0, 12.3, 12.49, 12.51]:
        b = _solve_increasing(f10, target, 1.0, 75.0)
        for na in ("124", "125", "130", "136", "137"):
            c.append(conv(f"MELD-Na gate 10*MELD(i)~{target} Na {na}",
                          bilirubin_mg_dl=f"{b:.6f}", sodium_mmol_l=na))
    # --- 40 caps ---
    for b, i, cr, dia in [("40", "6", "6", "0"), ("70", "10", "3.5", "1"), ("75", "20", "25", "0"),
                          ("30", "4", "4", "1"), ("25", "3.5", "3.0", "0")]:
        for na in ("120", "137"):
            for sex in sexes:
                c.append(conv(f"high panel bili {b} INR {i} Cr {cr} dia {dia} Na {na} {sex}",
                              sex=sex, bilirubin_mg_dl=b, inr=i, creatinine_mg_dl=cr,
                              dialysis=dia, sodium_mmol_l=na, albumin_g_dl="2.0"))
    f10b = lambda b: 10 * (0.957 * math.log(4.0) + 0.378 * math.log(b) + 1.120 * math.log(3.0)
                           + 0.643)                # Cr 4 (dialysis), INR 3.0
    for target in (39.4, 39.49, 39.51, 39.6, 40.4, 40.6):
        b = _solve_increasing(f10b, target, 1.0, 75.0)
        for na in ("125", "137"):
            c.append(conv(f"MELD near 40: 10*MELD(i)~{target} Na {na}",
                          bilirubin_mg_dl=f"{b:.6f}", inr="3.0", creatinine_mg_dl="2.0",
                          dialysis="1", sodium_mmol_l=na, albumin_g_dl="2.0"))

    def m3f(b: float, sex: str) -> float:             # raw MELD 3.0, Cr 3, INR 2.5, Na 125, alb 2
        lb, lc = math.log(b), math.log(3.0)
        return ((7.33 if sex == "female" else 6) + 4.56 * lb + 0.82 * 12 - 0.24 * 12 * lb
                + 9.09 * math.log(2.5) + 11.14 * lc + 1.85 * 1.5 - 1.83 * 1.5 * lc)
    for sex in sexes:
        for target in (39.4, 39.49, 39.51, 39.6, 40.4, 40.6, 45.0):
            b = _solve_increasing(lambda x: m3f(x, sex), target, 1.0, 75.0)
            c.append(conv(f"MELD3 near 40: raw~{target} {sex}", sex=sex,
                          bilirubin_mg_dl=f"{b:.6f}", inr="2.5", creatinine_mg_dl="3.0",
                          sodium_mmol_l="125", albumin_g_dl="2.0"))
    # --- exact .5 ties in MELD 3.0 (all logs 0 after the floors); half-up expected ---
    for sex, age, na, alb in [("male", "50", "133", "2.3"), ("male", "50", "131.6", "2.38"),
                              ("male", "50", "126", "2.7"), ("male", "50", "135.8", "2.14"),
                              ("female", "50", "132.5", "2.7"), ("female", "50", "125", "1.7"),
                              ("female", "50", "127.8", "1.54"), ("", "15", "125.5", "3.1"),
                              ("male", "12", "136.7", "2.46"), ("female", "17", "131.1", "2.78")]:
        c.append(conv(f"MELD3 exact tie {sex or '-'} {age}y Na {na} alb {alb}", sex=sex,
                      age_years=age, sodium_mmol_l=na, albumin_g_dl=alb, bilirubin_mg_dl="0.8",
                      inr="0.9", creatinine_mg_dl="0.7"))
    # --- ALBI grade cut-offs -2.60 / -1.39, solved albumin, +-5e-10 in score ---
    for b in ("0.3", "0.8", "1.0", "2.3", "5.0", "12.0"):
        lb = 0.66 * math.log10(float(b) * 17.1)
        for cut in (-2.60, -1.39):
            for side, eps in (("below", -5e-10), ("above", +5e-10)):
                alb = (lb - (cut + eps)) / 0.85      # score = cut + eps
                c.append(conv(f"ALBI {cut} {side} bili {b}", bilirubin_mg_dl=b,
                              albumin_g_dl=repr(alb)))
    # --- age / sex rules for MELD 3.0 ---
    for age in ["", "1", "5", "11", "11.99", "12", "12.0", "13", "15.5", "17", "17.99", "18",
                "18.0", "19", "65", "120"]:
        for sex in ("male", "female", ""):
            c.append(conv(f"age {age or '-'} sex {sex or '-'}", sex=sex, age_years=age,
                          bilirubin_mg_dl="2.2", inr="1.4", creatinine_mg_dl="1.3",
                          sodium_mmol_l="131", albumin_g_dl="2.9"))
    # --- FIB-4 / APRI, AST upper limit of normal ---
    for uln in ("", "10", "20", "35", "40", "50", "200"):
        c.append(conv(f"APRI ULN {uln or 'default'}", ast_uln_u_l=uln, ast_u_l="85",
                      platelets_10e9_l="95"))
    for age, ast, alt, plt in [("1", "1", "1", "1"), ("120", "20000", "1", "1"),
                               ("35", "1", "20000", "2000"), ("60", "20000", "20000", "2000"),
                               ("44.5", "77", "63", "88")]:
        c.append(conv(f"FIB-4 extremes age {age} AST {ast} ALT {alt} plt {plt}", age_years=age,
                      ast_u_l=ast, alt_u_l=alt, platelets_10e9_l=plt))
    # --- missing inputs ---
    fields = ["sex", "age_years", "bilirubin_mg_dl", "albumin_g_dl", "inr", "creatinine_mg_dl",
              "sodium_mmol_l", "dialysis", "ascites", "encephalopathy", "platelets_10e9_l",
              "ast_u_l", "alt_u_l"]
    for f in fields:
        c.append(conv(f"missing {f}", **{f: ""}))
        c.append(conv(f"missing {f} (adolescent)", **{f: "", "age_years": "14"
                      if f != "age_years" else ""}))
        c.append(conv(f"missing {f} (child 8y)", **{f: "", "age_years": "8"
                      if f != "age_years" else ""}))
        c.append(conv(f"missing {f} (PT 5 s)", **{f: "", "pt_prolonged_s": "5"}))
    for i, f in enumerate(fields):
        g = fields[(i + 5) % len(fields)]
        c.append(conv(f"missing {f}+{g}", **{f: "", g: ""}))
    c.append(conv("missing everything", **{f: "" for f in fields}, aetiology=""))
    for keep in fields:
        c.append(conv(f"only {keep}", **{f: "" for f in fields if f != keep}))
    return c


def boundary_si() -> list[Case]:
    c: list[Case] = []
    for b in ["33.9", "34", "34.19", "34.2", "34.21", "51", "51.29", "51.3", "51.31", "52"]:
        c.append(si(f"SI CP bilirubin {b} umol/L", bilirubin_umol_l=b))
    for b in ["67", "68", "68.39", "68.4", "68.41", "170.9", "171", "171.0", "171.1", "180"]:
        for aet in ("PBC", "PSC"):
            c.append(si(f"SI CP bilirubin {b} umol/L {aet}", bilirubin_umol_l=b, aetiology=aet))
    for a in ["14", "14.9", "15", "15.1", "27.9", "28", "28.0", "28.1", "34.9", "35", "35.0",
              "35.1", "45"]:
        for sex in ("male", "female"):
            c.append(si(f"SI albumin {a} g/L {sex}", sex=sex, albumin_g_l=a,
                        bilirubin_umol_l="45", inr="1.4", creatinine_umol_l="120",
                        sodium_mmol_l="130"))
    for cr in ["30", "88.3", "88.4", "88.5", "265.1", "265.2", "265.3", "353.5", "353.6", "353.7",
               "500", "1500"]:
        for dia in ("0", "1"):
            c.append(si(f"SI creatinine {cr} umol/L dia {dia}", creatinine_umol_l=cr,
                        dialysis=dia, bilirubin_umol_l="60", inr="1.6", sodium_mmol_l="128",
                        albumin_g_l="27"))
    for b in ("10", "17.1", "40", "200"):
        lb = 0.66 * math.log10(float(b))
        for cut in (-2.60, -1.39):
            for side, eps in (("below", -5e-10), ("above", +5e-10)):
                alb = (lb - (cut + eps)) / 0.085
                c.append(si(f"SI ALBI {cut} {side} bili {b} umol/L", bilirubin_umol_l=b,
                            albumin_g_l=repr(alb)))
    return c


def _fmt(x: float, nd: int) -> str:
    return f"{x:.{nd}f}"


def random_panel(rng: random.Random, si_units: bool) -> dict[str, str]:
    def maybe(p_missing: float, s: str) -> str:
        return "" if rng.random() < p_missing else s

    r: dict[str, str] = {}
    r["sex"] = maybe(0.03, rng.choice(["male", "female"]))
    u = rng.random()
    if u < 0.08:
        age = _fmt(rng.uniform(12, 17.99), rng.choice([0, 0, 1, 2]))
    elif u < 0.11:
        age = str(rng.randint(1, 11))
    elif u < 0.14:
        age = _fmt(rng.uniform(18, 90), 1)
    else:
        age = str(rng.randint(18, 88))
    r["age_years"] = maybe(0.03, age)
    bili = math.exp(rng.uniform(math.log(0.2), math.log(45)))
    alb = rng.uniform(1.2, 5.3)
    crea = math.exp(rng.uniform(math.log(0.3), math.log(9)))
    if si_units:
        r["bilirubin_umol_l"] = maybe(0.03, _fmt(bili * 17.1, rng.choice([0, 1])))
        r["albumin_g_l"] = maybe(0.03, _fmt(alb * 10, rng.choice([0, 0, 1])))
        r["creatinine_umol_l"] = maybe(0.03, _fmt(crea * 88.4, rng.choice([0, 1])))
    else:
        r["bilirubin_mg_dl"] = maybe(0.03, _fmt(bili, rng.choice([1, 2, 2])))
        r["albumin_g_dl"] = maybe(0.03, _fmt(alb, rng.choice([1, 1, 2])))
        r["creatinine_mg_dl"] = maybe(0.03, _fmt(crea, rng.choice([1, 2, 2])))
    r["inr"] = maybe(0.05, _fmt(math.exp(rng.uniform(math.log(0.8), math.log(5))),
                                rng.choice([1, 2, 2])))
    r["sodium_mmol_l"] = maybe(0.03, _fmt(rng.uniform(112, 152), rng.choice([0, 0, 0, 1])))
    r["dialysis"] = maybe(0.02, "1" if rng.random() < 0.08 else "0")
    r["ascites"] = maybe(0.02, rng.choice(["none", "none", "mild", "moderate-severe"]))
    r["encephalopathy"] = maybe(0.02, rng.choice(["none", "none", "grade1-2", "grade3-4", "0", "1",
                                                  "2", "3", "4"]))
    r["platelets_10e9_l"] = maybe(0.03, str(rng.randint(12, 450)))
    r["ast_u_l"] = maybe(0.03, str(rng.randint(8, 900)))
    r["alt_u_l"] = maybe(0.03, str(rng.randint(5, 700)))
    if not si_units:
        r["ast_uln_u_l"] = rng.choice(["", "", "", "35", "40", "45", "50", "33.5"])
    r["aetiology"] = rng.choice(["", "HBV", "HCV", "HDV", "alcohol", "MASLD", "autoimmune", "PBC",
                                 "PSC", "haemochromatosis", "other", "HBV;PBC", "alcohol;HCV",
                                 "PSC;autoimmune", "HBV;HDV", "pbc"])
    r["pt_prolonged_s"] = "" if rng.random() < 0.6 else _fmt(rng.uniform(0, 12), 1)
    return r


def random_cases(rng: random.Random, n: int, si_units: bool, si_rel_error: float
                 ) -> tuple[list[Case], int]:
    out: list[Case] = []
    rejected = 0
    while len(out) < n:
        row = random_panel(rng, si_units)
        ref = reference_scores(row, si_rel_error)
        if ref[1]:                                # fragile: redraw
            rejected += 1
            continue
        out.append(Case(f"random {'SI' if si_units else 'conv'} #{len(out) + 1}", row, ref))
    return out, rejected


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------

def fmt_expected(v: object) -> str:
    if v is None:
        return "(empty)"
    if isinstance(v, frozenset):
        return ";".join(n for n in MISSING_NAMES if n in v) or "(empty)"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def compare_cell(col: str, want: object, got: str, abs_tol: float = ABS_TOL) -> bool:
    if want is None or (isinstance(want, frozenset) and not want):
        return got == ""
    if col == "missing":
        names = got.split(";")
        return len(names) == len(set(names)) and frozenset(names) == want
    if col in FLOAT_COLUMNS:
        try:
            g = float(got)
        except ValueError:
            return False
        return math.isfinite(g) and math.isclose(g, want, rel_tol=REL_TOL, abs_tol=abs_tol)
    return got == str(want)


def run_file(cirrus: str, path: str, columns: list[str], cases: list[Case],
             problems: list[str], si_rel_error: float) -> int:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for case in cases:
            w.writerow([case.row[col] for col in columns])
    out_path = path[:-4] + ".scored.csv"
    proc = subprocess.run([cirrus, "score", "--input", path, "--output", out_path],
                          capture_output=True, text=True)
    name = os.path.basename(path)
    if proc.returncode != 0:
        problems.append(f"{name}: cirrus exited {proc.returncode}: {proc.stderr.strip()[:2000]}")
        return 0
    with open(out_path, newline="") as fh:
        rows = list(csv.reader(fh))
    want_header = columns + OUTPUT_COLUMNS
    if not rows or rows[0] != want_header:
        problems.append(f"{name}: header {rows[0] if rows else None} != {want_header}")
        return 0
    body = rows[1:]
    if len(body) != len(cases):
        problems.append(f"{name}: {len(body)} output rows for {len(cases)} input rows")
        return 0
    agree = 0
    for i, (case, got_row) in enumerate(zip(cases, body), 1):
        where = f"{name} row {i} [{case.label}]"
        if len(got_row) != len(want_header):
            problems.append(f"{where}: {len(got_row)} cells, want {len(want_header)}")
            continue
        ok = True
        for j, col in enumerate(columns):
            if got_row[j] != case.row[col]:
                problems.append(f"{where}: input column {col} changed: "
                                f"{case.row[col]!r} -> {got_row[j]!r}")
                ok = False
        expected, _, tol = case.ref or reference_scores(case.row, si_rel_error)
        for j, col in enumerate(OUTPUT_COLUMNS, len(columns)):
            if not compare_cell(col, expected[col], got_row[j], tol.get(col, ABS_TOL)):
                inputs = ",".join(f"{k}={v}" for k, v in case.row.items() if v != "")
                problems.append(f"{where}: column {col}: expected {fmt_expected(expected[col])}, "
                                f"got {got_row[j] or '(empty)'}  | input: {inputs}")
                ok = False
        agree += ok
    return agree


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cirrus", required=True, help="path to the cirrus binary")
    ap.add_argument("--rows", type=int, default=2000, help="number of random panels")
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--keep", help="write the CSV files into this directory and keep them")
    ap.add_argument("--max-report", type=int, default=200, help="disagreements listed at most")
    ap.add_argument("--si-rel-error", type=float, default=1e-11,
                    help="relative error allowed on a value converted from SI units (ALBI "
                         "tolerance only; 0 = strict, plain 1e-12 relative)")
    args = ap.parse_args()
    t0 = time.monotonic()

    self_test()

    rng = random.Random(args.seed)
    n_si = args.rows * 3 // 10
    conv_random, rej1 = random_cases(rng, args.rows - n_si, False, args.si_rel_error)
    si_random, rej2 = random_cases(rng, n_si, True, args.si_rel_error)
    conv_cases = boundary_conv()
    si_cases = boundary_si()
    for case in conv_cases + si_cases:            # the boundary set must be robust by design
        case.ref = reference_scores(case.row, args.si_rel_error)
        if case.ref[1]:
            print(f"scores oracle: boundary case {case.label!r} is fragile: {case.ref[1]}",
                  file=sys.stderr)
            return 2
    n_boundary = len(conv_cases) + len(si_cases)
    conv_cases += conv_random
    si_cases += si_random
    rng.shuffle(si_cases)
    si_columns = list(SI_COLUMNS)
    rng.shuffle(si_columns)                       # "input columns (any order)"

    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cirrus-oracle-") as tmp:
        d = args.keep or tmp
        os.makedirs(d, exist_ok=True)
        agree = run_file(args.cirrus, os.path.join(d, "visits_conventional.csv"), CONV_COLUMNS,
                         conv_cases, problems, args.si_rel_error)
        agree += run_file(args.cirrus, os.path.join(d, "visits_si.csv"), si_columns, si_cases,
                          problems, args.si_rel_error)
    total = len(conv_cases) + len(si_cases)
    secs = time.monotonic() - t0
    if problems:
        for pr in problems[:args.max_report]:
            print(pr)
        if len(problems) > args.max_report:
            print(f"... and {len(problems) - args.max_report} more")
        print(f"scores oracle: {len(problems)} disagreements; {agree} of {total} rows agree "
              f"on all {len(OUTPUT_COLUMNS)} columns ({secs:.2f} s)")
        return 1
    print(f"scores oracle: {total} rows x {len(OUTPUT_COLUMNS)} columns agree "
          f"({n_boundary} boundary + {args.rows} random, seed {args.seed}, "
          f"{rej1 + rej2} fragile random panels redrawn, {secs:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
