"""The bulk path of `validate`: whole batches of records judged by one compiled check.

Replaying captured traffic in CI must cost about what parsing it costs. Per record, the
general path (:meth:`ResponseValidator.validate_record`) builds a result and walks the record
for undocumented fields in Python, which is several times the cost of the compiled check. Here a
batch of lines (one read block) is parsed with orjson and checked by a *tightened* compiled
schema that accepts exactly "valid, and no undocumented field that has not been seen before":
every object that documents its properties gets ``additionalProperties: false`` plus the
undocumented names already reported, and errata-only properties stay forbidden until seen.
That schema is a subset of the observed one, so passing it proves each record valid and
brings no new warning. The common batch costs a compiled call for each 32 of its records and
one ``orjson.dumps`` of their list (the proof that no record repeats a member name, whatever
the lines' spelling: :mod:`.duplicates`), with no Python per record; lines that are not JSON
are set aside first. When a call fails, the compiled check of each record of its part names
the ones that fail, and only those are taken one by one (explaining the invalid ones,
discovering the new fields), after which the tightened schema is rebuilt with the new names;
the rest of the batch stays on the fast path. In documented mode there are no warnings and the
tightened schema is the schema itself.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import jsonschema_rs
import orjson

from deribit_contract.validation.duplicates import (
    find_duplicate_keys,
    members_kept,
    written_by_orjson,
)
from deribit_contract.validation.records import Batch, RawRecord
from deribit_contract.validation.report import Summary
from deribit_contract.validation.results import ValidationResult
from deribit_contract.validation.undocumented import Shape, collect_undocumented, documented_names
from deribit_contract.validation.validator import ResponseValidator

__all__ = ["BulkScanner"]

Pointer = tuple[str | int, ...]
# Past this many distinct undocumented names the input is hostile or not close_position
# traffic; stop rebuilding the tightened schema and judge record by record.
_MAX_ALLOWED_NAMES = 2048
# Records judged by one call of the batch validator. A failing call costs its part again, record
# by record, to find the bad ones; measured per record of a clean file, 32 costs what 88 (a whole
# 64 KiB batch) costs and 16 costs 10 % more, while a bad record wastes a third as much. (The
# validator's iter_errors over a whole batch names the bad ones too, but in 730 us against 420 us
# record by record: it cannot stop at a record's first error.)
_CHECKED_TOGETHER = 32
# the base URI of a record's schema nested in the schema of a batch
_RECORD_ID = "urn:deribit-contract:record"


def _all_shapes(shape: Shape) -> Iterable[Shape]:
    stack = [shape]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(current.children.values())
        if current.items is not None:
            stack.append(current.items)


def _node_at(root: Any, pointer: Pointer) -> Any:
    node = root
    for step in pointer:
        node = node[step]
    return node


def _parse_all(lines: list[bytes]) -> tuple[list[Any], list[int]]:
    """Parsed lines (None where parsing failed) and the indexes that failed.

    The lines are parsed in C-level runs (``list.extend`` over ``map``), each line once: a run
    stops at a line that is not JSON, keeping what it had parsed, and the next run resumes
    after that line, so a batch with one broken line costs no more than a clean one.
    """
    loads = orjson.loads
    parsed: list[Any] = []
    failed: list[int] = []
    remaining = iter(lines)
    while True:
        try:
            parsed.extend(map(loads, remaining))
        except (orjson.JSONDecodeError, RecursionError):
            failed.append(len(parsed))
            parsed.append(None)
        else:
            return parsed, failed


def _safe(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def guarded(instance: Any) -> bool:
        try:
            return check(instance)
        except ValueError:  # the compiled validator's own depth limit: take the slow path
            return False

    return guarded


def _compile(schema: dict[str, Any]) -> tuple[Callable[[Any], bool], Any]:
    """The compiled check of one record, and the compiled validator of a whole batch (a list
    of records) at once."""
    # the record's schema becomes a resource of its own, so that its "#/$defs/..." references
    # keep resolving inside it once it is nested under "items"
    record = schema if "$id" in schema else {**schema, "$id": _RECORD_ID}
    one = jsonschema_rs.Draft202012Validator(schema)
    many = jsonschema_rs.Draft202012Validator({"type": "array", "items": record})
    return _safe(one.is_valid), many


def _is_valid(many: Any, objects: list[Any]) -> bool:
    try:
        return bool(many.is_valid(objects))
    except ValueError:  # the compiled validator's own depth limit: take the slow path
        return False


def _no_member_dropped(objects: list[Any], lines: list[bytes]) -> bool:
    """True when no line repeats a member name: one serialisation for the whole batch, and
    no Python per record.

    Lines written as orjson writes them are proved by one comparison in place: each line was
    parsed on its own, so each is one complete JSON value, and the list's serialisation can
    equal ``[line,line,...]`` only if every line equals the serialisation of its own value (a
    value cannot be a proper prefix of another followed by ``,`` or ``]``). Any other spelling
    is proved by counting colons (:func:`~.duplicates.members_kept`).
    """
    written = written_by_orjson(objects)
    if written is None:  # e.g. deeper than orjson writes
        return False
    joined = b",".join(lines)
    if len(written) == len(joined) + 2 and written.startswith(joined, 1):
        return True  # compared in place (memcmp from offset 1), not with a bracketed copy
    return members_kept(written, joined)


class BulkScanner:
    """Runs one validator over batches, counting into a :class:`Summary`."""

    def __init__(self, validator: ResponseValidator) -> None:
        self._validator = validator
        self._shape = validator.shape
        # A schema node may be the source of several places of the instance (a "$defs" entry
        # referred to twice): it may allow a name only once every one of them has reported it,
        # or the first occurrence at a second place would pass unreported.
        self._reported: dict[int, set[str]] = {}  # id of a place's Shape -> names reported
        self._places: dict[Pointer, list[int]] = {}  # schema node -> the places it shapes
        self._allowed: dict[Pointer, set[str]] = {}
        if self._shape is not None:
            for node in _all_shapes(self._shape):
                for pointer in node.sources:
                    self._places.setdefault(pointer, []).append(id(node))
        self._tight: Callable[[Any], bool] | None = None
        self._tight_all: Any = None  # the compiled validator of a list of records
        self._rebuild()

    def _rebuild(self) -> None:
        if self._shape is None:
            self._tight, self._tight_all = _compile(self._validator.schema)
            return
        if sum(map(len, self._allowed.values())) > _MAX_ALLOWED_NAMES:
            self._tight = self._tight_all = None
            return
        schema = copy.deepcopy(self._validator.schema)
        for pointer in self._places:
            node = _node_at(schema, pointer)
            if node.get("additionalProperties", True) is not True:
                continue  # already closed, or a schema for extra keys: leave as it is
            documented = documented_names(node) or frozenset()
            allowed = self._allowed.get(pointer, set())
            props = dict(node.get("properties", {}))
            for name in props:
                if name not in documented and name not in allowed:
                    props[name] = False  # an erratum field not reported yet
            for name in allowed:
                props.setdefault(name, True)
            node["properties"] = props
            node["additionalProperties"] = False
        self._tight, self._tight_all = _compile(schema)

    def run(
        self,
        batches: Iterable[Batch],
        summary: Summary,
        on_bad: Callable[[ValidationResult], None],
    ) -> None:
        """Judge every record of ``batches``; invalid and non-JSON ones go to ``on_bad``."""
        for batch in batches:
            if batch.error is not None or self._tight is None:
                pending: Iterable[int] = range(len(batch.lines))
            else:
                pending = self._judge_batch(batch.lines, summary)
                if not pending:
                    continue
            if self._one_by_one(batch, pending, summary, on_bad):
                self._rebuild()

    def _judge_batch(self, lines: list[bytes], summary: Summary) -> list[int]:
        """Count the records of a batch that pass the tightened schema (and have no duplicate
        member); the indexes of the others, which take the general path."""
        objects, failed = _parse_all(lines)
        kept: Sequence[int] = range(len(lines))
        if failed:
            # lines that are not JSON leave the others to be judged as a whole all the same
            skip = set(failed)
            kept = [i for i in kept if i not in skip]
            objects = [objects[i] for i in kept]
            lines = [lines[i] for i in kept]
        many, tight = self._tight_all, self._tight
        assert many is not None
        assert tight is not None
        rejected: set[int] = set()
        for low in range(0, len(objects), _CHECKED_TOGETHER):
            part = objects[low : low + _CHECKED_TOGETHER]
            if not _is_valid(many, part):
                # one bad record must not send the rest of its batch down the slow path: the
                # compiled check of each record of its part names the failing ones
                rejected.update(low + i for i, instance in enumerate(part) if not tight(instance))
        passing: Sequence[int]
        if rejected:
            passing = [i for i in range(len(objects)) if i not in rejected]
            proved = _no_member_dropped([objects[i] for i in passing], [lines[i] for i in passing])
        else:
            passing = range(len(objects))
            proved = _no_member_dropped(objects, lines)
        if not proved:
            # some passing record may repeat a member: each is proved or searched on its own
            for i in passing:
                if find_duplicate_keys(lines[i], objects[i]):
                    rejected.add(i)
        good = len(objects) - len(rejected)
        summary.records += good
        summary.valid += good
        return sorted([*failed, *(kept[i] for i in rejected)])

    def _one_by_one(
        self,
        batch: Batch,
        indexes: Iterable[int],
        summary: Summary,
        on_bad: Callable[[ValidationResult], None],
    ) -> bool:
        """The general path for some records of a batch; True when new undocumented names
        were found (the tightened schema must then be rebuilt)."""
        validator = self._validator
        shape = self._shape
        grew = False
        for offset in indexes:
            line = batch.lines[offset]
            number = batch.first_line + offset
            if batch.error is None:
                try:
                    instance = orjson.loads(line)
                except (orjson.JSONDecodeError, RecursionError):
                    pass
                else:
                    if validator.accepts_bytes(line, instance):
                        summary.records += 1
                        summary.valid += 1
                        if shape is not None:
                            grew |= self._note(instance, shape, summary, batch.source, number)
                        continue
            result = validator.validate_record(RawRecord(batch.source, number, line, batch.error))
            summary.add(result)
            on_bad(result)
        return grew

    def _note(
        self, instance: Any, shape: Shape, summary: Summary, source: str, number: int
    ) -> bool:
        paths: list[Pointer] = []
        owners: list[Shape] = []
        collect_undocumented(instance, shape, (), paths, owners)
        if not paths:
            return False
        errata = [
            owner.errata.get(str(path[-1])) for path, owner in zip(paths, owners, strict=True)
        ]
        summary.note_paths(paths, source, number, errata)
        grew = False
        for path, owner in zip(paths, owners, strict=True):
            name = str(path[-1])
            reported = self._reported.setdefault(id(owner), set())
            if name in reported:
                continue
            reported.add(name)
            for pointer in owner.sources:
                places = self._places.get(pointer, ())
                if all(name in self._reported.get(place, ()) for place in places):
                    self._allowed.setdefault(pointer, set()).add(name)
                    grew = True
        return grew
