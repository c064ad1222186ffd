"""The one JSON-pointer helper every stage resolves ``$ref`` with (RFC 6901 escapes, arrays),
and the one excerpt of a value in a finding's message."""

from __future__ import annotations

from typing import Any

import pytest

from deribit_contract._json import json_excerpt, json_pointer, resolve_ref
from deribit_contract.invariants import Violation

ROOT: dict[str, Any] = {
    "$defs": {"order": {"type": "object"}, "a/b": {"const": 1}, "m~n": {"const": 2}},
    "anyOf": [{"$ref": "#/$defs/order"}, {"type": "null"}],
}


@pytest.mark.parametrize(
    ("ref", "node", "path"),
    [
        ("#", ROOT, ()),
        ("#/$defs/order", {"type": "object"}, ("$defs", "order")),
        ("#/$defs/a~1b", {"const": 1}, ("$defs", "a/b")),
        ("#/$defs/m~0n", {"const": 2}, ("$defs", "m~n")),
        ("#/anyOf/1", {"type": "null"}, ("anyOf", 1)),
    ],
)
def test_a_local_reference_resolves_to_its_node_and_path(
    ref: str, node: Any, path: tuple[str | int, ...]
) -> None:
    assert resolve_ref(ROOT, ref) == (node, path)
    assert resolve_ref(ROOT, "#" + json_pointer(path)) == (node, path)  # the two agree


@pytest.mark.parametrize(
    "ref",
    [
        "#/$defs/missing",
        "#/anyOf/2",
        "#/anyOf/x",
        "other.json#/a",
        "#anchor",
        "#/$defs/order/type/x",
    ],
)
def test_a_reference_that_does_not_resolve_gives_none(ref: str) -> None:
    assert resolve_ref(ROOT, ref) is None


def test_an_excerpt_keeps_text_as_it_is_and_cuts_at_its_limit() -> None:
    assert json_excerpt("market", 10) == "market"
    assert json_excerpt({"b": 1, "a": [True, None]}, 40) == '{"a": [true, null], "b": 1}'
    cut = json_excerpt("x" * 50, 10)
    assert cut == "x" * 9 + "…"
    assert len(cut) == 10


def test_a_violation_line_shows_both_values_cut_to_the_limit() -> None:
    violation = Violation("order.reduce_only", "result.order.reduce_only", True, "y" * 300, "m")
    line = violation.line(limit=20)
    assert (
        line == f"[order.reduce_only] result.order.reduce_only: m (expected true, got {'y' * 19}…)"
    )
