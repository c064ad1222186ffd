"""The reference validator, told to skip the parts of a record the compiled one accepts.

Explaining a rejected record with ``jsonschema`` walks all of it, although the error usually
sits in one field: a millisecond per record, which at one bad record in a thousand is a sixth of
what ``validate`` spends on the whole file. The compiled validator (``jsonschema_rs``) compiles
every subschema of the same document on its own (``validator_map_for``), so before the reference
validator descends into a property or an array item it asks the compiled check of that
subschema, in microseconds, whether the value passes; a value that passes cannot produce an
error there, so the descent is skipped. The errors that remain, and so every explanation, are the
ones of the full walk: the two implementations agree on every schema of the kit (the agreement
property test holds them to it), and a value the compiled check cannot judge (too deep for it) is
walked as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from deribit_contract._json import json_pointer

__all__ = ["subschema_checks", "with_pruning"]

Check = Callable[[Any], bool]
_Keyword = Callable[[Validator, Any, Any, Mapping[str, Any]], Iterator[ValidationError]]

_BASE = jsonschema.Draft202012Validator.VALIDATORS


def subschema_checks(schema: Mapping[str, Any]) -> dict[int, Check]:
    """The compiled check of every object subschema of ``schema``, keyed by its ``id()``.

    The keys are the identities of the very dicts inside ``schema``, which the reference
    validator hands to its keywords (``$ref`` targets included: they are resolved inside the same
    document). Empty when the compiled validator cannot take the schema.
    """
    # jsonschema-rs releases before validator_map_for only lose the speed-up, not a result
    compile_all = getattr(jsonschema_rs, "validator_map_for", None)
    if compile_all is None:
        return {}
    try:
        compiled = compile_all(dict(schema))
    except (ValueError, jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError):
        return {}
    checks: dict[int, Check] = {}
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), schema)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, Mapping):
            found = compiled.get("#" + json_pointer(where))
            if found is not None:
                checks[id(node)] = found.is_valid
            stack.extend(((*where, key), child) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend(((*where, index), child) for index, child in enumerate(node))
    return checks


def _passes(check: Check | None, value: Any) -> bool:
    # asked for scalars too: one compiled call costs a fraction of a microsecond, one descent of
    # the reference validator tens of microseconds
    if check is None:
        return False
    try:
        return check(value)
    except ValueError:  # deeper than the compiled validator goes: walk it
        return False


def _pruned_properties(checks: Mapping[int, Check]) -> _Keyword:
    base = _BASE["properties"]

    def properties(
        validator: Validator, properties: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if isinstance(instance, dict) and isinstance(properties, Mapping):
            properties = {
                name: subschema
                for name, subschema in properties.items()
                if name not in instance or not _passes(checks.get(id(subschema)), instance[name])
            }
        yield from base(validator, properties, instance, schema)

    return properties


def _pruned_items(checks: Mapping[int, Check]) -> _Keyword:
    base = _BASE["items"]

    def items(
        validator: Any, items: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        check = checks.get(id(items))
        if check is None or not isinstance(instance, list):
            yield from base(validator, items, instance, schema)
            return
        # the same walk as jsonschema's own "items" (after "prefixItems"), minus passing items
        for index in range(len(schema.get("prefixItems", [])), len(instance)):
            if not _passes(check, instance[index]):
                yield from validator.descend(instance[index], items, path=index)

    return items


def with_pruning(validator_class: Callable[..., Validator], schema: Mapping[str, Any]) -> Validator:
    """A ``validator_class`` validator for ``schema`` that skips the values the compiled
    subschema checks accept (a plain ``validator_class(schema)`` when the schema cannot be
    compiled)."""
    checks = subschema_checks(schema)
    if not checks:
        return validator_class(schema)
    pruned = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        validator_class,
        {"properties": _pruned_properties(checks), "items": _pruned_items(checks)},
    )
    validator: Validator = pruned(schema)
    return validator
