"""Private order and account methods bots call around their trading.

``get_open_orders``, the ``cancel_all`` family, ``get_order_history_by_instrument``,
``get_margins``, ``get_subaccounts`` and ``get_transaction_log`` answer from the simulation's
orders, fills and accounts in the shapes of the vendor's reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from deribit_contract.exchange.instruments import INSTRUMENTS, Instrument, as_float
from deribit_contract.exchange.market_data import CURRENCIES, KINDS
from deribit_contract.exchange.methods import OPEN_ORDER_TYPES, Context
from deribit_contract.exchange.orders import SimOrder
from deribit_contract.exchange.params import (
    invalid_params,
    opt_bool,
    opt_count,
    opt_decimal,
    opt_enum,
    req_decimal,
    req_enum,
    req_instrument,
)
from deribit_contract.exchange.portfolio import STARTING_FUNDS

__all__ = ["HANDLERS"]

_CURRENCY_ANY = (*CURRENCIES, "any")
_ORDER_TYPE_FILTERS = (
    *OPEN_ORDER_TYPES,
    *("stop", "take"),
    *("stop_limit", "stop_market", "take_all", "take_limit", "take_market"),
    *("trailing_all", "trailing_stop"),
)


def _mine(ctx: Context) -> Iterable[SimOrder]:
    return (ctx.venue.orders[oid] for oid in ctx.venue.open_order_ids)


def _matches(order: SimOrder, ctx: Context, currency: str, kind: str | None) -> bool:
    # the simulation lists futures only: every order is a "future" one
    return (
        order.client_id == ctx.account
        and currency
        in ("any", order.instrument.settlement_currency, order.instrument.base_currency)
        and kind in (None, "any", "future")
    )


def _type_filter(ctx: Context) -> bool:
    """Whether the ``type`` filter admits plain limit/market orders (no trigger orders here)."""
    kind = opt_enum(ctx.params, "type", _ORDER_TYPE_FILTERS)
    return kind in (None, "all", "limit")


def _get_open_orders(ctx: Context) -> Any:
    kind = opt_enum(ctx.params, "kind", KINDS)
    if not _type_filter(ctx):
        return []
    return [o.to_json() for o in _mine(ctx) if _matches(o, ctx, "any", kind)]


def _cancel(ctx: Context, currency: str, kind: str | None) -> int:
    if not _type_filter(ctx) or kind not in (None, "any", "future"):
        return 0
    return sum(
        ctx.venue.cancel_all(ctx.account, instrument, now_ms=ctx.now_ms)
        for instrument in INSTRUMENTS.values()
        if currency in ("any", instrument.settlement_currency, instrument.base_currency)
    )


def _no_detail(ctx: Context) -> None:
    # the per-instrument execution reports of detailed=true are not simulated; say so
    if opt_bool(ctx.params, "detailed", default=False):
        raise invalid_params("detailed", "not supported by the simulation")


def _cancel_all(ctx: Context) -> Any:
    _no_detail(ctx)
    return _cancel(ctx, "any", None)


def _cancel_all_by_currency(ctx: Context) -> Any:
    _no_detail(ctx)
    currency = req_enum(ctx.params, "currency", _CURRENCY_ANY)
    return _cancel(ctx, currency, opt_enum(ctx.params, "kind", KINDS))


def _cancel_all_by_kind_or_type(ctx: Context) -> Any:
    _no_detail(ctx)
    raw = ctx.params.get("currency")
    currencies = raw if isinstance(raw, list) else [raw]
    if not currencies or not all(c in _CURRENCY_ANY for c in currencies):
        raise invalid_params("currency", "invalid currency")
    kind = opt_enum(ctx.params, "kind", KINDS)
    return sum(_cancel(ctx, str(currency), kind) for currency in dict.fromkeys(currencies))


def _get_order_history_by_instrument(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    count, offset = opt_count(ctx.params, 20), int(opt_decimal(ctx.params, "offset") or 0)
    unfilled = opt_bool(ctx.params, "include_unfilled", default=False)
    open_ids = set(ctx.venue.open_order_ids)
    finished = [
        o
        for o in ctx.venue.orders.values()
        if o.client_id == ctx.account
        and o.instrument is instrument
        and o.order_id not in open_ids
        and (unfilled or o.filled_amount > 0)
    ]
    finished.sort(key=lambda o: o.last_update_timestamp, reverse=True)  # newest first
    return [o.to_json() for o in finished[offset : offset + count]]


def _get_margins(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    amount = req_decimal(ctx.params, "amount")
    price = req_decimal(ctx.params, "price")
    if amount <= 0 or price <= 0:
        raise invalid_params("amount" if amount <= 0 else "price", "must be positive")
    ticker = ctx.venue.books[instrument.name]
    # initial margin of an order alone: its size in the settlement coin over the leverage
    size = amount / price if instrument.inverse else amount * price
    margin = as_float(size / Decimal(instrument.max_leverage))
    taker = as_float(size * instrument.taker_commission)
    maker = as_float(size * instrument.maker_commission)
    return {
        "buy": margin,
        "sell": margin,
        "buy_taker_fee": taker,
        "buy_maker_fee": maker,
        "sell_taker_fee": taker,
        "sell_maker_fee": maker,
        "max_price": as_float(ticker.market_cap("buy")),
        "min_price": as_float(ticker.market_cap("sell")),
    }


def _get_subaccounts(ctx: Context) -> Any:
    portfolio = opt_bool(ctx.params, "with_portfolio", default=False)
    account: dict[str, Any] = {
        "id": ctx.user_id,
        "username": ctx.account,
        "email": f"{ctx.account}@staging.invalid",
        "type": "main",
        "system_name": ctx.account,
        "is_password": True,
        "login_enabled": True,
        "receive_notifications": False,
        "security_keys_enabled": False,
        "security_keys_assignments": [],
        "margin_model": "segregated_sm",
        "proof_id": "",
        "proof_id_signature": "",
        "referrals_count": 0,
    }
    if portfolio:
        account["portfolio"] = {
            currency.lower(): {
                "available_funds": as_float(funds),
                "available_withdrawal_funds": as_float(funds),
                "balance": as_float(funds),
                "currency": currency,
                "equity": as_float(funds),
                "initial_margin": 0.0,
                "maintenance_margin": 0.0,
                "margin_balance": as_float(funds),
                "spot_reserve": 0.0,
                "additional_reserve": 0.0,
            }
            for currency, funds in STARTING_FUNDS.items()
        }
    return [account]


def _get_transaction_log(ctx: Context) -> Any:
    currency = req_enum(ctx.params, "currency", tuple(CURRENCIES))
    start = int(req_decimal(ctx.params, "start_timestamp"))
    end = int(req_decimal(ctx.params, "end_timestamp"))
    count = opt_count(ctx.params, 100)
    logs: list[dict[str, Any]] = []
    position: dict[str, Decimal] = {}
    balance = STARTING_FUNDS[currency]
    for seq, trade in enumerate(ctx.venue.trades.values(), start=1):
        order = trade.order
        instrument: Instrument = order.instrument
        if order.client_id != ctx.account or instrument.settlement_currency != currency:
            continue
        signed = trade.amount if order.direction == "buy" else -trade.amount
        held = position.get(instrument.name, Decimal(0)) + signed
        position[instrument.name] = held
        change = trade.profit_loss - trade.fee
        balance += change
        if not start <= trade.timestamp <= end:
            continue
        logs.append(
            {
                "id": int(trade.trade_id.rsplit("-", 1)[-1]),
                "user_seq": seq,
                "user_id": order.user_id,
                "username": ctx.account,
                "user_role": "taker",
                "type": "trade",
                "timestamp": trade.timestamp,
                "currency": currency,
                "instrument_name": instrument.name,
                "trade_id": trade.trade_id,
                "order_id": order.order_id,
                "side": order.direction,
                "price": as_float(trade.price),
                "price_currency": instrument.quote_currency,
                "amount": as_float(trade.amount),
                "position": as_float(held),
                "mark_price": as_float(trade.mark_price),
                "index_price": as_float(trade.index_price),
                "commission": as_float(trade.fee),
                "cashflow": as_float(change),
                "change": as_float(change),
                # the balance after the fill; equity as the balance (no open PnL is booked)
                "balance": as_float(balance),
                "equity": as_float(balance),
                "info": None,
                "interest_pl": 0.0,
                "session_rpl": as_float(trade.profit_loss),
                "session_upl": 0.0,
                "total_interest_pl": 0.0,
                "fee_balance": 0.0,
                "contracts": as_float(instrument.contracts(trade.amount)),
            }
        )
    return {"logs": logs[:count], "continuation": None}


HANDLERS: Mapping[str, Callable[[Context], Any]] = {
    "private/get_open_orders": _get_open_orders,
    "private/cancel_all": _cancel_all,
    "private/cancel_all_by_currency": _cancel_all_by_currency,
    "private/cancel_all_by_kind_or_type": _cancel_all_by_kind_or_type,
    "private/get_order_history_by_instrument": _get_order_history_by_instrument,
    "private/get_margins": _get_margins,
    "private/get_subaccounts": _get_subaccounts,
    "private/get_transaction_log": _get_transaction_log,
}
