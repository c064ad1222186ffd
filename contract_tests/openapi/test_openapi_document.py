"""The committed OpenAPI document: one source with schemas/, the errata on it, real answers pass."""

from __future__ import annotations

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
