"""Leave a target as the run found it: cancel open orders, flatten what the run opened.

Every instrument the suite touches is registered with its position *before* the run's first
order; at the end (also after a failing test, Ctrl-C, or a spent budget) the cleaner cancels the
instrument's open orders and trades back only the difference the run made. A position the user
held before the run stays as it was: close_position would close all of it, so it is used only
when the run started flat; otherwise a reduce-only market order takes back exactly the delta.
Cleanup uses its own session without a budget: undoing exposure must not be refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from deribit_contract.contract.session import AmbiguousOutcome, ExchangeSession
from deribit_contract.errors import TargetError

__all__ = ["Cleaner", "CleanupReport"]


@dataclass
class CleanupReport:
    """What cleanup did and what it could not do (messages are safe to print)."""

    cancelled: dict[str, int] = field(default_factory=dict)
    flattened: dict[str, float] = field(default_factory=dict)
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


class Cleaner:
    """Remembers where the run started and undoes what it did (see the module docstring)."""

    def __init__(self, session_factory: Callable[[], ExchangeSession]) -> None:
        self._session_factory = session_factory
        self.baseline: dict[str, float] = {}

    def register(self, session: ExchangeSession, instrument: str) -> None:
        """Record ``instrument``'s position before the run's first order on it (once)."""
        if instrument in self.baseline:
            return
        size = _size(session.read("private/get_position", {"instrument_name": instrument}))
        self.baseline[instrument] = size if size is not None else 0.0

    def run(self) -> CleanupReport:
        """Cancel open orders and flatten the run's exposure on every registered instrument."""
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
                self._clean_one(session, instrument, start, report)
            except TargetError as exc:
                report.problems.append(f"{instrument}: cleanup failed: {exc}")
        return report

    def _clean_one(
        self, session: ExchangeSession, instrument: str, start: float, report: CleanupReport
    ) -> None:
        name = {"instrument_name": instrument}
        cancelled = session.read("private/cancel_all_by_instrument", name).get("result")
        if isinstance(cancelled, int) and cancelled:
            report.cancelled[instrument] = cancelled
        now = _size(session.read("private/get_position", name))
        if now is None:
            report.problems.append(f"{instrument}: position unreadable after the run")
            return
        delta = now - start
        if abs(delta) < 1e-12:
            return
        if abs(start) < 1e-12:
            outcome = session.call("private/close_position", {**name, "type": "market"})
        else:
            method = "private/sell" if delta > 0 else "private/buy"
            params = {**name, "amount": abs(delta), "type": "market", "reduce_only": True}
            outcome = session.call(method, params)
        if isinstance(outcome, AmbiguousOutcome) or "error" in outcome:
            report.problems.append(
                f"{instrument}: could not flatten {delta:+g} the run opened; check it by hand"
            )
            return
        report.flattened[instrument] = delta
