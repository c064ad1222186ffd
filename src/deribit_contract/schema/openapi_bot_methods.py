"""The housekeeping and market methods bots call besides trading, as OpenAPI needs them.

``serve`` answers them (``exchange/staging_orders.py``, ``exchange/staging_market.py``): open
orders and the cancel-all family, order history, margins, subaccounts and the transaction log;
book summaries, the public tape, candles, funding and contract sizes. Results are open objects
listing the fields the simulation and typed clients agree on.
"""

from __future__ import annotations

from deribit_contract.schema.openapi_shapes import (
    INSTRUMENT_NAME,
    NUMBER,
    ORDER_REF,
    TIMESTAMP,
    MethodSpec,
    Schema,
    open_object,
    params_object,
)

__all__ = ["bot_specs"]

_CURRENCY: Schema = {"type": "string", "enum": ["BTC", "ETH", "USDC", "USDT", "EURR", "any"]}
_KIND: Schema = {
    "type": "string",
    "enum": ["future", "option", "spot", "future_combo", "option_combo", "any"],
}
_TYPE: Schema = {"type": "string", "enum": ["all", "limit", "trigger_all", "stop_all"]}
_COUNT: Schema = {"type": "integer", "minimum": 1, "maximum": 1000}
_ORDERS: Schema = {"type": "array", "items": {"$ref": ORDER_REF}}
_CANCELLED: Schema = {"type": "integer", "minimum": 0, "description": "orders cancelled"}
_RESOLUTION: Schema = {
    "type": "string",
    "enum": ["1", "3", "5", "10", "15", "30", "60", "120", "180", "360", "720", "1D"],
}
_COLUMN: Schema = {"type": "array", "items": NUMBER}


def _private(name: str, summary: str, params: Schema, result: Schema) -> MethodSpec:
    return MethodSpec(name, summary, params, result, private=True, tags=("Trading", "Private"))


def _public(name: str, summary: str, params: Schema, result: Schema) -> MethodSpec:
    return MethodSpec(name, summary, params, result, private=False, tags=("Market Data", "Public"))


def _order_specs() -> tuple[MethodSpec, ...]:
    return (
        _private(
            "private/get_open_orders",
            "The account's open orders on every instrument.",
            params_object((), kind=_KIND, type=_TYPE),
            _ORDERS,
        ),
        _private(
            "private/cancel_all",
            "Cancel every open order of the account; the count cancelled.",
            params_object((), detailed={"type": "boolean", "const": False}),
            _CANCELLED,
        ),
        _private(
            "private/cancel_all_by_currency",
            "Cancel the open orders of one currency (and kind); the count cancelled.",
            params_object(("currency",), currency=_CURRENCY, kind=_KIND, type=_TYPE),
            _CANCELLED,
        ),
        _private(
            "private/cancel_all_by_kind_or_type",
            "Cancel the open orders of some currencies (and kind); the count cancelled.",
            params_object(
                ("currency",),
                currency={"anyOf": [_CURRENCY, {"type": "array", "items": _CURRENCY}]},
                kind=_KIND,
            ),
            _CANCELLED,
        ),
        _private(
            "private/get_order_history_by_instrument",
            "The account's finished orders on one instrument, newest first.",
            params_object(
                ("instrument_name",),
                instrument_name=INSTRUMENT_NAME,
                count=_COUNT,
                offset={"type": "integer", "minimum": 0},
                include_unfilled={"type": "boolean"},
            ),
            _ORDERS,
        ),
        _private(
            "private/get_margins",
            "The initial margin an order of this amount and price would take.",
            params_object(
                ("instrument_name", "amount", "price"),
                instrument_name=INSTRUMENT_NAME,
                amount={"type": "number", "exclusiveMinimum": 0},
                price={"type": "number", "exclusiveMinimum": 0},
            ),
            open_object(
                ("buy", "sell", "max_price", "min_price"),
                buy=NUMBER,
                sell=NUMBER,
                max_price=NUMBER,
                min_price=NUMBER,
            ),
        ),
        _private(
            "private/get_subaccounts",
            "The main account (the simulation has no subaccounts).",
            params_object((), with_portfolio={"type": "boolean"}),
            {
                "type": "array",
                "items": open_object(
                    ("id", "username", "type"),
                    id={"type": "integer"},
                    username={"type": "string"},
                    type={"type": "string", "enum": ["main", "subaccount"]},
                ),
            },
        ),
        _private(
            "private/get_transaction_log",
            "The account's fills in one currency between two times, as log entries.",
            params_object(
                ("currency", "start_timestamp", "end_timestamp"),
                currency={"type": "string", "enum": ["BTC", "ETH", "USDC"]},
                start_timestamp=TIMESTAMP,
                end_timestamp=TIMESTAMP,
                count=_COUNT,
            ),
            open_object(("logs",), logs={"type": "array", "items": {"type": "object"}}),
        ),
    )


def _market_specs() -> tuple[MethodSpec, ...]:
    summary = open_object(
        ("instrument_name", "mark_price"), instrument_name=INSTRUMENT_NAME, mark_price=NUMBER
    )
    return (
        _public(
            "public/get_book_summary_by_currency",
            "A summary of every book of one currency (and kind).",
            params_object(("currency",), currency=_CURRENCY, kind=_KIND),
            {"type": "array", "items": summary},
        ),
        _public(
            "public/get_book_summary_by_instrument",
            "A summary of one book.",
            params_object(("instrument_name",), instrument_name=INSTRUMENT_NAME),
            {"type": "array", "items": summary},
        ),
        _public(
            "public/get_last_trades_by_instrument",
            "The public tape of one instrument, newest first by default.",
            params_object(
                ("instrument_name",),
                instrument_name=INSTRUMENT_NAME,
                count=_COUNT,
                sorting={"type": "string", "enum": ["asc", "desc", "default"]},
            ),
            open_object(
                ("trades", "has_more"),
                trades={"type": "array", "items": {"type": "object"}},
                has_more={"type": "boolean"},
            ),
        ),
        _public(
            "public/get_tradingview_chart_data",
            "OHLC candles of one instrument's fills between two times.",
            params_object(
                ("instrument_name", "start_timestamp", "end_timestamp", "resolution"),
                instrument_name=INSTRUMENT_NAME,
                start_timestamp=TIMESTAMP,
                end_timestamp=TIMESTAMP,
                resolution=_RESOLUTION,
            ),
            open_object(
                ("status", "ticks", "open", "high", "low", "close", "volume", "cost"),
                status={"type": "string", "enum": ["ok", "no_data"]},
                ticks={"type": "array", "items": {"type": "integer"}},
                open=_COLUMN,
                high=_COLUMN,
                low=_COLUMN,
                close=_COLUMN,
                volume=_COLUMN,
                cost=_COLUMN,
            ),
        ),
        _public(
            "public/get_funding_rate_value",
            "The funding a perpetual paid between two times.",
            params_object(
                ("instrument_name", "start_timestamp", "end_timestamp"),
                instrument_name=INSTRUMENT_NAME,
                start_timestamp=TIMESTAMP,
                end_timestamp=TIMESTAMP,
            ),
            NUMBER,
        ),
        _public(
            "public/get_contract_size",
            "The contract size of one instrument.",
            params_object(("instrument_name",), instrument_name=INSTRUMENT_NAME),
            open_object(
                ("contract_size",), contract_size={"type": "number", "exclusiveMinimum": 0}
            ),
        ),
    )


def bot_specs() -> tuple[MethodSpec, ...]:
    """The housekeeping and market methods bots call besides trading."""
    return (*_order_specs(), *_market_specs())
