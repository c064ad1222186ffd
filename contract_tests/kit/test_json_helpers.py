"""The one JSON-pointer helper every stage resolves ``$ref`` with (RFC 6901 escapes, arrays)."""

from __future__ import annotations

from typing import Any

import pytest

from deribit_contract._json import json_pointer, resolve_ref

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
