"""Reduce-only across the close order's whole life: edits, other closes, racing closes, notifications.

A close is rarely wrong at the instant it is placed; it goes wrong later. Every run plays one
scripted sequence on its first instrument (the budgeted plan's ``sequences`` phase): a resting
close edited past the position, the position reduced by another close and grown, a second
reduce-only order stacked at a better price, a crossing edit, two closes sent at once on two
connections (HTTP and WebSocket where the target has both). Every step is judged by the sequence
rules (:data:`deribit_contract.invariants.SEQUENCE_RULES`), and at the end the notifications
of the account's ``user.*`` subscriptions are compared with the answers. Unbudgeted runs also
explore random sequences of the same steps with a Hypothesis state machine.

On a live market other traders fill the resting orders between any two requests: the rules
are written to hold there (see :mod:`deribit_contract.contract.sequences`).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from deribit_contract.contract.plan import SEQUENCE_ORDERS
from deribit_contract.contract.run import ContractRun, Placed
from deribit_contract.contract.sequences import SequenceRun
from deribit_contract.errors import TargetError
from deribit_contract.strategies import Instrument
from deribit_contract.suite._support import affordable, flatten, one_example, size_of

pytestmark = [pytest.mark.live, pytest.mark.places_orders]

_TEST = "sequence::reduce_only"
_MACHINE = "sequence::reduce_only_machine"
#: how far from the mark the sequence's limits sit, as a fraction of it (the band is ±1.5 %)
_REST, _STACK, _THROUGH = 0.006, 0.004, -0.003
_OPEN_CONTRACTS = 4


def price_at(instrument: Instrument, size: float, offset: float) -> float:
    """A limit for the closing side, ``offset`` of the mark away (positive: rests)."""
    sign = 1 if size > 0 else -1
    raw = instrument.reference_price * (1 + sign * offset)
    return round(round(raw / instrument.tick_size) * instrument.tick_size, 10)


def order_id(placed: Placed) -> str | None:
    result = (placed.response or {}).get("result")
    order = result.get("order") if isinstance(result, dict) else None
    return str(order["order_id"]) if isinstance(order, dict) and "order_id" in order else None


def _resting_ids(placed: list[Placed]) -> list[str]:
    out = []
    for item in placed:
        result = (item.response or {}).get("result")
        order = result.get("order") if isinstance(result, dict) else None
        if isinstance(order, dict) and order.get("order_state") == "open":
            out.append(str(order["order_id"]))
    return out


class Steps:
    """The steps a sequence is made of, sized from the position read just before."""

    def __init__(self, seq: SequenceRun, instrument: Instrument) -> None:
        self.seq, self.run, self.instrument = seq, seq.run, instrument
        self.name = {"instrument_name": instrument.instrument_name}

    def size(self) -> float:
        return size_of(self.run.position(self.instrument.instrument_name))

    def facts(self) -> Instrument:
        return self.run.instrument(self.instrument.instrument_name, fresh=True)

    def amount(self, contracts: float) -> float:
        return round(contracts * self.instrument.contract_size, 10)

    def trade(self, action: str, direction: str, contracts: int, **extra: Any) -> None:
        """A market order; one that would open or grow leaves no remainder resting."""
        params = {**self.name, "amount": self.amount(contracts), "type": "market", **extra}
        placed = self.seq.step(action, (f"private/{direction}", params),
                               reduce_only=bool(extra.get("reduce_only")))  # fmt: skip
        if not extra.get("reduce_only"):
            for oid in _resting_ids(placed):  # a remainder at the band is no part of the test
                self.run.settle(oid)

    def open(self, direction: str, contracts: int) -> float:
        self.trade("open", direction, contracts)
        return self.size()

    def rest_close(self, size: float) -> str | None:
        price = price_at(self.facts(), size, _REST)
        (placed,) = self.seq.step("rest a close", ("private/close_position",
                                                   {**self.name, "type": "limit", "price": price}))  # fmt: skip
        return order_id(placed)

    def stack(self, size: float, factor: float) -> str | None:
        side = "sell" if size > 0 else "buy"
        params = {**self.name, "type": "limit", "reduce_only": True,
                  "price": price_at(self.facts(), size, _STACK),
                  "amount": self.amount(max(1, round(abs(size) * factor / self.instrument.contract_size)))}  # fmt: skip
        (placed,) = self.seq.step("stack a reduce-only order", (f"private/{side}", params))
        return order_id(placed)

    def edit(self, oid: str, size: float, *, factor: float, cross: bool) -> None:
        price = price_at(self.facts(), size, _THROUGH if cross else _REST)
        contracts = max(1, round(abs(size) * factor / self.instrument.contract_size))
        params = {"order_id": oid, "amount": self.amount(contracts), "price": price}
        self.seq.step("edit a resting reduce-only order" + (" through the market" if cross else ""),
                      ("private/edit", params))  # fmt: skip

    def reduce(self, size: float, contracts: int) -> None:
        self.trade("reduce by another close", "sell" if size > 0 else "buy", contracts,
                   reduce_only=True)  # fmt: skip

    def close_twice(self, *, together: bool) -> None:
        close = ("private/close_position", {**self.name, "type": "market"})
        what = "two closes at once" if together else "two closes back to back"
        self.seq.step(what, close, close, together=together, concurrent=True)


def scripted_sequence(run: ContractRun, name: str) -> None:
    """The budgeted plan's sequence (see the module docstring)."""
    instrument = run.instrument(name)
    flatten(run, instrument)
    seq = SequenceRun(run, name, test=_TEST)
    try:
        seq.listen()
        steps = Steps(seq, instrument)
        size = steps.open("buy", _OPEN_CONTRACTS)
        if abs(size) <= 1e-12:
            raise TargetError(
                f"{_TEST}: a market buy of {_OPEN_CONTRACTS} contracts filled nothing"
            )
        first = steps.rest_close(size)
        if first is not None:
            steps.edit(first, size, factor=2, cross=False)
        steps.reduce(size, 1)
        steps.trade("grow", "buy", 1)
        size = steps.size()
        second = steps.stack(size, factor=1)
        if second is not None and abs(size) > 1e-12:
            steps.edit(second, size, factor=2, cross=True)
        seq.settle()
        if abs(steps.size()) <= 1e-12:
            steps.open("buy", _OPEN_CONTRACTS - 1)
        steps.close_twice(together=True)
        seq.finish()
    finally:
        seq.close()
    flatten(run, instrument)


@pytest.mark.deribit_phase("sequences")
def test_reduce_only_over_a_close_orders_life(deribit_run: ContractRun) -> None:
    """Edits, other closes, growth, stacking and racing closes keep every reduce-only rule."""
    run = deribit_run
    if not affordable(run, SEQUENCE_ORDERS):
        pytest.skip(f"the order budget left cannot pay for the sequence ({SEQUENCE_ORDERS} orders)")
    with one_example(run, _TEST):
        run.observations.examples += 1
        scripted_sequence(run, run.spec.instruments[0])


class SequenceMachine(RuleBasedStateMachine):
    """Random sequences of the same steps on one instrument; judged after every step.

    No rule has a precondition and no draw depends on an answer (the target moves on its own):
    a step that finds nothing to act on does nothing.
    """

    run: ContractRun

    def __init__(self) -> None:
        super().__init__()
        self.seq: SequenceRun | None = None
        self.steps: Steps | None = None

    def _resting(self) -> list[str]:
        """The run's reduce-only orders the last step listed open (a draw picks among them)."""
        steps = self.seq.recorder.steps if self.seq is not None else []
        listed = steps[-1].open_orders_after or [] if steps else []
        return [str(o["order_id"]) for o in listed if o.get("reduce_only") and "order_id" in o]

    def _steps(self) -> Steps:
        assert self.steps is not None
        return self.steps

    @initialize(
        data=st.data(), direction=st.sampled_from(["buy", "sell"]), contracts=st.integers(2, 8)
    )
    def start(self, data: st.DataObject, direction: str, contracts: int) -> None:
        name = data.draw(st.sampled_from(self.run.spec.instruments), label="instrument")
        with one_example(self.run, _MACHINE):
            self.run.observations.examples += 1
            instrument = self.run.instrument(name)
            flatten(self.run, instrument)
            self.seq = SequenceRun(self.run, name, test=_MACHINE)
            self.seq.listen()
            self.steps = Steps(self.seq, instrument)
            if affordable(self.run, 1):
                self.steps.open(direction, contracts)

    def _act(self, orders: int) -> Steps | None:
        return self._steps() if affordable(self.run, orders) else None

    @rule(direction=st.sampled_from(["buy", "sell"]), contracts=st.integers(1, 6))
    def open_or_grow(self, direction: str, contracts: int) -> None:
        steps = self._act(1)
        if steps is not None:
            size = steps.size()
            side = direction if size == 0 else ("buy" if size > 0 else "sell")
            steps.trade("open or grow", side, contracts)

    @rule()
    def rest_close(self) -> None:
        steps = self._act(1)
        size = steps.size() if steps else 0.0
        if steps is not None and size:
            steps.rest_close(size)

    @rule(factor=st.sampled_from([0.5, 1.0, 2.0]))
    def stack(self, factor: float) -> None:
        steps = self._act(1)
        size = steps.size() if steps else 0.0
        if steps is not None and size:
            steps.stack(size, factor)

    @rule(pick=st.integers(0, 3), factor=st.sampled_from([0.5, 1.0, 3.0]), cross=st.booleans())
    def edit(self, pick: int, factor: float, cross: bool) -> None:  # noqa: FBT001
        steps = self._act(1)
        size = steps.size() if steps else 0.0
        resting = self._resting()
        if steps is not None and size and resting:
            steps.edit(resting[pick % len(resting)], size, factor=factor, cross=cross)

    @rule(pick=st.integers(0, 3))
    def cancel(self, pick: int) -> None:
        steps, resting = self._steps(), self._resting()
        if resting:
            oid = resting[pick % len(resting)]
            steps.seq.step("cancel a resting order", ("private/cancel", {"order_id": oid}))

    @rule(contracts=st.integers(1, 3))
    def reduce(self, contracts: int) -> None:
        steps = self._act(1)
        size = steps.size() if steps else 0.0
        if steps is not None and size:
            steps.reduce(size, contracts)

    @rule(together=st.booleans())
    def close_twice(self, together: bool) -> None:  # noqa: FBT001
        steps = self._act(2)
        if steps is not None and steps.size():
            steps.close_twice(together=together)

    def teardown(self) -> None:
        if self.seq is None:
            return
        try:
            with one_example(self.run, _MACHINE):
                self.seq.finish()
        finally:
            self.seq.close()
            flatten(self.run, self._steps().instrument)


@pytest.mark.deribit_phase("exploration")
def test_reduce_only_sequence_state_machine(deribit_run: ContractRun) -> None:
    """Random sequences of opens, resting closes, stacked orders, edits, reductions and double
    closes keep every sequence rule, and the notifications agree with the answers."""
    if deribit_run.budgeted:
        pytest.skip("a budgeted run plays the scripted sequence, not the state machine")
    steps = settings().stateful_step_count
    if not affordable(deribit_run, 2 * steps):
        pytest.skip(f"the order budget left cannot pay for one run of {steps} steps")

    class Bound(SequenceMachine):
        run = deribit_run

    run_state_machine_as_test(Bound)  # type: ignore[no-untyped-call,unused-ignore]
