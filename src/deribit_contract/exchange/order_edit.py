"""``private/edit``: change the amount and price of an open limit order, keeping its id.

As on Deribit, the answer is ``{order, trades}`` with ``replaced: true``; a new price that
crosses the book trades at once (the trades are in the answer), a post-only edit that would
cross is rejected with 11054, and an order that is no longer open gets 11044 ``not_open_order``
(the code ``private/cancel`` uses for the same case).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from deribit_contract.exchange.jsonrpc import ErrorCode
from deribit_contract.exchange.methods import Context
from deribit_contract.exchange.params import (
    RpcError,
    invalid_params,
    opt_bool,
    opt_decimal,
    req_decimal,
    req_str,
)

__all__ = ["HANDLERS"]


def _edit(ctx: Context) -> Any:
    venue = ctx.venue
    order = venue.orders.get(req_str(ctx.params, "order_id"))
    if order is None or order.client_id != ctx.account:
        raise RpcError(ErrorCode.ORDER_NOT_FOUND, "order_not_found")
    if order.order_id not in venue.open_order_ids:
        raise RpcError(ErrorCode.NOT_OPEN_ORDER, "not_open_order")
    instrument = order.instrument
    amount = opt_decimal(ctx.params, "amount")
    contracts = opt_decimal(ctx.params, "contracts")
    if amount is None and contracts is None:
        raise invalid_params("amount", "value required")
    if amount is None:
        assert contracts is not None
        amount = contracts * instrument.contract_size
    problem = instrument.amount_problem(amount)
    if problem is not None:
        raise invalid_params("amount", problem)
    if amount < order.filled_amount:
        raise invalid_params("amount", "must not be below the filled amount")
    price = req_decimal(ctx.params, "price")
    problem = instrument.price_problem(price)
    if problem is not None:
        raise invalid_params("price", problem)
    post_only = opt_bool(ctx.params, "post_only", default=order.post_only)
    book = venue.books[instrument.name]
    if post_only and book.crosses(order.direction, price):
        raise RpcError(
            ErrorCode.POST_ONLY_REJECT,
            "post_only_reject",
            {"reason": "post_only order would trade on arrival", "param": "price"},
        )
    order.amount, order.price, order.post_only = amount, price, post_only
    order.replaced, order.last_update_timestamp = True, ctx.now_ms
    trades = venue.fill_resting(order, now_ms=ctx.now_ms)
    return {"order": order.to_json(), "trades": [trade.to_json() for trade in trades]}


HANDLERS: Mapping[str, Callable[[Context], Any]] = {"private/edit": _edit}
