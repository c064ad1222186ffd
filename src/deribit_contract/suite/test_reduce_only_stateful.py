"""Reduce-only behaviour as a Hypothesis state machine against the live target state.

Steps: open long or short with ``private/buy`` / ``private/sell``, close with a market or limit
close_position, close with a limit priced away from the market (it rests; the run cancels it
by id and compares the position with its final fills), and close when flat. Every close is
judged by every invariant against ``private/get_position`` read before and after it.

No rule has a precondition and no draw depends on what the target answered: on a real market
other traders change the state between any two requests, and Hypothesis must still see the
same data generation for the same choices (no ``FlakyStrategyDefinition``). Each rule adapts
to the state it finds: a close on a flat position is judged as a flat close.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)

from deribit_contract.contract.checks import Finding
from deribit_contract.contract.run import ContractRun
from deribit_contract.strategies import Instrument
from deribit_contract.suite._support import (
    EXAMPLE_ORDERS,
    affordable,
    close_and_judge,
    close_params,
    flatten,
    one_example,
    setup_order,
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

    def _inst(self) -> Instrument:
        assert self.instrument is not None
        return self.instrument

    def _size(self) -> float:
        return size_of(self.run.position(self._inst().instrument_name))

    @initialize(data=st.data())
    def start(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(self.run.spec.instruments), label="instrument")
        with one_example(self.run, _TEST):  # a budgeted run never replays a failing program
            self.run.observations.examples += 1
            self.instrument = self.run.instrument(name)  # first facts: draws never follow the mark
            flatten(self.run, self.instrument)

    @rule(direction=st.sampled_from(["buy", "sell"]), contracts=st.integers(1, 8))
    def open_position(self, direction: str, contracts: int) -> None:
        """Open (or add to) a position; when one is open, add in its own direction."""
        if not affordable(self.run, 1):
            return  # the budget is spent: the program goes on without orders
        size = self._size()
        if size > 0:
            direction = "buy"
        elif size < 0:
            direction = "sell"
        instrument = self._inst()
        amount = contracts * instrument.contract_size
        setup_order(self.run, f"private/{direction}", instrument, amount)

    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        """Close with drawn valid params (market, or limit that fills, partly fills or rests)."""
        params = data.draw(close_params(self._inst(), mode=self.run.mode), label="close params")
        self._close(params)

    @rule(away=st.integers(10, 60), long_side=st.booleans())
    def close_resting(self, away: int, long_side: bool) -> None:  # noqa: FBT001
        """A limit close priced ``away`` basis points beyond the mark on the resting side."""
        instrument = self._inst()
        size = self._size()
        side = (1 if size > 0 else -1) if size != 0 else (1 if long_side else -1)
        raw = instrument.reference_price * (1 + side * away / 10_000)
        price = round(round(raw / instrument.tick_size) * instrument.tick_size, 10)
        self._close(
            {"instrument_name": instrument.instrument_name, "type": "limit", "price": price}
        )

    def _close(self, params: dict[str, Any]) -> None:
        if not affordable(self.run, 1):
            return
        with one_example(self.run, _TEST):
            flat = abs(self._size()) <= 1e-12
            closed = close_and_judge(self.run, self._inst(), params, test=_TEST)
            if not flat:
                return
            # with nothing to close, close_position must answer an error envelope (any code)
            response: dict[str, Any] = closed.response or {}
            assert self.run.judge is not None
            self.run.judge.require(
                "error" in response and "result" not in response,
                Finding(
                    "flat.error_expected",
                    "error",
                    "a JSON-RPC error",
                    sorted(response),
                    "the position was flat, so close_position must fail instead of placing "
                    "an order",
                ),
                request=closed.placed.request,
                response=response,
                test=_TEST,
            )

    def teardown(self) -> None:
        if self.instrument is not None:
            flatten(self.run, self.instrument)


@pytest.mark.deribit_phase("exploration")
def test_reduce_only_state_machine(deribit_run: ContractRun) -> None:
    """Random sequences of opens, closes, resting closes and flat closes keep every invariant."""
    if deribit_run.budgeted:
        # each program is dozens of requests (mostly flat closes once the budget is low); the
        # budgeted plan's scenarios and drawn closes cover these rules at a fraction of that
        pytest.skip("a budgeted run explores with the drawn-close tests, not the state machine")
    steps = settings().stateful_step_count
    if not affordable(deribit_run, 2 * steps + EXAMPLE_ORDERS):
        pytest.skip(f"the order budget left cannot pay for one run of {steps} steps")

    class Bound(ReduceOnlyMachine):
        run = deribit_run

    run_state_machine_as_test(Bound)  # type: ignore[no-untyped-call,unused-ignore]
