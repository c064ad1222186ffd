"""The methods real clients (ccxt and friends) call around trading, as OpenAPI needs them.

What the simulated exchange serves as a drop-in staging Deribit besides a contract run's own
methods (:mod:`~deribit_contract.schema.openapi_core_methods`): markets, currencies, the order
book, index, status, balances, positions, orders, edits and user trades.
"""

from __future__ import annotations

from deribit_contract.schema.openapi_shapes import (
    INSTRUMENT_NAME,
    NUMBER,
    OPEN_ORDER_TYPE,
    ORDER_AND_TRADES_REF,
    ORDER_REF,
    TIMESTAMP,
    TRADE_REF,
    MethodSpec,
    Schema,
    instrument,
    open_object,
    params_object,
    position,
    trades_page,
)

__all__ = ["staging_specs"]

_CURRENCY: Schema = {"type": "string", "description": "BTC, ETH, USDC, ... or any"}
_KIND: Schema = {
    "type": "string",
    "enum": ["future", "option", "spot", "future_combo", "option_combo", "any"],
}
_SORTING: Schema = {"type": "string", "enum": ["asc", "desc", "default"]}
_COUNT: Schema = {"type": "integer", "minimum": 1, "maximum": 1000}
_LEVELS: Schema = {
    "type": "array",
    "items": {"type": "array", "prefixItems": [NUMBER, NUMBER], "minItems": 2},
}


def _account_summary() -> Schema:
    return open_object(
        ("currency", "balance", "equity"),
        currency={"type": "string"},
        balance=NUMBER,
        equity=NUMBER,
        available_funds=NUMBER,
        initial_margin=NUMBER,
        maintenance_margin=NUMBER,
    )


def staging_specs() -> tuple[MethodSpec, ...]:
    """The methods real clients (ccxt and friends) call around trading."""
    market = ("Market Data", "Public")
    account = ("Account Management", "Private")
    return (
        MethodSpec(
            "public/get_instruments",
            "The listed instruments (by currency and kind); expired=true lists past expiries.",
            params_object((), currency=_CURRENCY, kind=_KIND, expired={"type": "boolean"}),
            {"type": "array", "items": instrument()},
            private=False,
            tags=market,
        ),
        MethodSpec(
            "public/get_currencies",
            "The currencies the exchange settles in.",
            params_object(()),
            {"type": "array", "items": open_object(("currency",), currency={"type": "string"})},
            private=False,
            tags=market,
        ),
        MethodSpec(
            "public/get_order_book",
            "The order book of one instrument, best levels first ([price, amount] pairs).",
            params_object(
                ("instrument_name",),
                instrument_name=INSTRUMENT_NAME,
                depth={"type": "integer", "minimum": 1},
            ),
            open_object(
                ("instrument_name", "bids", "asks", "timestamp"),
                instrument_name=INSTRUMENT_NAME,
                bids=_LEVELS,
                asks=_LEVELS,
                timestamp=TIMESTAMP,
                mark_price=NUMBER,
            ),
            private=False,
            tags=market,
        ),
        MethodSpec(
            "public/get_index_price",
            "The current value of one index (btc_usd, eth_usdc, ...).",
            params_object(("index_name",), index_name={"type": "string", "minLength": 1}),
            open_object(
                ("index_price", "estimated_delivery_price"),
                index_price=NUMBER,
                estimated_delivery_price=NUMBER,
            ),
            private=False,
            tags=market,
        ),
        MethodSpec(
            "public/status",
            "Whether trading is locked, platform-wide or per index.",
            params_object(()),
            open_object(("locked",), locked={"type": "string"}, locked_indices={"type": "array"}),
            private=False,
            tags=("Supporting", "Public"),
        ),
        MethodSpec(
            "public/hello",
            "Introduces the client software; answers the API version.",
            params_object(
                ("client_name", "client_version"),
                client_name={"type": "string", "minLength": 1},
                client_version={"type": "string", "minLength": 1},
            ),
            open_object(("version",), version={"type": "string"}),
            private=False,
            tags=("Supporting", "Public"),
        ),
        MethodSpec(
            "private/get_positions",
            "The caller's open positions (by currency and kind).",
            params_object((), currency=_CURRENCY, kind=_KIND),
            {"type": "array", "items": position()},
            private=True,
            tags=account,
        ),
        MethodSpec(
            "private/get_account_summary",
            "Balance, equity and margins of the caller in one currency.",
            params_object(("currency",), currency=_CURRENCY, extended={"type": "boolean"}),
            _account_summary(),
            private=True,
            tags=account,
        ),
        MethodSpec(
            "private/get_account_summaries",
            "The caller's account summary in every currency.",
            params_object((), extended={"type": "boolean"}),
            open_object(("summaries",), summaries={"type": "array", "items": _account_summary()}),
            private=True,
            tags=account,
        ),
        MethodSpec(
            "private/get_user_trades_by_instrument",
            "The caller's fills on one instrument, newest first unless sorting=asc.",
            params_object(
                ("instrument_name",),
                instrument_name=INSTRUMENT_NAME,
                count=_COUNT,
                start_seq={"type": "integer", "minimum": 0},
                end_seq={"type": "integer", "minimum": 0},
                sorting=_SORTING,
            ),
            trades_page(),
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_user_trades_by_currency",
            "The caller's fills in one currency (by kind), newest first unless sorting=asc.",
            params_object(
                ("currency",), currency=_CURRENCY, kind=_KIND, count=_COUNT, sorting=_SORTING
            ),
            trades_page(),
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_open_orders_by_currency",
            "The caller's open orders in one currency (by kind and order type).",
            params_object(
                ("currency",),
                currency=_CURRENCY,
                kind=_KIND,
                type=OPEN_ORDER_TYPE,
            ),
            {"type": "array", "items": {"$ref": ORDER_REF}},
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_user_trades_by_order",
            "The fills of one of the caller's orders (empty for an unknown id, as Deribit).",
            params_object(
                ("order_id",),
                order_id={"type": "string", "minLength": 1},
                sorting=_SORTING,
            ),
            {"type": "array", "items": {"$ref": TRADE_REF}},
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/edit",
            "Changes the amount and price of one open order; the result is order and trades.",
            params_object(
                ("order_id", "price"),
                order_id={"type": "string", "minLength": 1},
                amount={"type": "number", "exclusiveMinimum": 0},
                contracts={"type": "number", "exclusiveMinimum": 0},
                price=NUMBER,
                post_only={"type": "boolean"},
                reduce_only={"type": "boolean"},
            ),
            {"$ref": ORDER_AND_TRADES_REF},
            private=True,
            tags=("Trading", "Matching Engine", "Private"),
        ),
    )
