"""The building blocks of the OpenAPI methods besides close_position: records and shapes.

close_position's own params and result come from the generated schemas (the vendor's table plus
the errata). The other methods share those component schemas where Deribit's own specification
does (``ORDER_REF``, ``TRADE_REF``, ``ORDER_AND_TRADES_REF``); their remaining results are
described only as far as Deribit's documentation and the real captures agree, and stay open to
extra fields (:func:`open_object`): the document must not claim more than the evidence holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "INSTRUMENT_NAME",
    "NUMBER",
    "OPEN_ORDER_TYPE",
    "ORDER_AND_TRADES_REF",
    "ORDER_REF",
    "TIMESTAMP",
    "TRADE_REF",
    "MethodSpec",
    "Schema",
    "instrument",
    "open_object",
    "operation_id",
    "params_object",
    "pascal",
    "position",
    "trades_page",
]

Schema = dict[str, Any]

ORDER_REF = "#/components/schemas/Order"
TRADE_REF = "#/components/schemas/UserTrade"
ORDER_AND_TRADES_REF = "#/components/schemas/OrderAndTrades"

INSTRUMENT_NAME: Schema = {"type": "string", "description": "Instrument name", "minLength": 1}
NUMBER: Schema = {"type": "number"}
TIMESTAMP: Schema = {"type": "integer", "description": "Milliseconds since the Unix epoch"}
#: the ``type`` filter of the open-orders methods
OPEN_ORDER_TYPE: Schema = {"type": "string", "enum": ["all", "limit", "trigger_all", "stop_all"]}


@dataclass(frozen=True)
class MethodSpec:
    """One JSON-RPC method: its params (an object schema) and its ``result`` schema."""

    name: str
    summary: str
    params: Schema
    result: Schema
    private: bool
    tags: tuple[str, ...] = field(default=())


def pascal(method: str) -> str:
    """``private/close_position`` -> ``PrivateClosePosition``: the stem of its component names."""
    return "".join(word.capitalize() for word in method.replace("/", "_").split("_"))


def operation_id(method: str, *, post: bool) -> str:
    """The operationId of ``method``'s GET or POST form (links name their target by it)."""
    return f"{'post' if post else 'get'}{pascal(method)}"


def params_object(required: tuple[str, ...], **properties: Schema) -> Schema:
    """A method's params: the ``required`` ones must be there, the others may also be null."""
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


def open_object(required: tuple[str, ...], **properties: Schema) -> Schema:
    """A result object: the listed fields as the evidence shows them, others allowed."""
    # Results other than close_position's are open: the evidence covers the listed fields only.
    return {
        "type": "object",
        "properties": dict(sorted(properties.items())),
        "required": list(required),
        "additionalProperties": True,
    }


def position() -> Schema:
    """One ``get_position`` result (also each item of ``get_positions``)."""
    return open_object(
        ("instrument_name", "size", "direction", "kind"),
        instrument_name=INSTRUMENT_NAME,
        size=NUMBER,
        direction={"type": "string", "enum": ["buy", "sell", "zero"]},
        kind={"type": "string"},
        average_price=NUMBER,
        mark_price=NUMBER,
        index_price=NUMBER,
    )


def instrument() -> Schema:
    """One ``get_instrument`` result (also each item of ``get_instruments``)."""
    return open_object(
        ("instrument_name", "contract_size", "min_trade_amount", "tick_size"),
        instrument_name=INSTRUMENT_NAME,
        contract_size={"type": "number", "exclusiveMinimum": 0},
        min_trade_amount={"type": "number", "exclusiveMinimum": 0},
        tick_size={"type": "number", "exclusiveMinimum": 0},
        tick_size_steps={"type": "array"},
        kind={"type": "string"},
        is_active={"type": "boolean"},
    )


def trades_page() -> Schema:
    """The result of the user-trades methods that page: fills, and whether more are left."""
    return open_object(
        ("trades", "has_more"),
        trades={"type": "array", "items": {"$ref": TRADE_REF}},
        has_more={"type": "boolean"},
    )
