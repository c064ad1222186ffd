"""`deribit-contract schemas`: canonical, reproducible output and a --check that catches hand edits."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from deribit_contract._paths import schemas_dir, sources_dir
from deribit_contract.cli import main, schemas_cmd
from deribit_contract.errors import ContractKitError, SchemaBuildError
from deribit_contract.schema.errata import parse_errata
from deribit_contract.schema.generate import render
from deribit_contract.schema.openapi import OPENAPI_NAMES
from deribit_contract.schema.store import MODES, PARTS

SOURCE = sources_dir() / "private-close_position.md"
ERRATA = sources_dir() / "errata.yaml"


def run(argv: list[str]) -> int:
    """The schemas command alone, with the dispatcher's error rule (kit error -> exit 2)."""
    parser = argparse.ArgumentParser(prog="deribit-contract")
    schemas_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ContractKitError as exc:
        print(f"deribit-contract schemas: error: {exc}", file=sys.stderr)
        return 2


def test_main_dispatches_to_schemas_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_generation_is_byte_identical_twice_and_complete(tmp_path: Path) -> None:
    first = render(source=SOURCE, errata=ERRATA)
    assert render(source=SOURCE, errata=ERRATA) == first
    expected = [f"{m}/{p}.schema.json" for m in MODES for p in PARTS]
    assert sorted(first) == sorted([*expected, *OPENAPI_NAMES.values()])
    assert run(["schemas", "--out", str(tmp_path / "a")]) == 0
    assert run(["schemas", "--out", str(tmp_path / "b")]) == 0
    for name in first:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_check_passes_on_the_committed_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schemas", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_fails_with_a_diff_on_a_hand_edited_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), copy)
    edited = copy / "observed" / "trade.schema.json"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace('"type": "boolean"', '"type": "string"', 1),
        encoding="utf-8",
    )
    assert run(["schemas", "--check", "--out", str(copy)]) == 1
    out = capsys.readouterr().out
    assert str(edited) in out
    assert '-      "type": "string"' in out
    assert '+      "type": "boolean"' in out
    assert run(["schemas", "--out", str(copy)]) == 0
    assert run(["schemas", "--check", "--out", str(copy)]) == 0


def test_check_reports_missing_and_stray_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), copy)
    (copy / "documented" / "error.schema.json").unlink()
    (copy / "observed" / "extra.schema.json").write_text("{}\n", encoding="utf-8")
    assert run(["schemas", "--check", "--out", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "error.schema.json" in out
    assert "missing" in out
    assert "extra.schema.json" in out


def test_unreadable_inputs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("# POST /private/close_position\n\n### Parameters\n", encoding="utf-8")
    assert run(["schemas", "--source", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "bad.md:3:" in capsys.readouterr().err
    broken = tmp_path / "errata.yaml"
    broken.write_text("- id: x\n  path: [\n", encoding="utf-8")
    assert run(["schemas", "--errata", str(broken), "--out", str(tmp_path / "o")]) == 2
    assert "not valid YAML" in capsys.readouterr().err


_GOOD: dict[str, Any] = {
    "id": "x-y",
    "path": "result.trades[].post_only",
    "kind": "type",
    "correction": {"type": "boolean"},
    "why": "because",
    "evidence": ["fixtures/captured/realdata/docs/docs2025__private_close_position__1.json"],
}


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"why": None}, "field 'why'"),
        ({"kind": "typo"}, "field 'kind': unknown kind"),
        ({"correction": {"type": "bool"}}, "field 'correction.type'"),
        ({"evidence": ["elsewhere/file.json"]}, "field 'evidence'"),
        ({"evidence": ["fixtures/captured/realdata/nope.json"]}, "does not exist"),
        ({"evidence": []}, "give a captured file or a reference"),
        ({"id": "Not Kebab"}, "field 'id'"),
        ({"colour": "red"}, "field 'colour': unknown field"),
    ],
)
def test_overlay_structure_errors_name_entry_and_field(change: dict[str, Any], needle: str) -> None:
    entry = {**_GOOD, **change}
    entry = {k: v for k, v in entry.items() if v is not None}
    with pytest.raises(SchemaBuildError) as caught:
        parse_errata([entry], repo_root=SOURCE.parent.parent)
    assert "errata entry #1" in str(caught.value)
    assert needle in str(caught.value)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"path": "result.trades[].no_such_field"}, "does not exist in the documentation"),
        (
            {"kind": "undocumented", "path": "result.nowhere.x", "correction": {"schema": {}}},
            "is not a documented object",
        ),
        (
            {"kind": "undocumented", "path": "result.order.price", "correction": {"schema": {}}},
            "is documented",
        ),
    ],
)
def test_overlay_paths_must_exist(tmp_path: Path, change: dict[str, Any], needle: str) -> None:
    overlay = tmp_path / "errata.yaml"
    import yaml

    overlay.write_text(yaml.safe_dump([{**_GOOD, **change}]), encoding="utf-8")
    with pytest.raises(SchemaBuildError, match=needle):
        render(source=SOURCE, errata=overlay)


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(SchemaBuildError, match="duplicate id"):
        parse_errata([_GOOD, _GOOD])


def test_every_generated_object_schema_lists_its_documented_properties() -> None:
    """The validator tells documented from undocumented fields by this list (errata fields are
    in ``properties`` but not in it), so no generated object may go without one."""

    def objects(node: object, where: str) -> list[tuple[str, dict[str, object]]]:
        found: list[tuple[str, dict[str, object]]] = []
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                found.append((where, node))
            for key, value in node.items():
                found.extend(objects(value, f"{where}/{key}"))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found.extend(objects(value, f"{where}/{index}"))
        return found

    files = sorted(schemas_dir().glob("*/*.schema.json"))
    assert files
    for path in files:
        for where, node in objects(json.loads(path.read_text(encoding="utf-8")), path.name):
            assert isinstance(node.get("x-documented-properties"), list), where
