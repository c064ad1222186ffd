"""What the suite's tests share: putting the target in a known state and judging one close.

Setting up uses only ``private/buy`` / ``private/sell`` (reduce-only to flatten), never
close_position itself, so a broken close_position cannot corrupt the state the next check
starts from. Every close goes through :func:`close_and_judge`, which reads the position before
and after, and hands the four pieces to the run's judge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from deribit_contract.contract.checks import Finding
from deribit_contract.contract.run import ContractRun, Placed
from deribit_contract.errors import ContractViolation, TargetError
from deribit_contract.strategies import Instrument, valid_params

__all__ = [
    "EXAMPLE_ORDERS",
    "CloseResult",
    "DrawnClose",
    "affordable",
    "close_and_judge",
    "close_params",
    "draw_close",
    "ensure_position",
    "explore",
    "flatten",
    "one_example",
    "require_accepted",
    "require_envelope",
    "settle_and_judge",
    "setup_order",
    "size_of",
]

CLOSE = "private/close_position"
#: reduce-only rounds to flatten (a market remainder may rest at the band and need another)
_FLATTEN_ATTEMPTS = 4
#: orders kept back from exploration so the last position can always be flattened
_FLATTEN_RESERVE = 2
#: orders one exploration example may place: flatten, open, close, flatten a resting remainder
EXAMPLE_ORDERS = 4


def size_of(position: dict[str, Any] | None) -> float:
    """Signed size of a ``get_position`` result (0 when absent)."""
    size = position.get("size") if position else None
    return float(size) if isinstance(size, int | float) and not isinstance(size, bool) else 0.0


def _order(response: dict[str, Any] | None) -> dict[str, Any] | None:
    result = (response or {}).get("result")
    order = result.get("order") if isinstance(result, dict) else None
    return order if isinstance(order, dict) else None


def setup_order(
    run: ContractRun, method: str, instrument: Instrument, amount: float, **extra: Any
) -> None:
    """One setup order; a remainder left resting (at the band, on a real market) is cancelled."""
    params = {
        "instrument_name": instrument.instrument_name,
        "amount": round(amount, 10),
        "type": "market",
        **extra,
    }
    placed = run.place(method, params)
    response = placed.response
    if placed.ambiguous is not None:
        run.cancel_own(instrument.instrument_name)
        return
    if response is None or "error" in response:
        what = placed.transport_error or (response or {}).get("error") or "no answer"
        raise TargetError(
            f"setting up failed: {method} {params} was not executed ({what}); the suite needs "
            "buy/sell to work to open and flatten positions"
        )
    order = _order(response)
    if order is not None and order.get("order_state") == "open":
        run.settle(str(order["order_id"]))


def flatten(run: ContractRun, instrument: Instrument) -> None:
    """Cancel the run's own open orders and trade the position back to zero (reduce-only).

    The position is the run's: the account was checked flat before the run's first order.
    """
    name = instrument.instrument_name
    for _ in range(_FLATTEN_ATTEMPTS):
        run.cancel_own(name)
        size = size_of(run.position(name))
        if abs(size) <= 1e-12:
            return
        setup_order(
            run, "private/sell" if size > 0 else "private/buy", instrument, abs(size),
            reduce_only=True,
        )  # fmt: skip
    if abs(size_of(run.position(name))) > 1e-12:
        raise TargetError(f"{name}: could not flatten with reduce-only orders; check it by hand")


def ensure_position(
    run: ContractRun, instrument: Instrument, *, direction: str, contracts: int
) -> float:
    """Make sure a position is open; opens ``contracts`` with ``direction`` when flat. Returns it.

    On a real market the opening market order may fill only in part (the book inside the band
    ran out); the position is whatever filled.
    """
    size = size_of(run.position(instrument.instrument_name))
    if abs(size) > 1e-12:
        return size
    amount = contracts * instrument.contract_size
    setup_order(run, f"private/{direction}", instrument, amount)
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
    """One judged close: the placed call, positions around it and whether its order rested.

    ``final`` is the order as ``get_order_state`` showed it after the run cancelled what rested
    (None when nothing rested): its ``filled_amount`` is what the position is compared with.
    """

    placed: Placed
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    final: dict[str, Any] | None = None

    @property
    def response(self) -> dict[str, Any] | None:
        return self.placed.response

    @property
    def resting(self) -> bool:
        order = _order(self.placed.response)
        return order is not None and order.get("order_state") == "open"


def close_and_judge(
    run: ContractRun,
    instrument: Instrument,
    params: dict[str, Any],
    *,
    test: str,
    before: dict[str, Any] | None = None,
    facts: Instrument | None = None,
) -> CloseResult:
    """Close with ``params`` and judge the whole call against the market it met.

    A fresh ticker is read just before (the band the price may be clamped to); a close whose
    order rests is settled (cancelled by id, its final state read) before the position is read
    again, so fills by other traders in between are accounted for, not mistaken for a breach.
    """
    __tracebackhide__ = True
    judge = run.judge
    assert judge is not None
    name = instrument.instrument_name
    if before is None:  # the caller may pass the position it has just read
        before = run.position(name)
    if facts is None:  # fresh facts and band, just before the close
        facts = run.instrument(name, fresh=True)
    ticker = run.tickers.get(name)
    placed = run.place(CLOSE, params)
    require_envelope(run, placed, test=test)
    if placed.ambiguous is not None:
        # the answer never arrived and nothing was resent: judge what the exchange shows now
        after = placed.ambiguous.position
        return CloseResult(placed, before, after)
    final = None
    order = _order(placed.response)
    if order is not None and order.get("order_state") == "open" and order.get("order_id"):
        final = settle_and_judge(run, str(order["order_id"]), test=test)
    after = run.position(name)
    judge.check_close(
        placed.request,
        placed.response,
        before,
        after,
        tick_size=facts.tick_size,
        test=test,
        ticker=ticker,
        order_final=final,
    )
    return CloseResult(placed, before, after, final)


def settle_and_judge(run: ContractRun, order_id: str, *, test: str) -> dict[str, Any] | None:
    """Cancel the run's resting order ``order_id`` by id; it must not stay open (``orders.cancelled``)."""
    __tracebackhide__ = True
    assert run.judge is not None
    final = run.settle(order_id)
    state = (final or {}).get("order_state")
    run.judge.require(
        state in ("cancelled", "filled"),
        Finding(
            "orders.cancelled",
            "order_state",
            "cancelled (or filled)",
            state,
            "the order stayed open after private/cancel",
        ),
        request={"method": "private/cancel", "params": {"order_id": order_id}},
        response=final,
        test=test,
    )
    return final


def require_envelope(run: ContractRun, placed: Placed, *, test: str) -> None:
    """close_position is answered with a JSON-RPC envelope, not HTML or HTTP 5xx (``envelope.json``)."""
    __tracebackhide__ = True
    assert run.judge is not None
    run.judge.require(
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


def require_accepted(run: ContractRun, closed: CloseResult, *, test: str) -> None:
    """A valid close of an open position gets a result, not an error (``request.valid_accepted``)."""
    __tracebackhide__ = True
    response = closed.response or {}
    assert run.judge is not None
    run.judge.require(
        "result" in response and "error" not in response,
        Finding(
            "request.valid_accepted",
            "error",
            "a result",
            response.get("error"),
            "a valid close of an open position was refused",
        ),
        request=closed.placed.request,
        response=response,
        test=test,
    )


def explore(
    run: ContractRun,
    data: st.DataObject,
    *,
    max_contracts: int,
    test: str,
    then: Callable[[CloseResult], None] | None = None,
) -> None:
    """One exploration example: draw, open the drawn position, close it, judge the close and
    run ``then`` on it. Places nothing once the order budget cannot pay for an example."""
    __tracebackhide__ = True
    drawn = draw_close(run, data, max_contracts=max_contracts)
    if not affordable(run, EXAMPLE_ORDERS):
        run.observations.note_difference("plan: exploration example skipped, order budget spent")
        return
    with one_example(run, test):
        before = open_drawn_position(run, drawn)
        closed = close_and_judge(run, drawn.instrument, drawn.params, test=test, before=before)
        if then is not None:
            then(closed)
        if closed.resting or closed.response is None or "error" in closed.response:
            flatten(run, drawn.instrument)  # what a resting or refused close left behind


@contextmanager
def one_example(run: ContractRun, test: str) -> Iterator[None]:
    """Run one example body; on budgeted runs a test that failed once is never re-executed.

    Hypothesis replays a failing example before reporting it; against a real exchange that
    would place the orders again (and, on a moving market, may pass: a Flaky error). The
    replay gets the recorded violation instead, with the requests it sent (curl lines).
    """
    if run.budgeted and test in run.failed:
        raise run.failed[test]
    try:
        yield
    except ContractViolation as exc:
        if run.budgeted:
            run.failed[test] = exc
        raise


def affordable(run: ContractRun, orders: int) -> bool:
    """True when the budget covers ``orders`` more orders and a final flatten (exploration
    stops there, so a spent budget ends the exploration, never the run)."""
    left = run.budget_left()
    return left is None or left >= orders + _FLATTEN_RESERVE


@dataclass(frozen=True)
class DrawnClose:
    """One exploration example, drawn in full before anything is sent."""

    instrument: Instrument
    direction: str
    contracts: int
    params: dict[str, Any]


def draw_close(run: ContractRun, data: st.DataObject, *, max_contracts: int) -> DrawnClose:
    """Draw an instrument, a side, a size and close params, all before any order.

    Every example draws the same way whatever happens next (an example skipped for budget
    too), and strategies are built from the first facts read, not the moving mark: Hypothesis
    sees consistent data generation (no ``FlakyStrategyDefinition``).
    """
    name = data.draw(st.sampled_from(run.spec.instruments), label="instrument")
    instrument = run.instrument(name)
    direction = data.draw(st.sampled_from(["buy", "sell"]), label="open with")
    contracts = data.draw(st.integers(1, max_contracts), label="contracts")
    params = data.draw(close_params(instrument, mode=run.mode), label="close params")
    return DrawnClose(instrument, direction, contracts, params)


def open_drawn_position(run: ContractRun, drawn: DrawnClose) -> dict[str, Any] | None:
    """Start flat and open the drawn position; returns the position read after opening."""
    run.observations.examples += 1
    flatten(run, drawn.instrument)
    ensure_position(run, drawn.instrument, direction=drawn.direction, contracts=drawn.contracts)
    return run.last_position
