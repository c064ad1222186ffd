"""Per-field statistics of a pile of JSON responses: presence, JSON types and values seen.

Drift and coverage both start from the same question, "what did the exchange actually send?",
so this module answers it once, schema-free. Every record is classified (success envelope,
error envelope, bare order, bare trade, or something else) and walked; paths use the vendor
table's notation (``result.trades[].fee``) so that they line up with the documentation rows and
the errata overlay. Bare orders and trades are filed under ``result.order`` and
``result.trades[]``, the places they occupy in a close_position response.

Memory is bounded: only string and boolean values are remembered, at most
:data:`MAX_VALUES` distinct ones per path (enums are small; ids and labels overflow and are
marked so). Past the bound the smallest values are kept, not the first ones: the kept values
and their counts are then the same whatever the order of the records, which is what lets
statistics of parts of an input, gathered by separate workers, merge into exactly the
statistics of the whole (:meth:`FieldStats.merge`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from deribit_contract._json import MAX_NESTING, json_type, nesting_depth

__all__ = [
    "KINDS",
    "MAX_VALUES",
    "ORDER_PREFIX",
    "TRADE_PREFIX",
    "Collected",
    "FieldStat",
    "FieldStats",
    "classify",
    "collect",
    "json_key",
    "json_type",
    "parent_path",
]

#: distinct string/boolean values remembered per path before it is marked as overflowing
MAX_VALUES = 256
#: record kinds :func:`classify` returns; the first four are analysed, the rest only counted
KINDS: tuple[str, ...] = (
    "success",
    "error",
    "order",
    "trade",
    "other-result",
    "not-a-response",
    "too-deep",
)

ORDER_PREFIX = "result.order"
TRADE_PREFIX = "result.trades[]"


def classify(record: Any, *, part: str | None = None) -> str:
    """Which kind of record this is (one of :data:`KINDS`).

    ``part`` forces the reading: ``order``/``trade`` take any object as a bare order/trade,
    ``response`` requires an envelope. Without it: an object with ``error`` is an error
    envelope; with a ``result`` holding ``order`` a close_position-shaped success (buy, sell
    and edit answer the same shape); with another ``result`` (cancel, trade queries, auth)
    ``other-result``; an object with
    ``trade_id`` a bare trade; one with ``order_id`` and ``order_state`` a bare order.
    """
    if not isinstance(record, dict):
        return "not-a-response"
    if part in ("order", "trade"):
        return part
    if "error" in record and "result" not in record:
        return "error"
    if "result" in record:
        result = record["result"]
        # forced to a response, any result is close_position's, however broken (as validate
        # judges it); otherwise one without an order is another method's
        if part == "response" or (isinstance(result, dict) and "order" in result):
            return "success"
        return "other-result"
    if part == "response":
        return "not-a-response"
    if "jsonrpc" in record or "method" in record:
        return "not-a-response"  # requests and subscription notifications
    if "trade_id" in record:
        return "trade"
    if "order_id" in record and "order_state" in record:
        return "order"
    return "not-a-response"


def _rank(value: str | bool) -> tuple[int, str | bool]:  # noqa: FBT001 - a JSON value
    # one total order over the kept values: booleans first, then strings
    return (0, value) if isinstance(value, bool) else (1, value)


@dataclass
class FieldStat:
    """What was seen at one path."""

    present: int = 0
    types: Counter[str] = field(default_factory=Counter)
    values: Counter[str | bool] = field(default_factory=Counter)
    overflow: bool = False
    #: integer values, kept the same bounded way: integer enums (``tick_direction``) are judged
    #: from them; never reported (ids and timestamps would only fill the report)
    integers: Counter[int] = field(default_factory=Counter)
    integers_overflow: bool = False
    # the largest kept value once the bound is reached (None: not computed yet)
    _largest: str | bool | None = field(default=None, repr=False, compare=False)
    _largest_integer: int | None = field(default=None, repr=False, compare=False)

    def add(self, value: Any) -> None:
        """Count one occurrence of ``value`` at this path."""
        self.present += 1
        self.types[json_type(value)] += 1
        if isinstance(value, (str, bool)):
            self.keep(value, 1)
        elif isinstance(value, int):
            self.keep_integer(value, 1)

    def keep_integer(self, value: int, count: int) -> None:
        """Count ``count`` occurrences of the integer ``value`` (smallest kept, as :meth:`keep`)."""
        integers = self.integers
        if value in integers or len(integers) < MAX_VALUES:
            integers[value] += count
            return
        self.integers_overflow = True
        largest = self._largest_integer
        if largest is None:
            largest = max(integers)
        if value < largest:
            del integers[largest]
            integers[value] = count
            largest = max(integers)
        self._largest_integer = largest

    def keep(self, value: str | bool, count: int) -> None:  # noqa: FBT001 - a JSON value
        """Count ``count`` occurrences of a string or boolean ``value``.

        Past :data:`MAX_VALUES` distinct values the smallest are kept: a value pushed out has
        that many smaller values kept, which only ever get replaced by smaller ones, so it can
        never come back and every kept count is exact.
        """
        values = self.values
        if value in values:
            values[value] += count
            return
        if len(values) < MAX_VALUES:
            values[value] = count
            return
        self.overflow = True
        largest = self._largest
        if largest is None:
            largest = max(values, key=_rank)
        if _rank(value) < _rank(largest):
            del values[largest]
            values[value] = count
            largest = max(values, key=_rank)
        self._largest = largest

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict; values are listed only when the path did not overflow."""
        data: dict[str, Any] = {"present": self.present, "types": dict(sorted(self.types.items()))}
        if self.values and not self.overflow:
            data["values"] = {
                json_key(v): n for v, n in sorted(self.values.items(), key=lambda kv: str(kv[0]))
            }
        if self.overflow:
            data["values_overflow"] = True
        return data


def json_key(value: str | bool) -> str:  # noqa: FBT001 - a JSON value, not a flag
    """A value as a JSON object key (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


@dataclass
class FieldStats:
    """Statistics of one family of records (success-shaped or error envelopes).

    ``fields[path]`` is what was seen at ``path``; ``containers[path]`` counts the objects seen
    at ``path`` (``""`` is the envelope), so presence of ``a.b`` is
    ``fields["a.b"].present / containers["a"]``.
    """

    fields: dict[str, FieldStat] = field(default_factory=dict)
    containers: Counter[str] = field(default_factory=Counter)

    def add_object(self, obj: Mapping[str, Any], *, at: str = "") -> None:
        """Walk one object found at path ``at`` (``""`` for a whole envelope)."""
        self.containers[at] += 1
        for key, value in obj.items():
            path = f"{at}.{key}" if at else str(key)
            self._add(path, value)

    def _add(self, path: str, value: Any) -> None:
        stat = self.fields.get(path)
        if stat is None:
            stat = self.fields[path] = FieldStat()
        stat.add(value)
        if isinstance(value, dict):
            self.add_object(value, at=path)
        elif isinstance(value, list):
            for item in value:
                self._add(path + "[]", item)

    def presence(self, path: str) -> tuple[int, int]:
        """(times present, times its parent object was seen) for a field path."""
        parent = parent_path(path)
        stat = self.fields.get(path)
        return (stat.present if stat else 0), self.containers.get(parent, 0)

    def merge(self, other: FieldStats) -> None:
        """Fold ``other`` into these statistics: the result is what one pass over both inputs
        would have gathered."""
        self.containers.update(other.containers)
        for path, theirs in other.fields.items():
            mine = self.fields.setdefault(path, FieldStat())
            mine.present += theirs.present
            mine.types.update(theirs.types)
            for value, n in theirs.values.items():
                mine.keep(value, n)
            mine.overflow = mine.overflow or theirs.overflow
            for number, n in theirs.integers.items():
                mine.keep_integer(number, n)
            mine.integers_overflow = mine.integers_overflow or theirs.integers_overflow

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict of every path, sorted."""
        return {
            "containers": dict(sorted(self.containers.items())),
            "fields": {path: self.fields[path].to_json() for path in sorted(self.fields)},
        }


def parent_path(path: str) -> str:
    """``a.b[].c`` -> ``a.b[]``; ``a.b[]`` -> ``a.b`` (items live in their array); ``a`` -> ``""``."""
    if path.endswith("[]"):
        return path[:-2]
    cut = path.rfind(".")
    return "" if cut < 0 else path[:cut]


@dataclass
class Collected:
    """Statistics of a whole input: success-shaped records and error envelopes apart."""

    success: FieldStats = field(default_factory=FieldStats)
    error: FieldStats = field(default_factory=FieldStats)
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, record: Any, *, part: str | None = None) -> str:
        """Classify and walk one parsed record; returns its kind.

        A record nested deeper than :data:`~deribit_contract._json.MAX_NESTING` is counted as
        ``too-deep`` and never walked.
        """
        kind = "too-deep" if nesting_depth(record) > MAX_NESTING else classify(record, part=part)
        self.kinds[kind] += 1
        if kind == "success":
            self.success.add_object(record)
        elif kind == "error":
            self.error.add_object(record)
        elif kind == "order":
            self.success.add_object(record, at=ORDER_PREFIX)
        elif kind == "trade":
            self.success.add_object(record, at=TRADE_PREFIX)
        return kind

    def merge(self, other: Collected) -> None:
        """Fold in the statistics of another part of the input."""
        self.success.merge(other.success)
        self.error.merge(other.error)
        self.kinds.update(other.kinds)


def collect(records: Iterable[Any], *, part: str | None = None) -> Collected:
    """Statistics of already-parsed records (see :func:`classify` for ``part``)."""
    collected = Collected()
    for record in records:
        collected.add(record, part=part)
    return collected
