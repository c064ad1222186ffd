"""The JSON-RPC methods of the simulation: read params, act on the venue, shape the result.

Each handler takes a :class:`Context` (params already stripped of ``access_token``; the caller
already authorised private methods and charged the rate limit) and returns the ``result`` value
or raises :class:`~deribit_contract.exchange.params.RpcError`. close_position reads the
:class:`~deribit_contract.exchange.faults.CloseTweaks` of an execution fault (never a fault's
name); response faults are applied later by the exchange using the
:class:`~deribit_contract.exchange.faults.CloseContext` set here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from deribit_contract.exchange.accounts import Accounts
from deribit_contract.exchange.faults import NO_TWEAKS, CloseContext, CloseTweaks
from deribit_contract.exchange.instruments import INSTRUMENTS, Instrument, as_float
from deribit_contract.exchange.jsonrpc import ErrorCode
from deribit_contract.exchange.margin import require_margin
from deribit_contract.exchange.orders import Direction, SimOrder, SimTrade
from deribit_contract.exchange.params import (
    RpcError,
    invalid_params,
    opt_bool,
    opt_decimal,
    opt_enum,
    opt_str,
    req_enum,
    req_instrument,
    req_str,
)
from deribit_contract.exchange.reduce_only import reducible
from deribit_contract.exchange.trading import OrderRequest, Venue
from deribit_contract.facts import REDUCE_ONLY

__all__ = ["CLOSE_TYPES", "HANDLERS", "OPEN_ORDER_TYPES", "Context", "limit_price", "order_amount"]

CLOSE_TYPES = ("limit", "market")
_ORDER_TYPES = ("limit", "market")
_TIME_IN_FORCE = ("good_til_cancelled", "good_til_day", "fill_or_kill", "immediate_or_cancel")
#: the ``type`` filter of the open-orders methods
OPEN_ORDER_TYPES = ("all", "limit", "trigger_all", "stop_all")


@dataclass
class Context:
    """Everything a handler may touch for one request."""

    method: str
    params: dict[str, Any]
    client_id: str | None
    user_id: int
    now_us: int
    venue: Venue
    accounts: Accounts
    #: how an execution fault bends close_position (:data:`NO_TWEAKS` for the correct exchange)
    tweaks: CloseTweaks = NO_TWEAKS
    #: set by close_position on success, so the exchange can apply a response fault
    close_context: CloseContext | None = field(default=None)

    @property
    def now_ms(self) -> int:
        """Request time in milliseconds (every timestamp the request writes)."""
        return self.now_us // 1000

    @property
    def account(self) -> str:
        """The authorised client id (private methods only)."""
        if self.client_id is None:  # pragma: no cover - the exchange authorises first
            raise RpcError(ErrorCode.UNAUTHORIZED, "unauthorized")
        return self.client_id


def _result(order: SimOrder, trades: list[SimTrade]) -> dict[str, Any]:
    return {"order": order.to_json(), "trades": [trade.to_json() for trade in trades]}


def _auth(ctx: Context) -> Any:
    return ctx.accounts.auth(ctx.params, now_us=ctx.now_us)


def _test(ctx: Context) -> Any:
    # Deribit: 'The value "exception" will trigger an error response', for testing wrappers. No
    # capture shows its code; internal_server_error is the kit's choice (see README, simulator).
    if opt_enum(ctx.params, "expected_result", ("exception",)) == "exception":
        raise RpcError(
            ErrorCode.INTERNAL_SERVER_ERROR,
            "internal_server_error",
            data={"reason": "expected_result=exception"},
        )
    return {"version": "1.2.26-sim"}


def _get_time(ctx: Context) -> Any:
    return ctx.now_ms


def _get_instrument(ctx: Context) -> Any:
    return req_instrument(ctx.params).to_json(ctx.now_ms)


def _ticker(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    book = ctx.venue.books[instrument.name]
    mark = as_float(book.mark_price)
    best_bid, best_ask = (
        (book.bids[0] if book.bids else None),
        (book.asks[0] if book.asks else None),
    )
    return {
        "timestamp": ctx.now_ms,
        "stats": {
            "volume_usd": 0.0,
            "volume_notional": 0.0,  # in a 2026 mainnet ticker (market/fastmm__ticker...)
            "volume": 0.0,
            "price_change": 0.0,
            "low": mark,
            "high": mark,
        },
        "state": "open",
        "settlement_price": mark,
        "open_interest": 0.0,
        "min_price": as_float(book.market_cap("sell")),
        "max_price": as_float(book.market_cap("buy")),
        "mark_price": mark,
        "last_price": as_float(ctx.venue.last_price(instrument.name)),
        "interest_value": 0.0,
        "instrument_name": instrument.name,
        "index_price": as_float(book.index_price),
        "funding_8h": 0.0,
        "estimated_delivery_price": as_float(book.index_price),
        "current_funding": 0.0,
        "best_bid_price": as_float(best_bid.price) if best_bid else None,
        "best_bid_amount": as_float(best_bid.amount) if best_bid else 0.0,
        "best_ask_price": as_float(best_ask.price) if best_ask else None,
        "best_ask_amount": as_float(best_ask.amount) if best_ask else 0.0,
    }


def _get_position(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    book = ctx.venue.books[instrument.name]
    position = ctx.venue.position(ctx.account, instrument)
    ctx.venue.snapshots[(ctx.account, instrument.name)] = position.size
    return position.to_json(mark_price=book.mark_price, index_price=book.index_price)


def limit_price(
    ctx: Context, instrument: Instrument, order_type: str, direction: Direction | None
) -> Decimal | None:
    """``price`` for a limit order (required, on the tick); None for market orders.

    A price beyond the band is clamped to the band edge, which is on the tick
    grid, so its own tick does not matter: Deribit's close example, a sell limit at 145.17 (off
    the 0.05 grid, far below the band), was answered with an order at the band price 198.75.
    """
    if order_type != "limit":
        # a market order ignores its price, but not one that is no scalar at all (an object,
        # a list, a boolean): typed params refuse those whatever the order type
        if isinstance(ctx.params.get("price"), dict | list | bool):
            raise invalid_params("price", "must be a number")
        return None
    price = opt_decimal(ctx.params, "price")
    if price is None:
        raise invalid_params("price", "value required")
    problem = instrument.price_problem(price)
    if problem is not None and price > 0 and direction is not None:
        edge = ctx.venue.books[instrument.name].market_cap(direction)
        if price > edge if direction == "buy" else price < edge:
            return price  # the venue rests it at the edge
    if problem is not None:
        raise invalid_params("price", problem)
    return price


def order_amount(params: dict[str, Any], instrument: Instrument) -> Decimal:
    """``amount`` (or ``contracts`` times the contract size; both must agree), on the grid."""
    amount = opt_decimal(params, "amount")
    contracts = opt_decimal(params, "contracts")
    if amount is None and contracts is None:
        raise invalid_params("amount", "value required")
    if contracts is not None:
        from_contracts = contracts * instrument.contract_size
        if amount is not None and amount != from_contracts:
            raise invalid_params("contracts", "does not match amount")
        amount = from_contracts
    assert amount is not None
    problem = instrument.amount_problem(amount)
    if problem is not None:
        raise invalid_params("amount", problem)
    return amount


def _trade(ctx: Context, direction: Direction) -> Any:
    """private/buy and private/sell."""
    params = ctx.params
    instrument = req_instrument(params)
    amount = order_amount(params, instrument)
    order_type = opt_enum(params, "type", _ORDER_TYPES) or "limit"
    price = limit_price(ctx, instrument, order_type, direction)
    label = opt_str(params, "label") or ""
    if len(label) > 64:
        raise invalid_params("label", "must be at most 64 characters")
    reduce_only = opt_bool(params, "reduce_only", default=False)
    if reduce_only:
        room = reducible(ctx.venue.position(ctx.account, instrument).size, direction)
        if room <= 0:
            raise RpcError(
                REDUCE_ONLY.cannot_reduce_code,
                "other_reject",
                {"reason": REDUCE_ONLY.cannot_reduce_reason, "param": "reduce_only"},
            )
        amount = min(amount, room)
    else:
        require_margin(ctx.venue, ctx.account, instrument, direction, amount)
    request = OrderRequest(
        client_id=ctx.account,
        user_id=ctx.user_id,
        instrument=instrument,
        direction=direction,
        amount=amount,
        order_type=order_type,
        price=price,
        reduce_only=reduce_only,
        post_only=opt_bool(params, "post_only", default=False) and order_type == "limit",
        label=label,
        time_in_force=opt_enum(params, "time_in_force", _TIME_IN_FORCE) or "good_til_cancelled",
    )
    return _result(*ctx.venue.place(request, now_ms=ctx.now_ms))


def _close_position(ctx: Context) -> Any:
    """private/close_position: a reduce-only order for exactly |position|, opposite side.

    ``ctx.tweaks`` (all defaults for the correct exchange) bend the close for execution faults.
    """
    params, tweaks, venue = ctx.params, ctx.tweaks, ctx.venue
    instrument = req_instrument(params)
    if tweaks.accept_any_type:
        close_type = req_str(params, "type")
        if close_type not in CLOSE_TYPES:
            close_type = "market"
    else:
        close_type = req_enum(params, "type", CLOSE_TYPES)
    size = venue.position(ctx.account, instrument).size
    if tweaks.close_from_snapshot:
        size = venue.snapshots.get((ctx.account, instrument.name), size)
    closing: Direction | None = None if size == 0 else ("sell" if size > 0 else "buy")
    price = limit_price(ctx, instrument, close_type, closing)
    if size == 0 and not tweaks.close_when_flat:
        raise RpcError(
            ErrorCode.OTHER_REJECT,
            "other_reject",
            {"reason": "no open position", "param": "instrument_name"},
        )
    if tweaks.fail_with is not None:
        raise RpcError(tweaks.fail_with)
    direction: Direction = "sell" if size > 0 else "buy"
    if tweaks.same_direction:
        direction = "buy" if direction == "sell" else "sell"
    amount = abs(size)
    if tweaks.amount_factor != 1:
        scaled = amount * tweaks.amount_factor // instrument.contract_size
        amount = max(scaled * instrument.contract_size, instrument.min_trade_amount)
    request = OrderRequest(
        client_id=ctx.account,
        user_id=ctx.user_id,
        instrument=instrument,
        direction=direction,
        amount=amount,
        order_type=close_type,
        price=price,
        reduce_only=True,
    )
    book = venue.books[instrument.name]
    walk_limit = None
    if tweaks.ignore_limit and price is not None:
        walk_limit = book.market_cap(direction)
    order, trades = venue.place(
        request,
        now_ms=ctx.now_ms,
        walk_limit=walk_limit,
        update_position=tweaks.update_position,
    )
    names = list(INSTRUMENTS)
    ctx.close_context = CloseContext(
        requested_type=close_type,
        tick_size=instrument.tick_size,
        other_instrument=names[(names.index(instrument.name) + 1) % len(names)],
        foreign_order_id=f"{instrument.id_prefix}{int(order.order_id.split('-')[-1]) + 7}",
    )
    return _result(order, trades)


def _own_order(ctx: Context, order_id: str) -> SimOrder:
    order = ctx.venue.orders.get(order_id)
    if order is None or order.client_id != ctx.account:
        raise RpcError(ErrorCode.ORDER_NOT_FOUND, "order_not_found")
    return order


def _get_order_state(ctx: Context) -> Any:
    return _own_order(ctx, req_str(ctx.params, "order_id")).to_json()


def _cancel(ctx: Context) -> Any:
    order = _own_order(ctx, req_str(ctx.params, "order_id"))
    if order.order_id not in ctx.venue.open_order_ids:
        raise RpcError(ErrorCode.NOT_OPEN_ORDER, "not_open_order")
    ctx.venue.open_order_ids.remove(order.order_id)
    order.order_state, order.cancel_reason = "cancelled", "user_request"
    order.last_update_timestamp = ctx.now_ms
    return order.to_json()


def _open_orders(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    kind = opt_enum(ctx.params, "type", OPEN_ORDER_TYPES) or "all"
    orders = ctx.venue.open_orders(ctx.account, instrument)
    if kind not in ("all", "limit"):
        orders = []  # the simulation has no trigger orders
    return [order.to_json() for order in orders]


def _cancel_all_by_instrument(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    return ctx.venue.cancel_all(ctx.account, instrument, now_ms=ctx.now_ms)


HANDLERS: Mapping[str, Callable[[Context], Any]] = {
    "public/auth": _auth,
    "public/test": _test,
    "public/get_time": _get_time,
    "public/get_instrument": _get_instrument,
    "public/ticker": _ticker,
    "private/get_position": _get_position,
    "private/buy": lambda ctx: _trade(ctx, "buy"),
    "private/sell": lambda ctx: _trade(ctx, "sell"),
    "private/close_position": _close_position,
    "private/get_open_orders_by_instrument": _open_orders,
    "private/cancel": _cancel,
    "private/cancel_all_by_instrument": _cancel_all_by_instrument,
    "private/get_order_state": _get_order_state,
}
