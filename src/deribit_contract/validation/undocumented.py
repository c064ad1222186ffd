"""Find the fields a record carries that the documentation does not list.

In observed mode such fields are allowed (real orders carry ``max_show``, real envelopes carry
``usIn``/``usOut``), but the issue is explicit that they must never be silently ignored: each one
becomes a warning. The schema is compiled once into a small tree of "which keys are documented
here, and where to look deeper", so the per-record walk is a set difference per object and
costs microseconds on the fast path.

The documented names of an object schema are its ``x-documented-properties`` list (the schema
builder writes one on every object; errata fields are in ``properties`` but not in the list), else
all its ``properties``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from deribit_contract._json import resolve_ref

__all__ = [
    "Shape",
    "collect_undocumented",
    "compile_shape",
    "documented_names",
    "iter_undocumented",
]

_BRANCH_KEYWORDS = ("anyOf", "oneOf", "allOf")


@dataclass(slots=True)
class Shape:
    """What to check at one place of the instance.

    ``documented`` is None where the schema says nothing about object keys; ``children`` only
    holds properties whose subtree has something to check, so the walk skips leaves.
    """

    documented: frozenset[str] | None = None
    children: dict[str, Shape] = field(default_factory=dict)
    items: Shape | None = None
    # JSON pointers (as tuples) of the schema objects whose ``properties`` this place merges;
    # the bulk path tightens exactly those nodes into its "nothing new" schema
    sources: list[tuple[str | int, ...]] = field(default_factory=list)
    # undocumented names the errata overlay already explains -> erratum id (``x-erratum``)
    errata: dict[str, str] = field(default_factory=dict)

    def is_trivial(self) -> bool:
        """True when nothing at or under this place can produce a warning."""
        return self.documented is None and not self.children and self.items is None


def documented_names(node: Mapping[str, Any]) -> frozenset[str] | None:
    """The property names ``node`` documents, or None when it declares no properties."""
    listed = node.get("x-documented-properties")
    if isinstance(listed, list):
        return frozenset(str(name) for name in listed)
    props = node.get("properties")
    if not isinstance(props, Mapping):
        return None
    return frozenset(str(name) for name in props)


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root
        self._active: set[int] = set()

    def _resolve(self, ref: str) -> tuple[Any, tuple[str | int, ...]] | None:
        return resolve_ref(self._root, ref)

    def compile(self, node: Any, pointer: tuple[str | int, ...] = ()) -> Shape:
        shape = Shape()
        if not isinstance(node, Mapping) or id(node) in self._active:
            return shape  # recursive schemas: stop at the cycle, the outer level already checks
        self._active.add(id(node))
        try:
            self._merge_node(shape, node, pointer)
        finally:
            self._active.discard(id(node))
        return shape

    def _merge_node(
        self, shape: Shape, node: Mapping[str, Any], pointer: tuple[str | int, ...]
    ) -> None:
        documented = documented_names(node)
        if documented is not None:
            shape.documented = (shape.documented or frozenset()) | documented
            shape.sources.append(pointer)
        props = node.get("properties")
        if isinstance(props, Mapping):
            for name, sub in props.items():
                child = self.compile(sub, (*pointer, "properties", str(name)))
                self._add_child(shape, str(name), child)
                erratum = sub.get("x-erratum") if isinstance(sub, Mapping) else None
                if isinstance(erratum, str) and documented is not None and name not in documented:
                    shape.errata[str(name)] = erratum
        items = node.get("items")
        if isinstance(items, Mapping):
            sub_shape = self.compile(items, (*pointer, "items"))
            if not sub_shape.is_trivial():
                shape.items = _merge(shape.items, sub_shape)
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self._resolve(ref)
            if target is not None:
                _merge_into(shape, self.compile(target[0], target[1]))
        for keyword in _BRANCH_KEYWORDS:
            branches = node.get(keyword)
            if isinstance(branches, list):
                for index, branch in enumerate(branches):
                    _merge_into(shape, self.compile(branch, (*pointer, keyword, index)))

    @staticmethod
    def _add_child(shape: Shape, name: str, child: Shape) -> None:
        if child.is_trivial():
            return
        shape.children[name] = _merge(shape.children.get(name), child)


def _merge(left: Shape | None, right: Shape) -> Shape:
    if left is None:
        return right
    merged = Shape(
        left.documented, dict(left.children), left.items, list(left.sources), dict(left.errata)
    )
    _merge_into(merged, right)
    return merged


def _merge_into(shape: Shape, other: Shape) -> None:
    if other.documented is not None:
        shape.documented = (shape.documented or frozenset()) | other.documented
    for name, child in other.children.items():
        shape.children[name] = _merge(shape.children.get(name), child)
    if other.items is not None:
        shape.items = _merge(shape.items, other.items)
    shape.sources.extend(p for p in other.sources if p not in shape.sources)
    for name, erratum in other.errata.items():
        shape.errata.setdefault(name, erratum)


def compile_shape(schema: Mapping[str, Any]) -> Shape:
    """Compile a schema (with local ``$ref``, ``anyOf``/``oneOf``/``allOf``) into a :class:`Shape`."""
    return _Compiler(schema).compile(schema)


def collect_undocumented(
    instance: Any,
    shape: Shape,
    prefix: tuple[str | int, ...],
    out: list[tuple[str | int, ...]],
    owners: list[Shape] | None = None,
) -> None:
    """Append to ``out`` the path of every key of ``instance`` that ``shape`` does not document.

    Paths are tuples of keys and indexes in instance order. Recursion follows the schema's
    depth, not the instance's, so deep garbage is harmless. A plain function filling a list
    (not a generator) because it runs once per record on the bulk path.
    """
    if isinstance(instance, dict):
        documented = shape.documented
        if documented is not None:
            extra = instance.keys() - documented
            if extra:
                # instance order, not set order: output must not depend on hash seeds
                for key in instance:
                    if key in extra:
                        out.append((*prefix, key))
                        if owners is not None:
                            owners.append(shape)
        for name, child in shape.children.items():
            value = instance.get(name)
            if value is not None:
                collect_undocumented(value, child, (*prefix, name), out, owners)
    elif isinstance(instance, list) and shape.items is not None:
        items = shape.items
        for index, item in enumerate(instance):
            collect_undocumented(item, items, (*prefix, index), out, owners)


def iter_undocumented(
    instance: Any, shape: Shape, prefix: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str | None]]:
    """Iterate ``(path, erratum id or None)`` for the paths :func:`collect_undocumented` finds."""
    out: list[tuple[str | int, ...]] = []
    owners: list[Shape] = []
    collect_undocumented(instance, shape, prefix, out, owners)
    return iter(
        [(path, owner.errata.get(str(path[-1]))) for path, owner in zip(out, owners, strict=True)]
    )
