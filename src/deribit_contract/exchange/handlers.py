"""Every method the simulation answers, by name: the one table ``SimulatedExchange`` routes by.

The core methods around a close (:mod:`.methods`, :mod:`.order_edit`), market data
(:mod:`.market_data`, :mod:`.staging_market`), the account (:mod:`.portfolio`) and the order
housekeeping bots call (:mod:`.staging_orders`). Routing is where the expiry rule lives, so no
handler can forget it: an instrument past its expiry (``BTC-27JUN25`` once the clock is past
27 June 2025) is listed inactive and takes no order, as its real book is archived.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from deribit_contract.exchange import (
    market_data,
    methods,
    order_edit,
    portfolio,
    staging_market,
    staging_orders,
)
from deribit_contract.exchange.instruments import INSTRUMENTS
from deribit_contract.exchange.jsonrpc import ErrorCode
from deribit_contract.exchange.methods import Context
from deribit_contract.exchange.params import RpcError

__all__ = ["HANDLERS", "ORDER_PLACING", "refuse_expired"]

#: methods that put an order on a book: refused on an expired instrument
ORDER_PLACING = ("private/buy", "private/sell", "private/edit", "private/close_position")


def refuse_expired(
    handlers: Mapping[str, Callable[[Context], Any]],
) -> dict[str, Callable[[Context], Any]]:
    """``handlers`` with each order-placing one refusing an expired instrument (10020
    ``invalid_or_unsupported_instrument``: the name no longer denotes a tradable book)."""

    def guarded(handler: Callable[[Context], Any]) -> Callable[[Context], Any]:
        def run(ctx: Context) -> Any:
            name = ctx.params.get("instrument_name")
            order = ctx.venue.orders.get(str(ctx.params.get("order_id", "")))
            instrument = INSTRUMENTS.get(name) if isinstance(name, str) else None
            instrument = instrument or (order.instrument if order is not None else None)
            if instrument is not None and instrument.expired(ctx.now_ms):
                raise RpcError(
                    ErrorCode.INVALID_INSTRUMENT,
                    data={"reason": "instrument expired", "param": "instrument_name"},
                )
            return handler(ctx)

        return run

    return {
        method: guarded(handler) if method in ORDER_PLACING else handler
        for method, handler in handlers.items()
    }


HANDLERS: Mapping[str, Callable[[Context], Any]] = refuse_expired(
    {
        **methods.HANDLERS,
        **market_data.HANDLERS,
        **portfolio.HANDLERS,
        **order_edit.HANDLERS,
        **staging_market.HANDLERS,
        **staging_orders.HANDLERS,
    }
)
