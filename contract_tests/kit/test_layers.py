"""The pipeline's one-way data flow, enforced on the import graph.

docs markdown -> doctable -> schema -> (validation, strategies) -> contract -> plugin / cli.
The simulated exchange and its transports are a target: they know nothing of the checks, so a
broken check can never be "fixed" by the simulator agreeing with it. See ARCHITECTURE.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import deribit_contract

PACKAGE_DIR = Path(deribit_contract.__file__).parent
LEAVES = {"errors", "_paths", "_fileio", "_json", "facts", "guard", "redaction", "__init__"}

# unit -> units it may import (besides leaves and itself)
ALLOWED: dict[str, set[str]] = {
    "doctable": set(),
    "schema": {"doctable"},
    "validation": {"schema"},
    "invariants": set(),
    "strategies": {"schema", "invariants"},
    "exchange": set(),
    "transports": {"exchange"},
    "fixturegen": {"schema", "strategies", "invariants"},
    "contract": {
        "schema",
        "validation",
        "strategies",
        "invariants",
        "exchange",
        "transports",
        "reporting",
    },
    "suite": {"*"},
    "reporting": {"schema", "validation", "invariants", "doctable"},
    "plugin": {"*"},
    "cli": {"*"},
    "__main__": {"*"},
}


def _unit(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "deribit_contract":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # a name that is a module counts as that module; any other name (``__version__``)
            # belongs to the module it is imported from
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if _is_module(f"{node.module}.{alias.name}")
            )
    return found


def _is_module(dotted: str) -> bool:
    parts = dotted.split(".")
    if parts[0] != "deribit_contract":
        return True  # outside the package: _unit ignores it anyway
    target = PACKAGE_DIR.joinpath(*parts[1:])
    return target.is_dir() or target.with_suffix(".py").is_file()


def _source_units() -> dict[Path, str]:
    units = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR)
        if "_data" in rel.parts:
            continue
        units[path] = rel.parts[0].removesuffix(".py")
    return units


def test_every_module_belongs_to_a_known_layer() -> None:
    unknown = {
        str(p.relative_to(PACKAGE_DIR))
        for p, u in _source_units().items()
        if u not in ALLOWED and u not in LEAVES
    }
    assert not unknown, (
        f"add these to ALLOWED in {__file__} (and to ARCHITECTURE.md): {sorted(unknown)}"
    )


def _violations(unit: str, imported_modules: set[str]) -> list[str]:
    """The imports of one module of ``unit`` that go against the flow."""
    allowed = ALLOWED.get(unit, set())
    broken = []
    for imported in sorted(imported_modules):
        target = _unit(imported)
        if target is None or target == unit:
            continue
        if unit in LEAVES:
            if target != "errors":
                broken.append(f"leaf imports {imported}")
        elif target not in LEAVES and "*" not in allowed and target not in allowed:
            broken.append(f"({unit}) imports {imported} ({target})")
    return broken


def test_imports_flow_one_way() -> None:
    broken = [
        f"{path.relative_to(PACKAGE_DIR)} {problem}"
        for path, unit in _source_units().items()
        for problem in _violations(unit, _imports(path))
    ]
    assert not broken, "layering broken:\n" + "\n".join(broken)


def test_the_checker_catches_edges_against_the_flow() -> None:
    assert _violations("exchange", {"deribit_contract.invariants.check_all"})
    assert _violations("schema", {"deribit_contract.validation"})
    assert _violations("errors", {"deribit_contract._paths"})
    assert not _violations(
        "validation", {"deribit_contract.schema.store", "deribit_contract.errors"}
    )
    assert not _violations("cli", {"deribit_contract.exchange"})
    assert not _violations("contract", {"deribit_contract"})  # __version__ from the root leaf
