"""The real orders and trades behind the overlay's ``required`` decisions.

Which response fields are required is decided from evidence, not from the table (which has no
required column) nor from the vendor spec (whose required lists are contradicted by live data):
a field is required in observed mode only if it is present in *every* real order (trade) of
``fixtures/captured/realdata``. This module collects those objects and counts presence, so the
overlay's recorded counts can be recomputed by a test and can never silently go stale.

Sources (see ``realdata/README.md``): ``orders/``, ``trades/``, ``bulk/*.jsonl``, the full
responses the README lists as close_position-shaped, the live top-level responses,
``notifications/`` and ``results/``. Documentation examples other than the listed
close_position-shaped ones and ``_suspect_or_edited/`` are excluded: they are not live data.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "RealObjects",
    "Sample",
    "close_position_shaped",
    "collect_real_objects",
    "presence_counts",
]

_SHAPED_HEADING = "Full JSON-RPC responses whose `result` is `{order, trades}`"


@dataclass(frozen=True)
class Sample:
    """One real object and where it came from (``file`` or ``file:line`` for JSON Lines)."""

    source: str
    value: dict[str, Any]


@dataclass(frozen=True)
class RealObjects:
    """Every real order and trade found, in a stable order."""

    orders: tuple[Sample, ...]
    trades: tuple[Sample, ...]


def close_position_shaped(realdata: Path) -> tuple[Path, ...]:
    """The full responses ``realdata/README.md`` lists as close_position-shaped."""
    lines = (realdata / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, text in enumerate(lines) if _SHAPED_HEADING in text)
    found: list[Path] = []
    for text in lines[start + 1 :]:
        match = re.match(r"^\s+- `([^`]+\.json)`\s*$", text)
        if match:
            found.append(realdata / match.group(1))
        elif text.startswith("- "):
            break
    return tuple(found)


def _walk(value: Any, source: str) -> Iterator[tuple[str, Sample]]:
    """Orders and trades inside a response, a result or a notification payload."""
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, source)
        return
    if not isinstance(value, dict):
        return
    if "order_id" in value and "order_state" in value:
        yield "order", Sample(source, value)
        return
    if "trade_id" in value:
        yield "trade", Sample(source, value)
        return
    for key in ("result", "params", "data", "order", "orders", "trades"):
        if key in value:
            yield from _walk(value[key], source)


def collect_real_objects(realdata: Path, *, repo_root: Path | None = None) -> RealObjects:
    """All real orders and trades under ``realdata`` (sources relative to ``repo_root``)."""
    base = repo_root if repo_root is not None else realdata

    def name(path: Path) -> str:
        return path.relative_to(base).as_posix()

    files: list[Path] = [*close_position_shaped(realdata)]
    files += sorted(realdata.glob("*.json"))
    for folder in ("orders", "trades", "notifications", "results"):
        files += sorted((realdata / folder).glob("*.json"))
    orders: list[Sample] = []
    trades: list[Sample] = []
    seen: set[Path] = set()
    for path in files:
        if path in seen:
            continue
        seen.add(path)
        for kind, sample in _walk(json.loads(path.read_text(encoding="utf-8")), name(path)):
            (orders if kind == "order" else trades).append(sample)
    for path in sorted((realdata / "bulk").glob("*.jsonl")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if text.strip():
                for kind, sample in _walk(json.loads(text), f"{name(path)}:{number}"):
                    (orders if kind == "order" else trades).append(sample)
    return RealObjects(orders=tuple(orders), trades=tuple(trades))


def presence_counts(samples: tuple[Sample, ...]) -> dict[str, int]:
    """How many samples carry each key, sorted by key."""
    counter: Counter[str] = Counter()
    for sample in samples:
        counter.update(sample.value.keys())
    return dict(sorted(counter.items()))
