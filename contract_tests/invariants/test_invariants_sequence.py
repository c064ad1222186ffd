"""The sequence rules: coherent sequences pass, and each rule catches its own breakage alone.

Steps are drawn correct by construction (a position, reduce-only orders resting within it, an
edit capped to it, two closes that fill at most it together); each mutation breaks one rule and
no other, and the parametrisation runs over ``SEQUENCE_RULES``, so a new rule without a mutation
fails here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deribit_contract.invariants import (
    SEQUENCE_RULES,
    RpcCall,
    Step,
    collect,
    judge_sequence,
    notifications_match,
)

Pair = tuple[Step, Step]


def _order(oid: str, side: str, amount: float, filled: float = 0.0, **extra: Any) -> dict[str, Any]:
    return {"order_id": oid, "direction": side, "amount": amount, "filled_amount": filled,
            "reduce_only": True, "order_state": "open", **extra}  # fmt: skip


def _answer(order: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "result": {"order": order, "trades": []}}


@st.composite
def coherent(draw: st.DrawFn) -> Pair:
    """Two steps of a correct exchange: orders resting within the position, then an edit capped
    to it with the resting ones unchanged, and two closes that fill the position between them."""
    sign = draw(st.sampled_from([1, -1]))
    size = float(draw(st.integers(4, 50)))
    side = "sell" if sign > 0 else "buy"
    first = float(draw(st.integers(1, int(size) - 2)))
    second = float(draw(st.integers(1, int(size - first) - 1)))
    resting = [_order("A", side, first), _order("B", side, second)]
    position = {"size": sign * size}
    placed = Step("stack", (RpcCall({"method": f"private/{side}"}, _answer(resting[1])),),
                  position, position, resting)  # fmt: skip
    cap = size - first - second
    edited = _order("C", side, cap, order_state="open")
    edit = RpcCall({"method": "private/edit", "params": {"order_id": "C"}}, _answer(edited))
    filled = float(draw(st.integers(0, int(size))))
    closes = (RpcCall({"method": "private/close_position"}, _answer(_order("D", side, size, filled))),
              RpcCall({"method": "private/close_position"},
                      _answer(_order("E", side, size - filled, size - filled))))  # fmt: skip
    after = {"size": 0.0}
    step = Step("edit, then two closes", (edit, *closes), position, after, [], concurrent=True,
                edited=frozenset({"C"}))  # fmt: skip
    return placed, step


def _flip(pair: Pair) -> Pair:
    first, second = pair
    after = {"size": -float(second.position_before["size"])}  # type: ignore[index]
    return first, Step("a reduce-only step", (), second.position_before, after, [])


def _excess(pair: Pair) -> Pair:
    first, second = pair
    size = abs(float(first.position_after["size"]))  # type: ignore[index]
    side = first.open_orders_after[0]["direction"]  # type: ignore[index]
    more = [*first.open_orders_after, _order("Z", side, size)]  # type: ignore[misc]
    return Step(
        first.action, first.calls, first.position_before, first.position_after, more
    ), second


def _grow_resting(pair: Pair) -> Pair:
    first, _second = pair
    grown = [dict(o) for o in first.open_orders_after]  # type: ignore[union-attr]
    grown[0]["amount"] -= 1  # the earlier view was one contract smaller; totals stay in bounds
    earlier = Step(first.action, first.calls, first.position_before, first.position_after, grown)
    return earlier, Step("read", (), first.position_after, first.position_after,
                         first.open_orders_after)  # fmt: skip


def _uncapped_edit(pair: Pair) -> Pair:
    first, second = pair
    edit = copy.deepcopy(dict(second.calls[0].response))  # type: ignore[arg-type]
    edit["result"]["order"]["amount"] = 1000.0
    return first, Step("edit", (RpcCall(second.calls[0].request, edit),),
                       second.position_before, second.position_before, None)  # fmt: skip


def _double_fill(pair: Pair) -> Pair:
    first, second = pair
    closes = []
    for call in second.calls[1:]:
        answer = copy.deepcopy(dict(call.response))  # type: ignore[arg-type]
        order = answer["result"]["order"]
        order["filled_amount"] = order["amount"] = abs(second.position_before["size"])  # type: ignore[index]
        closes.append(RpcCall(call.request, answer))
    return first, Step("two closes", tuple(closes), second.position_before, None, None,
                       concurrent=True)  # fmt: skip


MUTATIONS: dict[str, Callable[[Pair], Pair]] = {
    "sequence.open_within_position": _excess,
    "sequence.never_grows_or_flips": _flip,
    "sequence.resting_never_grows": _grow_resting,
    "edit.capped": _uncapped_edit,
    "sequence.concurrent_closes": _double_fill,
}


@given(coherent())
def test_a_coherent_sequence_breaks_no_rule(pair: Pair) -> None:
    assert judge_sequence(pair) == []


@pytest.mark.parametrize("rule", sorted(set(SEQUENCE_RULES) - {"notifications.match_answers"}))
@given(pair=coherent())
def test_each_mutation_breaks_its_rule_and_no_other(rule: str, pair: Pair) -> None:
    broken = {v.rule for v in judge_sequence(MUTATIONS[rule](pair))}
    assert broken == {rule}


def _notified(orders: list[dict[str, Any]], trades: list[dict[str, Any]], size: float) -> list[Any]:
    return [
        *({"channel": "user.orders.X.raw", "data": o} for o in orders),
        {"channel": "user.trades.X.raw", "data": trades},
        {"channel": "user.changes.X.raw",
         "data": {"orders": [], "trades": [], "positions": [{"instrument_name": "X", "size": size}]}},
    ]  # fmt: skip


@pytest.mark.parametrize(
    "mutate",
    [
        lambda o, t, s: (o[:-1], t, s),  # an order never notified
        lambda o, t, s: ([{**o[0], "order_state": "open"}, *o[1:]], t, s),  # a stale state
        lambda o, t, s: (o, [], s),  # a trade not notified
        lambda o, t, s: (o, t, s + 10),  # another final position
    ],
)
def test_notifications_agree_with_the_answers_and_each_disagreement_is_caught(mutate: Any) -> None:
    orders = [_order("A", "sell", 10.0, 10.0, order_state="filled"),
              _order("B", "sell", 5.0, 0.0, order_state="cancelled")]  # fmt: skip
    trades = [{"trade_id": "T1", "order_id": "A", "amount": 10.0}]
    final = {"size": 0.0}
    good = collect(_notified(orders, trades, 0.0))
    assert (
        notifications_match(orders, trades, good, final_position=final, instrument_name="X") == []
    )
    bad = collect(_notified(*mutate(orders, trades, 0.0)))
    broken = notifications_match(orders, trades, bad, final_position=final, instrument_name="X")
    assert {v.rule for v in broken} == {"notifications.match_answers"}
