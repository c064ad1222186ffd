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
    close_and_judge,
    close_params,
    explore,
    flatten,
    one_example,
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
    explore(deribit_run, data, max_contracts=50, test="conformance::close_responses")
