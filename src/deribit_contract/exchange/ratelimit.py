"""Deribit's credit model for matching-engine requests, driven by the injectable clock.

Deribit meters matching-engine (ME) requests per sub-account with a leaky bucket: each request
costs credits, credits refill continuously up to a maximum, and a request that finds too few
credits gets error 10028 ``too_many_requests``. Low-volume accounts get 5 requests/s with a
burst of 20 (``limits.matching_engine`` in a 2025 testnet ``get_account_summary``), which is the
default here. Counting in requests rather than Deribit's raw credit units keeps configs readable;
the behaviour is the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deribit_contract.errors import InvalidArgument

__all__ = ["MATCHING_ENGINE_METHODS", "CreditBuckets", "RateLimitConfig"]

#: ME methods per Deribit's rate-limit page (2020) and the docs' "Matching Engine" tag.
MATCHING_ENGINE_METHODS: frozenset[str] = frozenset(
    {
        "private/buy",
        "private/sell",
        "private/edit",
        "private/cancel",
        "private/cancel_all",
        "private/cancel_all_by_instrument",
        "private/cancel_all_by_currency",
        "private/cancel_by_label",
        "private/close_position",
        "private/verify_block_trade",
        "private/execute_block_trade",
    }
)


@dataclass(frozen=True)
class RateLimitConfig:
    """A credit bucket per account for the listed methods.

    ``burst``: requests allowed back to back from a full bucket; ``rate``: requests per second
    the bucket refills; ``methods``: which methods are metered (others are never limited).
    """

    burst: int = 20
    rate: float = 5.0
    methods: frozenset[str] = field(default=MATCHING_ENGINE_METHODS)

    def __post_init__(self) -> None:
        if self.burst < 1:
            raise InvalidArgument(f"RateLimitConfig.burst must be >= 1, got {self.burst}")
        if not self.rate > 0:
            raise InvalidArgument(f"RateLimitConfig.rate must be > 0 per second, got {self.rate}")


class CreditBuckets:
    """One bucket per account; not thread-safe by itself (the exchange holds its lock)."""

    def __init__(self, config: RateLimitConfig) -> None:
        self.config = config
        self._credits: dict[str, float] = {}
        self._updated_us: dict[str, int] = {}

    def try_spend(self, account: str, method: str, *, now_us: int) -> bool:
        """Spend one request's credit for ``account``; False when the bucket is too low."""
        if method not in self.config.methods:
            return True
        credits = self.available(account, now_us=now_us)
        self._updated_us[account] = now_us
        if credits < 1.0:
            self._credits[account] = credits
            return False
        self._credits[account] = credits - 1.0
        return True

    def available(self, account: str, *, now_us: int) -> float:
        """Credits ``account`` would have at ``now_us`` (refill applied, capped at burst)."""
        burst = float(self.config.burst)
        if account not in self._credits:
            return burst
        elapsed_s = max(0, now_us - self._updated_us[account]) / 1_000_000
        return min(burst, self._credits[account] + elapsed_s * self.config.rate)
