"""One close of each kind per instrument: the scenarios every verdict rests on.

A budgeted run (every URL target) runs these right after the checks that place no order, so
its verdict covers market and limit closes of longs and shorts on every traded instrument, a
close that rests and is cancelled, inverse and linear, before exploration spends the rest of
the budget. Prices come from a fresh ticker: a marketable limit is priced through the market,
a resting one away from it, both inside the band.
"""

from __future__ import annotations

from typing import Any

import pytest

from deribit_contract.contract.plan import SCENARIOS
from deribit_contract.contract.run import ContractRun
from deribit_contract.errors import TargetError
from deribit_contract.strategies import Instrument
from deribit_contract.suite._support import (
    close_and_judge,
    ensure_position,
    flatten,
    one_example,
    require_accepted,
    size_of,
)

pytestmark = [pytest.mark.live, pytest.mark.places_orders, pytest.mark.deribit_phase("scenarios")]

_CONTRACTS = 3
#: how far from the mark the scenario limits sit, as a fraction of it (the band is ±1.5 %)
_THROUGH, _AWAY = 0.003, 0.006


def _limit(instrument: Instrument, size: float, offset: float) -> float:
    """A price ``offset`` (fraction of the mark) on the far side for the closer: positive
    offsets rest, negative ones cross (a long is closed by a sell)."""
    sign = 1 if size > 0 else -1
    raw = instrument.reference_price * (1 + sign * offset)
    return round(round(raw / instrument.tick_size) * instrument.tick_size, 10)


def _params(kind: str, instrument: Instrument, size: float) -> dict[str, Any]:
    name = {"instrument_name": instrument.instrument_name}
    if kind == "marketable_limit_close":
        return {**name, "type": "limit", "price": _limit(instrument, size, -_THROUGH)}
    if kind == "resting_limit_close":
        return {**name, "type": "limit", "price": _limit(instrument, size, _AWAY)}
    return {**name, "type": "market"}


@pytest.mark.parametrize("kind", list(SCENARIOS))
def test_close_scenario(deribit_run: ContractRun, kind: str) -> None:
    """Open a position, close it this way on every instrument: a result, every rule held."""
    run = deribit_run
    for name in run.spec.instruments:
        test = f"scenario::{kind}[{name}]"
        with one_example(run, test):
            _scenario(run, kind, name, test)


def _scenario(run: ContractRun, kind: str, name: str, test: str) -> None:
    run.observations.examples += 1
    instrument = run.instrument(name)
    flatten(run, instrument)
    direction = "sell" if kind == "market_close_short" else "buy"
    size = ensure_position(run, instrument, direction=direction, contracts=_CONTRACTS)
    before = run.last_position
    if abs(size) <= 1e-12:
        raise TargetError(f"{test}: a market {direction} of {_CONTRACTS} contracts filled nothing")
    facts = run.instrument(name, fresh=True)  # prices from the mark of now, not of the start
    params = _params(kind, facts, size)
    closed = close_and_judge(run, facts, params, test=test, before=before, facts=facts)
    require_accepted(run, closed, test=test)
    if abs(size_of(closed.after)) > 1e-12:
        flatten(run, instrument)
