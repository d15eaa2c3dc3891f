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




def parse_arguments():
    """--cirrus (required), --rscript, --keep: what every oracle driver takes."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--cirrus", required=True)
    parser.add_argument("--rscript", default="Rscript")
    parser.add_argument("--keep", help="write the R output here and keep it")
    return parser.parse_args()


def run_cases(args, r_script, comparers, cmp, temp_prefix):
    """Runs `r_script` into a directory, then every case of its cases.tsv.

    `comparers` maps a case kind to (cirrus subcommand, compare function);
    each compare(case, prefix, result, cmp) checks one cirrus JSON result
    against R's files. Returns the number of cases, or None when R failed.
    """
    import json
    import pathlib
    import shlex
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix=temp_prefix) as tmp:
        out = pathlib.Path(args.keep or tmp)
        r = subprocess.run([args.rscript, str(r_script), str(out)], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"R failed:\n{r.stderr}", file=sys.stderr)
            return None
        cases = [line.split("\t") for line in (out / "cases.tsv").read_text().splitlines() if line]
        for name, kind, cirrus_args in cases:
            command, compare = comparers[kind]
            argv = [args.cirrus, command] + shlex.split(cirrus_args) + ["--format", "json"]
            argv[argv.index("--input") + 1] = str(out / argv[argv.index("--input") + 1])
            run = subprocess.run(argv, capture_output=True, text=True)
            if run.returncode != 0:
                cmp.problems.append(f"{name}: cirrus exited {run.returncode}: {run.stderr.strip()}")
                continue
            compare(name, str(out / name), json.loads(run.stdout), cmp)
        return len(cases)


def print_problems(cmp, limit=50):
    import sys

    for problem in cmp.problems[:limit]:
        print(problem, file=sys.stderr)
    if len(cmp.problems) > limit:
        print(f"... and {len(cmp.problems) - limit} more", file=sys.stderr)
