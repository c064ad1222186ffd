"""Response conformance: every answer validates in the selected schema mode; flat closes fail.

The judge validates every close_position answer (success and error envelopes) in the selected
mode; in ``documented`` mode the known errata are counted as differences instead of failing,
and undocumented fields are always reported into the run's observations.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deribit_contract.contract.run import ContractRun
from deribit_contract.suite._support import (
    close_and_judge,
    close_params,
    flatten,
    open_drawn_position,
)

pytestmark = [pytest.mark.live]


@pytest.mark.places_orders
@given(data=st.data())
def test_close_when_flat_is_an_error(deribit_run: ContractRun, data: st.DataObject) -> None:
    """close_position with nothing to close answers a JSON-RPC error envelope (any code)."""
    run = deribit_run
    run.observations.examples += 1
    name = data.draw(st.sampled_from(run.spec.instruments), label="instrument")
    instrument = run.instrument(name)
    flatten(run, instrument)
    params = data.draw(close_params(instrument, mode=run.mode), label="close params")
    # the invariant flat.error_expected (judged inside close_and_judge) demands the error
    closed = close_and_judge(run, instrument, params, test="conformance::flat_close")
    if closed.response is not None and "result" in closed.response:
        flatten(run, instrument)  # a broken target may have opened something: undo it


@pytest.mark.places_orders
@given(data=st.data())
def test_close_responses_conform(deribit_run: ContractRun, data: st.DataObject) -> None:
    """Long and short positions of drawn sizes, closed by market or limit: every answer conforms."""
    run = deribit_run
    instrument = open_drawn_position(run, data, max_contracts=50)
    params = data.draw(close_params(instrument, mode=run.mode), label="close params")
    closed = close_and_judge(run, instrument, params, test="conformance::close_responses")
    if closed.resting or closed.response is None or "error" in closed.response:
        flatten(run, instrument)
