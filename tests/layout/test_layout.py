"""The layout holds: no private name crosses a module, files and functions a reader can hold in their head.

The layer contract itself (which package may import which, no cycles) is
import-linter's, in pyproject.toml, run by .ci/run as `lint-imports`.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("follower_tracker", "legislators", "metrics")
MODULE_LINES = 600
FUNCTION_LINES = 80
# Functions that are mostly SQL text, allowed to run longer (the SQL reads best whole).
SQL_TEXT_FUNCTIONS = {"timeseries_csv_text_postgresql"}


def source_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_imports_a_private_name_of_another_module():
    crossings = []
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith(PACKAGES):
                crossings += [
                    f"{path.relative_to(ROOT)}: {node.module}.{a.name}" for a in node.names if a.name[0] == "_"
                ]
    assert crossings == []


def test_no_source_module_is_over_600_lines():
    long = {
        str(p.relative_to(ROOT)): n for p in source_files() if (n := len(p.read_text().splitlines())) > MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_80_lines_except_sql_text():
    long = []
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name not in SQL_TEXT_FUNCTIONS:
                if (length := node.end_lineno - node.lineno + 1) > FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []
