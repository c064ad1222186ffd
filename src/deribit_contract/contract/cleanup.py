"""Leave the account as the run found it, touching only what the run itself did.

Every instrument the suite touches is registered with its position *before* the run's first
order on it. At the end (also after a failing test, Ctrl-C, or a spent budget) the cleaner, for
each registered instrument:

* cancels the run's own open orders, by id (orders the account had before are never touched);
* re-reads the position and trades back exactly the residual the run left, with a reduce-only
  ``private/buy``/``private/sell`` market order: never ``private/close_position``, the method
  under test (a broken one could double the position instead of closing it);
* trades back only in the reducing direction: a residual that would need the position to grow
  is reported, never traded, so cleanup never increases exposure;
* re-reads again (a market remainder may rest at the band; it is cancelled and retried) and
  reports what is left.

Cleanup uses its own session without a budget: undoing exposure must not be refused.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from deribit_contract.contract.session import AmbiguousOutcome, ExchangeSession
from deribit_contract.errors import TargetError

__all__ = ["Cleaner", "CleanupReport", "undo_exposure"]

#: reduce-only attempts per instrument (a market remainder resting at the band needs another)
_ATTEMPTS = 4


@dataclass
class CleanupReport:
    """What cleanup did and what it could not do (messages are safe to print)."""

    cancelled: dict[str, int] = field(default_factory=dict)
    flattened: dict[str, float] = field(default_factory=dict)
    #: the residual the run left on each instrument after cleanup (0 when fully undone)
    left: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing was left behind as far as cleanup could tell."""
        return not self.problems


def _size(envelope: dict[str, Any]) -> float | None:
    result = envelope.get("result")
    size = result.get("size") if isinstance(result, dict) else None
    if isinstance(size, bool) or not isinstance(size, int | float):
        return None
    return float(size)


def _cancel_own(session: ExchangeSession, instrument: str, own_orders: Collection[str]) -> int:
    listed = session.read(
        "private/get_open_orders_by_instrument", {"instrument_name": instrument}
    ).get("result")
    cancelled = 0
    for order in listed if isinstance(listed, list) else []:
        order_id = order.get("order_id") if isinstance(order, dict) else None
        if isinstance(order_id, str) and order_id in own_orders:
            session.read("private/cancel", {"order_id": order_id})
            cancelled += 1
    return cancelled


def undo_exposure(
    session: ExchangeSession,
    instrument: str,
    start: float,
    own_orders: Collection[str],
    report: CleanupReport,
) -> None:
    """Cancel the run's orders on ``instrument`` and trade back to ``start`` by reducing only."""
    name = {"instrument_name": instrument}
    now: float | None = None
    for _ in range(_ATTEMPTS):
        cancelled = _cancel_own(session, instrument, own_orders)
        if cancelled:
            report.cancelled[instrument] = report.cancelled.get(instrument, 0) + cancelled
        now = _size(session.read("private/get_position", name))
        if now is None:
            report.problems.append(f"{instrument}: position unreadable after the run")
            return
        residual = now - start
        if abs(residual) < 1e-12:
            break
        if now == 0 or (residual > 0) != (now > 0):
            # going back would need the position to grow: never done, only reported
            break
        amount = min(abs(residual), abs(now))
        method = "private/sell" if now > 0 else "private/buy"
        params = {**name, "amount": amount, "type": "market", "reduce_only": True}
        outcome = session.call(method, params)
        if isinstance(outcome, AmbiguousOutcome) or "error" in outcome:
            break
        result = outcome.get("result")
        order = result.get("order") if isinstance(result, dict) else None
        if isinstance(order, dict) and isinstance(order.get("order_id"), str):
            own_orders = {*own_orders, order["order_id"]}
        report.flattened[instrument] = report.flattened.get(instrument, 0.0) + (
            -amount if now > 0 else amount
        )
    if now is None:
        return
    left = now - start
    report.left[instrument] = left
    if abs(left) >= 1e-12:
        report.problems.append(
            f"{instrument}: the run left {left:+g} (position {now:+g}, was {start:+g}) that "
            "reduce-only orders could not undo; check it by hand"
        )


class Cleaner:
    """Remembers where the run started and undoes what it did (see the module docstring)."""

    def __init__(
        self,
        session_factory: Callable[[], ExchangeSession],
        own_orders: Collection[str] = (),
    ) -> None:
        self._session_factory = session_factory
        self._own_orders = own_orders
        self.baseline: dict[str, float] = {}

    def register(self, session: ExchangeSession, instrument: str) -> None:
        """Record ``instrument``'s position before the run's first order on it (once)."""
        if instrument in self.baseline:
            return
        size = _size(session.read("private/get_position", {"instrument_name": instrument}))
        self.baseline[instrument] = size if size is not None else 0.0

    def run(self) -> CleanupReport:
        """Cancel the run's orders and undo the run's exposure on every registered instrument."""
        report = CleanupReport()
        if not self.baseline:
            return report
        try:
            session = self._session_factory()
        except TargetError as exc:
            report.problems.append(f"cleanup could not open a session: {exc}")
            return report
        for instrument, start in self.baseline.items():
            try:
                undo_exposure(session, instrument, start, self._own_orders, report)
            except TargetError as exc:
                report.problems.append(f"{instrument}: cleanup failed: {exc}")
        return report
