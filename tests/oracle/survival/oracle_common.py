"""Shared pieces of the survival oracles: reading R's expected CSV files and
comparing numbers with the engine's tolerance."""
import csv
import math

# R and cirrus compute the same formulas in double precision; what remains is
# the order of floating-point operations. 1e-9 relative is far inside the 1e-6
# the engine promises and far outside double rounding (1e-16 per operation).
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12


def number(text):
    if text in ("NA", "NaN", "", None):
        return None
    if text == "Inf":
        return math.inf
    return float(text)


def close(expected, got):
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return got is None
    if math.isinf(expected):
        return got is None or (isinstance(got, float) and math.isinf(got))
    if got is None:
        return False
    return abs(expected - got) <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * abs(expected)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class Comparison:
    def __init__(self):
        self.values = 0
        self.problems = []

    def check(self, case, where, key, expected, got):
        self.values += 1
        if not close(expected, got):
            self.problems.append(f"{case}: {where} {key}: R {expected!r}, cirrus {got!r}")


