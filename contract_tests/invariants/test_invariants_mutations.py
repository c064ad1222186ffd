"""Keystone properties of the invariants: correct calls pass, and each rule catches its breakage.

For every registered rule there is a mutation of a coherent outcome that breaks that rule and
no other; the test is parametrized over the registry, so a new rule without a mutation fails.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deribit_contract.invariants import RULES, evaluate
from deribit_contract.strategies.outcomes import CloseOutcome, close_outcomes

Call = dict[str, Any]
Mutation = Callable[[Call], None]


def _order(call: Call) -> dict[str, Any]:
    order: dict[str, Any] = call["response"]["result"]["order"]
    return order


def _trades(call: Call) -> list[dict[str, Any]]:
    trades: list[dict[str, Any]] = call["response"]["result"]["trades"]
    return trades


def _unit(call: Call) -> float:
    return float(call["instrument"].contract_size)


def _sign(call: Call) -> int:
    return 1 if call["position_before"]["size"] > 0 else -1


def _shift_positions(call: Call) -> None:
    # Both positions one contract bigger: the order no longer matches the position, yet the
    # position still shrinks by exactly the filled amount.
    delta = _sign(call) * _unit(call)
    call["position_before"]["size"] += delta
    call["position_after"]["size"] += delta


def _overfill(call: Call) -> None:
    # Unknown positions (those rules skip), one extra contract filled, with the last trade
    # carrying it at its own price, so the sum and the average still hold.
    call["position_before"] = call["position_after"] = None
    order, trades = _order(call), _trades(call)
    extra = float(order["amount"]) - float(order["filled_amount"]) + _unit(call)
    trades[-1]["amount"] += extra
    order["filled_amount"] += extra
    order["order_state"] = "open"
    total = sum(t["amount"] for t in trades)
    order["average_price"] = sum(t["amount"] * t["price"] for t in trades) / total


def _wrong_reduction(call: Call) -> None:
    unit = _sign(call) * _unit(call)
    filled = float(_order(call)["filled_amount"])
    call["position_after"]["size"] += unit if filled > 0 else -unit


def _flip(call: Call) -> None:
    del _order(call)["filled_amount"]  # so reduced_by_filled skips
    call["position_after"]["size"] = -_sign(call) * _unit(call)


def _grow(call: Call) -> None:
    del _order(call)["filled_amount"]
    call["position_after"]["size"] = call["position_before"]["size"] + _sign(call) * _unit(call)


def _flat(call: Call) -> None:
    call["position_before"] = {
        "instrument_name": call["instrument"].instrument_name,
        "size": 0.0,
        "direction": "zero",
    }
    call["position_after"] = None


def _set(
    getter: Callable[[Call], dict[str, Any]], key: str, value: Callable[[Any], Any]
) -> Mutation:
    def mutate(call: Call) -> None:
        target = getter(call)
        target[key] = value(target.get(key))

    return mutate


_OPPOSITE = {"buy": "sell", "sell": "buy"}


def _turn_around(call: Call) -> None:
    for target in (_order(call), *_trades(call)):
        target["direction"] = _OPPOSITE[target["direction"]]


def _scale_trades(call: Call) -> None:
    for trade in _trades(call):  # the weighted mean is unchanged by a common factor
        trade["amount"] *= 2


def _fill_worse_than_limit(call: Call) -> None:
    limit = call["request"]["params"]["price"]
    step = 5 * call["instrument"].tick_size
    worse = limit - step if _order(call)["direction"] == "sell" else limit + step
    for trade in _trades(call):
        trade["price"] = worse
    _order(call)["average_price"] = worse  # keep the mean coherent: only the limit is broken


# rule -> (what kind of outcome the mutation needs, the mutation)
MUTATIONS: dict[str, tuple[dict[str, Any], Mutation]] = {
    "envelope.jsonrpc": ({}, _set(lambda c: c["response"], "jsonrpc", lambda _: "1.0")),
    "envelope.id_echo": ({}, _set(lambda c: c["response"], "id", lambda old: old + 1)),
    "envelope.result_xor_error": ({}, _set(lambda c: c["response"], "error", lambda _: {"code": 11029, "message": "invalid_arguments"})),
    "flat.error_expected": ({}, _flat),
    "order.reduce_only": ({}, _set(_order, "reduce_only", lambda _: False)),
    "order.instrument": ({}, _set(lambda c: c["request"]["params"], "instrument_name", lambda old: old + "-X")),
    "order.direction_opposite": ({}, _turn_around),
    "order.amount_equals_position": ({}, _shift_positions),
    "order.filled_bounds": ({"order_type": "limit", "fill": "partial"}, _overfill),
    "order.type_matches": ({}, _set(_order, "order_type", lambda old: "stop_limit" if old == "market" else "market")),
    "order.limit_price": ({"order_type": "limit"}, lambda c: _order(c).__setitem__("price", c["request"]["params"]["price"] + 10 * c["instrument"].tick_size)),
    "order.filled_state": ({"fill": "partial"}, _set(_order, "order_state", lambda _: "filled")),
    "order.market_not_open": ({"order_type": "market", "fill": "full"}, _set(_order, "order_state", lambda _: "open")),
    "trades.order_id": ({"fill": "full"}, lambda c: _trades(c)[0].__setitem__("order_id", "ETH-0")),
    "trades.instrument": ({"fill": "full"}, lambda c: _trades(c)[0].__setitem__("instrument_name", "OTHER-PERPETUAL")),
    "trades.direction": ({"fill": "full"}, lambda c: _trades(c)[0].__setitem__("direction", _OPPOSITE[_trades(c)[0]["direction"]])),
    "trades.reduce_only": ({"fill": "full"}, lambda c: _trades(c)[-1].__setitem__("reduce_only", False)),
    "trades.sum_filled": ({"fill": "full"}, _scale_trades),
    "trades.within_limit": ({"order_type": "limit", "fill": "full"}, _fill_worse_than_limit),
    "request.invalid_rejected": ({"order_type": "market"}, lambda c: c["request"]["params"].__setitem__("price", "not-a-price")),
    "trades.average_price": ({"fill": "full"}, lambda c: _order(c).__setitem__("average_price", _order(c)["average_price"] + 5 * c["instrument"].tick_size)),
    "time.order_monotonic": ({}, lambda c: _order(c).__setitem__("last_update_timestamp", _order(c)["creation_timestamp"] - 1)),
    "time.trades_after_creation": ({"fill": "full"}, lambda c: _trades(c)[0].__setitem__("timestamp", _order(c)["creation_timestamp"] - 1)),
    "position.reduced_by_filled": ({}, _wrong_reduction),
    "position.never_flips": ({}, _flip),
    "position.never_grows": ({}, _grow),
}  # fmt: skip


def _judge(call: Call) -> frozenset[str]:
    return evaluate(
        call["request"], call["position_before"], call["response"], call["position_after"],
        tick_size=call["instrument"].tick_size,
    ).broken_rules()  # fmt: skip


def _as_call(outcome: CloseOutcome) -> Call:
    call = copy.deepcopy(
        dict(
            zip(
                ("request", "position_before", "response", "position_after"),
                outcome.as_tuple(),
                strict=True,
            )
        )
    )
    call["instrument"] = outcome.instrument
    return call


@given(close_outcomes(include_flat=True))
def test_every_coherent_outcome_passes_every_invariant(outcome: CloseOutcome) -> None:
    report = evaluate(*outcome.as_tuple(), tick_size=outcome.instrument.tick_size)
    assert report.ok, "\n".join(map(str, report.violations))
    assert set(report.checked) | set(report.skipped) == set(RULES)


def test_every_registered_rule_has_a_mutation() -> None:
    assert set(MUTATIONS) == set(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
@given(data=st.data())
def test_mutation_breaks_exactly_its_rule(rule: str, data: st.DataObject) -> None:
    needs, mutate = MUTATIONS[rule]
    outcome = data.draw(close_outcomes(**needs), label="outcome")
    call = _as_call(outcome)
    assert _judge(call) == frozenset()
    mutate(call)
    assert _judge(call) == {rule}
