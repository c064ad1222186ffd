"""close_position in the correct mode: every reduce-only rule holds, answers are reproducible,
and the order/trade objects have the field set and types real Deribit sends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from exchange_testkit import Client, broken_rules, run_close
from hypothesis import given
from hypothesis import strategies as st

from deribit_contract.exchange import INSTRUMENTS, SimulatedExchange
from deribit_contract.exchange.clock import FakeClock
from deribit_contract.validation import validate_response

REALDATA = Path(__file__).resolve().parents[2] / "fixtures" / "captured" / "realdata"
BTC = "BTC-PERPETUAL"
#: instruments that still trade on the simulation's clock (an expired one refuses every order)
TRADING = sorted(n for n, i in INSTRUMENTS.items() if not i.expired(FakeClock().now_us() // 1000))


@given(
    seed=st.integers(0, 10_000),
    name=st.sampled_from(TRADING),
    contracts=st.integers(1, 6000),
    short=st.booleans(),
    close_type=st.sampled_from(["market", "limit"]),
    offset_ticks=st.integers(-40, 40),
)
def test_correct_closes_keep_every_rule(
    seed: int, name: str, contracts: int, short: bool, close_type: str, offset_ticks: int
) -> None:
    instrument = INSTRUMENTS[name]
    exchange = SimulatedExchange(seed=seed)
    size = contracts * instrument.contract_size
    exchange.set_position(name, float(-size if short else size))
    params: dict[str, Any] = {"instrument_name": name, "type": close_type}
    if close_type == "limit":
        price = instrument.reference_price + offset_ticks * instrument.tick_size
        params["price"] = float(price)
    case = run_close(Client(exchange), **params)
    assert broken_rules(case) == set(), json.dumps(case.response)[:1500]


def test_market_close_walks_several_levels_and_ends_filled() -> None:
    exchange = SimulatedExchange()
    exchange.set_book(BTC, bids=[(100.0, 30.0), (99.5, 30.0), (99.0, 100.0)], asks=[(101.0, 10.0)])
    exchange.set_position(BTC, 70)
    case = run_close(Client(exchange), instrument_name=BTC, type="market")
    result = case.response["result"]
    assert [(t["price"], t["amount"]) for t in result["trades"]] == [
        (100.0, 30.0),
        (99.5, 30.0),
        (99.0, 10.0),
    ]
    assert result["order"]["order_state"] == "filled"
    assert result["order"]["average_price"] == pytest.approx((3000 + 2985 + 990) / 70)
    assert case.size_after == 0.0


def test_market_close_beyond_the_depth_is_cancelled_not_left_open() -> None:
    exchange = SimulatedExchange()
    exchange.set_book(BTC, bids=[(100.0, 30.0)], asks=[(101.0, 10.0)])
    exchange.set_position(BTC, 100)
    case = run_close(Client(exchange), instrument_name=BTC, type="market")
    order = case.response["result"]["order"]
    assert (order["order_state"], order["amount"], order["filled_amount"]) == (
        "cancelled",
        100.0,
        30.0,
    )
    assert case.size_after == 70.0
    assert broken_rules(case) == set()


def test_limit_close_fills_what_crosses_and_rests_the_rest() -> None:
    exchange = SimulatedExchange()
    exchange.set_book(BTC, bids=[(101.0, 20.0), (100.0, 50.0)], asks=[(102.0, 10.0)])
    exchange.set_position(BTC, 60)
    client = Client(exchange)
    case = run_close(client, instrument_name=BTC, type="limit", price=100.5)
    order = case.response["result"]["order"]
    assert (order["order_state"], order["filled_amount"], order["price"]) == ("open", 20.0, 100.5)
    assert case.size_after == 40.0
    resting = client.result("private/get_open_orders_by_instrument", instrument_name=BTC)
    assert [(o["order_id"], o["reduce_only"]) for o in resting] == [(order["order_id"], True)]


def test_short_positions_close_with_a_buy() -> None:
    exchange = SimulatedExchange(positions={"ETH-PERPETUAL": -25})
    case = run_close(Client(exchange), instrument_name="ETH-PERPETUAL", type="market")
    assert case.response["result"]["order"]["direction"] == "buy"
    assert case.size_after == 0.0


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"type": "market"}, -32602, "instrument_name"),
        ({"instrument_name": BTC}, -32602, "type"),
        ({"instrument_name": BTC, "type": "stop"}, -32602, "type"),
        ({"instrument_name": BTC, "type": "limit"}, -32602, "price"),
        ({"instrument_name": BTC, "type": "limit", "price": 90000.3}, -32602, "price"),
        ({"instrument_name": "BTC-FOO", "type": "market"}, 10020, "instrument_name"),
    ],
)
def test_bad_close_requests_are_refused_and_change_nothing(
    params: dict[str, Any], code: int, param: str
) -> None:
    exchange = SimulatedExchange(positions={BTC: 100})
    error = Client(exchange).call("private/close_position", **params)["error"]
    assert (error["code"], error["data"]["param"]) == (code, param)
    assert exchange.get_position(BTC)["size"] == 100.0


def test_closing_a_flat_position_is_a_clear_error() -> None:
    error = Client(SimulatedExchange()).call(
        "private/close_position", instrument_name=BTC, type="market"
    )["error"]
    assert error == {
        "code": 11030,
        "message": "other_reject",
        "data": {"reason": "no open position", "param": "instrument_name"},
    }


def session(seed: int) -> str:
    """A fixed script of calls, serialised exactly as a transport would send it."""
    exchange = SimulatedExchange(seed=seed, positions={BTC: 3000, "BTC_USDC-PERPETUAL": -0.25})
    client = Client(exchange)
    client.call("private/buy", instrument_name="ETH-PERPETUAL", amount=40, type="market")
    client.call("private/close_position", instrument_name="ETH-PERPETUAL", type="limit", price=2990)
    client.call("private/close_position", instrument_name=BTC, type="market")
    client.call("private/close_position", instrument_name="BTC_USDC-PERPETUAL", type="market")
    client.call("public/ticker", instrument_name=BTC)
    return json.dumps([call.response for call in exchange.calls], sort_keys=False)


def test_same_seed_gives_byte_identical_responses() -> None:
    assert session(5) == session(5)
    assert session(5) != session(6)


def _real_objects() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every order and trade object anywhere in the real captures (responses, notifications...)."""
    orders: list[dict[str, Any]] = []
    trades: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "order_state" in node and "order_id" in node:
                orders.append(node)
            elif "trade_id" in node:
                trades.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(REALDATA.rglob("*.json")):
        if "_suspect" not in str(path):
            walk(json.loads(path.read_text(encoding="utf-8")))
    return orders, trades


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def test_close_objects_use_only_fields_and_types_seen_in_real_captures() -> None:
    real_orders, real_trades = _real_objects()
    assert len(real_orders) > 10
    assert len(real_trades) > 10
    exchange = SimulatedExchange(positions={BTC: 5000})
    result = Client(exchange).result("private/close_position", instrument_name=BTC, type="market")
    for ours, real in ((result["order"], real_orders), (next(iter(result["trades"])), real_trades)):
        seen: dict[str, set[str]] = {}
        for obj in real:
            for key, value in obj.items():
                seen.setdefault(key, set()).add(_kind(value))
        for key, value in ours.items():
            assert key in seen, f"{key} never appears in real data"
            assert _kind(value) in seen[key], f"{key}: {_kind(value)} not in {seen[key]}"
    for undocumented in ("user_id", "self_trade", "risk_reducing", "contracts"):
        assert undocumented in result["trades"][0]


@pytest.mark.parametrize(
    ("name", "size", "params"),
    [
        (BTC, 5000.0, {"type": "market"}),
        ("ETH-PERPETUAL", -30.0, {"type": "limit", "price": 2990.0}),
        ("BTC_USDC-PERPETUAL", 0.5, {"type": "market"}),
        # the flat close (an error envelope) is judged by test_exchange_faults' correct mode
    ],
)
def test_correct_answers_validate_in_observed_mode(
    name: str, size: float, params: dict[str, Any]
) -> None:
    exchange = SimulatedExchange(positions={name: size} if size else None)
    case = run_close(Client(exchange), instrument_name=name, **params)
    verdict = validate_response(case.response, mode="observed")
    assert verdict.valid, [violation.message for violation in verdict.violations]
    assert broken_rules(case) == set()
