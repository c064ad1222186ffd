"""Unit tests of the schema translator: the subset, its refusals and its options."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from deribit_contract.errors import InvalidArgument
from deribit_contract.strategies import from_schema

SMALL: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "not": {"required": ["error"]},
    "required": ["kind", "n"],
    "properties": {
        "kind": {
            "enum": ["a", "b", 3],
            "type": "string",
            "description": "3 is filtered statically",
        },
        "n": {"type": "integer", "exclusiveMinimum": 0.5, "maximum": 9, "multipleOf": 3},
        "x": {"type": ["number", "null"], "minimum": -1.5, "exclusiveMaximum": 2},
        "price": {"anyOf": [{"type": "number"}, {"enum": ["market_price"], "type": "string"}]},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 2}, "maxItems": 2},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "error": {"type": "string"},
        "ref": {"$ref": "#/$defs/flag"},
        "x-ignored": {"type": "boolean", "x-doc-line": 4},
    },
    "$defs": {"flag": {"oneOf": [{"type": "boolean"}, {"const": "yes"}]}},
}


@given(from_schema(SMALL))
def test_small_schema_draws_are_valid(value: dict[str, Any]) -> None:
    assert Draft202012Validator(SMALL).is_valid(value), value
    assert value["kind"] in ("a", "b")
    assert "error" not in value


@given(from_schema(SMALL, overrides={"tags[]": st.just("ok"), "kind": st.just("b")}))
def test_overrides_replace_values_at_instance_paths(value: dict[str, Any]) -> None:
    assert value["kind"] == "b"
    assert all(tag == "ok" for tag in value.get("tags", []))


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ({"type": "object", "patternProperties": {}}, "patternProperties"),
        ({"if": {}, "then": {}}, "'if'"),
        ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, "type-disjoint"),
        ({"not": {"type": "string"}}, "required"),
        ({"type": "number", "multipleOf": 0.5}, "integral"),
        ({"type": "integer", "minimum": 3, "maximum": 2}, "no integer"),
        ({"type": "string", "pattern": "a", "maxLength": 3}, "pattern"),
        ({"$ref": "https://example.com/x"}, "local"),
        ({"$ref": "#/$defs/missing"}, "does not resolve"),
        ({"anyOf": [{"type": "null"}], "type": "null"}, "next to"),
        ({"enum": [1], "type": "string"}, "no value"),
        (
            {"type": "object", "required": ["a"], "additionalProperties": False},
            "additionalProperties",
        ),
        (False, "admits no value"),
        ({"type": "strin"}, "unknown type"),
    ],
)
def test_keywords_outside_the_subset_are_refused_with_their_location(
    schema: Any, fragment: str
) -> None:
    with pytest.raises(InvalidArgument, match=r".+") as caught:
        from_schema(schema)
    assert fragment in str(caught.value)


def test_unused_override_paths_are_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"result\.ordr"):
        from_schema(SMALL, overrides={"result.ordr": st.none()})


@given(from_schema({"type": "number", "exclusiveMinimum": 0, "maximum": 1}))
def test_exclusive_float_bounds_hold(value: float) -> None:
    assert 0 < value <= 1
    assert math.isfinite(value)


_RECURSIVE = {"type": "array", "items": {"$ref": "#"}, "maxItems": 2}


def _depth(value: Any) -> int:
    """Nesting depth of a list of lists; -1 for anything that is not a list."""
    if not isinstance(value, list):
        return -1
    inner = [_depth(item) for item in value]
    return -1 if any(d < 0 for d in inner) else 1 + max(inner, default=0)


@given(from_schema(_RECURSIVE))
def test_recursive_refs_are_deferred(value: list[Any]) -> None:
    assert _depth(value) >= 1  # lists all the way down: every item resolved the $ref again
    assert Draft202012Validator(_RECURSIVE).is_valid(value)


def test_recursive_refs_are_followed_more_than_once() -> None:
    deep = find(from_schema(_RECURSIVE), lambda v: _depth(v) >= 3, settings=settings(database=None))
    assert _depth(deep) >= 3
