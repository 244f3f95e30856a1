"""`make mutation`: how many small changes to the code behind the book's numbers its fast unit tests catch.

mutmut makes one change at a time in a module (a comparison flipped, an operator swapped, a constant nudged, an
argument dropped) and runs that module's own unit tests, the fast ones in tests/ that execute no notebook, against
each change. A change the tests fail on is caught; one they pass is a surviving mutant: a wrong number, or a wrong
file, the tests would let through. A survivor that cannot change behaviour (an equivalent mutant) is listed with
its reason in tests/equivalent_mutants.md and left out of the score.

Each module runs in its own scratch copy of the checkout under _build/mutation/, so the checkout is never touched.
Prints, per module, mutants generated, caught and surviving, then each survivor with file, line and change.
A benchmark, not part of `make test`; exits 1 if a module scores below 90 %.

    python tools/mutation.py [module ...]      (default: every module below)
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "_build" / "mutation"
EQUIVALENT = ROOT / "tests" / "equivalent_mutants.md"
TARGET = 90.0

# Each module that computes or writes what the book publishes, with its own unit tests.
MODULES = {
    "blockrate": ["tests/test_blockrate.py"],
    "markets": ["tests/test_markets.py"],
    "windows": ["tests/test_windows.py"],
    "validate": ["tests/test_validate.py"],
    "fetch": ["tests/test_fetch.py", "tests/test_fetch_hostile.py", "tests/test_fetch_unit.py"],
    "derive": ["tests/test_derive.py"],
    "datapackage": ["tests/test_datapackage.py"],
    "data": ["tests/test_data.py"],
}
COPIED = ["minebook", "tests", "data", "pyproject.toml"]
CAUGHT = {"killed", "timeout", "caught by type check"}


@dataclass
class Mutant:
    name: str
    status: str
    function: str
    line: int
    old: str
    new: str


@dataclass
class Result:
    module: str
    mutants: list[Mutant] = field(default_factory=list)
    equivalent: list[tuple[Mutant, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def caught(self) -> int:
        return sum(m.status in CAUGHT for m in self.mutants)

    @property
    def surviving(self) -> list[Mutant]:
        known = {id(m) for m, _ in self.equivalent}
        return [m for m in self.mutants if m.status not in CAUGHT and id(m) not in known]

    @property
    def score(self) -> float:
        counted = len(self.mutants) - len(self.equivalent)
        return 100.0 * self.caught / counted if counted else 100.0


def fail(what: str, why: str) -> None:
    print(f"error: {what}: {why}", file=sys.stderr)
    raise SystemExit(1)


def equivalents() -> dict[tuple[str, str, str], str]:
    """(module, function, changed line) -> reason, from the table in tests/equivalent_mutants.md."""
    table = {}
    if not EQUIVALENT.exists():
        return table
    for row in table_rows(EQUIVALENT.read_text()):
        module, function, change, reason = row
        new = change.split("→")[-1].strip().strip("`").strip()
        table[(module, function, new)] = reason
    return table


def table_rows(markdown: str) -> list[list[str]]:
    """The body rows of the four-column table, each cell stripped; `\\|` in a cell is a literal bar."""
    rows = []
    for line in markdown.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) == 4 and cells[0] != "module" and not set(cells[0]) <= {"-", ":"}:
            rows.append(cells)
    return rows


def scratch_copy(module: str, tests: list[str]) -> Path:
    work = SCRATCH / module
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "snapshots")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=ignore)
        else:
            shutil.copy2(source, work / name)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    config.update(only_mutate=[f"minebook/{module}.py"], pytest_add_cli_args_test_selection=tests)
    text = (work / "pyproject.toml").read_text()
    text = text[:text.index("[tool.mutmut]")] + "[tool.mutmut]\n" + "".join(
        f"{key} = {render(value)}\n" for key, value in config.items())
    (work / "pyproject.toml").write_text(text)
    return work


def render(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_module(module: str, tests: list[str], known: dict) -> Result:
    present = [t for t in tests if (ROOT / t).exists()]
    if not present:
        fail(f"mutation testing of {module}", f"none of its tests exists ({', '.join(tests)})")
    result = Result(module)
    work = scratch_copy(module, present)
    start = time.perf_counter()
    log = work / "mutmut.log"
    mutmut = Path(sys.executable).with_name("mutmut")
    with log.open("w") as out:
        done = subprocess.run([str(mutmut), "run"], cwd=work, stdout=out, stderr=subprocess.STDOUT,
                              env={**os.environ, "TZ": "UTC", "PYTHONHASHSEED": "0"})
    result.seconds = time.perf_counter() - start
    # mutmut stops before testing when the tests reach none of the module's functions: every mutant survives.
    untested = "could not find any test case for any mutant" in log.read_text(errors="replace")
    if done.returncode != 0 and not untested:
        last = [line for line in log.read_text(errors="replace").splitlines() if line.strip()][-1:]
        fail(f"mutation testing of {module}", f"mutmut stopped ({last[0].strip()[:200] if last else 'no output'}); "
             f"its log is {log.relative_to(ROOT)}")
    result.mutants = read_mutants(work, module)
    for m in result.mutants:
        reason = known.get((module, m.function, m.new))
        if reason and m.status not in CAUGHT:
            result.equivalent.append((m, reason))
    return result


def read_mutants(work: Path, module: str) -> list[Mutant]:
    """Every mutant of minebook/<module>.py with its status and its change, read with mutmut's own functions."""
    here = Path.cwd()
    os.chdir(work)
    try:
        from mutmut.configuration import reset_config
        reset_config()
        return list(_read(Path("minebook") / f"{module}.py"))
    finally:
        os.chdir(here)


def _read(path: Path):
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code

    source = path.read_text()
    spans = {node.name: (node.lineno, node.end_lineno) for node in ast.walk(ast.parse(source))
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    lines = source.splitlines()
    data = SourceFileMutationData(path=path)
    data.load()
    for name, code in sorted(data.exit_code_by_key.items(), key=lambda kv: natural(kv[0])):
        function = re.sub(r"__mutmut_\d+$", "", name.rsplit(".", 1)[-1])
        function = re.sub(r"^x_", "", function.replace("ǁ", ".").split(".")[-1])
        diff = get_diff_for_mutant(name, path=path).splitlines()
        old = next((d[1:].strip() for d in diff if d.startswith("-") and not d.startswith("---")), "")
        new = next((d[1:].strip() for d in diff if d.startswith("+") and not d.startswith("+++")), "")
        first, last = spans.get(function, (1, len(lines)))
        line = next((i for i in range(first, last + 1) if lines[i - 1].strip() == old), first)
        yield Mutant(name, "no tests" if code is None else status_by_exit_code[code], function, line, old, new)


def natural(text: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def report(results: list[Result]) -> None:
    print(f"\n{'module':<14}{'mutants':>8}{'caught':>8}{'surviving':>10}{'equivalent':>11}{'score':>8}{'time':>8}")
    for r in results:
        print(f"{r.module:<14}{len(r.mutants):>8}{r.caught:>8}{len(r.surviving):>10}{len(r.equivalent):>11}"
              f"{r.score:>7.1f}%{r.seconds:>7.0f}s")
    for r in results:
        if r.surviving:
            print(f"\nsurviving in minebook/{r.module}.py:")
            for m in r.surviving:
                print(f"  minebook/{r.module}.py:{m.line} {m.function} [{m.status}]: {m.old}  →  {m.new}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of minebook/ to test (default: all of them)")
    parser.add_argument("--tests", action="append", default=[], metavar="MODULE=FILE[,FILE]",
                        help="other tests for a module (to measure an older checkout against the tests it had)")
    args = parser.parse_args()
    for spec in args.tests:
        module, _, files = spec.partition("=")
        if module not in MODULES or not files:
            fail("mutation", f"--tests {spec!r}: expected MODULE=FILE[,FILE] with MODULE one of {', '.join(MODULES)}")
        MODULES[module] = files.split(",")
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        fail("mutation", f"no module {unknown[0]!r}; the modules are {', '.join(MODULES)}")
    try:
        import mutmut  # noqa: F401
    except ImportError:
        fail("mutation", "mutmut is not installed (`make mutation` installs it)")
    known = equivalents()
    results = []
    for module in args.modules or list(MODULES):
        print(f"mutating minebook/{module}.py against {', '.join(MODULES[module])} ...", flush=True)
        results.append(run_module(module, MODULES[module], known))
    report(results)
    low = [r for r in results if r.score < TARGET]
    if low:
        fail("mutation", ", ".join(f"{r.module} caught {r.score:.1f} %" for r in low) + f", below {TARGET:.0f} %")


if __name__ == "__main__":
    main()
