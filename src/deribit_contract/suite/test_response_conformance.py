"""Response conformance: every answer validates in the selected schema mode; flat closes fail.

The judge validates every close_position answer (success and error envelopes) in the selected
mode; in ``documented`` mode the known errata are counted as differences instead of failing,
and undocumented fields are always reported into the run's observations.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deribit_contract.contract.run import ContractRun
from deribit_contract.strategies import Instrument
from deribit_contract.suite._support import (
    EXAMPLE_ORDERS,
    DrawnClose,
    affordable,
    close_and_judge,
    close_params,
    draw_close,
    flatten,
    one_example,
    open_drawn_position,
)

pytestmark = [pytest.mark.live]


@pytest.mark.places_orders
@pytest.mark.deribit_phase("checks")
@given(data=st.data())
def test_close_when_flat_is_an_error(deribit_run: ContractRun, data: st.DataObject) -> None:
    """close_position with nothing to close answers a JSON-RPC error envelope (any code)."""
    run = deribit_run
    name = data.draw(st.sampled_from(run.spec.instruments), label="instrument")
    instrument = run.instrument(name)  # the first facts read: drawing must not depend on the mark
    params = data.draw(close_params(instrument, mode=run.mode), label="close params")
    if not run.take_example("conformance::flat_close", limit=len(run.spec.instruments)):
        return
    with one_example(run, "conformance::flat_close"):
        _flat_close(run, instrument, params)


def _flat_close(run: ContractRun, instrument: Instrument, params: dict[str, Any]) -> None:
    run.observations.examples += 1
    flatten(run, instrument)
    # the invariant flat.error_expected (judged inside close_and_judge) demands the error
    closed = close_and_judge(run, instrument, params, test="conformance::flat_close")
    if closed.response is not None and "result" in closed.response:
        flatten(run, instrument)  # a broken target may have opened something: undo it


@pytest.mark.places_orders
@pytest.mark.deribit_phase("exploration")
@given(data=st.data())
def test_close_responses_conform(deribit_run: ContractRun, data: st.DataObject) -> None:
    """Long and short positions of drawn sizes, closed by market or limit: every answer conforms."""
    run = deribit_run
    drawn = draw_close(run, data, max_contracts=50)
    if not affordable(run, EXAMPLE_ORDERS):
        run.observations.note_difference("plan: exploration example skipped, order budget spent")
        return
    with one_example(run, "conformance::close_responses"):
        _drawn_close(run, drawn)


def _drawn_close(run: ContractRun, drawn: DrawnClose) -> None:
    before = open_drawn_position(run, drawn)
    instrument = drawn.instrument
    closed = close_and_judge(
        run, instrument, drawn.params, test="conformance::close_responses", before=before
    )
    if closed.resting or closed.response is None or "error" in closed.response:
        flatten(run, instrument)
