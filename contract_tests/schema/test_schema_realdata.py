"""Generated schemas against real traffic: observed accepts it, documented reports exactly the errata."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from deribit_contract._paths import fixtures_dir, repo_root, sources_dir
from deribit_contract.doctable import read_method_doc
from deribit_contract.schema.errata import Erratum, load_errata
from deribit_contract.schema.evidence import (
    RealObjects,
    close_position_shaped,
    collect_documented_objects,
    collect_real_objects,
    presence_counts,
)
from deribit_contract.schema.store import PARTS, load_schema

REALDATA = fixtures_dir() / "captured" / "realdata"
ROOT = repo_root() or Path.cwd()
SHAPED = list(close_position_shaped(REALDATA))
ERRORS = sorted((REALDATA / "errors").glob("*.json"))


@pytest.fixture(scope="module")
def real() -> RealObjects:
    return collect_real_objects(REALDATA, repo_root=ROOT)


@pytest.fixture(scope="module")
def errata() -> tuple[Erratum, ...]:
    return load_errata(sources_dir() / "errata.yaml", repo_root=ROOT)


def _validator(part: str, mode: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(part, mode))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_readme_lists_nine_close_position_shaped_responses() -> None:
    assert len(SHAPED) == 9
    assert all(p.is_file() for p in SHAPED)


@pytest.mark.parametrize("path", SHAPED, ids=lambda p: p.name)
def test_close_position_shaped_responses_validate_observed(path: Path) -> None:
    errors = [e.message for e in _validator("response", "observed").iter_errors(_load(path))]
    assert errors == []
    assert _validator("success", "observed").is_valid(_load(path))


@pytest.mark.parametrize("path", ERRORS, ids=lambda p: p.name)
def test_real_error_envelopes_validate_observed(path: Path) -> None:
    assert [e.message for e in _validator("response", "observed").iter_errors(_load(path))] == []
    assert _validator("error", "observed").is_valid(_load(path))
    assert not _validator("success", "observed").is_valid(_load(path))


def test_every_real_order_and_trade_validates_observed(real: RealObjects) -> None:
    order, trade = _validator("order", "observed"), _validator("trade", "observed")
    bad = [s.source for s in real.orders if not order.is_valid(s.value)]
    bad += [s.source for s in real.trades if not trade.is_valid(s.value)]
    assert bad == []
    assert len(real.orders) > 80
    assert len(real.trades) > 1200


def _erratum_path(error_path: list[Any], message: str, validator: str) -> str:
    """``['result','trades',0,'post_only']`` -> ``result.trades[].post_only``; extra keys appended."""
    parts: list[str] = []
    for item in error_path:
        if isinstance(item, int):
            parts[-1] += "[]"
        else:
            parts.append(str(item))
    if validator == "additionalProperties":
        extra = re.findall(r"'([^']+)' (?:was|were) unexpected|'([^']+)'", message)
        names = [a or b for a, b in extra]
        return ",".join(".".join([*parts, n]) for n in names)
    return ".".join(parts)


def _unexplained(
    document: Any, part: str, errata: tuple[Erratum, ...], *, prefix: str = ""
) -> list[str]:
    explained = {e.path for e in errata}
    found: list[str] = []
    for error in _validator(part, "documented").iter_errors(document):
        for path in _erratum_path(
            list(error.absolute_path), error.message, str(error.validator)
        ).split(","):
            full = prefix + path
            if full not in explained and not (
                error.validator == "required" and full == prefix.rstrip(".")
            ):
                found.append(f"{full}: {error.message}")
    return found


def test_documented_mode_reports_exactly_the_known_errata_on_the_vendor_example(
    errata: tuple[Erratum, ...],
) -> None:
    example = _load(REALDATA / "docs" / "docs2025__private_close_position__1.json")
    errors = list(_validator("response", "documented").iter_errors(example))
    assert len(errors) == 1
    assert errors[0].validator == "anyOf"
    paths = sorted(
        _erratum_path(list(e.absolute_path), e.message, str(e.validator))
        for e in _validator("success", "documented").iter_errors(example)
    )
    assert paths == [
        "result.order.max_show",
        "result.trades[].matching_id",
        "result.trades[].post_only",
        "result.trades[].reduce_only",
    ]
    by_path = {e.path: e.id for e in errata}
    assert [by_path[p] for p in paths] == [
        "order-max-show",
        "trade-matching-id-null",
        "trade-post-only-boolean",
        "trade-reduce-only-boolean",
    ]
    assert _validator("response", "observed").is_valid(example)


@pytest.mark.parametrize("path", SHAPED + ERRORS, ids=lambda p: p.name)
def test_every_documented_mode_violation_is_a_recorded_erratum(
    path: Path, errata: tuple[Erratum, ...]
) -> None:
    document = _load(path)
    part = "error" if "error" in document else "success"
    assert _unexplained(document, part, errata) == []


def test_documented_violations_of_real_objects_are_recorded_errata(
    real: RealObjects, errata: tuple[Erratum, ...]
) -> None:
    unexplained: set[str] = set()
    for part, prefix, samples in (
        ("order", "result.order.", real.orders),
        ("trade", "result.trades[].", real.trades),
    ):
        for sample in samples:
            unexplained.update(_unexplained(sample.value, part, errata, prefix=prefix))
    assert sorted(unexplained) == []


def test_every_undocumented_real_field_is_a_known_erratum(real: RealObjects) -> None:
    for part, samples in (("order", real.orders), ("trade", real.trades)):
        schema = load_schema(part, "observed")
        documented = set(schema["x-documented-properties"])
        known = {name for name, prop in schema["properties"].items() if prop.get("x-undocumented")}
        seen = set(presence_counts(samples))
        assert seen - documented - known == set(), part
        # a field only the documentation's examples show (original_order_type on spot trades,
        # the one kind without a live capture) is known too, never required
        shown = getattr(collect_documented_objects(REALDATA, repo_root=ROOT), part + "s")
        assert known <= seen | set(presence_counts(shown)), f"{part}: errata name unseen fields"


def test_required_entries_match_recomputed_evidence(
    real: RealObjects, errata: tuple[Erratum, ...]
) -> None:
    doc = read_method_doc(sources_dir() / "private-close_position.md")
    for entry_id, samples in (
        ("order-required-fields", real.orders),
        ("trade-required-fields", real.trades),
    ):
        entry = next(e for e in errata if e.id == entry_id)
        counts = presence_counts(samples)
        assert entry.counts == {"samples": len(samples), "present": counts}
        always = {name for name, n in counts.items() if n == len(samples)}
        excluded = set(entry.correction.get("excluded", {}))
        assert set(entry.correction["fields"]) == always - excluded
        for name, reason in entry.correction.get("excluded", {}).items():
            row = doc.find(f"{entry.path}.{name}")
            assert row is not None
            by_table = any("optional" in h.lower() or "not added" in h for h in row.presence)
            # or excluded for a kind no live capture covers (test_schema_kinds holds the reason)
            by_kind = reason.split(":", 1)[0] in entry.correction["kinds"]
            assert by_table or by_kind, (entry_id, name)
        part = "order" if entry_id.startswith("order") else "trade"
        assert load_schema(part, "observed")["required"] == sorted(entry.correction["fields"])
        assert "required" not in load_schema(part, "documented")


def test_untriggered_trigger_orders_lack_fill_fields(real: RealObjects) -> None:
    untriggered = [s.value for s in real.orders if s.value["order_state"] == "untriggered"]
    assert untriggered
    assert any("filled_amount" not in o for o in untriggered)
    required = load_schema("order", "observed")["required"]
    assert "filled_amount" not in required
    assert "average_price" not in required


def test_id_may_be_absent_null_integer_or_string() -> None:
    error = _validator("error", "observed")
    base = {"jsonrpc": "2.0", "error": {"code": 13009, "message": "unauthorized"}}
    for extra in ({}, {"id": None}, {"id": 7}, {"id": "abc"}):
        assert error.is_valid({**base, **extra})
    assert not error.is_valid({**base, "id": 1.5})
    documented = _validator("error", "documented")
    assert documented.is_valid({**base, "id": 7})
    assert not documented.is_valid(base)
    assert not error.is_valid({"jsonrpc": "2.0", "error": {"code": "x", "message": "m"}})
    assert error.is_valid(
        {**base, "error": {"code": -32602, "message": "Invalid params", "data": {"reason": "r"}}}
    )


@pytest.mark.parametrize("mode", ["documented", "observed"])
def test_params_and_request(mode: str) -> None:
    params = _validator("params", mode)
    assert params.is_valid({"instrument_name": "ETH-PERPETUAL", "type": "limit", "price": 145.17})
    assert params.is_valid({"instrument_name": "ETH-PERPETUAL", "type": "market"})
    assert not params.is_valid({"instrument_name": "ETH-PERPETUAL", "type": "stop"})
    assert not params.is_valid({"type": "market"})
    assert not params.is_valid({"instrument": "ETH-PERPETUAL", "type": "market"})
    assert params.is_valid({"instrument_name": "X", "type": "market", "access_token": "t"}) is (
        mode == "observed"
    )
    request = _validator("request", mode)
    assert request.is_valid(
        _load(REALDATA / "docs" / "docs2025__private_close_position__REQUEST_1.json")
    )
    assert not request.is_valid(
        {
            "jsonrpc": "2.0",
            "method": "private/buy",
            "params": {"instrument_name": "X", "type": "market"},
        }
    )


def test_union_price_and_negative_prices() -> None:
    order = load_schema("order", "observed")
    price = order["properties"]["price"]
    assert price["anyOf"] == [{"type": "number"}, {"enum": ["market_price"], "type": "string"}]
    assert "minimum" not in json.dumps(order)
    assert "oneOf" not in json.dumps(order)


def _walk_properties(schema: Any, where: str) -> list[str]:
    problems: list[str] = []
    if isinstance(schema, dict):
        for name, prop in (schema.get("properties") or {}).items():
            if "description" not in prop or "x-doc-line" not in prop:
                problems.append(f"{where}.{name}")
        for key, value in schema.items():
            problems += _walk_properties(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            problems += _walk_properties(value, f"{where}[{index}]")
    return problems


@pytest.mark.parametrize("mode", ["documented", "observed"])
@pytest.mark.parametrize("part", PARTS)
def test_schema_files_are_valid_self_contained_and_annotated(part: str, mode: str) -> None:
    schema = load_schema(part, mode)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    refs = re.findall(r'"\$ref": "([^"]*)"', json.dumps(schema))
    assert all(ref.startswith("#/$defs/") for ref in refs)
    assert _walk_properties(schema, part) == []
    text = json.dumps(schema)
    assert ('"additionalProperties": true' in text) is (
        mode == "observed" and part not in ("params", "request")
    )
