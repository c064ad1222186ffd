"""Every method the simulation answers, by name: the one table ``SimulatedExchange`` routes by.

The core methods around a close (:mod:`.methods`, :mod:`.order_edit`), market data
(:mod:`.market_data`, :mod:`.staging_market`), the account (:mod:`.portfolio`) and the order
housekeeping bots call (:mod:`.staging_orders`), with the order-placing ones refusing an
expired instrument (:func:`.staging_orders.refuse_expired`).
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

__all__ = ["HANDLERS"]

HANDLERS: Mapping[str, Callable[[methods.Context], Any]] = staging_orders.refuse_expired(
    {
        **methods.HANDLERS,
        **market_data.HANDLERS,
        **portfolio.HANDLERS,
        **order_edit.HANDLERS,
        **staging_market.HANDLERS,
        **staging_orders.HANDLERS,
    }
)
