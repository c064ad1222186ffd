"""Reduce-only behaviour as a Hypothesis state machine against the live target state.

Steps: open long or short with ``private/buy`` / ``private/sell``, close with a market or limit
close_position, let a limit close rest and cancel it with ``private/cancel_all_by_instrument``,
and close when flat. Every close is judged by every invariant against ``private/get_position``
read before and after it; the machine's model (size, resting order) is re-read from the target
after each step, so the target stays the only source of truth.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from deribit_contract.contract.checks import Finding
from deribit_contract.contract.run import ContractRun
from deribit_contract.strategies import Instrument
from deribit_contract.suite._support import (
    close_and_judge,
    close_params,
    flatten,
    size_of,
)

pytestmark = [pytest.mark.live, pytest.mark.places_orders]

_TEST = "stateful::reduce_only"


class ReduceOnlyMachine(RuleBasedStateMachine):
    """One instrument per example; the run is injected by the test below."""

    run: ContractRun

    def __init__(self) -> None:
        super().__init__()
        self.instrument: Instrument | None = None
        self.size = 0.0
        self.resting = False

    def _inst(self) -> Instrument:
        assert self.instrument is not None
        return self.instrument

    def _refresh(self) -> None:
        name = self._inst().instrument_name
        self.size = size_of(self.run.position(name))
        self.resting = bool(self.run.open_orders(name))

    @initialize(data=st.data())
    def start(self, data: st.DataObject) -> None:
        self.run.observations.examples += 1
        name = data.draw(st.sampled_from(self.run.spec.instruments), label="instrument")
        self.instrument = self.run.instrument(name)
        flatten(self.run, self.instrument)
        self._refresh()

    @precondition(lambda self: not self.resting)
    @rule(direction=st.sampled_from(["buy", "sell"]), contracts=st.integers(1, 8))
    def open_position(self, direction: str, contracts: int) -> None:
        """Open (or add to) a position; when one is open, add in its own direction."""
        if self.size > 0:
            direction = "buy"
        elif self.size < 0:
            direction = "sell"
        instrument = self._inst()
        self.run.place(
            f"private/{direction}",
            {
                "instrument_name": instrument.instrument_name,
                "amount": round(contracts * instrument.contract_size, 10),
                "type": "market",
            },
        )
        self._refresh()

    @precondition(lambda self: abs(self.size) > 1e-12 and not self.resting)
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        """Close with drawn valid params (market, or limit that fills, partly fills or rests)."""
        instrument = self._inst()
        params = data.draw(close_params(instrument, mode=self.run.mode), label="close params")
        close_and_judge(self.run, instrument, params, test=_TEST)
        self._refresh()

    @precondition(lambda self: self.resting)
    @rule()
    def cancel_resting(self) -> None:
        """A resting limit close is cancelled by cancel_all_by_instrument and leaves no order."""
        name = self._inst().instrument_name
        session = self.run.session
        assert session is not None
        assert self.run.judge is not None
        request = {
            "method": "private/cancel_all_by_instrument",
            "params": {"instrument_name": name},
        }
        reply = session.read("private/cancel_all_by_instrument", {"instrument_name": name})
        left = self.run.open_orders(name)
        self.run.judge.require(
            "result" in reply and not left,
            Finding(
                "orders.cancelled",
                "open_orders",
                [],
                [order.get("order_id") for order in left] or reply.get("error"),
                "orders stayed open after cancel_all_by_instrument",
            ),
            request=request,
            response=reply,
            test=_TEST,
        )
        self._refresh()

    @precondition(lambda self: abs(self.size) <= 1e-12 and not self.resting)
    @rule(data=st.data())
    def close_when_flat(self, data: st.DataObject) -> None:
        """With nothing to close, close_position must answer an error envelope (any code)."""
        instrument = self._inst()
        params = data.draw(close_params(instrument, mode=self.run.mode), label="close params")
        closed = close_and_judge(self.run, instrument, params, test=_TEST)
        response: dict[str, Any] = closed.response or {}
        assert self.run.judge is not None
        self.run.judge.require(
            "error" in response and "result" not in response,
            Finding(
                "flat.error_expected",
                "error",
                "a JSON-RPC error",
                sorted(response),
                "the position was flat, so close_position must fail instead of placing an order",
            ),
            request=closed.placed.request,
            response=response,
            test=_TEST,
        )
        self._refresh()

    def teardown(self) -> None:
        if self.instrument is not None:
            flatten(self.run, self.instrument)


def test_reduce_only_state_machine(deribit_run: ContractRun) -> None:
    """Random sequences of opens, closes, cancels and flat closes keep every invariant."""

    class Bound(ReduceOnlyMachine):
        run = deribit_run

    run_state_machine_as_test(Bound)  # type: ignore[no-untyped-call,unused-ignore]
