"""The invariants on real-data quirks and on Deribit's own close_position examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deribit_contract.errors import InvalidArgument
from deribit_contract.invariants import RULES, Violation, check_all, evaluate

DOCS = Path(__file__).resolve().parents[2] / "fixtures" / "captured" / "realdata" / "docs"
REQUIRED_RULES = {
    "envelope.jsonrpc", "envelope.id_echo", "envelope.result_xor_error", "order.reduce_only",
    "order.instrument", "order.direction_opposite", "order.amount_equals_position",
    "order.filled_bounds", "order.type_matches", "order.limit_price", "order.filled_state",
    "order.market_not_open", "trades.order_id", "trades.instrument", "trades.direction",
    "trades.reduce_only", "trades.sum_filled", "trades.average_price", "time.order_monotonic",
    "time.trades_after_creation", "position.reduced_by_filled", "position.never_flips",
    "position.never_grows", "flat.error_expected",
}  # fmt: skip


def _load(name: str) -> Any:
    return json.loads((DOCS / name).read_text(encoding="utf-8"))


def _request(**params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 7, "method": "private/close_position", "params": params}


def _response(order: dict[str, Any], trades: list[dict[str, Any]]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 7, "result": {"order": order, "trades": trades}}


def test_registry_names_every_rule_of_the_issue_with_a_description() -> None:
    assert set(RULES) >= REQUIRED_RULES
    assert all(description.strip() for description in RULES.values())


def test_deribit_2019_example_is_coherent() -> None:
    report = evaluate(
        _load("docs2019__private_close_position__REQUEST_1.json"), None,
        _load("docs2019__private_close_position__1.json"), None, tick_size=0.05,
    )  # fmt: skip
    assert report.ok, report.violations
    assert "order.limit_price" in report.checked
    assert "position.never_flips" in report.skipped  # positions unknown: skipped, not passed


def test_deribit_2025_example_is_caught_with_the_wrong_limit_price() -> None:
    violations = check_all(
        _load("docs2025__private_close_position__REQUEST_1.json"), None,
        _load("docs2025__private_close_position__1.json"), None, tick_size=0.05,
    )  # fmt: skip
    assert [(v.rule, v.path, v.expected, v.actual) for v in violations] == [
        ("order.limit_price", "result.order.price", 145.17, 198.75)
    ]


def test_integral_floats_and_exponents_compare_as_numbers() -> None:
    order = {"order_id": "BTC-1", "instrument_name": "BTC-PERPETUAL", "direction": "sell",
             "amount": 3.2e4, "filled_amount": 32000, "order_type": "market", "order_state": "filled",
             "price": "market_price", "average_price": 9.21e4, "reduce_only": True,
             "creation_timestamp": 1, "last_update_timestamp": 1}  # fmt: skip
    trades = [
        {"order_id": "BTC-1", "instrument_name": "BTC-PERPETUAL", "direction": "sell",
         "amount": 1.6e4, "price": 92100.0, "reduce_only": True, "timestamp": 1},
        {"order_id": "BTC-1", "instrument_name": "BTC-PERPETUAL", "direction": "sell",
         "amount": 16000, "price": 9.21e4, "reduce_only": "true", "timestamp": 1},
    ]  # fmt: skip
    report = evaluate(
        _request(instrument_name="BTC-PERPETUAL", type="market"), {"size": 32000.0, "direction": "buy"},
        _response(order, trades), {"size": 0, "direction": "zero"},
    )  # fmt: skip
    assert report.ok, report.violations
    assert "order.limit_price" in report.skipped  # a market close has no limit price to compare


def test_string_ids_echo_and_integer_ids_do_not_match_strings() -> None:
    request = {"jsonrpc": "2.0", "id": "close-1", "method": "private/close_position", "params": {}}
    assert not evaluate(request, None, {"jsonrpc": "2.0", "id": "close-1", "error": {"code": 1}}, None,
                        rules=["envelope.id_echo"]).violations  # fmt: skip
    broken = check_all({**request, "id": 1}, None, {"jsonrpc": "2.0", "id": "1", "error": {}}, None)
    assert [v.rule for v in broken] == ["envelope.id_echo"]


def test_flat_position_with_an_order_is_reported_with_its_fields() -> None:
    order = {
        "order_id": "ETH-1",
        "instrument_name": "ETH-PERPETUAL",
        "amount": 0,
        "filled_amount": 0,
    }
    violations = check_all(_request(instrument_name="ETH-PERPETUAL", type="market"),
                           {"size": 0, "direction": "zero"}, _response(order, []), None)  # fmt: skip
    assert violations == [
        Violation(
            "flat.error_expected",
            "error",
            "a JSON-RPC error",
            ["id", "jsonrpc", "result"],
            violations[0].message,
        )
    ]


def test_not_a_json_object_is_a_violation_not_a_crash() -> None:
    report = evaluate(_request(type="market"), None, ["not", "an", "object"], None)
    assert report.broken_rules() == {"envelope.jsonrpc"}


def test_unknown_rule_ids_are_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidArgument, match=r"order\.reduce_only"):
        evaluate(None, None, {}, None, rules=["order.nope"])
