"""Explain why a record fails a schema, in terms a person fixing a client can act on.

The compiled validator only answers yes/no. For the few records it rejects, this module runs
the reference implementation (``jsonschema``) and turns each error into a :class:`Violation`:
a JSONPath into the record, what the schema expected, what the record had (truncated), where
in the schema file the rule lives, and the documentation line the rule came from. Errors are
ordered the way ``jsonschema.exceptions.best_match`` ranks them (shallow and strong first), and
``anyOf`` errors are either summarised (alternatives at the same place) or descended into, so
users do not read anyOf noise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator

from deribit_contract._json import json_path, json_pointer, json_type, pattern_path, resolve_ref
from deribit_contract.validation.pruning import with_pruning
from deribit_contract.validation.results import Violation

__all__ = ["Explainer", "json_path", "json_pointer", "json_type", "pattern_path", "short_repr"]

_REPR_LIMIT = 80
_WEAK = frozenset({"anyOf", "oneOf"})


def _render(value: Any, budget: int, depth: int) -> str:
    # Hand-rolled so that a 1000-deep array cannot hit the recursion limit and a 1 MB string is
    # never copied whole just to be cut.
    if depth > 4:
        return "[...]" if isinstance(value, list) else "{...}" if isinstance(value, dict) else "..."
    if isinstance(value, str):
        text = value[: budget + 1]
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if abs(value) < 10**30 else f"{float(value):.6g}"
    if isinstance(value, list):
        parts: list[str] = []
        used = 0
        for item in value:
            if used > budget:
                parts.append("...")
                break
            piece = _render(item, budget - used, depth + 1)
            parts.append(piece)
            used += len(piece) + 2
        return "[" + ", ".join(parts) + "]"
    if isinstance(value, dict):
        parts = []
        used = 0
        for key, item in value.items():
            if used > budget:
                parts.append("...")
                break
            piece = f'"{key}": ' + _render(item, budget - used, depth + 1)
            parts.append(piece)
            used += len(piece) + 2
        return "{" + ", ".join(parts) + "}"
    return repr(value)[:budget]


def short_repr(value: Any, limit: int = _REPR_LIMIT) -> str:
    """A JSON-looking rendering of ``value`` of at most about ``limit`` characters."""
    text = _render(value, limit, 0)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe_schema(schema: Any) -> str:
    """A short noun phrase for an anyOf alternative ("number", "'market_price'", "null")."""
    if schema is True:
        return "anything"
    if schema is False or not isinstance(schema, Mapping):
        return "nothing"
    if "const" in schema:
        return short_repr(schema["const"], 40)
    if "enum" in schema:
        return "one of " + ", ".join(short_repr(v, 30) for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if isinstance(kind, str):
        return kind
    return "a value matching " + short_repr(dict(schema), 40)


def _expected(error: ValidationError) -> str:
    keyword = str(error.validator)
    value: Any = error.validator_value
    if keyword == "type":
        kinds = value if isinstance(value, list) else [value]
        return "type " + " or ".join(str(k) for k in kinds)
    if keyword == "enum":
        return "one of " + ", ".join(short_repr(v, 30) for v in value)
    if keyword == "const":
        return "the constant " + short_repr(value, 40)
    if keyword in _WEAK:
        return f"{keyword}: " + " | ".join(_describe_schema(s) for s in value)
    if keyword == "not":
        return "not " + _describe_schema(value)
    if value is False and keyword in {"items", "additionalProperties"}:
        return "nothing here"
    return f"{keyword} {short_repr(value, 40)}"


class _SchemaWalker:
    """Follows a jsonschema ``schema_path`` through the root schema, resolving local ``$ref``s,
    to find the file pointer of the failing keyword and the nearest ``x-doc-line``."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root
        # the answer depends on the path alone, and a schema has finitely many paths
        self._located: dict[tuple[str | int, ...], tuple[str, int | None]] = {}

    def _resolve(self, ref: str) -> tuple[Any, list[str | int]] | None:
        resolved = resolve_ref(self._root, ref)
        return None if resolved is None else (resolved[0], list(resolved[1]))

    def locate(
        self, schema_path: Sequence[str | int], extra: Sequence[str] = ()
    ) -> tuple[str, int | None]:
        steps = (*schema_path, *extra)
        found = self._located.get(steps)
        if found is None:
            found = self._located[steps] = self._walk(steps)
        return found

    def _walk(self, steps: tuple[str | int, ...]) -> tuple[str, int | None]:
        node: Any = self._root
        pointer: list[str | int] = []
        doc_line = _doc_line(node)
        for index, step in enumerate(steps):
            is_last = index == len(steps) - 1
            if step == "$ref" and isinstance(node, Mapping) and not is_last:
                resolved = self._resolve(str(node.get("$ref", "")))
                if resolved is not None:
                    node, pointer = resolved
                    doc_line = _doc_line(node) or doc_line
                    continue
            child = _child(node, step)
            hops = 0
            while child is _MISSING and isinstance(node, Mapping) and hops < 16:
                # jsonschema leaves "$ref" out of schema paths: the steps after it are relative
                # to the referenced schema, so follow the reference and retry there.
                resolved = self._resolve(str(node.get("$ref", "")))
                if resolved is None:
                    break
                node, pointer = resolved
                doc_line = _doc_line(node) or doc_line
                child = _child(node, step)
                hops += 1
            if child is _MISSING:
                pointer.append(step)
                break
            node = child
            pointer.append(step)
            doc_line = _doc_line(node) or doc_line
        return "#" + json_pointer(pointer), doc_line


_MISSING = object()


def _child(node: Any, step: str | int) -> Any:
    if isinstance(node, Mapping):
        return node.get(step, _MISSING) if isinstance(step, str) else _MISSING
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return _MISSING


def _doc_line(node: Any) -> int | None:
    if isinstance(node, Mapping):
        line = node.get("x-doc-line")
        if isinstance(line, int) and not isinstance(line, bool):
            return line
        if isinstance(line, str) and line.isdigit():
            return int(line)
    return None


def _ascii_pattern(
    validator: Validator, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    # ECMA-262 (and jsonschema-rs) read \d and \w as ASCII; Python's re reads them as Unicode.
    # Matching the compiled validator keeps "yes/no" and "why" in agreement.
    if validator.is_type(instance, "string") and not re.search(pattern, instance, re.ASCII):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_ExplainValidator: Callable[..., Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {"pattern": _ascii_pattern}
)


def _safe_path_key(path: Sequence[str | int]) -> tuple[tuple[int, str], ...]:
    return tuple((0, f"{p:012d}") if isinstance(p, int) else (1, p) for p in path)


def _relevance(error: ValidationError) -> tuple[Any, ...]:
    # jsonschema's own relevance() compares paths directly, which raises on int-vs-str siblings.
    return (
        -len(error.path),
        _safe_path_key(list(error.path)),
        error.validator not in _WEAK,
    )


class Explainer:
    """Explains failures of one schema; ``location_prefix`` names the file in locations."""

    def __init__(self, schema: Mapping[str, Any], *, location_prefix: str) -> None:
        self._schema = schema
        # explanations skip what the compiled subschema checks accept (see .pruning); the
        # reference verdict below must not lean on the compiled validator it is compared with
        self._validator = with_pruning(_ExplainValidator, schema)
        self._reference: Validator | None = None
        self._walker = _SchemaWalker(schema)
        self._prefix = location_prefix

    def is_valid(self, instance: Any) -> bool:
        """The reference verdict, by ``jsonschema`` alone (used by the agreement property test)."""
        if self._reference is None:
            self._reference = _ExplainValidator(self._schema)
        return bool(self._reference.is_valid(instance))

    def explain(
        self, instance: Any, *, record: str, base: Sequence[str | int] = ()
    ) -> list[Violation]:
        """Every violation of ``instance``, best first; empty when it is valid.

        ``base`` prefixes every JSON path (used when a sub-document is explained against the
        schema of a part).
        """
        errors = sorted(self._validator.iter_errors(instance), key=_relevance, reverse=True)
        out: list[Violation] = []
        seen: set[tuple[str, str, str]] = set()
        for error in errors:
            # jsonschema raises one `required` error per missing name, each carrying the whole
            # list; expanding every one would repeat each missing field once per missing field
            for violation in self._to_violations(error, record, base):
                key = (violation.path, violation.expected, violation.keyword)
                if key not in seen:
                    seen.add(key)
                    out.append(violation)
        return out

    def _focus(self, error: ValidationError) -> ValidationError:
        """Descend into anyOf/oneOf only when an alternative failed deeper in the instance."""
        if (
            error.validator in _WEAK
            and error.context
            and any(len(sub.relative_path) > 0 for sub in error.context)
        ):
            chosen: ValidationError | None = best_match([error], key=_relevance)
            if chosen is not None:
                return chosen
        return error

    def _to_violations(
        self, error: ValidationError, record: str, base: Sequence[str | int]
    ) -> Iterator[Violation]:
        error = self._focus(error)
        path = [*base, *error.absolute_path]
        schema_path = list(error.absolute_schema_path)
        keyword = str(error.validator)
        rule: Any = error.validator_value
        if keyword == "required" and isinstance(error.instance, Mapping):
            for name in rule:
                if name in error.instance:
                    continue
                location, _ = self._walker.locate(schema_path)
                _, doc_line = self._walker.locate(schema_path[:-1], ("properties", name))
                yield self._make(
                    record, [*path, name], f"required property {name!r}", "missing",
                    location, doc_line, keyword,
                )  # fmt: skip
            return
        if (
            keyword in {"additionalProperties", "unevaluatedProperties"}
            and isinstance(error.instance, Mapping)
            and error.validator_value is False
        ):
            parent = error.schema if isinstance(error.schema, Mapping) else {}
            known = set(parent.get("properties", {}))
            location, doc_line = self._walker.locate(schema_path)
            for name, value in error.instance.items():
                if name in known:
                    continue
                yield self._make(
                    record, [*path, name], "no property the documentation does not list",
                    f"undocumented field {name!r} = {short_repr(value, 40)}",
                    location, doc_line, keyword,
                )  # fmt: skip
            return
        location, doc_line = self._walker.locate(schema_path)
        actual = f"{short_repr(error.instance)} ({json_type(error.instance)})"
        yield self._make(record, path, _expected(error), actual, location, doc_line, keyword)

    def _make(
        self,
        record: str,
        path: Sequence[str | int],
        expected: str,
        actual: str,
        location: str,
        doc_line: int | None,
        keyword: str,
    ) -> Violation:
        rendered = json_path(path)
        return Violation(
            record=record,
            path=rendered,
            expected=expected,
            actual=actual,
            schema_location=self._prefix + location,
            doc_line=doc_line,
            message=f"{rendered}: expected {expected}, got {actual}",
            keyword=keyword,
        )
