"""Run every registered invariant over one call and collect findings and skips.

``check_all`` answers "is this call within the contract?"; ``evaluate`` also says which rules
were actually exercised, which is what coverage reports and the contract suite count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from deribit_contract.errors import InvalidArgument
from deribit_contract.invariants import envelope, lifecycle, order, trades  # noqa: F401  (registration)
from deribit_contract.invariants._core import REGISTRY, Skip, Subject, Violation

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


def evaluate(
    request: Mapping[str, Any] | None,
    position_before: Mapping[str, Any] | None,
    response: Any,
    position_after: Mapping[str, Any] | None,
    *,
    tick_size: float | None = None,
    rules: Iterable[str] | None = None,
    ticker: Mapping[str, Any] | None = None,
    order_final: Mapping[str, Any] | None = None,
) -> Report:
    """Judge one close_position call against ``rules`` (default: all) and report what ran.

    ``request`` is the JSON-RPC request object, ``response`` the response object as received,
    positions are ``private/get_position`` result dicts or None when unknown. ``tick_size`` is the
    instrument's tick (used by ``trades.average_price``); without it a relative tolerance applies.
    ``ticker`` (read just before the call) and ``order_final`` (the order once settled) let the
    rules judge a real market: band clamping, remainders resting at the band, late fills.
    Raises :class:`InvalidArgument` for an unknown rule id.
    """
    selected = rule_ids() if rules is None else tuple(rules)
    unknown = [rule for rule in selected if rule not in REGISTRY]
    if unknown:
        raise InvalidArgument(f"unknown invariant(s) {unknown}; known: {', '.join(rule_ids())}")
    subject = Subject(
        request, position_before, response, position_after, tick_size, ticker, order_final
    )
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


def check_all(
    request: Mapping[str, Any] | None,
    position_before: Mapping[str, Any] | None,
    response: Any,
    position_after: Mapping[str, Any] | None,
    *,
    tick_size: float | None = None,
    ticker: Mapping[str, Any] | None = None,
    order_final: Mapping[str, Any] | None = None,
) -> list[Violation]:
    """Every violation of every registered invariant by one call (empty when the call is fine).

    Same arguments as :func:`evaluate`; use that one to learn which rules were skipped.
    """
    return list(
        evaluate(
            request,
            position_before,
            response,
            position_after,
            tick_size=tick_size,
            ticker=ticker,
            order_final=order_final,
        ).violations
    )
