"""The committed OpenAPI document: one source with schemas/, the errata on it, real answers pass."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from deribit_contract.cli import main
from deribit_contract.exchange import SimulatedExchange
from deribit_contract.schema.generate import default_inputs, render
from deribit_contract.schema.openapi import OPENAPI_NAMES

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
CLOSE_EXAMPLE = REPO / "fixtures/captured/realdata/docs/docs2025__private_close_position__1.json"


def _document(mode: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / OPENAPI_NAMES[mode]).read_text("utf-8"))
    return loaded


def _validator(document: dict[str, Any], component: str) -> Draft202012Validator:
    resource = Resource(contents=document, specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:openapi", resource)
    return Draft202012Validator(
        {"$ref": f"urn:openapi#/components/schemas/{component}"}, registry=registry
    )


@pytest.mark.parametrize("mode", sorted(OPENAPI_NAMES))
def test_the_document_is_rendered_from_the_same_build_as_the_schemas(mode: str) -> None:
    source, errata = default_inputs()
    files = render(source=source, errata=errata)
    assert (SCHEMAS / OPENAPI_NAMES[mode]).read_text("utf-8") == files[OPENAPI_NAMES[mode]]
    document = _document(mode)
    assert document["openapi"].startswith("3.1")
    components = document["components"]["schemas"]
    for part, name in (("order", "Order"), ("trade", "UserTrade"), ("params", "CloseParams")):
        generated = json.loads(files[f"{mode}/{part}.schema.json"])
        generated.pop("$schema")
        assert components[name] == generated, f"{name} is not the generated {part} schema"


def test_every_erratum_is_on_close_position_with_its_evidence() -> None:
    entries = yaml.safe_load((REPO / "sources/errata.yaml").read_text("utf-8"))
    operations = _document("observed")["paths"]["/private/close_position"]
    for form in ("get", "post"):
        notes = {note["id"]: note for note in operations[form]["x-errata"]}
        assert set(notes) == {entry["id"] for entry in entries}
        for entry in entries:
            assert notes[entry["id"]]["evidence"] == entry["evidence"]
            assert all((REPO / path).exists() for path in entry["evidence"])
    documented = _document("documented")["paths"]["/private/close_position"]
    assert "x-errata" not in documented["get"]


def test_deribit_own_close_example_passes_observed_and_fails_documented() -> None:
    example = json.loads(CLOSE_EXAMPLE.read_text("utf-8"))
    observed = _validator(_document("observed"), "PrivateClosePositionResponse")
    assert list(observed.iter_errors(example)) == []
    documented = _validator(_document("documented"), "PrivateClosePositionSuccess")
    wrong = {tuple(error.absolute_path) for error in documented.iter_errors(example)}
    assert ("result", "trades", 0, "reduce_only") in wrong


def test_the_get_form_takes_query_params_and_private_methods_need_a_token() -> None:
    paths = _document("observed")["paths"]
    close = paths["/private/close_position"]["get"]
    params = {p["name"]: p for p in close["parameters"]}
    assert set(params) == {"instrument_name", "type", "price"}
    assert params["instrument_name"]["required"]
    assert not params["price"]["required"]
    assert params["type"]["schema"]["enum"] == ["limit", "market"]
    assert close["security"] == [{"bearerAuth": []}, {"basicAuth": []}]
    assert paths["/public/ticker"]["get"]["security"] == []


def test_schemas_openapi_writes_the_committed_document(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    assert main(["schemas", "--openapi", str(target)]) == 0
    assert target.read_bytes() == (SCHEMAS / "openapi.json").read_bytes()
    assert main(["schemas", "--openapi", str(target), "--mode", "documented"]) == 0
    assert target.read_bytes() == (SCHEMAS / "openapi.documented.json").read_bytes()


def test_every_method_the_simulator_serves_is_in_the_document() -> None:
    served = set(SimulatedExchange().method_names)
    documented = {path.removeprefix("/") for path in _document("observed")["paths"]}
    # the WebSocket-only session methods have no HTTP form in Deribit's own document either
    websocket_only = {m for m in served if m.endswith(("subscribe", "subscribe_all", "heartbeat"))}
    assert served - websocket_only - documented == set()
    assert documented <= served


def _resolve(document: dict[str, Any], node: Any, pointer: list[str]) -> bool:
    """Whether ``pointer`` (JSON Pointer segments into an answer) names a place ``node`` allows."""
    while isinstance(node, dict) and "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if not pointer:
        return True
    if not isinstance(node, dict):
        return False
    head, rest = pointer[0], pointer[1:]
    if head.isdigit() and "items" in node:
        return _resolve(document, node["items"], rest)
    if head in node.get("properties", {}):
        return _resolve(document, node["properties"][head], rest)
    return any(_resolve(document, option, pointer) for option in node.get("anyOf", ()))


def _link_problems(document: dict[str, Any]) -> list[str]:
    """Every link that names no operation, a parameter its target lacks, or an answer field its
    source does not have."""
    operations = {
        operation["operationId"]: (path, form, operation)
        for path, forms in document["paths"].items()
        for form, operation in forms.items()
    }
    schemas = document["components"]["schemas"]
    problems = []
    for source_id, (path, form, operation) in sorted(operations.items()):
        success = schemas[
            operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            .rsplit("/", 1)[-1]
            .replace("Response", "Success")
        ]
        for name, link in operation["responses"]["200"].get("links", {}).items():
            where = f"{source_id}.{name}"
            if link["operationId"] not in operations:
                problems.append(f"{where}: no operation {link['operationId']}")
                continue
            _, target_form, target = operations[link["operationId"]]
            if target_form != form:
                problems.append(f"{where}: leads from {form} to {target_form}")
                continue
            if form == "get":
                values = link.get("parameters", {})
                takes = {p["name"] for p in target.get("parameters", ())}
            else:
                values = link.get("requestBody", {}).get("params", {})
                params_ref = target["requestBody"]["content"]["application/json"]["schema"]
                params = params_ref["properties"]["params"]
                ref = params.get("$ref") or params["anyOf"][0]["$ref"]
                node = schemas[ref.rsplit("/", 1)[-1]]
                while "$ref" in node:
                    node = schemas[node["$ref"].rsplit("/", 1)[-1]]
                takes = set(node["properties"])
            problems += [
                f"{where}: {target['operationId']} takes no {p}" for p in values if p not in takes
            ]
            for param, expression in values.items():
                if isinstance(expression, str) and expression.startswith("$response.body#/"):
                    pointer = expression.removeprefix("$response.body#/").split("/")
                    if not _resolve(document, success, pointer):
                        problems.append(f"{where}.{param}: {path} answers no {expression}")
    return problems


@pytest.mark.parametrize("mode", sorted(OPENAPI_NAMES))
def test_every_link_leads_to_a_parameter_from_a_field_the_answer_has(mode: str) -> None:
    document = _document(mode)
    assert _link_problems(document) == []
    links = {
        (source, name, link["operationId"]): link.get("parameters") or link["requestBody"]["params"]
        for source, forms in document["paths"].items()
        for form, operation in forms.items()
        for name, link in operation["responses"]["200"].get("links", {}).items()
    }
    order = "$response.body#/result/order/"
    for form in ("get", "post"):
        for side in ("Buy", "Sell"):
            close = links[
                (f"/private/{side.lower()}", "ClosePosition", f"{form}PrivateClosePosition")
            ]
            assert close == {"instrument_name": order + "instrument_name"}
            cancel = links[(f"/private/{side.lower()}", "Cancel", f"{form}PrivateCancel")]
            assert cancel == {"order_id": order + "order_id"}
            assert links[(f"/private/{side.lower()}", "Edit", f"{form}PrivateEdit")][
                "order_id"
            ] == (order + "order_id")
        for name, target in (
            ("GetOrderState", "GetOrderState"),
            ("GetUserTradesByOrder", "GetUserTradesByOrder"),
        ):
            assert links[("/private/close_position", name, f"{form}Private{target}")] == {
                "order_id": order + "order_id"
            }
        assert links[("/private/close_position", "GetPosition", f"{form}PrivateGetPosition")] == {
            "instrument_name": order + "instrument_name"
        }
        refresh = links[("/public/auth", "RefreshToken", f"{form}PublicAuth")]
        assert refresh["refresh_token"] == "$response.body#/result/refresh_token"


def test_a_link_to_a_missing_parameter_or_field_is_caught() -> None:
    document = copy.deepcopy(_document("observed"))
    buy = document["paths"]["/private/buy"]
    buy["get"]["responses"]["200"]["links"]["ClosePosition"]["parameters"] = {
        "instrument": "$response.body#/result/order/instrument_name"
    }
    buy["post"]["responses"]["200"]["links"]["Cancel"]["requestBody"]["params"] = {
        "order_id": "$response.body#/result/order/orderid"
    }
    buy["post"]["responses"]["200"]["links"]["Edit"]["operationId"] = "getPrivateEdit"
    problems = _link_problems(document)
    assert any("getPrivateClosePosition takes no instrument" in p for p in problems), problems
    assert any("answers no $response.body#/result/order/orderid" in p for p in problems), problems
    assert any("leads from post to get" in p for p in problems), problems
