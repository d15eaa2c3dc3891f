#!/usr/bin/env python3
"""Runs DuckDB-style golden tests of the cirrus command line.

A .test file holds cases separated by a line '===='. Each case is a few
'key: value' lines, then optionally a verbatim block:

    # Why this case exists (comments start with '#').
    command: score --albumin "31 g/dL"
    exit: 2
    stderr-contains: did you mean 31 g/L?
    file-absent: {tmp}/scored.csv
    stdout:
    ...exact expected standard output, up to the next '====' or the end...

Keys: setup (a cirrus command run before the case's command, in the same
{tmp}, which must exit 0; several run in order), command (arguments after
'cirrus', split like a shell would), exit,
stdout (the block that follows, compared exactly), stdout-contains,
stderr-contains, stderr-empty, file-absent, file-equals ('{tmp}/out.csv
{data}/expected.csv'). '{tmp}' is a fresh directory per case and '{data}'
the folder tests/golden/data, '{examples}' the repository's examples/. dir-equals ('{tmp}/a {tmp}/b') compares two
directories file by file.
"""
import argparse
import pathlib
import shlex
import subprocess
import sys
import tempfile

DATA = pathlib.Path(__file__).resolve().parent / "data"
EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def parse_cases(text):
    cases = []
    for number, chunk in enumerate(text.split("\n====\n"), start=1):
        case = {"checks": [], "stdout": None, "line": number, "setup": []}
        lines = chunk.strip("\n").split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("#") or not line.strip():
                i += 1
                continue
            if line == "stdout:":
                case["stdout"] = "\n".join(lines[i + 1:]) + "\n"
                break
            key, _, value = line.partition(":")
            value = value.strip()
            if key == "command":
                case["command"] = value
            elif key == "setup":
                case["setup"].append(value)
            elif key == "exit":
                case["exit"] = int(value)
            else:
                case["checks"].append((key, value))
            i += 1
        if "command" in case:
            cases.append(case)
    return cases


def run_case(cirrus, case, label):
    failures = []
    with tempfile.TemporaryDirectory(prefix="cirrus-golden-") as tmp:
        def expand(text):
            return text.replace("{tmp}", tmp).replace("{data}", str(DATA)).replace("{examples}", str(EXAMPLES))
        for setup in case["setup"]:
            step = subprocess.run([cirrus] + [expand(a) for a in shlex.split(setup)], capture_output=True, text=True,
                                  timeout=60)
            if step.returncode != 0:
                return f"{label}: setup 'cirrus {setup}' exited {step.returncode}: {step.stderr.strip()}"
        argv = [cirrus] + [expand(a) for a in shlex.split(case["command"])]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        want_exit = case.get("exit", 0)
        if proc.returncode != want_exit:
            failures.append(f"exit {proc.returncode}, expected {want_exit}")
        if case["stdout"] is not None and proc.stdout != expand(case["stdout"]):
            failures.append("stdout differs:\n--- expected\n" + expand(case["stdout"]) + "--- got\n" + proc.stdout)
        for key, value in case["checks"]:
            value = expand(value)
            if key == "stdout-contains" and value not in proc.stdout:
                failures.append(f"stdout lacks {value!r}")
            elif key == "stderr-contains" and value not in proc.stderr:
                failures.append(f"stderr lacks {value!r}")
            elif key == "stderr-empty" and proc.stderr:
                failures.append("stderr is not empty")
            elif key == "file-absent" and pathlib.Path(value).exists():
                failures.append(f"{value} exists")
            elif key == "file-absent":
                leftovers = [p.name for p in pathlib.Path(value).parent.glob("*.tmp.*")]
                if leftovers:
                    failures.append(f"temporary files left behind: {leftovers}")
            elif key == "file-equals":
                got_path, want_path = value.split()
                got = pathlib.Path(got_path)
                if not got.exists():
                    failures.append(f"{got_path} was not written")
                elif got.read_text() != pathlib.Path(want_path).read_text():
                    failures.append(f"{got_path} differs from {want_path}:\n" + got.read_text())
            elif key == "dir-equals":
                left, right = (pathlib.Path(p) for p in value.split())
                names = sorted({p.name for p in left.glob("*")} | {p.name for p in right.glob("*")})
                for name in names:
                    a, b = left / name, right / name
                    if not a.exists() or not b.exists():
                        failures.append(f"{name} is in only one of {left} and {right}")
                    elif a.read_bytes() != b.read_bytes():
                        failures.append(f"{name} differs between {left} and {right}")
            elif key not in ("stdout-contains", "stderr-contains", "stderr-empty", "file-absent", "file-equals"):
                failures.append(f"unknown key {key!r}")
        if failures:
            detail = "\n  ".join(failures)
            return f"{label}: cirrus {case['command']}\n  {detail}\n  stderr was: {proc.stderr.strip()}"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cirrus", required=True)
    parser.add_argument("tests", nargs="+")
    args = parser.parse_args()
    total = 0
    failed = []
    for path in args.tests:
        for case in parse_cases(pathlib.Path(path).read_text()):
            total += 1
            problem = run_case(args.cirrus, case, f"{pathlib.Path(path).name} case {case['line']}")
            if problem:
                failed.append(problem)
    for problem in failed:
        print(problem, file=sys.stderr)
    print(f"golden: {total - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
