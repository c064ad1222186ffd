"""The vocabulary every invariant shares: findings, skips, the rule registry and number helpers.

Invariants judge real data as well as simulated data, so the helpers here accept what Deribit
actually sends: integers or floats (``10.0``, ``9.21e4`` parse to floats), ``"market_price"``
where a price may be symbolic, and fields that are simply absent. A rule that lacks the data it
needs returns a :class:`Skip` instead of a verdict, so coverage can tell "held" from "not checked".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from deribit_contract._json import json_excerpt

__all__ = [
    "REGISTRY",
    "Check",
    "CloseCall",
    "Rule",
    "RuleResult",
    "Skip",
    "Subject",
    "Violation",
    "amounts_equal",
    "as_number",
    "position_size",
    "register",
    "sign",
]


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, where in the data, what was expected and what was found.

    The one finding record of a verdict: the contract judge reports schema failures
    (``schema.<keyword>``) and its own contract rules with it too.
    """

    rule: str
    path: str
    expected: Any
    actual: Any
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.path}: {self.message} (expected {self.expected!r}, got {self.actual!r})"

    def line(self, limit: int = 160) -> str:
        """One line for humans, values as JSON cut to ``limit`` characters:
        ``[rule] path: message (expected X, got Y)``."""
        where = f" {self.path}:" if self.path else ""
        return (
            f"[{self.rule}]{where} {self.message} "
            f"(expected {json_excerpt(self.expected, limit)}, got {json_excerpt(self.actual, limit)})"
        )


@dataclass(frozen=True)
class Skip:
    """A rule could not be judged because the data it needs is absent; ``reason`` says which."""

    rule: str
    reason: str


RuleResult: TypeAlias = "list[Violation] | Skip"


@dataclass(frozen=True)
class CloseCall:
    """One close_position call as the rules see it: what was sent, the position around it, what
    came back, and what is known of the market around it.

    ``request`` is the JSON-RPC request object, ``position_before``/``position_after`` are
    ``private/get_position`` result dicts (or None when unknown) and ``response`` the JSON-RPC
    response object as received. On a real market three more facts matter: ``tick_size``;
    ``ticker``, a ``public/ticker`` result read just before the call (its ``min_price`` and
    ``max_price`` are the band Deribit clamps limit prices to and rests market remainders at);
    and ``order_final``, the order as ``private/get_order_state`` shows it once the caller has
    cancelled what rested (other traders may fill a resting close after the answer).
    :func:`~deribit_contract.invariants.check_all`, :func:`~deribit_contract.invariants.evaluate`
    and the ``assert_close_position_contract`` fixture all take this one record, so no one has to
    remember an argument order.
    """

    request: Mapping[str, Any] | None
    position_before: Mapping[str, Any] | None
    response: Any
    position_after: Mapping[str, Any] | None
    tick_size: float | None = None
    ticker: Mapping[str, Any] | None = None
    order_final: Mapping[str, Any] | None = None

    # Accessors shared by the rules; each returns None when the piece is missing or malformed,
    # leaving it to the rule to skip or to report.

    def params(self) -> Mapping[str, Any] | None:
        if not isinstance(self.request, Mapping):
            return None
        params = self.request.get("params")
        return params if isinstance(params, Mapping) else None

    def requested_type(self) -> str | None:
        params = self.params()
        value = params.get("type") if params is not None else None
        return value if isinstance(value, str) else None

    def result(self) -> Mapping[str, Any] | None:
        if not isinstance(self.response, Mapping) or "error" in self.response:
            return None
        result = self.response.get("result")
        return result if isinstance(result, Mapping) else None

    def order(self) -> Mapping[str, Any] | None:
        result = self.result()
        order = result.get("order") if result is not None else None
        return order if isinstance(order, Mapping) else None

    def band(self) -> tuple[float, float] | None:
        """``(min_price, max_price)`` from the ticker read before the call, when known."""
        if self.ticker is None:
            return None
        low, high = as_number(self.ticker.get("min_price")), as_number(self.ticker.get("max_price"))
        if low is None or high is None or not 0 < low < high:
            return None
        return low, high

    def trades(self) -> Sequence[Mapping[str, Any]] | None:
        result = self.result()
        trades = result.get("trades") if result is not None else None
        if not isinstance(trades, list):
            return None
        return [trade for trade in trades if isinstance(trade, Mapping)]


#: the name the rule modules use for the record they judge
Subject: TypeAlias = CloseCall

Check: TypeAlias = Callable[[CloseCall], "list[Violation] | Skip"]


@dataclass(frozen=True)
class Rule:
    """A registered invariant: its id (``area.name``), a one-line description and its check."""

    id: str
    description: str
    check: Check


REGISTRY: dict[str, Rule] = {}


def register(rule_id: str, description: str) -> Callable[[Check], Check]:
    """Decorator adding a check to :data:`REGISTRY` under ``rule_id`` (ids must be unique)."""

    def decorate(check: Check) -> Check:
        if rule_id in REGISTRY:
            raise RuntimeError(f"invariant {rule_id!r} registered twice")
        REGISTRY[rule_id] = Rule(rule_id, description, check)
        return check

    return decorate


def as_number(value: Any) -> float | None:
    """``value`` as a finite float when it is a JSON number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def amounts_equal(left: float, right: float) -> bool:
    """Equality for amounts and sizes, tolerant of binary-float noise (``0.1 + 0.2``)."""
    return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)


def position_size(position: Mapping[str, Any] | None) -> float | None:
    """The signed size of a ``get_position`` dict; ``direction == "zero"`` without size is 0."""
    if not isinstance(position, Mapping):
        return None
    size = as_number(position.get("size"))
    if size is not None:
        return size
    return 0.0 if position.get("direction") == "zero" else None


def sign(value: float) -> int:
    """-1, 0 or 1, treating float noise around zero as zero."""
    if amounts_equal(value, 0.0):
        return 0
    return 1 if value > 0 else -1
