"""``notifications.match_answers``: what the account's subscriptions said agrees with the answers.

A bot that acts on ``user.orders``/``user.trades``/``user.changes`` must see the same orders,
states, amounts, trades and final position as the RPC answers show. Notifications may come late
(a caller polls until this returns nothing, or time is up), so only settled facts are demanded:
an order whose final state the answers show (``filled``, ``cancelled``, ``rejected``) is last
notified in that state with the same amounts; every trade an answer carries is notified with
the same order and amount; the last position ``user.changes`` sent is the one read at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deribit_contract.invariants._core import Violation, amounts_equal, as_number, position_size

__all__ = ["Notified", "collect", "notifications_match"]

RULE = "notifications.match_answers"
_FINAL = ("filled", "cancelled", "rejected")


@dataclass
class Notified:
    """What the subscriptions said, folded: the last version of each order, every trade, the
    last position per instrument."""

    orders: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    trades: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    positions: dict[str, Mapping[str, Any]] = field(default_factory=dict)


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping)]


def collect(messages: Iterable[Mapping[str, Any]]) -> Notified:
    """Fold subscription messages (``params`` of ``"method": "subscription"`` frames, each
    ``{"channel", "data"}``) in arrival order."""
    seen = Notified()
    for message in messages:
        channel, data = str(message.get("channel", "")), message.get("data")
        orders: list[Mapping[str, Any]] = []
        trades: list[Mapping[str, Any]] = []
        if channel.startswith("user.orders."):
            orders = _mappings(data)
        elif channel.startswith("user.trades."):
            trades = _mappings(data)
        elif channel.startswith("user.changes.") and isinstance(data, Mapping):
            orders, trades = _mappings(data.get("orders", [])), _mappings(data.get("trades", []))
            for position in _mappings(data.get("positions", [])):
                seen.positions[str(position.get("instrument_name"))] = position
        for order in orders:
            seen.orders[str(order.get("order_id"))] = order
        for trade in trades:
            seen.trades[str(trade.get("trade_id"))] = trade
    return seen


def _differs(left: Any, right: Any) -> bool:
    a, b = as_number(left), as_number(right)
    if a is not None and b is not None:
        return not amounts_equal(a, b)
    return bool(left != right)


def notifications_match(
    orders: Sequence[Mapping[str, Any]],
    trades: Sequence[Mapping[str, Any]],
    notified: Notified,
    *,
    final_position: Mapping[str, Any] | None = None,
    instrument_name: str = "",
) -> list[Violation]:
    """Violations of ``notifications.match_answers``.

    ``orders``: each order's latest view from the answers (a later view replaces an earlier one
    of the same id); ``trades``: every trade the answers carried; ``final_position``: the
    ``get_position`` read after the last step.
    """
    out = []
    latest = {str(o.get("order_id")): o for o in orders}
    for oid, answer in latest.items():
        if answer.get("order_state") not in _FINAL:
            continue  # still open in the answers: anything may have happened since
        told = notified.orders.get(oid)
        if told is None:
            out.append(Violation(RULE, f"user.orders[{oid}]", "a notification", None,
                                 f"order {oid} was never notified"))  # fmt: skip
            continue
        for key in ("order_state", "amount", "filled_amount"):
            if _differs(told.get(key), answer.get(key)):
                out.append(
                    Violation(
                        RULE,
                        f"user.orders[{oid}].{key}",
                        answer.get(key),
                        told.get(key),
                        f"the last notification of order {oid} disagrees with the answers",
                    )
                )
    for trade in trades:
        tid = str(trade.get("trade_id"))
        told = notified.trades.get(tid)
        if told is None or any(_differs(told.get(k), trade.get(k)) for k in ("order_id", "amount")):
            out.append(
                Violation(
                    RULE,
                    f"user.trades[{tid}]",
                    {"order_id": trade.get("order_id"), "amount": trade.get("amount")},
                    None if told is None else {k: told.get(k) for k in ("order_id", "amount")},
                    f"trade {tid} of the answers was not notified as it was answered",
                )
            )
    size = position_size(final_position)
    if size is not None and (latest or trades):
        told = notified.positions.get(instrument_name)
        told_size = position_size(told)
        if told_size is None or not amounts_equal(told_size, size):
            out.append(
                Violation(
                    RULE,
                    f"user.changes.positions[{instrument_name}].size",
                    size,
                    told_size,
                    "the last position user.changes sent is not the position read at the end",
                )
            )
    return out
