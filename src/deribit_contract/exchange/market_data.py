"""Public market-data and platform methods real clients call before they trade.

ccxt's ``load_markets`` reads ``public/get_currencies`` then ``public/get_instruments``; bots
poll ``public/get_order_book``, ``public/get_index_price``, ``public/status`` and greet with
``public/hello``. Shapes follow the vendor's documentation examples (the fields ccxt and the
docs show); values come from the simulation's instruments and books.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from deribit_contract.exchange.instruments import INSTRUMENTS, Instrument, as_float
from deribit_contract.exchange.methods import HANDLERS as CORE_HANDLERS
from deribit_contract.exchange.methods import Context
from deribit_contract.exchange.params import (
    invalid_params,
    opt_bool,
    opt_decimal,
    opt_enum,
    opt_str,
    req_instrument,
    req_str,
)

__all__ = ["CURRENCIES", "HANDLERS", "KINDS", "SIM_VERSION", "currency_filter"]

SIM_VERSION = "1.2.26-sim"
#: currency -> (long name, coin type, fee precision, withdrawal fee): what get_currencies lists
CURRENCIES: dict[str, tuple[str, str, int, float]] = {
    "BTC": ("Bitcoin", "BITCOIN", 4, 0.0001),
    "ETH": ("Ethereum", "ETHER", 4, 0.0006),
    "USDC": ("USD Coin", "USDC", 2, 1.0),
}
#: the ``kind`` filter values Deribit accepts (the simulation lists futures only)
KINDS = ("future", "option", "spot", "future_combo", "option_combo", "any")
_MAX_DEPTH = 10_000
_DEFAULT_DEPTH = 20  # what Deribit answers without ``depth``


def currency_filter(ctx: Context, *, required: bool) -> str:
    """``currency``: one the simulation lists or ``any`` (-32602 otherwise, as Deribit)."""
    currency = req_str(ctx.params, "currency") if required else opt_str(ctx.params, "currency")
    if currency is None:
        return "any"
    if currency != "any" and currency not in CURRENCIES:
        raise invalid_params("currency", "invalid currency")
    return currency


def _kind_filter(ctx: Context) -> str:
    return opt_enum(ctx.params, "kind", KINDS) or "any"


def _listed(instrument: Instrument, currency: str, kind: str) -> bool:
    # Deribit groups linear USDC perpetuals under USDC, inverse ones under their coin
    return currency in ("any", instrument.settlement_currency) and kind in ("any", "future")


def _get_instruments(ctx: Context) -> Any:
    """Active instruments, or with ``expired=true`` those whose expiry has passed (as Deribit)."""
    currency, kind = currency_filter(ctx, required=False), _kind_filter(ctx)
    expired = opt_bool(ctx.params, "expired", default=False)
    return [
        i.to_json(ctx.now_ms)
        for i in INSTRUMENTS.values()
        if _listed(i, currency, kind) and (i.expiration_timestamp <= ctx.now_ms) == expired
    ]


def _get_currencies(_ctx: Context) -> Any:
    return [
        {
            "withdrawal_priorities": [],
            "withdrawal_fee": fee,
            "min_withdrawal_fee": fee,
            "min_confirmations": 1,
            "fee_precision": precision,
            "currency_long": long_name,
            "currency": currency,
            "coin_type": coin_type,
            "in_cross_collateral_pool": True,
            "apr": 0.0,
        }
        for currency, (long_name, coin_type, precision, fee) in CURRENCIES.items()
    ]


def _ticker(ctx: Context, instrument: Instrument) -> dict[str, Any]:
    # the ticker is the market layer's; reuse it rather than compute a second one here
    result: dict[str, Any] = CORE_HANDLERS["public/ticker"](
        replace(ctx, params={"instrument_name": instrument.name})
    )
    return result


def _get_order_book(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    depth = opt_decimal(ctx.params, "depth")
    if depth is not None and (depth != depth.to_integral_value() or not 1 <= depth <= _MAX_DEPTH):
        raise invalid_params("depth", f"must be an integer from 1 to {_MAX_DEPTH}")
    limit = int(depth) if depth is not None else _DEFAULT_DEPTH
    book = ctx.venue.books[instrument.name]
    ticker = _ticker(ctx, instrument)
    return {
        **ticker,
        # moves whenever a fill changes the book (a stand-in for Deribit's sequence)
        "change_id": 1 + sum(t.order.instrument is instrument for t in ctx.venue.trades.values()),
        "bids": [[as_float(level.price), as_float(level.amount)] for level in book.bids[:limit]],
        "asks": [[as_float(level.price), as_float(level.amount)] for level in book.asks[:limit]],
    }


def _get_index_price(ctx: Context) -> Any:
    name = req_str(ctx.params, "index_name")
    for instrument in INSTRUMENTS.values():
        index_name = f"{instrument.base_currency}_{instrument.quote_currency}".lower()
        if index_name == name:
            price = as_float(ctx.venue.books[instrument.name].index_price)
            return {"index_price": price, "estimated_delivery_price": price}
    raise invalid_params("index_name", "unknown index")


def _status(_ctx: Context) -> Any:
    return {"locked": "false", "locked_indices": []}


def _hello(ctx: Context) -> Any:
    req_str(ctx.params, "client_name")
    req_str(ctx.params, "client_version")
    return {"version": SIM_VERSION}


HANDLERS: Mapping[str, Callable[[Context], Any]] = {
    "public/get_instruments": _get_instruments,
    "public/get_currencies": _get_currencies,
    "public/get_order_book": _get_order_book,
    "public/get_index_price": _get_index_price,
    "public/status": _status,
    "public/hello": _hello,
}
