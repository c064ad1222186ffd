"""The methods a contract run calls around close_position, as OpenAPI needs them.

A run opens a position (``private/buy``/``sell``, which answer order and trades exactly as
close_position does), reads it and the market (``get_position``, ``ticker``,
``get_instrument``), logs in (``public/auth``) and cancels what it left open.
"""

from __future__ import annotations

from deribit_contract.schema.openapi_shapes import (
    INSTRUMENT_NAME,
    NUMBER,
    OPEN_ORDER_TYPE,
    ORDER_AND_TRADES_REF,
    ORDER_REF,
    TIMESTAMP,
    MethodSpec,
    Schema,
    instrument,
    open_object,
    params_object,
    position,
)

__all__ = ["core_specs"]


def _order_params() -> Schema:
    return params_object(
        ("instrument_name",),
        instrument_name=INSTRUMENT_NAME,
        amount={"type": "number", "exclusiveMinimum": 0},
        contracts={"type": "number", "exclusiveMinimum": 0},
        type={"type": "string", "enum": ["limit", "market"]},
        price=NUMBER,
        label={"type": "string", "maxLength": 64},
        time_in_force={
            "type": "string",
            "enum": ["good_til_cancelled", "good_til_day", "fill_or_kill", "immediate_or_cancel"],
        },
        post_only={"type": "boolean"},
        reduce_only={"type": "boolean"},
    )


def core_specs() -> tuple[MethodSpec, ...]:
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
            params_object(("order_id",), order_id=order_id),
            {"$ref": ORDER_REF},
            private=True,
            tags=trading,
        ),
        MethodSpec(
            "private/cancel_all_by_instrument",
            "Cancels every open order of the caller on one instrument; the result is how many.",
            params_object(("instrument_name",), instrument_name=INSTRUMENT_NAME),
            {"type": "integer", "minimum": 0},
            private=True,
            tags=trading,
        ),
        MethodSpec(
            "private/get_order_state",
            "One order of the caller, by id.",
            params_object(("order_id",), order_id=order_id),
            {"$ref": ORDER_REF},
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_open_orders_by_instrument",
            "The caller's open orders on one instrument.",
            params_object(
                ("instrument_name",),
                instrument_name=INSTRUMENT_NAME,
                type=OPEN_ORDER_TYPE,
            ),
            {"type": "array", "items": {"$ref": ORDER_REF}},
            private=True,
            tags=("Trading", "Private"),
        ),
        MethodSpec(
            "private/get_position",
            "The caller's position on one instrument (size signed: positive long).",
            params_object(("instrument_name",), instrument_name=INSTRUMENT_NAME),
            position(),
            private=True,
            tags=("Account Management", "Private"),
        ),
        MethodSpec(
            "public/auth",
            "Authenticates; client_credentials, client_signature or refresh_token grants.",
            params_object(
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
            open_object(
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
            params_object(("instrument_name",), instrument_name=INSTRUMENT_NAME),
            instrument(),
            private=False,
            tags=("Market Data", "Public"),
        ),
        MethodSpec(
            "public/ticker",
            "Mark, index and best prices of one instrument, with the price band.",
            params_object(("instrument_name",), instrument_name=INSTRUMENT_NAME),
            open_object(
                ("instrument_name", "mark_price", "timestamp"),
                instrument_name=INSTRUMENT_NAME,
                mark_price=NUMBER,
                index_price=NUMBER,
                min_price=NUMBER,
                max_price=NUMBER,
                best_bid_price={"type": ["number", "null"]},
                best_ask_price={"type": ["number", "null"]},
                timestamp=TIMESTAMP,
            ),
            private=False,
            tags=("Market Data", "Public"),
        ),
        MethodSpec(
            "public/get_time",
            "The exchange's clock.",
            params_object(()),
            TIMESTAMP,
            private=False,
            tags=("Supporting", "Public"),
        ),
        MethodSpec(
            "public/test",
            "Connectivity check; expected_result=exception makes the server answer an error.",
            params_object((), expected_result={"type": "string", "enum": ["exception"]}),
            open_object(("version",), version={"type": "string"}),
            private=False,
            tags=("Supporting", "Public"),
        ),
    )
