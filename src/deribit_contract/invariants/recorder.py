"""A recorder of a sequence of your own calls and positions, judged at the end.

For plugin users who drive their own implementation (a gateway, a bot, a mock) through a
sequence of closes, edits and cancels and want the kit's reduce-only rules over time applied to
it::

    from deribit_contract.invariants import SequenceRecorder

    recorder = SequenceRecorder("BTC-PERPETUAL")
    before = client.get_position("BTC-PERPETUAL")
    request = {"method": "private/edit", "params": {"order_id": oid, "amount": 200, "price": p}}
    response = client.send(request)
    recorder.step("edit", [(request, response)], position_before=before,
                  position_after=client.get_position("BTC-PERPETUAL"),
                  open_orders_after=client.get_open_orders("BTC-PERPETUAL"))
    recorder.assert_holds()

Read the position *before* the open orders after each step (see :mod:`.sequence`). The pytest
fixture ``reduce_only_sequence`` hands out one recorder per test and judges it at teardown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from deribit_contract.invariants._core import Violation
from deribit_contract.invariants.notifications import collect, notifications_match
from deribit_contract.invariants.sequence import RpcCall, Step, judge_step, order_of

__all__ = ["SequenceRecorder"]

_Call = RpcCall | tuple[Mapping[str, Any], Mapping[str, Any] | None]


class SequenceRecorder:
    """Steps of one instrument's sequence, judged as they are recorded and all together."""

    def __init__(self, instrument_name: str = "") -> None:
        self.instrument_name = instrument_name
        self.steps: list[Step] = []
        self.violations: list[Violation] = []
        self.judged = False
        self._orders: dict[str, Mapping[str, Any]] = {}
        self._trades: dict[str, Mapping[str, Any]] = {}

    def step(
        self,
        action: str,
        calls: Iterable[_Call] = (),
        *,
        position_before: Mapping[str, Any] | None = None,
        position_after: Mapping[str, Any] | None = None,
        open_orders_after: Sequence[Mapping[str, Any]] | None = None,
        reduce_only: bool | None = None,
        concurrent: bool = False,
    ) -> list[Violation]:
        """Record one step and return its violations (also kept in :attr:`violations`).

        ``reduce_only`` defaults to: every order the step's answers show, and every order open
        after the previous step, is reduce-only.
        """
        rpc = tuple(c if isinstance(c, RpcCall) else RpcCall(c[0], c[1]) for c in calls)
        edited: set[str] = set()
        involved = list(self.steps[-1].open_orders_after or ()) if self.steps else []
        for call in rpc:
            params = call.request.get("params")
            if call.method == "private/edit" and isinstance(params, Mapping):
                edited.add(str(params.get("order_id")))
            self.observe(call.response)
            order = order_of(call.response)
            if order is not None:
                involved.append(order)
                # a recorder made without a name takes the instrument its orders trade
                self.instrument_name = self.instrument_name or str(order.get("instrument_name", ""))
        for order in open_orders_after or ():
            self.observe_order(order)
        if reduce_only is None:
            # what the step sent and what rested while it ran
            reduce_only = all(order.get("reduce_only") is True for order in involved)
        step = Step(action, rpc, position_before, position_after, open_orders_after,
                    reduce_only=reduce_only, concurrent=concurrent, edited=frozenset(edited))  # fmt: skip
        found = judge_step(step, self.steps[-1] if self.steps else None)
        self.steps.append(step)
        self.violations.extend(found)
        return found

    def observe(self, response: Mapping[str, Any] | None) -> None:
        """Take the orders and trades of an answer as the latest views (any method)."""
        order = order_of(response)
        if order is not None:
            self.observe_order(order)
        result = (response or {}).get("result")
        trades = result.get("trades") if isinstance(result, Mapping) else None
        for trade in trades if isinstance(trades, list) else ():
            if isinstance(trade, Mapping):
                self._trades[str(trade.get("trade_id"))] = trade

    def observe_order(self, order: Mapping[str, Any]) -> None:
        """Take ``order`` (from any answer, e.g. ``get_order_state``) as its latest view."""
        oid = str(order.get("order_id"))
        self._orders[oid] = order

    def check_notifications(
        self, messages: Iterable[Mapping[str, Any]], *, final_position: Mapping[str, Any] | None
    ) -> list[Violation]:
        """``notifications.match_answers`` for the subscription ``messages`` received (each
        ``{"channel", "data"}``) against every answer recorded so far."""
        return notifications_match(
            list(self._orders.values()),
            list(self._trades.values()),
            collect(messages),
            final_position=final_position,
            instrument_name=self.instrument_name,
        )

    def assert_holds(self) -> None:
        """Raise ``AssertionError`` listing every violation recorded (one line each)."""
        self.judged = True
        if self.violations:
            lines = "\n".join(f"  {v.line()}" for v in self.violations)
            raise AssertionError(
                f"reduce-only broke over {len(self.steps)} step(s) of "
                f"{self.instrument_name or 'the instrument'}:\n"
                f"{lines}"
            )
