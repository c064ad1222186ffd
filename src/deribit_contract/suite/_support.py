"""What the suite's tests share: putting the target in a known state and judging one close.

Setting up uses only ``private/buy`` / ``private/sell`` (reduce-only to flatten), never
close_position itself, so a broken close_position cannot corrupt the state the next check
starts from. Every close goes through :func:`close_and_judge`, which reads the position before
and after, and hands the four pieces to the run's judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from deribit_contract.contract.checks import Finding
from deribit_contract.contract.run import ContractRun, Placed
from deribit_contract.errors import TargetError
from deribit_contract.strategies import Instrument, valid_params

__all__ = [
    "CloseResult",
    "close_and_judge",
    "close_params",
    "ensure_position",
    "flatten",
    "size_of",
]

CLOSE = "private/close_position"


def size_of(position: dict[str, Any] | None) -> float:
    """Signed size of a ``get_position`` result (0 when absent)."""
    size = position.get("size") if position else None
    return float(size) if isinstance(size, int | float) and not isinstance(size, bool) else 0.0


def _trade(
    run: ContractRun, method: str, instrument: Instrument, amount: float, **extra: Any
) -> None:
    params = {
        "instrument_name": instrument.instrument_name,
        "amount": round(amount, 10),
        "type": "market",
        **extra,
    }
    placed = run.place(method, params)
    response = placed.response
    if response is None or "error" in response:
        what = placed.transport_error or (response or {}).get("error") or "no answer"
        raise TargetError(
            f"setting up failed: {method} {params} was not executed ({what}); the suite needs "
            "buy/sell to work to open and flatten positions"
        )


def flatten(run: ContractRun, instrument: Instrument) -> None:
    """Cancel the instrument's open orders and trade the position back to zero (reduce-only)."""
    name = instrument.instrument_name
    session = run.session
    assert session is not None
    session.read("private/cancel_all_by_instrument", {"instrument_name": name})
    size = size_of(run.position(name))
    if abs(size) > 1e-12:
        _trade(
            run, "private/sell" if size > 0 else "private/buy", instrument, abs(size),
            reduce_only=True,
        )  # fmt: skip


def ensure_position(
    run: ContractRun, instrument: Instrument, *, direction: str, contracts: int
) -> float:
    """Make sure a position is open; opens ``contracts`` with ``direction`` when flat. Returns it."""
    size = size_of(run.position(instrument.instrument_name))
    if abs(size) > 1e-12:
        return size
    amount = contracts * instrument.contract_size
    _trade(run, f"private/{direction}", instrument, amount)
    return size_of(run.position(instrument.instrument_name))


def near_mark_limit(instrument: Instrument) -> SearchStrategy[dict[str, Any]]:
    """Limit closes priced within a few dozen ticks of the mark: they fill, partly fill or rest."""
    ticks = st.integers(-40, 40)
    return ticks.map(
        lambda k: {
            "instrument_name": instrument.instrument_name,
            "type": "limit",
            "price": round(
                round(instrument.reference_price / instrument.tick_size + k) * instrument.tick_size,
                10,
            ),
        }
    )


def close_params(instrument: Instrument, *, mode: str) -> SearchStrategy[dict[str, Any]]:
    """Valid close_position params for ``instrument``: the kit's strategy, or a near-mark limit."""
    return st.one_of(valid_params(mode=mode, instruments=[instrument]), near_mark_limit(instrument))


@dataclass
class CloseResult:
    """One judged close: the placed call, positions around it and whether an order rests."""

    placed: Placed
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def response(self) -> dict[str, Any] | None:
        return self.placed.response

    @property
    def resting(self) -> bool:
        response = self.placed.response or {}
        result = response.get("result")
        order = result.get("order") if isinstance(result, dict) else None
        return isinstance(order, dict) and order.get("order_state") == "open"


def close_and_judge(
    run: ContractRun, instrument: Instrument, params: dict[str, Any], *, test: str
) -> CloseResult:
    """Close with ``params``, read the position around it and judge the whole call."""
    __tracebackhide__ = True
    judge = run.judge
    assert judge is not None
    name = instrument.instrument_name
    before = run.position(name)
    placed = run.place(CLOSE, params)
    judge.require(
        placed.transport_error is None and (placed.http_status or 0) < 500,
        Finding(
            "envelope.json",
            "",
            "a JSON-RPC envelope",
            placed.transport_error or f"HTTP {placed.http_status}",
            "close_position was not answered with a JSON-RPC envelope",
        ),
        request=placed.request,
        test=test,
    )
    if placed.ambiguous is not None:
        # the answer never arrived and nothing was resent: judge what the exchange shows now
        after = placed.ambiguous.position
        return CloseResult(placed, before, after)
    after = run.position(name)
    judge.check_close(
        placed.request, placed.response, before, after, tick_size=instrument.tick_size, test=test
    )
    return CloseResult(placed, before, after)


def open_drawn_position(run: ContractRun, data: st.DataObject, *, max_contracts: int) -> Instrument:
    """Draw an instrument, a side and a size; start flat and open that position."""
    run.observations.examples += 1
    name = data.draw(st.sampled_from(run.spec.instruments), label="instrument")
    instrument = run.instrument(name)
    flatten(run, instrument)
    direction = data.draw(st.sampled_from(["buy", "sell"]), label="open with")
    contracts = data.draw(st.integers(1, max_contracts), label="contracts")
    ensure_position(run, instrument, direction=direction, contracts=contracts)
    return instrument
