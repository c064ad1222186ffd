"""What an account holds: positions, account summaries (balances), open orders and trades.

ccxt's ``fetch_positions``, ``fetch_balance`` and ``fetch_my_trades`` read these. Balances are
derived, never stored: each currency starts with a fixed deposit, realised PnL and fees from the
account's fills move it, floating PnL and margins come from the open positions at the mark.
The result shapes follow the vendor's documentation and the live
``get_user_trades_by_instrument`` capture (newest trade first, ``{trades, has_more}``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from deribit_contract.exchange.instruments import INSTRUMENTS, as_float
from deribit_contract.exchange.margin import STARTING_FUNDS
from deribit_contract.exchange.market_data import CURRENCIES, KINDS, currency_filter
from deribit_contract.exchange.methods import OPEN_ORDER_TYPES, Context
from deribit_contract.exchange.orders import SimTrade
from deribit_contract.exchange.params import (
    invalid_params,
    opt_bool,
    opt_count,
    opt_decimal,
    opt_enum,
    req_instrument,
    req_str,
)

__all__ = ["HANDLERS", "STARTING_FUNDS"]

_SORTING = ("asc", "desc", "default")


def _positions(ctx: Context, currency: str) -> list[dict[str, Any]]:
    """The account's open positions (size != 0) settling in ``currency`` (or any)."""
    found = []
    for instrument in INSTRUMENTS.values():
        if currency not in ("any", instrument.settlement_currency):
            continue
        position = ctx.venue.positions.get((ctx.account, instrument.name))
        if position is None or position.size == 0:
            continue
        book = ctx.venue.books[instrument.name]
        found.append(position.to_json(mark_price=book.mark_price, index_price=book.index_price))
    return found


def _get_positions(ctx: Context) -> Any:
    currency = currency_filter(ctx, required=False)
    kind = opt_enum(ctx.params, "kind", KINDS)
    if kind not in (None, "any", "future"):
        return []
    return _positions(ctx, currency)


def _own_trades(ctx: Context) -> Iterable[SimTrade]:
    return (trade for trade in ctx.venue.trades.values() if trade.order.client_id == ctx.account)


def _summary(ctx: Context, currency: str) -> dict[str, Any]:
    realized = Decimal(0)
    for instrument in INSTRUMENTS.values():
        position = ctx.venue.positions.get((ctx.account, instrument.name))
        if instrument.settlement_currency == currency and position is not None:
            realized += position.realized_pnl
    positions = _positions(ctx, currency)
    floating = sum((Decimal(str(p["floating_profit_loss"])) for p in positions), Decimal(0))
    fees = sum(
        (t.fee for t in _own_trades(ctx) if t.order.instrument.fee_currency == currency),
        Decimal(0),
    )
    initial = sum(p["initial_margin"] for p in positions)
    maintenance = sum(p["maintenance_margin"] for p in positions)
    balance = STARTING_FUNDS[currency] + realized - fees
    equity = balance + floating
    available = float(equity) - initial
    return {
        "currency": currency,
        "balance": as_float(balance),
        "equity": as_float(equity),
        "margin_balance": as_float(equity),
        "available_funds": available,
        "available_withdrawal_funds": max(0.0, min(available, float(balance))),
        "initial_margin": initial,
        "maintenance_margin": maintenance,
        "projected_initial_margin": initial,
        "projected_maintenance_margin": maintenance,
        "total_pl": as_float(realized + floating),
        "futures_pl": as_float(realized + floating),
        "session_rpl": as_float(realized),
        "session_upl": as_float(floating),
        "futures_session_rpl": as_float(realized),
        "futures_session_upl": as_float(floating),
        # no options are listed: their greeks and session PnL are zero, their maps empty, as a
        # real account without options reports them (typed clients require every one)
        "options_pl": 0.0,
        "options_value": 0.0,
        "options_session_rpl": 0.0,
        "options_session_upl": 0.0,
        "options_delta": 0.0,
        "options_gamma": 0.0,
        "options_theta": 0.0,
        "options_vega": 0.0,
        "options_gamma_map": {},
        "options_theta_map": {},
        "options_vega_map": {},
        "delta_total_map": _delta_map(positions),
        "estimated_liquidation_ratio_map": {},
        "delta_total": round(sum(p["delta"] for p in positions), 9),
        "projected_delta_total": round(sum(p["delta"] for p in positions), 9),
        "fee_balance": 0.0,
        "spot_reserve": 0.0,
        "additional_reserve": 0.0,
        "margin_model": "segregated_sm",
        "portfolio_margining_enabled": False,
        "cross_collateral_enabled": False,
    }


def _delta_map(positions: list[dict[str, Any]]) -> dict[str, float]:
    """Delta per price index (``btc_usd``), as ``delta_total_map`` lists it."""
    deltas: dict[str, float] = {}
    for position in positions:
        index = INSTRUMENTS[position["instrument_name"]].to_json()["price_index"]
        deltas[index] = round(deltas.get(index, 0.0) + position["delta"], 9)
    return dict(sorted(deltas.items()))


def _account_fields(ctx: Context) -> dict[str, Any]:
    return {
        "id": ctx.user_id,
        "username": ctx.account,
        "system_name": ctx.account,
        "type": "main",
        "email": f"{ctx.account}@staging.invalid",
        "creation_timestamp": 1_600_000_000_000,
        "login_enabled": True,
        "security_keys_enabled": False,
        "mmp_enabled": False,
        "interuser_transfers_enabled": False,
        "referrer_id": None,
    }


def _get_account_summary(ctx: Context) -> Any:
    currency = currency_filter(ctx, required=True)
    if currency == "any":
        raise invalid_params("currency", "invalid currency")
    summary = _summary(ctx, currency)
    if opt_bool(ctx.params, "extended", default=False):
        summary.update(_account_fields(ctx))
    return summary


def _get_account_summaries(ctx: Context) -> Any:
    opt_bool(ctx.params, "extended", default=False)  # read for its type: account fields always
    return {**_account_fields(ctx), "summaries": [_summary(ctx, c) for c in CURRENCIES]}


def _page(ctx: Context, trades: list[SimTrade]) -> dict[str, Any]:
    """``{trades, has_more}``: the first ``count`` trades in the requested order."""
    count = opt_count(ctx.params, 10)
    ordered = _sorted(ctx, trades)
    return {"trades": [t.to_json() for t in ordered[:count]], "has_more": len(ordered) > count}


def _sorted(ctx: Context, trades: list[SimTrade]) -> list[SimTrade]:
    # live answers come newest first unless "asc" is asked for
    ascending = opt_enum(ctx.params, "sorting", _SORTING) == "asc"
    return sorted(trades, key=lambda t: t.trade_seq, reverse=not ascending)


def _get_user_trades_by_instrument(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    start_seq, end_seq = opt_decimal(ctx.params, "start_seq"), opt_decimal(ctx.params, "end_seq")
    trades = [
        t
        for t in _own_trades(ctx)
        if t.order.instrument is instrument
        and (start_seq is None or t.trade_seq >= start_seq)
        and (end_seq is None or t.trade_seq <= end_seq)
    ]
    return _page(ctx, trades)


def _get_user_trades_by_currency(ctx: Context) -> Any:
    currency = currency_filter(ctx, required=True)
    kind = opt_enum(ctx.params, "kind", KINDS)
    trades = [
        t
        for t in _own_trades(ctx)
        if currency in ("any", t.order.instrument.settlement_currency)
        and kind in (None, "any", "future")
    ]
    return _page(ctx, trades)


def _get_open_orders_by_currency(ctx: Context) -> Any:
    currency = currency_filter(ctx, required=True)
    kind = opt_enum(ctx.params, "kind", KINDS)
    order_type = opt_enum(ctx.params, "type", OPEN_ORDER_TYPES)
    if kind not in (None, "any", "future") or order_type not in (None, "all", "limit"):
        return []  # only futures, and no trigger orders, in the simulation
    return [
        order.to_json()
        for order in (ctx.venue.orders[oid] for oid in ctx.venue.open_order_ids)
        if order.client_id == ctx.account
        and currency in ("any", order.instrument.settlement_currency)
    ]


def _get_user_trades_by_order(ctx: Context) -> Any:
    order_id = req_str(ctx.params, "order_id")
    opt_enum(ctx.params, "sorting", _SORTING)  # a bad sorting is -32602 even for an unknown id
    order = ctx.venue.orders.get(order_id)
    if order is None or order.client_id != ctx.account:
        return []  # Deribit answers an empty list for an order id it does not know
    trades = [ctx.venue.trades[trade_id] for trade_id in order.trade_ids]
    return [t.to_json() for t in _sorted(ctx, trades)]


HANDLERS: Mapping[str, Callable[[Context], Any]] = {
    "private/get_positions": _get_positions,
    "private/get_account_summary": _get_account_summary,
    "private/get_account_summaries": _get_account_summaries,
    "private/get_user_trades_by_instrument": _get_user_trades_by_instrument,
    "private/get_user_trades_by_order": _get_user_trades_by_order,
    "private/get_user_trades_by_currency": _get_user_trades_by_currency,
    "private/get_open_orders_by_currency": _get_open_orders_by_currency,
}
