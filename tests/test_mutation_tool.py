"""`make mutation`'s own rules hold without running it: each module is measured against fast unit tests that exist,
and every equivalent mutant listed beside the tests still names a line the module has (a stale row would quietly
stop matching, and a real survivor would be reported as equivalent under a changed line)."""
from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("mutation_tool", ROOT / "tools" / "mutation.py")
mutation = importlib.util.module_from_spec(spec)
sys.modules["mutation_tool"] = mutation  # its dataclasses look their module up by name
spec.loader.exec_module(mutation)


def function_lines(module: str) -> dict[str, list[str]]:
    """Each function or method of minebook/<module>.py -> its stripped source lines."""
    source = (ROOT / "minebook" / f"{module}.py").read_text()
    lines = source.splitlines()
    return {node.name: [line.strip() for line in lines[node.lineno - 1:node.end_lineno]]
            for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def listed_rows() -> list[list[str]]:
    text = (ROOT / "tests" / "equivalent_mutants.md").read_text()
    rows = mutation.table_rows(text)
    # Every table line is a row the tool reads: a malformed one would be skipped without a word.
    assert len(rows) == sum(line.startswith("|") for line in text.splitlines()) - 2
    return rows


def test_the_modules_behind_the_numbers_are_all_measured():
    assert set(mutation.MODULES) >= {"blockrate", "markets", "windows", "validate", "fetch", "derive", "datapackage", "data"}


@pytest.mark.parametrize("module", sorted(mutation.MODULES))
def test_each_module_has_fast_unit_tests_of_its_own(module):
    for name in mutation.MODULES[module]:
        path = ROOT / name
        assert path.exists(), f"{module}: {name} is missing"
        text = path.read_text()
        # Notebook tests stay in the suite, but the mutation score is the unit tests' alone.
        assert "pytest.mark.slow" not in text and "nbclient" not in text, f"{name} executes notebooks"
        assert f"minebook.{module}" in text or f"minebook import {module}" in text, f"{name} never imports minebook.{module}"


def test_every_listed_equivalent_mutant_names_a_line_the_module_has():
    rows = listed_rows()
    parsed = mutation.equivalents()
    assert len(parsed) == len(rows), "a row of tests/equivalent_mutants.md is malformed or listed twice"
    for module, function, change, reason in rows:
        assert module in mutation.MODULES, f"unknown module {module!r}"
        functions = function_lines(module)
        assert function in functions, f"{module}.{function} no longer exists"
        old, _, new = change.partition("→")
        old, new = old.strip().strip("`"), new.strip().strip("`")
        assert old in functions[function], f"{module}.{function} no longer has the line {old!r}"
        assert old != new and new, f"{module}.{function}: {change!r} is not a change"
        assert len(reason) >= 20, f"{module}.{function}: give the reason in a sentence"


def test_a_wrong_module_name_is_one_clear_line():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "mutation.py"), "blockrates"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: mutation: no module 'blockrates'; the modules are " + ", ".join(mutation.MODULES)]
