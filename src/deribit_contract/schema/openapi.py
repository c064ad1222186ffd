"""The generated schemas as an OpenAPI 3.1 document other tools can read.

Schemathesis, Prism, Specmatic and friends take OpenAPI, and the vendor's own document carries
the errors that ``sources/errata.yaml`` records, so a correct exchange fails it. This module
renders the *same* built schemas that go to ``schemas/<mode>/`` (one source) as OpenAPI: the
GET form Deribit documents (params in the query string, token in ``Authorization``) and the
JSON-RPC POST form, both answering a JSON-RPC envelope, with every erratum attached to
close_position as an ``x-errata`` note with its evidence.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the generated schemas go in unchanged except for
their ``$defs``, which become shared components (``Order``, ``UserTrade``, ...).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from deribit_contract.facts import INSTRUMENTS
from deribit_contract.schema.errata import Erratum
from deribit_contract.schema.openapi_bot_methods import bot_specs
from deribit_contract.schema.openapi_core_methods import core_specs
from deribit_contract.schema.openapi_links import response_links
from deribit_contract.schema.openapi_shapes import (
    ORDER_AND_TRADES_REF,
    MethodSpec,
    operation_id,
    pascal,
)
from deribit_contract.schema.openapi_staging_methods import staging_specs

__all__ = ["CLOSE_POSITION", "OPENAPI_NAMES", "build_openapi"]

Schema = dict[str, Any]

CLOSE_POSITION = "private/close_position"
#: generated file name per schema mode, beside the ``<mode>/`` folders
OPENAPI_NAMES: dict[str, str] = {
    "observed": "openapi.json",
    "documented": "openapi.documented.json",
}
_COMPONENT = "#/components/schemas/"
# part (as in schemas/<mode>/<part>.schema.json) -> component name
_PART_COMPONENTS = {
    "order": "Order",
    "trade": "UserTrade",
    "params": "CloseParams",
    "error": "ErrorEnvelope",
}
_SERVERS = [
    {"url": "https://test.deribit.com/api/v2", "description": "Deribit testnet"},
    {"url": "http://127.0.0.1:8082/api/v2", "description": "deribit-contract serve (local)"},
]


def _rewrite_refs(node: Any) -> Any:
    """``#/$defs/<part>`` of a self-contained schema -> the shared component."""
    if isinstance(node, dict):
        out = {key: _rewrite_refs(value) for key, value in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out["$ref"] = _COMPONENT + _PART_COMPONENTS[ref.removeprefix("#/$defs/")]
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _component(schema: Mapping[str, Any]) -> Schema:
    """A generated schema as a component: no dialect line, no local ``$defs``."""
    body = {k: v for k, v in schema.items() if k not in ("$schema", "$defs")}
    rewritten: Schema = _rewrite_refs(copy.deepcopy(body))
    return rewritten


def _envelope(success: Mapping[str, Any], result: Schema, method: str) -> Schema:
    """The success envelope of ``method``: close_position's envelope around its own result."""
    envelope = _component(success)
    envelope["title"] = f"{method} success envelope"
    envelope["properties"] = {**envelope["properties"], "result": result}
    for key in ("x-part", "x-documented-properties"):
        envelope.pop(key, None)
    return envelope


def _query_parameters(params: Mapping[str, Any]) -> list[Schema]:
    required = set(params.get("required", ()))
    parameters = []
    for name, prop in sorted(params.get("properties", {}).items()):
        if prop.get("x-erratum") == "params-access-token":
            continue  # a WebSocket-only transport parameter; HTTP carries the token in a header
        parameter: Schema = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if not k.startswith("x-")},
        }
        if name == "instrument_name":
            # tools draw examples first: names that exist reach the code past "not found"
            parameter["examples"] = {n: {"value": n} for n in sorted(INSTRUMENTS)}
        if prop.get("description"):
            parameter["description"] = prop["description"]
        parameters.append(parameter)
    return parameters


def _request_body(method: str, params_ref: Schema, *, takes_required: bool) -> Schema:
    # What the POST-to-path form accepts: the method comes from the path when the body omits it,
    # and JSON-RPC lets a call without arguments omit params (or send null). A method with a
    # required param answers such a body -32602, so there params must be an object: a tool that
    # draws valid bodies then sends the params a link fills in (instrument_name, order_id).
    params = params_ref if takes_required else {"anyOf": [params_ref, {"type": "null"}]}
    request: Schema = {
        "type": "object",
        "properties": {
            "jsonrpc": {"const": "2.0"},
            "id": {"type": ["integer", "string", "null"]},
            "method": {"const": method},
            "params": params,
        },
    }
    if takes_required:
        request["required"] = ["params"]
    return {"required": True, "content": {"application/json": {"schema": request}}}


def _operation(spec: MethodSpec, params: Mapping[str, Any], *, post: bool) -> Schema:
    name = pascal(spec.name)
    response = {"$ref": f"{_COMPONENT}{name}Response"}
    error = {"$ref": f"{_COMPONENT}ErrorEnvelope"}
    operation: Schema = {
        "operationId": operation_id(spec.name, post=post),
        "summary": spec.summary,
        "tags": list(spec.tags),
        "security": [{"bearerAuth": []}, {"basicAuth": []}] if spec.private else [],
        "responses": {
            "200": {
                "description": "A JSON-RPC envelope: the result, or (as Deribit sometimes does "
                "on 200) an error",
                "content": {"application/json": {"schema": response}},
            },
            "4XX": {
                "description": "A JSON-RPC error envelope (400 invalid params or rejections, "
                "401 authentication, 413 request entity too large)",
                "content": {"application/json": {"schema": error}},
            },
        },
    }
    links = response_links(spec.name, post=post)
    if links:
        operation["responses"]["200"]["links"] = links
    if post:
        operation["requestBody"] = _request_body(
            spec.name,
            {"$ref": f"{_COMPONENT}{name}Params"},
            takes_required=bool(params.get("required")),
        )
    else:
        operation["parameters"] = _query_parameters(params)
    return operation


def _errata_notes(errata: Sequence[Erratum]) -> list[Schema]:
    notes = []
    for entry in errata:
        note: Schema = {
            "id": entry.id,
            "path": entry.path,
            "kind": entry.kind,
            "correction": dict(entry.correction),
            "why": entry.why,
            "evidence": list(entry.evidence),
        }
        if entry.reference:
            note["reference"] = entry.reference
        notes.append(note)
    return notes


def build_openapi(
    parts: Mapping[str, Mapping[str, Any]], errata: Sequence[Erratum], *, mode: str
) -> Schema:
    """The OpenAPI 3.1 document of ``parts`` (one mode of the built schemas).

    ``errata`` are attached to close_position's operations as ``x-errata`` in observed mode,
    the mode they were applied in; the documented mode shows the table alone.
    """
    source = parts["response"]["x-source"]
    close = MethodSpec(
        CLOSE_POSITION,
        str(parts["params"].get("description") or "Makes closing position reduce only order."),
        _component(parts["params"]),
        {"$ref": ORDER_AND_TRADES_REF},
        private=True,
        tags=("Trading", "Matching Engine", "Private"),
    )
    specs = (close, *core_specs(), *staging_specs(), *bot_specs())
    schemas: Schema = {name: _component(parts[part]) for part, name in _PART_COMPONENTS.items()}
    schemas["OrderAndTrades"] = _rewrite_refs(
        copy.deepcopy(parts["success"]["properties"]["result"])
    )
    paths: Schema = {}
    for spec in specs:
        name = pascal(spec.name)
        params = schemas["CloseParams"] if spec.name == CLOSE_POSITION else spec.params
        schemas[f"{name}Params"] = (
            {"$ref": f"{_COMPONENT}CloseParams"} if spec.name == CLOSE_POSITION else params
        )
        schemas[f"{name}Success"] = _envelope(parts["success"], spec.result, spec.name)
        schemas[f"{name}Response"] = {
            "anyOf": [
                {"$ref": f"{_COMPONENT}{name}Success"},
                {"$ref": f"{_COMPONENT}ErrorEnvelope"},
            ]
        }
        paths[f"/{spec.name}"] = {
            "get": _operation(spec, params, post=False),
            "post": _operation(spec, params, post=True),
        }
    if mode == "observed":
        notes = _errata_notes(errata)
        for operation in paths[f"/{CLOSE_POSITION}"].values():
            operation["x-errata"] = notes
    errata_source = parts["response"].get("x-errata-source") or {}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Deribit {CLOSE_POSITION} ({mode}), with the methods a contract run uses",
            "version": "2.1.1+"
            + str(source.get("sha256", ""))[:12]
            + (
                f".errata.{str(errata_source.get('sha256', ''))[:12]}" if mode == "observed" else ""
            ),
            "description": (
                "Generated by `deribit-contract schemas` from the vendor's documentation page "
                f"({source.get('document')}) "
                + (
                    "and sources/errata.yaml (every place the real exchange differs from its "
                    "documentation; see x-errata on close_position). "
                    if mode == "observed"
                    else "verbatim (no errata: Deribit's own example fails it). "
                )
                + "Do not edit: regenerate."
            ),
        },
        "servers": _SERVERS,
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "basicAuth": {"type": "http", "scheme": "basic"},
            },
        },
        "x-mode": mode,
        "x-source": source,
        "x-errata-source": errata_source,
    }
