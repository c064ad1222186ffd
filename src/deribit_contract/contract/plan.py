"""The plan of a budgeted run: what a URL target gets within its order budget, in which order.

A remote run must end with a complete verdict inside a small order budget (60 by default), so
the suite's tests run in three phases when the run has a budget (always on URL targets):

1. ``checks``: what places no order on a correct exchange: private methods refuse an anonymous
   caller, invalid params are rejected, a token granted ``trade:read`` only cannot close,
   closing while flat is an error (one example each);
2. ``scenarios``: one close of each kind per instrument: market close of a long and of a
   short, a marketable limit close, a limit close that rests and is cancelled;
3. ``sequences``: reduce-only over time, once, on the first instrument: a resting close edited
   past the position, the position reduced by another close and grown, a second reduce-only
   order stacked, a crossing edit, two closes sent at once on two connections, and the
   notifications of it all (:data:`SEQUENCE_ORDERS`);
4. ``exploration``: the property-based tests, with whatever budget is left.

A budget below what phases 1 and 2 need on a correct exchange is refused before any order.
Unbudgeted runs (the local simulator by default) keep their full exploration, in file order.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from deribit_contract.errors import InvalidArgument

__all__ = ["PHASES", "SCENARIOS", "SEQUENCE_ORDERS", "check_budget", "minimum_orders"]

PHASES: tuple[str, ...] = ("checks", "scenarios", "sequences", "exploration")

#: each scenario and the orders it places on a correct exchange: open, close, and one
#: reduce-only order for what a remainder or a partly filled resting close leaves behind
SCENARIOS: Mapping[str, int] = MappingProxyType(
    {
        "market_close_long": 3,
        "market_close_short": 3,
        "marketable_limit_close": 3,
        "resting_limit_close": 3,
    }
)
#: the checks phase opens one position (invalid params must be refused although there is
#: something to close) and flattens it (closing while flat)
_CHECK_ORDERS = 2
#: the reduce-only sequence on a correct exchange: open, rest a close, edit it, reduce by
#: another close, grow, stack a second reduce-only order, a crossing edit, open again, two
#: closes at once (one of them refused), and one reduce-only order for a remainder
SEQUENCE_ORDERS = 10


def minimum_orders(instruments: int) -> int:
    """Orders the checks, scenarios and the sequence need for ``instruments`` instruments."""
    return _CHECK_ORDERS + instruments * sum(SCENARIOS.values()) + SEQUENCE_ORDERS


def check_budget(order_budget: int | None, instruments: int) -> None:
    """Refuse a budget that cannot pay for the minimum plan (0 means: place no order at all)."""
    if order_budget is None or order_budget == 0:
        return
    needed = minimum_orders(instruments)
    if order_budget < needed:
        raise InvalidArgument(
            f"order budget {order_budget} is below the minimum plan of {needed} orders "
            f"({instruments} instrument(s): {_CHECK_ORDERS} for the checks, "
            f"{sum(SCENARIOS.values())} per instrument for one close of each kind, "
            f"{SEQUENCE_ORDERS} for the reduce-only sequence); raise "
            "--order-budget, or trade fewer instruments with --instrument"
        )
