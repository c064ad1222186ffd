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

__all__ = ["ORDER_AND_TRADES_REF", "ORDER_REF", "MethodSpec", "method_specs"]

Schema = dict[str, Any]

ORDER_REF = "#/components/schemas/Order"
ORDER_AND_TRADES_REF = "#/components/schemas/OrderAndTrades"

_INSTRUMENT: Schema = {"type": "string", "description": "Instrument name", "minLength": 1}
_NUMBER: Schema = {"type": "number"}
_TIMESTAMP: Schema = {"type": "integer", "description": "Milliseconds since the Unix epoch"}


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


def method_specs() -> tuple[MethodSpec, ...]:
    """Every method besides close_position, in path order."""
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
            _object(
                ("instrument_name", "size", "direction", "kind"),
                instrument_name=_INSTRUMENT,
                size=_NUMBER,
                direction={"type": "string", "enum": ["buy", "sell", "zero"]},
                kind={"type": "string"},
                average_price=_NUMBER,
                mark_price=_NUMBER,
                index_price=_NUMBER,
            ),
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
            _object(
                ("instrument_name", "contract_size", "min_trade_amount", "tick_size"),
                instrument_name=_INSTRUMENT,
                contract_size={"type": "number", "exclusiveMinimum": 0},
                min_trade_amount={"type": "number", "exclusiveMinimum": 0},
                tick_size={"type": "number", "exclusiveMinimum": 0},
                tick_size_steps={"type": "array"},
                kind={"type": "string"},
                is_active={"type": "boolean"},
            ),
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
