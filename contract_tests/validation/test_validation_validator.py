"""The validator against a miniature schema set: verdicts, explanations, warnings, garbage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from validation_support import REALDATA, good_error, good_success

import deribit_contract.validation as validation
from deribit_contract.errors import InvalidArgument
from deribit_contract.validation import ResponseValidator, validate_response


@pytest.fixture(scope="module")
def observed(mini_schemas: Path) -> ResponseValidator:
    return ResponseValidator("observed", directory=mini_schemas)


@pytest.fixture(scope="module")
def documented(mini_schemas: Path) -> ResponseValidator:
    return ResponseValidator("documented", directory=mini_schemas)


def test_public_api_is_exported() -> None:
    for name in ("validate_response", "iter_validate", "ResponseValidator", "Violation"):
        assert name in validation.__all__
        assert hasattr(validation, name)


def test_good_envelopes_are_valid_in_both_modes(
    observed: ResponseValidator, documented: ResponseValidator
) -> None:
    for validator in (observed, documented):
        for sample in (good_success(), good_error()):
            result = validator.validate(sample)
            assert result.valid, result.violations
            assert result.violations == ()


def test_violation_names_path_expected_actual_location_and_doc_line(
    observed: ResponseValidator,
) -> None:
    bad = good_success()
    bad["result"]["trades"][0]["price"] = "202.8"
    result = observed.validate(bad, record="capture.jsonl:17")
    assert not result.valid
    (violation,) = result.violations
    assert violation.record == "capture.jsonl:17"
    assert violation.path == "$.result.trades[0].price"
    assert violation.expected == "type number"
    assert violation.actual == '"202.8" (string)'
    # the trade schema sits behind $ref: the location must point into $defs, not break off
    assert violation.schema_location == (
        "observed/success.schema.json#/$defs/trade/properties/price/type"
    )
    assert violation.doc_line == 202
    assert "$.result.trades[0].price" in violation.message


def test_missing_required_field_points_at_the_field(observed: ResponseValidator) -> None:
    bad = good_success()
    del bad["result"]["order"]["direction"]
    (violation,) = observed.validate(bad).violations
    assert violation.path == "$.result.order.direction"
    assert violation.actual == "missing"
    assert violation.doc_line == 102  # the missing property's own documentation row


def test_anyof_leaf_is_summarised_not_noise(observed: ResponseValidator) -> None:
    bad = good_success()
    bad["result"]["order"]["price"] = "abc"
    (violation,) = observed.validate(bad).violations
    assert violation.path == "$.result.order.price"
    assert "number" in violation.expected
    assert '"market_price"' in violation.expected
    assert violation.doc_line == 103


def test_error_envelope_is_explained_against_the_error_branch(
    observed: ResponseValidator,
) -> None:
    bad = good_error()
    bad["error"]["code"] = "13009"
    (violation,) = observed.validate(bad).violations
    assert violation.path == "$.error.code"
    assert violation.schema_location.startswith("observed/error.schema.json#")
    assert "result" not in violation.message  # nothing about the success branch


def test_neither_result_nor_error(observed: ResponseValidator) -> None:
    (violation,) = observed.validate({"jsonrpc": "2.0", "id": 1}).violations
    assert violation.path == "$"
    assert "'result'" in violation.expected
    assert "'error'" in violation.expected


@pytest.mark.parametrize("value", [[1, 2], 3, "text", None, True])
def test_wrong_top_level_type_is_a_clear_violation(observed: ResponseValidator, value: Any) -> None:
    result = observed.validate(value)
    assert result.status == "invalid"
    assert result.violations[0].path == "$"
    assert "object" in result.violations[0].expected


def test_documented_mode_rejects_each_undocumented_field(documented: ResponseValidator) -> None:
    sample = good_success()
    sample["usIn"] = 1
    sample["result"]["order"]["max_show"] = 21
    sample["result"]["trades"][0]["reduce_only"] = True
    result = documented.validate(sample)
    paths = {v.path for v in result.violations}
    assert paths == {"$.usIn", "$.result.order.max_show", "$.result.trades[0].reduce_only"}
    assert result.warnings == ()


def test_observed_mode_warns_on_undocumented_fields(observed: ResponseValidator) -> None:
    sample = good_success()
    sample["usIn"] = 1
    sample["result"]["order"]["max_show"] = 21  # in the observed schema, flagged undocumented
    sample["result"]["trades"].append({"trade_id": "t2", "price": 1.0, "self_trade": False})
    result = observed.validate(sample, record="r:1")
    assert result.valid
    assert [(w.path, w.pattern) for w in result.warnings] == [
        ("$.usIn", "$.usIn"),
        ("$.result.order.max_show", "$.result.order.max_show"),
        ("$.result.trades[1].self_trade", "$.result.trades[*].self_trade"),
    ]


NOT_JSON: dict[str, tuple[bytes, str]] = {
    "html": (b"<html><body>502 Bad Gateway</body></html>", "HTML"),
    "truncated": (b'{"jsonrpc": "2.0", "result": {"order": {', "truncated"),
    "empty": (b"", "empty"),
    "blank": (b"   \t ", "empty"),
    "deep": (b"[" * 100_000, "nested deeper"),
    "huge_float": (b'{"jsonrpc": "2.0", "id": 1e400}', "too large"),
    "huge_int": (b'{"id": ' + b"9" * 400 + b"}", "too large"),
    "bad_utf8": (b'{"a": "\xff\xfe"}', "UTF-8"),
    "bom": (b'\xef\xbb\xbf{"jsonrpc": "2.0"}', "byte order mark"),
    "nan": (b'{"id": NaN}', "not JSON"),
    "two_docs": (b"{}{}", "not JSON"),
}


@pytest.mark.parametrize("case", sorted(NOT_JSON))
def test_not_json_is_reported_never_raised(observed: ResponseValidator, case: str) -> None:
    raw, needle = NOT_JSON[case]
    result = observed.validate_bytes(raw, record=f"{case}:1")
    assert result.status == "not_json"
    assert result.record == f"{case}:1"
    assert result.error is not None
    assert needle.lower() in result.error.lower()


def test_deeply_nested_but_parseable_value_is_explained_without_crash(
    documented: ResponseValidator,
) -> None:
    raw = good_success()
    deep: Any = 0
    for _ in range(1000):
        deep = [deep]
    raw["result"]["order"]["junk"] = deep
    result = documented.validate(raw)
    assert result.status == "invalid"
    assert result.violations[0].path == "$.result.order.junk"
    assert len(result.violations[0].actual) < 120


def test_bare_parts(mini_schemas: Path) -> None:
    order = ResponseValidator("observed", part="order", directory=mini_schemas)
    assert order.validate(good_success()["result"]["order"]).valid
    bad = order.validate({"order_id": 5, "direction": "up"})
    assert {v.path for v in bad.violations} == {"$.order_id", "$.direction"}
    params = ResponseValidator("observed", part="params", directory=mini_schemas)
    assert params.validate({"instrument_name": "ETH-PERPETUAL", "type": "market"}).valid
    assert not params.validate({"instrument_name": "ETH-PERPETUAL", "type": "stop"}).valid


def test_validate_response_function(mini_schemas: Path) -> None:
    assert validate_response(good_error(), directory=mini_schemas).valid
    result = validate_response({"jsonrpc": "2.0"}, mode="documented", directory=mini_schemas)
    assert not result.valid
    assert result.violations


def test_unknown_mode_or_part_is_invalid_argument(mini_schemas: Path) -> None:
    with pytest.raises(InvalidArgument, match="mode"):
        ResponseValidator("strict", directory=mini_schemas)
    with pytest.raises(InvalidArgument, match="part"):
        ResponseValidator("observed", part="position", directory=mini_schemas)


def test_each_missing_required_field_is_reported_once() -> None:
    result = validate_response({"jsonrpc": "2.0", "id": 1, "result": {"order": {}, "trades": []}})
    paths = [v.path for v in result.violations]
    assert paths, "an empty order must be invalid"
    assert len(paths) == len(set(paths)), f"duplicated violations: {paths}"
    assert "$.result.order.order_id" in paths


def test_a_recorded_fixture_is_judged_by_its_response() -> None:
    sample = REALDATA / "docs" / "docs2025__private_close_position__1.json"
    response = json.loads(sample.read_text(encoding="utf-8"))
    assert validate_response(response).valid
    recording = {"meta": {"method": "private/close_position"}, "request": {}, "response": response}
    assert validate_response(recording).status == validate_response(response).status
    broken = {**recording, "response": {**response, "jsonrpc": "1.0"}}
    result = validate_response(broken)
    assert not result.valid
    assert "recorded response" in result.record
    assert [v.path for v in result.violations] == ["$.jsonrpc"]
