"""Run every registered invariant over one call and collect findings and skips.

``check_all`` answers "is this call within the contract?"; ``evaluate`` also says which rules
were actually exercised, which is what coverage reports and the contract suite count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, overload

from deribit_contract.errors import InvalidArgument
from deribit_contract.invariants import envelope, lifecycle, order, trades  # noqa: F401  (registration)
from deribit_contract.invariants._core import REGISTRY, CloseCall, Skip, Violation

__all__ = ["Report", "check_all", "evaluate", "rule_ids"]


@dataclass(frozen=True)
class Report:
    """The verdict on one call: violations, the rules that were judged and the rules skipped."""

    violations: tuple[Violation, ...]
    checked: tuple[str, ...]
    skipped: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no rule was violated (skipped rules do not count against the call)."""
        return not self.violations

    def broken_rules(self) -> frozenset[str]:
        """The ids of the rules with at least one violation."""
        return frozenset(violation.rule for violation in self.violations)


def rule_ids() -> tuple[str, ...]:
    """Every registered rule id, sorted."""
    return tuple(sorted(REGISTRY))


_Position = Mapping[str, Any] | None


@overload
def evaluate(call: CloseCall, /, *, rules: Iterable[str] | None = None) -> Report: ...


@overload
def evaluate(
    request: Mapping[str, Any] | None,
    position_before: _Position,
    response: Any,
    position_after: _Position,
    /,
    *,
    tick_size: float | None = None,
    rules: Iterable[str] | None = None,
    ticker: Mapping[str, Any] | None = None,
    order_final: Mapping[str, Any] | None = None,
) -> Report: ...


def evaluate(
    call: CloseCall | Mapping[str, Any] | None,
    position_before: _Position = None,
    response: Any = None,
    position_after: _Position = None,
    /,
    *,
    tick_size: float | None = None,
    rules: Iterable[str] | None = None,
    ticker: Mapping[str, Any] | None = None,
    order_final: Mapping[str, Any] | None = None,
) -> Report:
    """Judge one close_position call against ``rules`` (default: all) and report what ran.

    Takes a :class:`CloseCall`; the four-argument form ``(request, position_before, response,
    position_after, tick_size=..., ticker=..., order_final=...)`` is kept for existing callers.
    ``tick_size`` (the instrument's tick) is used by ``trades.average_price``; without it a
    relative tolerance applies. ``ticker`` and ``order_final`` let the rules judge a real market
    (band clamping, remainders resting at the band, late fills). Raises
    :class:`InvalidArgument` for an unknown rule id.
    """
    subject = _as_call(
        call, position_before, response, position_after, (tick_size, ticker, order_final)
    )
    selected = rule_ids() if rules is None else tuple(rules)
    unknown = [rule for rule in selected if rule not in REGISTRY]
    if unknown:
        raise InvalidArgument(f"unknown invariant(s) {unknown}; known: {', '.join(rule_ids())}")
    violations: list[Violation] = []
    checked: list[str] = []
    skipped: dict[str, str] = {}
    for rule_id in selected:
        outcome = REGISTRY[rule_id].check(subject)
        if isinstance(outcome, Skip):
            skipped[rule_id] = outcome.reason
        else:
            checked.append(rule_id)
            violations.extend(outcome)
    return Report(tuple(violations), tuple(checked), skipped)


def _as_call(
    call: CloseCall | Mapping[str, Any] | None,
    position_before: _Position,
    response: Any,
    position_after: _Position,
    market: tuple[float | None, Mapping[str, Any] | None, Mapping[str, Any] | None],
) -> CloseCall:
    if not isinstance(call, CloseCall):
        return CloseCall(call, position_before, response, position_after, *market)
    if (position_before, response, position_after, *market) != (None,) * 6:
        raise InvalidArgument(
            "pass either a CloseCall alone or (request, position_before, response, "
            "position_after, tick_size=..., ticker=..., order_final=...), not both"
        )
    return call


@overload
def check_all(call: CloseCall, /) -> list[Violation]: ...


@overload
def check_all(
    request: Mapping[str, Any] | None,
    position_before: _Position,
    response: Any,
    position_after: _Position,
    /,
    *,
    tick_size: float | None = None,
    ticker: Mapping[str, Any] | None = None,
    order_final: Mapping[str, Any] | None = None,
) -> list[Violation]: ...


def check_all(
    call: CloseCall | Mapping[str, Any] | None,
    position_before: _Position = None,
    response: Any = None,
    position_after: _Position = None,
    /,
    *,
    tick_size: float | None = None,
    ticker: Mapping[str, Any] | None = None,
    order_final: Mapping[str, Any] | None = None,
) -> list[Violation]:
    """Every violation of every registered invariant by one call (empty when the call is fine).

    Same arguments as :func:`evaluate`; use that one to learn which rules were skipped.
    """
    subject = _as_call(
        call, position_before, response, position_after, (tick_size, ticker, order_final)
    )
    return list(evaluate(subject).violations)
