"""Seeded, coverage-steered sampling from the schemas, and coverage measured on instances.

The committed fixtures must be the same bytes for the same seed on any Hypothesis version, so
they are drawn here from a ``random.Random``, never from Hypothesis. The sampler understands a
smaller subset than :func:`~deribit_contract.strategies.from_schema.from_schema`, enough for the
kit's own schemas: ``type``, ``enum``, ``const``, ``properties``, ``required``, ``items``,
``minItems``/``maxItems``, ``anyOf``/``oneOf``, local ``$ref``, ``not: {required: [...]}``,
integer ``minimum``/``maximum`` and ``minLength``/``maxLength`` (no ``pattern``,
``multipleOf`` or exclusive bounds; the fixture tests validate every generated file). It steers
towards what is still missing: each ``enum`` picks its least-used value, each optional
property alternates between present and absent, each array between empty and not. Coverage is
then measured on the produced instances, independently of how they were made.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from deribit_contract._json import resolve_ref
from deribit_contract.errors import InvalidArgument

__all__ = ["Coverage", "SeededSampler", "coverage_targets", "measure_coverage"]

Target = tuple[str, str, str]  # (kind, schema location, value or property name)


def _resolve(root: Mapping[str, Any], ref: str) -> Any:
    resolved = resolve_ref(root, ref)
    if resolved is None:
        raise InvalidArgument(f"$ref {ref!r} does not resolve inside the schema")
    return resolved[0]


def _key(value: Any) -> str:
    return repr(value)


def coverage_targets(schema: Mapping[str, Any]) -> set[Target]:
    """Everything fixtures should show for ``schema``: each enum/const value at each location,
    and each optional property both present and absent."""
    targets: set[Target] = set()
    seen: set[str] = set()

    def walk(node: Any, where: str) -> None:
        if not isinstance(node, Mapping):
            return
        if "$ref" in node:
            ref = node["$ref"]
            if ref not in seen:
                seen.add(ref)
                walk(_resolve(schema, ref), ref)
            return
        for value in node.get("enum", []):
            targets.add(("enum", where, _key(value)))
        required = set(node.get("required", []))
        banned = set(node.get("not", {}).get("required", [])[:1])
        for name, sub in node.get("properties", {}).items():
            if name not in required and name not in banned:
                targets.add(("present", where, name))
                targets.add(("absent", where, name))
            walk(sub, f"{where}/properties/{name}")
        if isinstance(node.get("items"), Mapping):
            walk(node["items"], f"{where}/items")
        for combinator in ("anyOf", "oneOf"):
            for index, sub in enumerate(node.get(combinator, [])):
                walk(sub, f"{where}/{combinator}/{index}")

    walk(schema, "#")
    return targets


def measure_coverage(schema: Mapping[str, Any], instances: Iterable[Any]) -> set[Target]:
    """The targets of :func:`coverage_targets` that ``instances`` actually show."""
    validator = Draft202012Validator(schema)
    hits: set[Target] = set()

    def walk(node: Any, where: str, value: Any) -> None:
        if not isinstance(node, Mapping):
            return
        if "$ref" in node:
            walk(_resolve(schema, node["$ref"]), node["$ref"], value)
            return
        if "enum" in node:
            hits.add(("enum", where, _key(value)))
        for combinator in ("anyOf", "oneOf"):
            for index, sub in enumerate(node.get(combinator, [])):
                if validator.evolve(schema=sub).is_valid(value):
                    walk(sub, f"{where}/{combinator}/{index}", value)
        if isinstance(value, dict):
            required = set(node.get("required", []))
            for name, sub in node.get("properties", {}).items():
                if name in value:
                    if name not in required:
                        hits.add(("present", where, name))
                    walk(sub, f"{where}/properties/{name}", value[name])
                elif name not in required:
                    hits.add(("absent", where, name))
        if isinstance(value, list) and isinstance(node.get("items"), Mapping):
            for item in value:
                walk(node["items"], f"{where}/items", item)

    for instance in instances:
        walk(schema, "#", instance)
    return hits


@dataclass(frozen=True)
class Coverage:
    """How much of a schema's enum values and optional presence a set of fixtures shows."""

    name: str
    targets: frozenset[Target]
    hits: frozenset[Target]

    def missing(self) -> list[Target]:
        """Targets no fixture shows, sorted."""
        return sorted(self.targets - self.hits)

    def summary(self) -> str:
        """One line: enum values, optional fields present, optional fields absent."""
        parts = []
        for kind, label in (
            ("enum", "enum values"),
            ("present", "optional present"),
            ("absent", "optional absent"),
        ):
            total = sum(1 for t in self.targets if t[0] == kind)
            done = sum(1 for t in self.targets & self.hits if t[0] == kind)
            parts.append(f"{label} {done}/{total}")
        return f"{self.name}: " + ", ".join(parts)


class SeededSampler:
    """Draws schema-valid instances from a ``random.Random``, steering towards full coverage."""

    def __init__(self, schema: Mapping[str, Any], rng: random.Random) -> None:
        self.schema = schema
        self.rng = rng
        self.counts: Counter[tuple[str, str]] = Counter()

    def sample(self) -> Any:
        """One instance valid against the schema."""
        return self._value(self.schema, "#")

    def _least_used(self, where: str, options: list[Any]) -> Any:
        # The least-used option so far, ties broken by the seeded generator.
        lowest = min(self.counts[(where, _key(option))] for option in options)
        pick = self.rng.choice(
            [option for option in options if self.counts[(where, _key(option))] == lowest]
        )
        self.counts[(where, _key(pick))] += 1
        return pick

    def _value(self, node: Any, where: str) -> Any:
        if node is True or (isinstance(node, Mapping) and not (set(node) & _ASSERTIONS)):
            return f"v{self.rng.randrange(1000)}"
        if not isinstance(node, Mapping):
            raise InvalidArgument(f"{where}: cannot sample from {node!r}")
        if "$ref" in node:
            return self._value(_resolve(self.schema, node["$ref"]), node["$ref"])
        for combinator in ("anyOf", "oneOf"):
            if combinator in node:
                index = self._least_used(
                    f"{where}/{combinator}", list(range(len(node[combinator])))
                )
                return self._value(node[combinator][index], f"{where}/{combinator}/{index}")
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return self._least_used(where, list(node["enum"]))
        declared = node.get("type", "object" if "properties" in node else "string")
        kind = (
            declared
            if isinstance(declared, str)
            else self._least_used(f"{where}/type", list(declared))
        )
        return self._typed(kind, node, where)

    def _typed(self, kind: str, node: Mapping[str, Any], where: str) -> Any:
        rng = self.rng
        if kind == "null":
            return None
        if kind == "boolean":
            return bool(self._least_used(f"{where}/bool", [True, False]))
        if kind == "integer":
            return rng.randint(int(node.get("minimum", 0)), int(node.get("maximum", 10**6)))
        if kind == "number":
            return rng.choice([rng.randint(1, 10**5), round(rng.uniform(0.01, 10**5), 4)])
        if kind == "string":
            low, high = int(node.get("minLength", 1)), int(node.get("maxLength", 12))
            length = rng.randint(min(low, high), high)
            return "".join(
                rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(length)
            )
        if kind == "array":
            cap = int(node.get("maxItems", 2))
            size = self._least_used(
                f"{where}/size", list(range(int(node.get("minItems", 0)), min(cap, 2) + 1))
            )
            return [self._value(node.get("items", True), f"{where}/items") for _ in range(size)]
        if kind == "object":
            required = set(node.get("required", []))
            banned = set(node.get("not", {}).get("required", [])[:1])
            result: dict[str, Any] = {}
            for name, sub in node.get("properties", {}).items():
                if name in banned:
                    continue
                if name in required or self._least_used(
                    f"{where}/properties/{name}?", [True, False]
                ):
                    result[name] = self._value(sub, f"{where}/properties/{name}")
            return result
        raise InvalidArgument(f"{where}: unknown type {kind!r}")


_ASSERTIONS = frozenset(
    {"type", "enum", "const", "properties", "required", "items", "anyOf", "oneOf", "$ref", "not"}
)
