"""Facts the kit must define once: exit codes, error codes, JSON-pointer resolution.

Walks the package's source and fails on a second definition, so a copy cannot creep back in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import deribit_contract
from deribit_contract.cli import EXIT_OK, EXIT_USAGE, EXIT_VIOLATED
from deribit_contract.errors import ExitCode
from deribit_contract.facts import ERRORS, ErrorCode

PACKAGE_DIR = Path(deribit_contract.__file__).parent


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(PACKAGE_DIR)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if "_data" not in path.parts
    ]


def _int_assignments(tree: ast.Module) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            value = node.value.value
            if isinstance(value, int) and not isinstance(value, bool):
                found.extend((t.id, value) for t in node.targets if isinstance(t, ast.Name))
    return found


def test_exit_codes_are_defined_once() -> None:
    copies = [
        f"{module}: {name} = {value}"
        for module, tree in _modules()
        if module != "errors.py"
        for name, value in _int_assignments(tree)
        if name.startswith("EXIT")
    ]
    assert not copies, copies
    assert (EXIT_OK, EXIT_VIOLATED, EXIT_USAGE) == (ExitCode.OK, ExitCode.VIOLATED, ExitCode.USAGE)
    assert [int(code) for code in ExitCode] == [0, 1, 2]


_ERROR_NAMES = {name for name in vars(ErrorCode) if name.isupper()}


def _names_an_error(name: str) -> bool:
    """``_TOO_MANY_REQUESTS = 10028`` is a copy; ``_MAX_DEPTH = 10000`` is not an error code."""
    bare = name.lstrip("_").upper()
    return bare in _ERROR_NAMES or "ERROR" in bare or bare.endswith("_CODE")


def test_deribit_error_codes_are_defined_once() -> None:
    copies = [
        f"{module}: {name} = {value}"
        for module, tree in _modules()
        if module != "facts.py"
        for name, value in _int_assignments(tree)
        if value in ERRORS and _names_an_error(name)
    ]
    assert not copies, copies


def test_json_pointers_are_unescaped_in_one_place() -> None:
    copies = [
        module
        for module, tree in _modules()
        if module != "_json.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "~1"
    ]
    assert not copies, copies
