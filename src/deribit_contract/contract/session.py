"""A careful conversation with one close_position target: auth, budget, throttling, no blind retries.

The contract suite never talks to a client directly; it goes through :class:`ExchangeSession`,
which owns the policies that keep a run safe where money may be at stake:

* **Order budget.** Every order-placing call (buy, sell, close_position) spends one unit; when
  the budget is spent the run stops with :class:`BudgetExhausted` instead of trading on.
* **Throttling is not a failure.** Deribit answers 10028 (too_many_requests) and may drop the
  session; 10040, 10041, 10047 and 13028 refuse a request for a moment too. The request was not
  executed, so it is sent again after an exponential back-off and, if the token was dropped
  (13009), a fresh ``public/auth``. A run that cannot make progress
  within ``max_backoff_s`` ends with :class:`~deribit_contract.errors.RateLimited`.
* **close_position is not idempotent.** When an order-placing call times out or the connection
  drops, the outcome is unknown: the session never resends it. It re-reads the position and the
  open orders (safe reads) and returns an :class:`AmbiguousOutcome` so the caller can judge what
  really happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from deribit_contract.errors import RateLimited, TargetError, TargetUnavailable
from deribit_contract.facts import ErrorCode, error_message

__all__ = [
    "ORDER_METHODS",
    "TRANSIENT_REFUSALS",
    "AmbiguousOutcome",
    "BudgetExhausted",
    "ExchangeSession",
    "RpcClient",
    "SessionStats",
]

#: methods that can trade (an edit that crosses fills): budgeted, never retried blindly
ORDER_METHODS = frozenset({"private/buy", "private/sell", "private/close_position", "private/edit"})
_UNAUTHORIZED = ErrorCode.UNAUTHORIZED
#: refusals Deribit sends for requests it did NOT execute: they come and go, so the request is
#: sent again after a back-off (never a contract violation; only a persistent one ends the run)
TRANSIENT_REFUSALS: frozenset[int] = frozenset(
    {
        ErrorCode.TOO_MANY_REQUESTS,
        ErrorCode.RETRY,
        ErrorCode.SETTLEMENT_IN_PROGRESS,
        ErrorCode.MATCHING_ENGINE_QUEUE_FULL,
        ErrorCode.TEMPORARILY_UNAVAILABLE,
    }
)
_SAFE_READ_ATTEMPTS = 3


class RpcClient(Protocol):
    """What a transport client offers: one JSON-RPC call at a time, and authentication."""

    def call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request and return the response envelope (raises TargetError subclasses)."""
        ...

    def authenticate(self, client_id: str, client_secret: str) -> dict[str, Any]:
        """Run ``public/auth`` with client credentials and keep the token for later calls."""
        ...


class BudgetExhausted(TargetError):
    """The run used its whole order budget; it stops rather than place more orders."""


@dataclass
class AmbiguousOutcome:
    """An order-placing call whose answer never arrived: what the exchange looks like now."""

    method: str
    params: dict[str, Any]
    reason: str
    position: dict[str, Any] | None
    open_orders: list[dict[str, Any]]


@dataclass
class SessionStats:
    """What a run spent: requests, orders, throttles, re-authentications, back-off time."""

    requests: int = 0
    orders: int = 0
    #: order-placing calls the target refused with an error (not placed, not in ``orders``)
    rejected: int = 0
    throttled: int = 0
    reauthenticated: int = 0
    ambiguous: int = 0
    backoff_s: float = 0.0
    methods: dict[str, int] = field(default_factory=dict)
    #: transient refusals by error code (10028, 10040, 13028...), each backed off and resent
    refusals: dict[int, int] = field(default_factory=dict)


class ExchangeSession:
    """The suite's only door to a target (see the module docstring for the policies)."""

    def __init__(
        self,
        client: RpcClient,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        order_budget: int | None = None,
        min_interval_s: float = 0.0,
        max_backoff_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._client_id = client_id
        self._client_secret = client_secret
        self._budget = order_budget
        self._min_interval_s = min_interval_s
        self._max_backoff_s = max_backoff_s
        self._sleep = sleep
        self._monotonic = monotonic
        self._last_order_at: float | None = None
        self.stats = SessionStats()

    @property
    def has_credentials(self) -> bool:
        """True when the session can authenticate."""
        return bool(self._client_id and self._client_secret)

    def authenticate(self) -> None:
        """Authenticate with the configured client credentials (no-op without credentials)."""
        if self._client_id and self._client_secret:
            self._client.authenticate(self._client_id, self._client_secret)

    def call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any] | AmbiguousOutcome:
        """Send ``method`` under the session's policies; returns the envelope or an ambiguity."""
        is_order = method in ORDER_METHODS
        if is_order:
            self._spend_budget(method)
        delay = 0.5
        waited = 0.0
        while True:
            if is_order:
                self._throttle()
            try:
                envelope = self._send(method, params)
                code = _error_code(envelope)
                if code == _UNAUTHORIZED and self.has_credentials and method != "public/auth":
                    # a dropped session: the request was refused, not executed; log in again
                    # once and resend; a timeout of the resend is as ambiguous as any other
                    self.stats.reauthenticated += 1
                    self.authenticate()
                    envelope = self._send(method, params)
                    code = _error_code(envelope)
            except TargetUnavailable as exc:
                if is_order:
                    return self._ambiguous(method, params, str(exc))
                raise
            if code is None or code not in TRANSIENT_REFUSALS:
                if is_order and "error" in envelope:
                    # refused, so never placed: a rejected close is no order on the account
                    self.stats.orders -= 1
                    self.stats.rejected += 1
                return envelope
            self.stats.throttled += 1
            self.stats.refusals[code] = self.stats.refusals.get(code, 0) + 1
            if waited + delay > self._max_backoff_s:
                raise RateLimited(
                    f"{method}: the target kept answering {error_message(code)} ({code}) "
                    f"after {waited:.1f}s of back-off; lower the request rate (--max-examples) "
                    "or retry later"
                )
            self._sleep(delay)
            waited += delay
            self.stats.backoff_s += delay
            delay = min(delay * 2, 8.0)
            if self.has_credentials:
                # Deribit terminates the session on 10028; a new token is cheap and safe
                self.authenticate()

    def read(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """A call that must return an envelope (reads only: never use it for order methods)."""
        if method in ORDER_METHODS:
            raise ValueError(f"read() is for safe methods; {method} places orders, use call()")
        outcome = self.call(method, params)
        assert isinstance(outcome, dict)  # only order methods can be ambiguous
        return outcome

    def _send(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.stats.requests += 1
        self.stats.methods[method] = self.stats.methods.get(method, 0) + 1
        if method in ORDER_METHODS:
            return self._client.call(method, params)
        last: TargetUnavailable | None = None
        for _ in range(_SAFE_READ_ATTEMPTS):
            try:
                return self._client.call(method, params)
            except TargetUnavailable as exc:  # reads are safe to repeat
                last = exc
        assert last is not None
        raise last

    def _spend_budget(self, method: str) -> None:
        if self._budget is not None and self.stats.orders >= self._budget:
            raise BudgetExhausted(
                f"order budget of {self._budget} spent; refusing to send {method} "
                "(raise it with --order-budget if the target can take more orders)"
            )
        self.stats.orders += 1

    def _throttle(self) -> None:
        now = self._monotonic()
        if self._last_order_at is not None and self._min_interval_s > 0:
            wait = self._min_interval_s - (now - self._last_order_at)
            if wait > 0:
                self._sleep(wait)
                now += wait
        self._last_order_at = now

    def _ambiguous(self, method: str, params: Mapping[str, Any], reason: str) -> AmbiguousOutcome:
        self.stats.ambiguous += 1
        instrument = params.get("instrument_name")
        position: dict[str, Any] | None = None
        orders: list[dict[str, Any]] = []
        if isinstance(instrument, str):
            pos_env = self._send("private/get_position", {"instrument_name": instrument})
            result = pos_env.get("result")
            position = result if isinstance(result, dict) else None
            ord_env = self._send(
                "private/get_open_orders_by_instrument", {"instrument_name": instrument}
            )
            listed = ord_env.get("result")
            orders = [o for o in listed if isinstance(o, dict)] if isinstance(listed, list) else []
        return AmbiguousOutcome(method, dict(params), reason, position, orders)


def _error_code(envelope: Mapping[str, Any]) -> int | None:
    error = envelope.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), int):
        return int(error["code"])
    return None
