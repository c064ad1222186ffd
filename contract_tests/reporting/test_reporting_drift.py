"""Drift: field statistics of real captures against the documented schema, and the CLI's bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deribit_contract._fileio import dump_canonical_json
from deribit_contract._paths import fixtures_dir, repo_root
from deribit_contract.cli import main
from deribit_contract.reporting.drift import analyse_paths, analyse_records
from deribit_contract.reporting.markdown import render_drift_markdown

REAL = fixtures_dir() / "captured" / "realdata"
ROOT = repo_root()
CLOSE = REAL / "docs" / "docs2025__private_close_position__1.json"


def _load(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_real_samples_have_no_unexplained_difference() -> None:
    report = analyse_paths([REAL / "orders", REAL / "trades", REAL / "errors", CLOSE])
    assert report.analysed == report.records
    assert report.new == []
    used = {e.id for e in report.errata_used}
    # the vendor's own close_position example already shows the boolean/null trade fields
    assert {
        "trade-reduce-only-boolean",
        "trade-post-only-boolean",
        "trade-matching-id-null",
    } <= used
    assert "response-id-absent" in used  # real error envelopes without id


def test_committed_report_matches_the_inputs_it_names() -> None:
    assert ROOT is not None
    committed = _load(ROOT / "docs" / "drift-realdata.json")
    inputs = [str(p) for p in committed["inputs"]]  # type: ignore[attr-defined]
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        report = analyse_paths(inputs)
    finally:
        os.chdir(cwd)
    assert (
        dump_canonical_json(report.to_json()) == (ROOT / "docs" / "drift-realdata.json").read_text()
    )
    markdown = (ROOT / "docs" / "drift-realdata.md").read_text()
    assert markdown == render_drift_markdown(report)
    for entry in report.errata_used:
        assert f"`{entry.id}`" in markdown


def test_each_difference_kind_is_classified() -> None:
    response = _load(CLOSE)
    order = response["result"]["order"]  # type: ignore[index]
    trade = response["result"]["trades"][0]  # type: ignore[index]
    odd_order = {**order, "order_state": "exploded", "brand_new": 1, "amount": "10"}
    report = analyse_records([response, odd_order, trade], part=None)
    by_kind = {(d.kind, d.path): d for d in report.differences}
    assert by_kind[("undocumented", "result.order.brand_new")].is_new
    assert by_kind[("enum", "result.order.order_state")].is_new
    assert by_kind[("type", "result.order.amount")].is_new
    explained = by_kind[("type", "result.trades[].reduce_only")]
    assert explained.erratum == "trade-reduce-only-boolean"
    assert not explained.is_new
    assert ("never-seen", "result.order.quote_id") in by_kind
    assert not by_kind[("never-seen", "result.order.quote_id")].is_new


def test_presence_of_required_envelope_field(tmp_path: Path) -> None:
    no_id = {"jsonrpc": "2.0", "error": {"code": 13009, "message": "unauthorized"}}
    report = analyse_records([no_id])
    presence = [d for d in report.differences if d.kind == "presence"]
    assert [d.path for d in presence] == ["id"]
    assert presence[0].erratum == "response-id-absent"


def test_cli_empty_directory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", str(tmp_path)]) == 2
    assert "no records" in capsys.readouterr().err


def test_cli_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", str(tmp_path / "nope.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_non_json_is_counted_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.json").write_text(CLOSE.read_text())
    (tmp_path / "b.json").write_text("<html>502 Bad Gateway</html>")
    (tmp_path / "c.jsonl").write_text(
        '{"jsonrpc": "2.0", "id": 1, "result": {"order": {}}}\nnot json\n'
    )
    out = tmp_path / "report.json"
    assert main(["drift", str(tmp_path), "--format", "json", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["records"]["total"] == 4
    assert data["records"]["unreadable"] == 2
    assert any("b.json" in p for p in data["records"]["problems"])
    assert "2 unreadable" in capsys.readouterr().err


def test_cli_only_garbage_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.json").write_text('{"hello": "world"}')
    assert main(["drift", str(tmp_path)]) == 2
    assert "nothing was compared" in capsys.readouterr().err


def test_cli_error_envelope_compared_with_error_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "jsonrpc": "2.0",
        "id": 3,
        "error": {"code": 10009, "message": "not_enough_funds"},
        "trace": "x",
    }
    path = tmp_path / "err.json"
    path.write_text(json.dumps(env))
    assert main(["drift", str(path), "--fail-on-new"]) == 1
    captured = capsys.readouterr()
    assert "1 error envelopes" in captured.out
    assert "new undocumented at trace (error)" in captured.err
    assert main(["drift", str(REAL / "errors"), "--fail-on-new"]) == 0


def test_cli_bare_objects_auto_and_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trades = REAL / "bulk" / "venoajie__all_user_trades.jsonl"
    assert main(["drift", str(trades), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["records"]["kinds"]["trade"] == data["records"]["total"]
    # a trade without trade_id is only a trade when the user says so
    stripped = tmp_path / "t.json"
    trade = _load(REAL / "trades" / "venoajie__user_trade__combo__7.json")
    stripped.write_text(json.dumps({k: v for k, v in trade.items() if k != "trade_id"}))
    assert main(["drift", str(stripped)]) == 2
    capsys.readouterr()
    assert main(["drift", str(stripped), "--part", "trade", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["records"]["kinds"] == {"trade": 1}
    # absent where the observed schema requires it: what validate rejects, drift reports
    assert any(
        d["path"] == "result.trades[].trade_id" and d["kind"] == "presence" and d["new"]
        for d in data["differences"]
    )
