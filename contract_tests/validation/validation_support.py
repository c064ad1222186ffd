"""Helpers of the validation tests: a small schema set shaped like the generated one.

The unit tests must not depend on the exact generated schemas (another stage owns them), so
they run against this miniature: the same file layout (``<mode>/<part>.schema.json``), the same
conventions (``description``, ``x-doc-line``, ``$defs`` + ``$ref``, ``anyOf`` response, errata
fields left out of ``x-documented-properties`` in observed mode, ``additionalProperties: false``
in documented mode). Tests against the real schemas live in ``test_validation_realdata.py``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[2]
REALDATA = REPO / "fixtures" / "captured" / "realdata"


def _prop(kind: Any, line: int, **extra: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"description": f"doc row at line {line}", "x-doc-line": line}
    if kind is not None:
        node["type"] = kind
    node.update(extra)
    return node


def _order(mode: str) -> dict[str, Any]:
    props = {
        "order_id": _prop("string", 101),
        "direction": _prop("string", 102, enum=["buy", "sell"]),
        "price": _prop(None, 103, anyOf=[{"type": "number"}, {"const": "market_price"}]),
        "amount": _prop("number", 104),
        "label": _prop("string", 105),
    }
    order: dict[str, Any] = {
        "type": "object",
        "x-doc-line": 100,
        "properties": props,
        "required": ["order_id", "direction"],
    }
    if mode == "observed":
        # as the builder writes an erratum field: in properties, left out of the documented list
        order["x-documented-properties"] = sorted(props)
        props["max_show"] = {"type": "number", "description": "erratum"}
        order["additionalProperties"] = True
    else:
        order["additionalProperties"] = False
    return order


def _trade(mode: str) -> dict[str, Any]:
    observed = mode == "observed"
    trade: dict[str, Any] = {
        "type": "object",
        "x-doc-line": 200,
        "properties": {
            "trade_id": _prop("string", 201),
            "price": _prop("number", 202),
            "reduce_only": _prop("boolean" if observed else "string", 203),
            "matching_id": _prop("null" if observed else "string", 204),
        },
        "required": ["trade_id", "price"],
        "additionalProperties": observed,
    }
    return trade


def _envelope(mode: str, body: str, body_schema: dict[str, Any]) -> dict[str, Any]:
    observed = mode == "observed"
    return {
        "type": "object",
        "x-doc-line": 10,
        "properties": {
            "jsonrpc": _prop("string", 11, const="2.0"),
            "id": _prop(["integer", "string"] if observed else "integer", 12),
            body: body_schema,
        },
        "required": ["jsonrpc", body],
        "additionalProperties": observed,
    }


def _schemas(mode: str) -> dict[str, dict[str, Any]]:
    observed = mode == "observed"
    defs = {"order": _order(mode), "trade": _trade(mode)}
    result = _prop(
        "object",
        20,
        properties={
            "order": {"$ref": "#/$defs/order"},
            "trades": _prop("array", 21, items={"$ref": "#/$defs/trade"}),
        },
        required=["order", "trades"],
        additionalProperties=observed,
    )
    success = _envelope(mode, "result", result)
    success["$defs"] = copy.deepcopy(defs)
    error_body = _prop(
        "object",
        30,
        properties={
            "code": _prop("integer", 31),
            "message": _prop("string", 32),
            "data": _prop(None, 33),
        },
        required=["code", "message"],
        additionalProperties=observed,
    )
    error = _envelope(mode, "error", error_body)
    response = {
        "anyOf": [{"$ref": "#/$defs/success"}, {"$ref": "#/$defs/error"}],
        "$defs": {
            **copy.deepcopy(defs),
            "success": {k: v for k, v in success.items() if k != "$defs"},
            "error": error,
        },
    }
    params = {
        "type": "object",
        "properties": {
            "instrument_name": _prop("string", 301),
            "type": _prop("string", 302, enum=["limit", "market"]),
            "price": _prop("number", 303),
        },
        "required": ["instrument_name", "type"],
        "additionalProperties": False,
    }
    request = _envelope(mode, "params", params)
    request["properties"]["method"] = _prop("string", 5, const="private/close_position")
    out = {
        "response": response,
        "success": success,
        "error": error,
        "order": _order(mode),
        "trade": _trade(mode),
        "params": params,
        "request": request,
    }
    for schema in out.values():
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return out


def write_mini_schemas(directory: Path) -> Path:
    """Write the miniature schema set under ``directory`` and return it."""
    for mode in ("observed", "documented"):
        for part, schema in _schemas(mode).items():
            target = directory / mode / f"{part}.schema.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(schema, indent=2, sort_keys=True), encoding="utf-8")
    return directory


def good_success() -> dict[str, Any]:
    """A success envelope the miniature accepts in both modes."""
    return {
        "jsonrpc": "2.0",
        "id": 7,
        "result": {
            "order": {"order_id": "ETH-1", "direction": "sell", "price": 198.75, "amount": 21},
            "trades": [{"trade_id": "ETH-9", "price": 202.8}],
        },
    }


def good_error() -> dict[str, Any]:
    """An error envelope the miniature accepts in both modes."""
    return {"jsonrpc": "2.0", "id": 2, "error": {"code": 13009, "message": "unauthorized"}}


def mixed_lines() -> list[bytes]:
    """JSON Lines records of every kind the bulk path and the worker pool must agree on.

    Valid responses with and without undocumented fields (new ones and errata ones, at every
    level), a schema violation, a recorded fixture, each spaced and compact, a member written
    twice (compact, spaced, and with an escaped colon making up for the dropped member's own),
    an exponent float, and lines that are not a JSON object.
    """
    extra = good_success()
    extra["usIn"] = 1
    erratum = good_success()
    erratum["result"]["order"]["max_show"] = 3
    trade_extra = good_success()
    trade_extra["result"]["trades"].append({"trade_id": "t", "price": 1, "self_trade": False})
    wrong = good_success()
    wrong["result"]["order"]["price"] = "1"
    err_extra = good_error()
    err_extra["testnet"] = True
    recorded = {"meta": {}, "request": {}, "response": wrong}
    objects: list[Any] = [
        good_success(),
        good_error(),
        extra,
        erratum,
        trade_extra,
        wrong,
        err_extra,
        recorded,
    ]
    lines = [json.dumps(o).encode() for o in objects]
    # the same records as orjson writes them (a batch of these is judged whole), and one of
    # them with a member written twice, which only its bytes show
    compact = [orjson.dumps(o) for o in objects]
    repeated = b'{"id":7,' + orjson.dumps(good_success())[1:]
    spaced_repeated = b'{"id": 7, ' + lines[0][1:]
    labelled = good_success()
    labelled["result"]["order"]["label"] = "a:b"
    escaped = json.dumps(labelled).replace("a:b", "a\\u003ab").encode()
    hidden_repeated = b'{"id": 7, ' + escaped[1:]
    tiny_fee = good_success()
    tiny_fee["result"]["trades"][0]["fee"] = 7.766e-05
    spelled = [escaped, json.dumps(tiny_fee).encode(), spaced_repeated, hidden_repeated]
    not_json = [b"", b"<html>", b'{"jsonrpc": "2.0", "id": 1, "res', b"[1]"]
    return [*lines, *compact, repeated, *spelled, *not_json]
