"""Translate the kit's generated JSON Schemas into Hypothesis strategies by construction.

Why not hypothesis-jsonschema: it is unmaintained, breaks with current Hypothesis and, on the
response schema, produced a handful of examples per second. The schemas the kit generates use a
small keyword subset, and each keyword of that subset maps onto a native strategy that only
produces valid values (``fixed_dictionaries`` with ``optional=`` for optional properties,
``sampled_from`` for ``enum``, bounded ``integers``/``floats``...). Nothing is generated and
then filtered, so health checks never trip and every draw is valid. A keyword outside the subset
raises :class:`~deribit_contract.errors.InvalidArgument` naming it and its location instead of
silently producing invalid data.

Supported: ``type`` (one or a list, including ``null``), ``enum``, ``const``, ``properties``,
``required``, ``additionalProperties``, ``items``, ``minItems``, ``maxItems``, ``anyOf``,
``oneOf`` (when the branches cannot overlap), ``$ref`` (local), ``minimum``, ``maximum``,
``exclusiveMinimum``, ``exclusiveMaximum``, ``multipleOf`` (integral), ``minLength``,
``maxLength``, ``pattern``, and ``not`` in the form ``{"required": [...]}`` (the envelope's
"no result in an error" rule: the named property is simply never generated); annotations (``description``, ``title``, ``x-*``, ``format``...)
are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from jsonschema import Draft202012Validator

from deribit_contract._json import json_type, resolve_ref
from deribit_contract.errors import InvalidArgument
from deribit_contract.strategies.schema_scalars import numbers, strings

__all__ = ["SUPPORTED_KEYWORDS", "from_schema", "json_values"]

SUPPORTED_KEYWORDS = frozenset(
    {
        "type", "enum", "const", "properties", "required", "additionalProperties", "items",
        "minItems", "maxItems", "anyOf", "oneOf", "$ref", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "not",
    }
)  # fmt: skip
_ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default",
        "examples", "deprecated", "readOnly", "writeOnly", "format", "contentMediaType",
        "contentEncoding",
    }
)  # fmt: skip
_ALL_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_IMPLIED_TYPE = {
    "properties": "object", "required": "object", "additionalProperties": "object",
    "items": "array", "minItems": "array", "maxItems": "array",
    "minimum": "number", "maximum": "number", "exclusiveMinimum": "number",
    "exclusiveMaximum": "number", "multipleOf": "number",
    "minLength": "string", "maxLength": "string", "pattern": "string", "not": "object",
}  # fmt: skip


def json_values(*, max_leaves: int = 6) -> SearchStrategy[Any]:
    """Any JSON value (finite numbers only), small: what an unconstrained schema allows."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=8)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def from_schema(
    schema: Mapping[str, Any] | bool,  # noqa: FBT001  (true/false are JSON Schemas)
    *,
    overrides: Mapping[str, SearchStrategy[Any]] | None = None,
    max_items: int = 3,
) -> SearchStrategy[Any]:
    """A strategy whose every value is valid against ``schema`` (Draft 2020-12 subset).

    ``overrides`` replaces the strategy at an instance path, written as in the documentation
    table: ``"result.order.price"``, ``"result.trades[].amount"`` (``""`` is the root). The
    caller vouches that an override only produces valid values; whether an optional property is
    present is still decided by the schema. ``max_items`` caps arrays without ``maxItems``.

    Raises :class:`InvalidArgument` for a keyword outside :data:`SUPPORTED_KEYWORDS`, an
    unsatisfiable schema, or an override path the schema never reaches.
    """
    if max_items < 0:
        raise InvalidArgument(f"max_items must be >= 0, got {max_items}")
    translator = _Translator(schema, dict(overrides or {}), max_items)
    strategy = translator.translate(schema, "#", "")
    unused = sorted(set(translator.overrides) - translator.used)
    if unused:
        raise InvalidArgument(f"override path(s) {unused} are not reached by the schema")
    return strategy


class _Translator:
    """One translation: the root (for ``$ref``), overrides and the recursion bookkeeping."""

    def __init__(
        self, root: Any, overrides: dict[str, SearchStrategy[Any]], max_items: int
    ) -> None:
        self.root = root
        self.overrides = overrides
        self.used: set[str] = set()
        self.max_items = max_items
        self.refs: dict[str, SearchStrategy[Any]] = {}
        self.resolving: dict[str, str] = {}

    def translate(self, schema: Any, where: str, path: str) -> SearchStrategy[Any]:
        if path in self.overrides:
            self.used.add(path)
            return self.overrides[path]
        if schema is True:
            return json_values()
        if schema is False:
            raise InvalidArgument(f"{where}: the schema `false` admits no value")
        if not isinstance(schema, Mapping):
            raise InvalidArgument(f"{where}: expected a schema object, got {type(schema).__name__}")
        unknown = sorted(
            key for key in schema
            if key not in SUPPORTED_KEYWORDS and key not in _ANNOTATIONS and not key.startswith("x-")
        )  # fmt: skip
        if unknown:
            raise InvalidArgument(
                f"{where}: keyword(s) {unknown} are outside the supported subset "
                f"({', '.join(sorted(SUPPORTED_KEYWORDS))})"
            )
        assertions = {key for key in schema if key in SUPPORTED_KEYWORDS}
        for combinator in ("$ref", "anyOf", "oneOf"):
            if combinator in schema:
                if assertions - {combinator}:
                    raise InvalidArgument(
                        f"{where}: {combinator} next to {sorted(assertions - {combinator})} is not "
                        "supported; move the sibling keywords into the branches"
                    )
                return self._combinator(combinator, schema[combinator], where, path)
        if "const" in schema or "enum" in schema:
            return self._enum(schema, where)
        return self._typed(schema, where, path)

    def _combinator(self, keyword: str, value: Any, where: str, path: str) -> SearchStrategy[Any]:
        if keyword == "$ref":
            return self._ref(value, where, path)
        if not isinstance(value, list) or not value:
            raise InvalidArgument(f"{where}/{keyword}: expected a non-empty list of schemas")
        branches = [
            self.translate(sub, f"{where}/{keyword}/{i}", path) for i, sub in enumerate(value)
        ]
        if keyword == "oneOf":
            kinds = [_kinds(sub, self.root) for sub in value]
            for i, left in enumerate(kinds):
                for j in range(i + 1, len(kinds)):
                    if left & kinds[j]:
                        raise InvalidArgument(
                            f"{where}/oneOf: branches {i} and {j} can both produce "
                            f"{sorted(left & kinds[j])}; only type-disjoint oneOf is supported"
                        )
        return st.one_of(branches)

    def _ref(self, ref: Any, where: str, path: str) -> SearchStrategy[Any]:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise InvalidArgument(
                f"{where}/$ref: only local references (#/...) are supported, got {ref!r}"
            )
        # Share one strategy per reference unless an override lies below this path.
        overridden = (
            any(name.startswith(path) for name in self.overrides) if path else bool(self.overrides)
        )
        key = f"{ref}@{path}" if overridden else ref
        if key in self.refs:
            return self.refs[key]
        if ref in self.resolving:  # recursion: defer until the outer translation is done
            outer = self.resolving[ref]
            return st.deferred(lambda: self.refs[outer])
        self.resolving[ref] = key
        strategy = self.translate(_resolve(self.root, ref, where), ref, path)
        del self.resolving[ref]
        self.refs[key] = strategy
        return strategy

    def _enum(self, schema: Mapping[str, Any], where: str) -> SearchStrategy[Any]:
        values = [schema["const"]] if "const" in schema else schema["enum"]
        if not isinstance(values, list):
            raise InvalidArgument(f"{where}/enum: expected a list, got {type(values).__name__}")
        rest = {key: value for key, value in schema.items() if key not in ("enum", "const")}
        # A static check of the (few) listed values against their siblings, once, at build time.
        checker = Draft202012Validator(rest)
        allowed = [value for value in values if checker.is_valid(value)]
        if not allowed:
            raise InvalidArgument(
                f"{where}: no value of enum/const {values!r} satisfies the schema"
            )
        return st.sampled_from(allowed)

    def _typed(self, schema: Mapping[str, Any], where: str, path: str) -> SearchStrategy[Any]:
        declared = schema.get("type")
        if declared is None:
            implied = sorted({_IMPLIED_TYPE[key] for key in schema if key in _IMPLIED_TYPE})
            if not implied:
                return json_values()
            types = implied
        elif isinstance(declared, str):
            types = [declared]
        elif isinstance(declared, list) and declared:
            types = list(declared)
        else:
            raise InvalidArgument(
                f"{where}/type: expected a type name or a non-empty list, got {declared!r}"
            )
        for name in types:
            if name not in _ALL_TYPES:
                raise InvalidArgument(
                    f"{where}/type: unknown type {name!r}; expected one of {_ALL_TYPES}"
                )
        if "integer" in types and "number" in types:
            types.remove("integer")  # number already produces integers
        return st.one_of([self._one_type(name, schema, where, path) for name in types])

    def _one_type(
        self, name: str, schema: Mapping[str, Any], where: str, path: str
    ) -> SearchStrategy[Any]:
        if name == "null":
            return st.none()
        if name == "boolean":
            return st.booleans()
        if name in ("integer", "number"):
            return numbers(schema, where, integral=name == "integer")
        if name == "string":
            return strings(schema, where)
        if name == "array":
            return self._array(schema, where, path)
        return self._object(schema, where, path)

    def _array(self, schema: Mapping[str, Any], where: str, path: str) -> SearchStrategy[Any]:
        min_size = int(schema.get("minItems", 0))
        max_size = int(schema.get("maxItems", max(min_size, self.max_items)))
        if max_size < min_size:
            raise InvalidArgument(f"{where}: maxItems {max_size} < minItems {min_size}")
        items = self.translate(schema.get("items", True), f"{where}/items", f"{path}[]")
        return st.lists(items, min_size=min_size, max_size=max_size)

    def _object(self, schema: Mapping[str, Any], where: str, path: str) -> SearchStrategy[Any]:
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        if not isinstance(properties, Mapping) or not isinstance(required, list):
            raise InvalidArgument(f"{where}: properties must be an object and required a list")
        extra = schema.get("additionalProperties", True)
        banned = _banned_property(schema.get("not"), where)
        if banned is not None and banned in required:
            raise InvalidArgument(f"{where}: {banned!r} is both required and forbidden by `not`")
        mandatory: dict[str, SearchStrategy[Any]] = {}
        optional: dict[str, SearchStrategy[Any]] = {}
        for name, sub in properties.items():
            if name == banned:
                continue
            child = f"{path}.{name}" if path else name
            strategy = self.translate(sub, f"{where}/properties/{name}", child)
            (mandatory if name in required else optional)[name] = strategy
        for name in required:
            if name not in properties:
                if extra is False:
                    raise InvalidArgument(
                        f"{where}: {name!r} is required but additionalProperties is false"
                    )
                child = f"{path}.{name}" if path else name
                mandatory[name] = self.translate(extra, f"{where}/additionalProperties", child)
        return st.fixed_dictionaries(mandatory, optional=optional)


def _banned_property(negated: Any, where: str) -> str | None:
    """The property a ``not: {"required": [...]}`` keeps out (the first listed suffices)."""
    if negated is None:
        return None
    names = negated.get("required") if isinstance(negated, Mapping) else None
    assertions = (
        {key for key in negated if key in SUPPORTED_KEYWORDS}
        if isinstance(negated, Mapping)
        else set()
    )
    if not isinstance(names, list) or not names or assertions != {"required"}:
        raise InvalidArgument(
            f'{where}/not: only the form {{"required": [names]}} is supported, got {negated!r}'
        )
    return str(names[0])


def _resolve(root: Any, ref: str, where: str) -> Any:
    resolved = resolve_ref(root, ref)
    if resolved is None:
        raise InvalidArgument(f"{where}/$ref: {ref!r} does not resolve inside the schema")
    return resolved[0]


def _kinds(schema: Any, root: Any) -> set[str]:
    """The JSON types a (sub)schema can produce, for the oneOf disjointness check."""
    if not isinstance(schema, Mapping):
        return set(_ALL_TYPES)
    if "$ref" in schema:
        return _kinds(_resolve(root, schema["$ref"], "#"), root)
    if "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else list(schema["enum"])
        return {_json_type(value) for value in values}
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return set().union(*(_kinds(sub, root) for sub in schema[combinator]))
    declared = schema.get("type")
    if declared is None:
        return set(_ALL_TYPES)
    names = {declared} if isinstance(declared, str) else set(declared)
    return (names | {"integer"}) if "number" in names else names


def _json_type(value: Any) -> str:
    # an integral float is as good as an integer where the schema says "integer"
    if isinstance(value, float) and value.is_integer():
        return "integer"
    return json_type(value)
