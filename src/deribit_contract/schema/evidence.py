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
    "INSTRUMENT_KINDS",
    "RealObjects",
    "Sample",
    "close_position_shaped",
    "collect_documented_objects",
    "collect_real_objects",
    "instrument_kind",
    "kind_counts",
    "presence_counts",
]

#: the kinds of instrument an order or trade can come from; a requirement must say how much
#: evidence it has of each (spot lacks fields futures carry, combos carry fields others lack)
INSTRUMENT_KINDS = ("combo", "future", "option", "perpetual", "spot")
_DATED = re.compile(r"^[0-9]{1,2}[A-Z]{3}[0-9]{2}$")

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


def instrument_kind(value: dict[str, Any]) -> str | None:
    """Which of :data:`INSTRUMENT_KINDS` an order or trade comes from (None: no name).

    Names: ``BTC-PERPETUAL`` and ``BTC_USDC-PERPETUAL`` perpetual, ``BTC-27JUN25`` future,
    ``BTC-15SEP26-77000-C`` option, ``ETH_USDC`` spot, anything else (``BTC-FS-25DEC26_20JUL26``)
    a combo; a leg trade (``combo_id`` set) comes from its combo.
    """
    name = value.get("instrument_name")
    if value.get("combo_id") or not isinstance(name, str):
        return "combo" if value.get("combo_id") else None
    parts = name.split("-")
    if len(parts) == 1:
        return "spot"
    if parts[-1] == "PERPETUAL" and len(parts) == 2:
        return "perpetual"
    if len(parts) == 2 and _DATED.match(parts[1]):
        return "future"
    if len(parts) == 4 and _DATED.match(parts[1]) and parts[3] in ("C", "P"):
        return "option"
    return "combo"


def kind_counts(samples: tuple[Sample, ...]) -> dict[str, int]:
    """How many samples come from each instrument kind (every kind named, sorted)."""
    counter = Counter(instrument_kind(sample.value) for sample in samples)
    return {kind: counter[kind] for kind in INSTRUMENT_KINDS}


def collect_documented_objects(realdata: Path, *, repo_root: Path | None = None) -> RealObjects:
    """The orders and trades of the vendor's documentation examples (``docs/``): evidence of
    what the documentation shows, used only for a kind no live capture covers."""
    base = repo_root if repo_root is not None else realdata
    orders: list[Sample] = []
    trades: list[Sample] = []
    for path in sorted((realdata / "docs").glob("*.json")):
        if "__REQUEST_" in path.name:
            continue
        source = path.relative_to(base).as_posix()
        for kind, sample in _walk(json.loads(path.read_text(encoding="utf-8")), source):
            (orders if kind == "order" else trades).append(sample)
    return RealObjects(orders=tuple(orders), trades=tuple(trades))


def presence_counts(samples: tuple[Sample, ...]) -> dict[str, int]:
    """How many samples carry each key, sorted by key."""
    counter: Counter[str] = Counter()
    for sample in samples:
        counter.update(sample.value.keys())
    return dict(sorted(counter.items()))
