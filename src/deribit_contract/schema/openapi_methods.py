"""The methods around close_position that a contract run calls, as OpenAPI needs them.

close_position's own params and result come from the generated schemas (the vendor's table plus
the errata). The methods a run uses to set up and observe a close (open a position, read it,
cancel) share those component schemas where Deribit's own specification does: ``private/buy``
and ``private/sell`` answer ``PrivateBuyAndSellResponse`` (order + trades) exactly as
close_position does, and ``get_order_state``/``cancel`` answer one order. The remaining results
(``public/auth``, ``ticker``, ``get_instrument``, ``get_position``) are described only as far as
Deribit's documentation and the real captures agree, and stay open to extra fields: this module
must not claim more than the evidence holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ORDER_AND_TRADES_REF", "ORDER_REF", "TRADE_REF", "MethodSpec", "method_specs"]

Schema = dict[str, Any]

ORDER_REF = "#/components/schemas/Order"
TRADE_REF = "#/components/schemas/UserTrade"
ORDER_AND_TRADES_REF = "#/components/schemas/OrderAndTrades"

_INSTRUMENT: Schema = {"type": "string", "description": "Instrument name", "minLength": 1}
_NUMBER: Schema = {"type": "number"}
_TIMESTAMP: Schema = {"type": "integer", "description": "Milliseconds since the Unix epoch"}
_CURRENCY: Schema = {"type": "string", "description": "BTC, ETH, USDC, ... or any"}
_KIND: Schema = {
    "type": "string",
    "enum": ["future", "option", "spot", "future_combo", "option_combo", "any"],
}
_SORTING: Schema = {"type": "string", "enum": ["asc", "desc", "default"]}
_COUNT: Schema = {"type": "integer", "minimum": 1, "maximum": 1000}
_LEVELS: Schema = {
    "type": "array",
    "items": {"type": "array", "prefixItems": [_NUMBER, _NUMBER], "minItems": 2},
}


@dataclass(frozen=True)
class MethodSpec:
    """One JSON-RPC method: its params (an object schema) and its ``result`` schema."""

    name: str
    summary: str
    params: Schema
    result: Schema
    private: bool
    tags: tuple[str, ...] = field(default=())


def _params(required: tuple[str, ...], **properties: Schema) -> Schema:
    # Deribit ignores params a method does not take, and reads an optional one sent as null as
    # absent; close_position's own params schema (from the table) stays strict.
    optional = {
        name: {"anyOf": [schema, {"type": "null"}]} if name not in required else schema
        for name, schema in properties.items()
    }
    return {
        "type": "object",
        "properties": dict(sorted(optional.items())),
        "required": list(required),
    }


def _object(required: tuple[str, ...], **properties: Schema) -> Schema:
    # Results other than close_position's are open: the evidence covers the listed fields only.
    return {
        "type": "object",
        "properties": dict(sorted(properties.items())),
        "required": list(required),
        "additionalProperties": True,
    }


def _order_params() -> Schema:
    return _params(
        ("instrument_name",),
        instrument_name=_INSTRUMENT,
        amount={"type": "number", "exclusiveMinimum": 0},
        contracts={"type": "number", "exclusiveMinimum": 0},
        type={"type": "string", "enum": ["limit", "market"]},
        price=_NUMBER,
        label={"type": "string", "maxLength": 64},
        time_in_force={
            "type": "string",
            "enum": ["good_til_cancelled", "good_til_day", "fill_or_kill", "immediate_or_cancel"],
        },
        post_only={"type": "boolean"},
        reduce_only={"type": "boolean"},
    )


def _position() -> Schema:
    return _object(
        ("instrument_name", "size", "direction", "kind"),
        instrument_name=_INSTRUMENT,
        size=_NUMBER,
        direction={"type": "string", "enum": ["buy", "sell", "zero"]},
        kind={"type": "string"},
        average_price=_NUMBER,
        mark_price=_NUMBER,
        index_price=_NUMBER,
    )


def _instrument() -> Schema:
    return _object(
        ("instrument_name", "contract_size", "min_trade_amount", "tick_size"),
        instrument_name=_INSTRUMENT,
        contract_size={"type": "number", "exclusiveMinimum": 0},
        min_trade_amount={"type": "number", "exclusiveMinimum": 0},
        tick_size={"type": "number", "exclusiveMinimum": 0},
        tick_size_steps={"type": "array"},
        kind={"type": "string"},
        is_active={"type": "boolean"},
    )


def _account_summary() -> Schema:
    return _object(
        ("currency", "balance", "equity"),
        currency={"type": "string"},
        balance=_NUMBER,
        equity=_NUMBER,
        available_funds=_NUMBER,
        initial_margin=_NUMBER,
        maintenance_margin=_NUMBER,
    )


def _staging_specs() -> tuple[MethodSpec, ...]:
    """The methods real clients (ccxt and friends) call around trading."""
    market = ("Market Data", "Public")
    account = ("Account Management", "Private")
    return (
        MethodSpec(
            "public/get_instruments",
            "The listed instruments (by currency and kind); expired=true lists past expiries.",
            _params((), currency=_CURRENCY, kind=_KIND, expired={"type": "boolean"}),
            {"type": "array", "items": _instrument()},
            private=False,
            tags=market,
        ),
        MethodSpec(
            "public/get_currencies",
            "The currencies the exchange settles in.",
            _params(()),
            {"type": "array", "items": _object(("currency",), currency={"type": "string"})},
            private=False,
            tags=market,
        ),
        MethodSpec(
            "public/get_order_book",
            "The order book of one instrument, best levels first ([price, amount] pairs).",
            _params(
                ("instrument_name",),
                instrument_name=_INSTRUMENT,
                depth={"type": "integer", "minimum": 1},
            ),
            _object(
                ("instrument_name", "bids", "asks", "timestamp"),
                instrument_name=_INSTRUMENT,
                bids=_LEVELS,
                asks=_LEVELS,
                timestamp=_TIMESTAMP,
                mark_price=_NUMBER,
            ),
            private=False,
            tags=market,
        ),
        MethodSpec(
            "public/get_index_price",
            "The current value of one index (btc_usd, eth_usdc, ...).",
            _params(("index_name",), index_name={"type": "string", "minLength": 1}),
            _object(
                ("index_price", "estimated_delivery_price"),
                index_price=_NUMBER,
                estimated_delivery_price=_NUMBER,
            ),
            private=False,
            tags=market,
        ),
        MethodSpec(
            "public/status",
            "Whether trading is locked, platform-wide or per index.",
            _params(()),
            _object(("locked",), locked={"type": "string"}, locked_indices={"type": "array"}),
            private=False,
            tags=("Supporting", "Public"),
        ),
        MethodSpec(
            "public/hello",
            "Introduces the client software; answers the API version.",
            _params(
                ("client_name", "client_version"),
                client_name={"type": "string", "minLength": 1},
                client_version={"type": "string", "minLength": 1},
            ),
            _object(("version",), version={"type": "string"}),
            private=False,
            tags=("Supporting", "Public"),
        ),
        MethodSpec(
            "private/get_positions",
            "The caller's open positions (by currency and kind).",
            _params((), currency=_CURRENCY, kind=_KIND),
            {"type": "array", "items": _position()},
            private=True,
            tags=account,
        ),
        MethodSpec(
            "private/get_account_summary",
            "Balance, equity and margins of the caller in one currency.",
            _params(("currency",), currency=_CURRENCY, extended={"type": "boolean"}),
            _account_summary(),
            private=True,
            tags=account,
        ),
        MethodSpec(
            "private/get_account_summaries",
            "The caller's account summary in every currency.",
            _params((), extended={"type": "boolean"}),
            _object(("summaries",), summaries={"type": "array", "items": _account_summary()}),
            private=True,
            tags=account,
        ),
        MethodSpec(
            "private/get_user_trades_by_instrument",
            "The caller's fills on one instrument, newest first unless sorting=asc.",
            _params(
                ("instrument_name",),
                instrument_name=_INSTRUMENT,
                count=_COUNT,
                start_seq={"type": "integer", "minimum": 0},
                end_seq={"type": "integer", "minimum": 0},
                sorting=_SORTING,
            ),
            _object(
                ("trades", "has_more"),
                trades={"type": "array", "items": {"$ref": TRADE_REF}},
                has_more={"type": "boolean"},
            ),
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_user_trades_by_currency",
            "The caller's fills in one currency (by kind), newest first unless sorting=asc.",
            _params(("currency",), currency=_CURRENCY, kind=_KIND, count=_COUNT, sorting=_SORTING),
            _object(
                ("trades", "has_more"),
                trades={"type": "array", "items": {"$ref": TRADE_REF}},
                has_more={"type": "boolean"},
            ),
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_open_orders_by_currency",
            "The caller's open orders in one currency (by kind and order type).",
            _params(
                ("currency",),
                currency=_CURRENCY,
                kind=_KIND,
                type={"type": "string", "enum": ["all", "limit", "trigger_all", "stop_all"]},
            ),
            {"type": "array", "items": {"$ref": ORDER_REF}},
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_user_trades_by_order",
            "The fills of one of the caller's orders (empty for an unknown id, as Deribit).",
            _params(
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
            _params(
                ("order_id", "price"),
                order_id={"type": "string", "minLength": 1},
                amount={"type": "number", "exclusiveMinimum": 0},
                contracts={"type": "number", "exclusiveMinimum": 0},
                price=_NUMBER,
                post_only={"type": "boolean"},
                reduce_only={"type": "boolean"},
            ),
            {"$ref": ORDER_AND_TRADES_REF},
            private=True,
            tags=("Trading", "Matching Engine", "Private"),
        ),
    )


def method_specs() -> tuple[MethodSpec, ...]:
    """Every method besides close_position."""
    return (*_core_specs(), *_staging_specs())


def _core_specs() -> tuple[MethodSpec, ...]:
    """The methods a contract run uses to set up and observe a close."""
    order_id = {"type": "string", "minLength": 1, "description": "The order id"}
    trading = ("Trading", "Matching Engine", "Private")
    return (
        MethodSpec(
            "private/buy",
            "Places a buy order (the same result as close_position: order and trades).",
            _order_params(),
            {"$ref": ORDER_AND_TRADES_REF},
            private=True,
            tags=trading,
        ),
        MethodSpec(
            "private/sell",
            "Places a sell order (the same result as close_position: order and trades).",
            _order_params(),
            {"$ref": ORDER_AND_TRADES_REF},
            private=True,
            tags=trading,
        ),
        MethodSpec(
            "private/cancel",
            "Cancels one open order of the caller; the result is the cancelled order.",
            _params(("order_id",), order_id=order_id),
            {"$ref": ORDER_REF},
            private=True,
            tags=trading,
        ),
        MethodSpec(
            "private/cancel_all_by_instrument",
            "Cancels every open order of the caller on one instrument; the result is how many.",
            _params(("instrument_name",), instrument_name=_INSTRUMENT),
            {"type": "integer", "minimum": 0},
            private=True,
            tags=trading,
        ),
        MethodSpec(
            "private/get_order_state",
            "One order of the caller, by id.",
            _params(("order_id",), order_id=order_id),
            {"$ref": ORDER_REF},
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_open_orders_by_instrument",
            "The caller's open orders on one instrument.",
            _params(
                ("instrument_name",),
                instrument_name=_INSTRUMENT,
                type={"type": "string", "enum": ["all", "limit", "trigger_all", "stop_all"]},
            ),
            {"type": "array", "items": {"$ref": ORDER_REF}},
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_position",
            "The caller's position on one instrument (size signed: positive long).",
            _params(("instrument_name",), instrument_name=_INSTRUMENT),
            _position(),
            private=True,
            tags=("Account Management", "Private"),
        ),
        MethodSpec(
            "public/auth",
            "Authenticates; client_credentials, client_signature or refresh_token grants.",
            _params(
                ("grant_type",),
                grant_type={
                    "type": "string",
                    "enum": ["client_credentials", "client_signature", "refresh_token"],
                },
                client_id={"type": "string"},
                client_secret={"type": "string", "format": "password"},
                refresh_token={"type": "string"},
                scope={"type": "string"},
            ),
            _object(
                ("access_token", "expires_in", "refresh_token", "scope", "token_type"),
                access_token={"type": "string"},
                refresh_token={"type": "string"},
                expires_in={"type": "integer"},
                scope={"type": "string"},
                token_type={"type": "string", "const": "bearer"},
            ),
            private=False,
            tags=("Authentication", "Public"),
        ),
        MethodSpec(
            "public/get_instrument",
            "The facts of one instrument: contract size, minimum amount, tick size.",
            _params(("instrument_name",), instrument_name=_INSTRUMENT),
            _instrument(),
            private=False,
            tags=("Market Data", "Public"),
        ),
        MethodSpec(
            "public/ticker",
            "Mark, index and best prices of one instrument, with the price band.",
            _params(("instrument_name",), instrument_name=_INSTRUMENT),
            _object(
                ("instrument_name", "mark_price", "timestamp"),
                instrument_name=_INSTRUMENT,
                mark_price=_NUMBER,
                index_price=_NUMBER,
                min_price=_NUMBER,
                max_price=_NUMBER,
                best_bid_price={"type": ["number", "null"]},
                best_ask_price={"type": ["number", "null"]},
                timestamp=_TIMESTAMP,
            ),
            private=False,
            tags=("Market Data", "Public"),
        ),
        MethodSpec(
            "public/get_time",
            "The exchange's clock.",
            _params(()),
            _TIMESTAMP,
            private=False,
            tags=("Supporting", "Public"),
        ),
        MethodSpec(
            "public/test",
            "Connectivity check; expected_result=exception makes the server answer an error.",
            _params((), expected_result={"type": "string", "enum": ["exception"]}),
            _object(("version",), version={"type": "string"}),
            private=False,
            tags=("Supporting", "Public"),
        ),
    )
