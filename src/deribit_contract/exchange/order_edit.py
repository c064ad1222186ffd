"""``private/edit``: change the amount and price of an open limit order, keeping its id.

As on Deribit, the answer is ``{order, trades}`` with ``replaced: true``; a new price that
crosses the book trades at once (the trades are in the answer), a post-only edit that would
cross is rejected with 11054, and an order that is no longer open gets 11044 ``not_open_order``
(the code ``private/cancel`` uses for the same case).

An edit goes through the checks a new order does (:mod:`.methods`): the amount on the contract
grid, the price on the tick or beyond the band (clamped to the band edge, as ``buy``/``sell``
rest it), post-only, the initial margin (:mod:`.margin`). A reduce-only order stays within what the position allows: its unfilled
part is cut to what it can still reduce, and the account's other reduce-only orders are fitted
behind it (:mod:`.reduce_only`); one that could reduce nothing is refused
(:data:`~deribit_contract.facts.REDUCE_ONLY`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from deribit_contract.exchange.jsonrpc import ErrorCode
from deribit_contract.exchange.margin import require_margin
from deribit_contract.exchange.methods import Context, limit_price, order_amount
from deribit_contract.exchange.params import RpcError, invalid_params, opt_bool, req_str
from deribit_contract.exchange.reduce_only import reducible
from deribit_contract.facts import REDUCE_ONLY

__all__ = ["HANDLERS"]


def _edit(ctx: Context) -> Any:
    venue = ctx.venue
    order = venue.orders.get(req_str(ctx.params, "order_id"))
    if order is None or order.client_id != ctx.account:
        raise RpcError(ErrorCode.ORDER_NOT_FOUND, "order_not_found")
    if order.order_id not in venue.open_order_ids:
        raise RpcError(ErrorCode.NOT_OPEN_ORDER, "not_open_order")
    instrument = order.instrument
    amount = order_amount(ctx.params, instrument)
    if amount < order.filled_amount:
        raise invalid_params("amount", "must not be below the filled amount")
    price = limit_price(ctx, instrument, "limit", order.direction)
    assert price is not None  # a limit price is required
    book = venue.books[instrument.name]
    edge = book.market_cap(order.direction)
    price = min(price, edge) if order.direction == "buy" else max(price, edge)
    post_only = opt_bool(ctx.params, "post_only", default=order.post_only)
    if post_only and book.crosses(order.direction, price):
        raise RpcError(
            ErrorCode.POST_ONLY_REJECT,
            "post_only_reject",
            {"reason": "post_only order would trade on arrival", "param": "price"},
        )
    if order.reduce_only and not venue.tweaks.edit_uncapped:
        room = reducible(venue.position(ctx.account, instrument).size, order.direction)
        if room <= 0:
            raise RpcError(
                REDUCE_ONLY.cannot_reduce_code,
                "other_reject",
                {"reason": REDUCE_ONLY.cannot_reduce_reason, "param": "amount"},
            )
        amount = min(amount, order.filled_amount + room)
    elif not order.reduce_only:
        unfilled = amount - order.filled_amount
        require_margin(
            venue, ctx.account, instrument, order.direction, unfilled, replacing=order.order_id
        )
    order.amount, order.price, order.post_only = amount, price, post_only
    order.replaced, order.last_update_timestamp = True, ctx.now_ms
    # an uncapped edit (a fault) must also escape the re-fitting that would undo it at once
    trades = venue.fill_resting(order, now_ms=ctx.now_ms, follow=not venue.tweaks.edit_uncapped)
    return {"order": order.to_json(), "trades": [trade.to_json() for trade in trades]}


HANDLERS: Mapping[str, Callable[[Context], Any]] = {"private/edit": _edit}
