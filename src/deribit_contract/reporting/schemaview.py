"""A generated JSON Schema flattened into one row per documented path.

Drift and coverage compare what was seen, path by path, with what a schema admits. The
generated schemas nest (``$ref`` into ``$defs``, ``anyOf`` for ``number or string`` unions), so
this module resolves them once into :class:`SchemaField` rows keyed by the vendor table's
notation (``result.order.price``, ``result.trades[].fee``). It reads schemas only through
:func:`deribit_contract.schema.store.load_schema`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deribit_contract._json import json_type, resolve_ref
from deribit_contract.errors import SchemaNotFound
from deribit_contract.schema.store import load_schema

__all__ = ["Branch", "SchemaField", "SchemaView", "flatten", "load_view"]


@dataclass(frozen=True)
class Branch:
    """One alternative of a field: a JSON type and, when closed, the values it admits."""

    type: str
    enum: tuple[Any, ...] | None = None


@dataclass
class SchemaField:
    """What a schema says about one path."""

    path: str
    branches: tuple[Branch, ...]
    required: bool = False
    presence: tuple[str, ...] = ()
    line: int | None = None
    free_form: bool = False  # an object without declared properties: anything may sit inside
    undocumented: bool = False  # added by the errata overlay (observed mode)
    errata: tuple[str, ...] = ()

    @property
    def types(self) -> tuple[str, ...]:
        """The JSON types admitted, in schema order (empty: any type)."""
        return tuple(dict.fromkeys(b.type for b in self.branches))

    @property
    def enum_values(self) -> tuple[Any, ...]:
        """Every value listed by a closed branch (``market_price`` of a price, an enum)."""
        out: list[Any] = []
        for branch in self.branches:
            out.extend(branch.enum or ())
        return tuple(dict.fromkeys(out))

    def admits_type(self, json_type: str) -> bool:
        """Whether a value of ``json_type`` fits some branch (an integer fits ``number``)."""
        if not self.branches:
            return True
        for branch in self.branches:
            if branch.type == json_type or (branch.type == "number" and json_type == "integer"):
                return True
        return False

    def admits_value(self, value: Any, json_type: str) -> bool:
        """Whether ``value`` fits a branch of its type, enum included."""
        if not self.branches:
            return True
        for branch in self.branches:
            fits = branch.type == json_type or (branch.type == "number" and json_type == "integer")
            if fits and (branch.enum is None or value in branch.enum):
                return True
        return False

    @property
    def has_enum(self) -> bool:
        """True when some branch is closed."""
        return any(b.enum is not None for b in self.branches)


@dataclass
class SchemaView:
    """Every path of one schema part, plus the object paths that forbid other keys."""

    fields: dict[str, SchemaField] = field(default_factory=dict)
    closed_objects: set[str] = field(default_factory=set)

    def get(self, path: str) -> SchemaField | None:
        """The row for ``path``; None when the schema does not list it."""
        return self.fields.get(path)

    def is_free_form(self, path: str) -> bool:
        """Whether ``path`` sits inside an object whose content the schema leaves open."""
        probe = path
        while "." in probe or probe.endswith("[]"):
            probe = probe[:-2] if probe.endswith("[]") else probe.rsplit(".", 1)[0]
            row = self.fields.get(probe)
            if row is not None and row.free_form:
                return True
        return False


def _branches(node: Mapping[str, Any]) -> tuple[Branch, ...]:
    if "anyOf" in node or "oneOf" in node:
        out: list[Branch] = []
        for sub in node.get("anyOf", node.get("oneOf", [])):
            out.extend(_branches(sub))
        return tuple(out)
    enum = node.get("enum")
    if "const" in node:
        enum = [node["const"]]
    raw = node.get("type")
    types = raw if isinstance(raw, list) else ([raw] if isinstance(raw, str) else [])
    if not types and enum is not None:
        types = sorted({json_type(v) for v in enum})
    closed = tuple(enum) if enum is not None else None
    return tuple(
        Branch(t, tuple(v for v in closed if json_type(v) == t) if closed is not None else None)
        for t in types
    )


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return node
    resolved = resolve_ref(root, ref)
    if resolved is None:
        raise SchemaNotFound(f"$ref {ref!r} does not resolve inside the schema")
    merged = dict(resolved[0])
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return merged


def flatten(schema: Mapping[str, Any], *, prefix: str = "") -> SchemaView:
    """Flatten ``schema`` (an object schema) into a :class:`SchemaView`.

    ``prefix`` places the object (``result.order`` for the bare order part). An envelope schema
    that is an ``anyOf`` of success and error merges both branches.
    """
    view = SchemaView()
    _walk(schema, schema, prefix, view, required=True)
    return view


def _walk(
    node: Mapping[str, Any], root: Mapping[str, Any], path: str, view: SchemaView, *, required: bool
) -> None:
    node = _resolve(node, root)
    if "anyOf" in node and all("properties" in _resolve(s, root) for s in node["anyOf"]):
        for sub in node["anyOf"]:
            _walk(sub, root, path, view, required=required)
        return
    props = node.get("properties")
    is_object = node.get("type") == "object" or isinstance(props, dict)
    if path:
        existing = view.fields.get(path)
        row = SchemaField(
            path=path,
            branches=_branches(node),
            required=required,
            presence=tuple(node.get("x-presence", ())),
            line=node.get("x-doc-line") if isinstance(node.get("x-doc-line"), int) else None,
            free_form=is_object is False and not node.get("items") and not _branches(node),
            undocumented=bool(node.get("x-undocumented")),
            errata=tuple(node.get("x-errata", ()))
            + ((node["x-erratum"],) if isinstance(node.get("x-erratum"), str) else ()),
        )
        if is_object and not isinstance(props, dict):
            row.free_form = True
        if existing is None:
            view.fields[path] = row
    if isinstance(props, dict):
        if node.get("additionalProperties") is False:
            view.closed_objects.add(path)
        needed = set(node.get("required", ()))
        for name, sub in props.items():
            child = f"{path}.{name}" if path else name
            _walk(sub, root, child, view, required=name in needed)
    items = node.get("items")
    if isinstance(items, dict):
        _walk(items, root, path + "[]", view, required=False)


def load_view(part: str, mode: str = "documented", *, directory: Path | None = None) -> SchemaView:
    """Load ``part`` in ``mode`` through the schema store and flatten it.

    ``success`` and ``error`` are envelopes (paths from the top); ``order`` and ``trade`` are
    placed at ``result.order`` and ``result.trades[]`` so every view shares the same notation.
    """
    schema = load_schema(part, mode, directory=directory)
    prefix = {"order": "result.order", "trade": "result.trades[]"}.get(part, "")
    return flatten(schema, prefix=prefix)
