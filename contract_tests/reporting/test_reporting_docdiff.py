"""Contract diff between two documentation versions: every kind of change, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from deribit_contract._paths import sources_dir
from deribit_contract.cli import main
from deribit_contract.reporting.docdiff import CHANGE_KINDS, diff_files

PAGE = sources_dir() / "private-close_position.md"


def _row(text: str, path: str) -> str:
    match = re.search(rf"^\| {re.escape(path)} +\|.*$", text, re.M)
    assert match, path
    return match.group(0)


def _edit_row(text: str, path: str, column: int, value: str) -> str:
    row = _row(text, path)
    cells = row.split("|")
    cells[column] = f" {value} "
    return text.replace(row, "|".join(cells))


def _variant(tmp_path: Path) -> Path:
    """The real page with one edit per kind of contract change."""
    text = PAGE.read_text(encoding="utf-8")
    text = _edit_row(text, "price", 2, "true")  # param-required
    text = _edit_row(text, "type", 4, "limit market stop_market")  # param-enum-added
    text = _edit_row(text, "instrument_name", 3, "string or integer")  # param-type (widened)
    # a new optional param, and a removed field
    params_end = _row(text, "price")
    text = text.replace(params_end, params_end + "\n| label | false | string | | A label |")
    text = text.replace(_row(text, "result.order.mmp_cancelled") + "\n", "")
    # a new field after result.order.web, a type change, enum growth and shrinkage
    web = _row(text, "result.order.web")
    text = text.replace(web, web + "\n| result.order.risk_tier | string | The risk tier |")
    text = _edit_row(text, "result.order.api", 2, "string")
    text = text.replace(
        '"open", "filled", "rejected", "cancelled", "untriggered"',
        '"open", "filled", "rejected", "cancelled", "untriggered", "triggered"',
        1,
    )
    text = text.replace('"fill_or_kill" or "immediate_or_cancel"', '"fill_or_kill"', 1)
    # presence: a field becomes conditional; always-null
    text = _edit_row(
        text,
        "result.order.triggered",
        3,
        "Whether the trigger order has been triggered (Only for trigger orders)",
    )
    text = _edit_row(text, "result.trades[].matching_id", 3, "The matching id")  # always-null
    out = tmp_path / "new.md"
    out.write_text(text, encoding="utf-8")
    return out


def test_every_kind_of_change_is_found_and_classified(tmp_path: Path) -> None:
    new = _variant(tmp_path)
    diff = diff_files(PAGE, new)
    found = {(c.kind, c.location): c for c in diff.changes}
    expected_breaking = {
        ("param-required", "params.price"): True,
        ("param-enum-added", "params.type"): False,
        ("param-type", "params.instrument_name"): False,
        ("param-added", "params.label"): False,
        ("field-removed", "result.order.mmp_cancelled"): True,
        ("field-added", "result.order.risk_tier"): False,
        ("field-type", "result.order.api"): True,
        ("field-enum-added", "result.order.order_state"): True,
        ("field-enum-removed", "result.order.time_in_force"): False,
        ("field-presence", "result.order.triggered"): True,
        ("field-always-null", "result.trades[].matching_id"): False,
    }
    for key, breaking in expected_breaking.items():
        assert key in found, f"missing {key}; got {sorted(found)}"
        assert found[key].breaking is breaking, found[key]
        assert found[key].reason
    assert {c.kind for c in diff.changes} <= set(CHANGE_KINDS)
    # the reverse direction flips the verdicts that depend on direction
    back = {(c.kind, c.location): c for c in diff_files(new, PAGE).changes}
    assert back[("param-optional", "params.price")].breaking is False
    assert back[("param-removed", "params.label")].breaking is True
    assert back[("param-enum-removed", "params.type")].breaking is True
    assert back[("param-type", "params.instrument_name")].breaking is True
    assert back[("field-enum-removed", "result.order.order_state")].breaking is False
    assert back[("field-enum-added", "result.order.time_in_force")].breaking is True
    assert back[("field-always-null", "result.trades[].matching_id")].breaking is True
    assert {c.kind for c in diff.changes} | {c.kind for c in back.values()} == set(CHANGE_KINDS)


def test_same_page_has_no_change() -> None:
    assert diff_files(PAGE, PAGE).changes == ()


def test_cli_diff_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = _variant(tmp_path)
    assert main(["schemas", "--diff", str(PAGE), str(new)]) == 0
    text = capsys.readouterr().out
    assert "BREAKING param-required" in text
    assert "params.price" in text
    assert main(["schemas", "--diff", str(PAGE), str(new), "--fail-on-breaking"]) == 1
    capsys.readouterr()
    assert main(["schemas", "--diff", str(PAGE), str(PAGE), "--fail-on-breaking"]) == 0
    capsys.readouterr()
    assert main(["schemas", "--diff", str(PAGE), str(new), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["breaking"] == sum(1 for c in data["changes"] if c["breaking"]) > 0


def test_cli_diff_unreadable_docs_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schemas", "--diff", str(PAGE), str(tmp_path / "missing.md")]) == 2
    assert "missing.md:1" in capsys.readouterr().err
    broken = tmp_path / "broken.md"
    broken.write_text(
        PAGE.read_text().replace(
            "| type            | true     | string |", "| type | maybe | string |"
        )
    )
    assert main(["schemas", "--diff", str(PAGE), str(broken)]) == 2
    assert "Required must be" in capsys.readouterr().err
    notjson = tmp_path / "binary.md"
    notjson.write_bytes(b"\xff\xfe not utf-8")
    assert main(["schemas", "--diff", str(notjson), str(PAGE)]) == 2
