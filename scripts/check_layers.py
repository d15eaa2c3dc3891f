#!/usr/bin/env python3
"""Fails when a module includes what docs/architecture.md says it must not.

Rules (the Stan runChecks.py pattern):
  1. src/<m>/ and include/cirrus/<m>/ include cirrus headers only of <m> and the
     modules <m> may use (ALLOWED below, the module table of the architecture).
  2. Third-party headers belong to one module each: SQLite and libpqxx to store,
     HTTP libraries to server.
  3. The pure modules (core, scores, stats, sim) do no I/O and read no clock.
  4. A module's internal/ headers are included only from inside that module.
Exit status 1 lists every violation as file:line: why.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

ALLOWED = {
    "base": set(),
    "core": {"base"},
    "scores": {"base", "core"},
    "stats": {"base"},
    "io": {"base", "core"},
    "store": {"base", "core", "scores"},
    "study": {"base", "core", "scores", "stats", "io", "store"},
    "sim": {"base", "core", "scores", "stats", "io", "study"},
    "report": {"base", "core", "scores", "stats", "study"},
    "server": {"base", "core", "scores", "stats", "store", "study", "report"},
    "cli": {"base", "core", "scores", "stats", "io", "store", "study", "sim", "report", "server"},
}
THIRD_PARTY_OWNER = {
    r"sqlite3\.h": "store",
    r"pqxx/": "store",
    r"httplib\.h": "server",
}
PURE_MODULES = {"core", "scores", "stats", "sim"}
IO_OR_CLOCK = re.compile(r"^(fstream|iostream|cstdio|stdio\.h|filesystem|chrono|ctime|time\.h|random_device)$")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def module_of(path: pathlib.Path):
    rel = path.relative_to(ROOT).parts
    if rel[0] == "src" and len(rel) > 2:
        return rel[1]
    if rel[:2] == ("include", "cirrus") and len(rel) > 3:
        return rel[2]
    return None


def main() -> int:
    problems = []
    files = [p for d in ("src", "include") for p in (ROOT / d).rglob("*") if p.suffix in (".cpp", ".hpp")]
    for path in sorted(files):
        module = module_of(path)
        if module is None:
            continue
        if module not in ALLOWED:
            problems.append(f"{path.relative_to(ROOT)}: module '{module}' is not in the architecture's table")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = INCLUDE.match(line)
            if not match:
                continue
            header = match.group(2)
            where = f"{path.relative_to(ROOT)}:{number}"
            used = re.match(r"cirrus/([a-z_]+)/", header)
            if used and used.group(1) != module and used.group(1) not in ALLOWED[module]:
                problems.append(f"{where}: {module} may not include {header} (allowed: "
                                f"{', '.join(sorted(ALLOWED[module])) or 'std only'})")
            for pattern, owner in THIRD_PARTY_OWNER.items():
                if re.match(pattern, header) and module != owner:
                    problems.append(f"{where}: only {owner} may include {header}")
            if module in PURE_MODULES and IO_OR_CLOCK.match(header):
                problems.append(f"{where}: {module} is pure (no I/O, no clock) but includes <{header}>")
            if "internal/" in header and match.group(1) == '"':
                # Resolved as the compiler does: beside the file, or from the
                # module's source root (its include directory).
                module_root = ROOT / "src" / module
                if not (path.parent / header).exists() and not (module_root / header).exists():
                    problems.append(f"{where}: {header} is another module's internal header")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check_layers: {len(problems)} violation(s)", file=sys.stderr)
        return 1
    print(f"check_layers: {len(files)} files follow the module rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
