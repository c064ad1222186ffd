"""The benchmarks' corpus: realistic close_position responses built from real captures.

Records come from the close_position-shaped captures in ``fixtures/captured/realdata`` (ids,
prices, amounts, timestamps and labels varied; trades repeated or dropped; some error
envelopes; a share broken so the explaining path runs), written in any spelling a real file
has (:mod:`bench_spellings`): the records are the same whatever writes them.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from deribit_contract.schema.evidence import close_position_shaped

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO / "fixtures" / "captured" / "realdata"
SHAPED = close_position_shaped(REALDATA)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _vary(base: dict[str, Any], rng: random.Random, index: int) -> dict[str, Any]:
    record = copy.deepcopy(base)
    record["id"] = index
    result = record["result"]
    order = result["order"]
    scale = rng.uniform(0.5, 2.0)
    if isinstance(order.get("price"), (int, float)):
        order["price"] = round(order["price"] * scale, 2)
    order["amount"] = float(rng.randint(1, 500) * 10)
    order["order_id"] = f"ETH-{rng.randint(10**8, 10**9)}"
    # labels are the user's own text: real ones carry non-ASCII (escaped by Python's json)
    order["label"] = rng.choice(["", "close", f"bot-{index % 97}", "clôture ✓"])
    stamp = 1_700_000_000_000 + index * 37
    order["creation_timestamp"] = order["last_update_timestamp"] = stamp
    trades = result["trades"]
    if trades:
        template = trades[0]
        result["trades"] = []
        for n in range(rng.choice([0, 1, 1, 1, 2, 3])):
            trade = copy.deepcopy(template)
            trade["trade_id"] = f"ETH-{rng.randint(10**6, 10**7)}"
            trade["trade_seq"] = index * 4 + n
            trade["timestamp"] = stamp
            trade["order_id"] = order["order_id"]
            if isinstance(trade.get("price"), (int, float)):
                trade["price"] = round(trade["price"] * scale, 2)
            if isinstance(trade.get("fee"), float) and trade["fee"]:
                # fees are small floats rounded to 8 places: 7.766e-05 where Python writes them
                trade["fee"] = round(trade["fee"] * scale, 8)
            result["trades"].append(trade)
    return record


def build_records(
    count: int, seed: int, broken: float, spell: Callable[[Any], bytes] = orjson.dumps
) -> Iterator[bytes]:
    """``count`` JSON Lines records: ~95% success, ~5% error envelopes; a ``broken`` share
    (half truncated lines, half schema violations) so the explaining path runs too. ``spell``
    writes a record (:data:`spellings.SPELLINGS`); the records are the same whatever it is."""
    rng = random.Random(seed)
    successes = [_load(path) for path in SHAPED]
    errors = [_load(p) for p in sorted((REALDATA / "errors").glob("*.json"))]
    for index in range(count):
        roll = rng.random()
        if roll < 0.05:
            record: Any = copy.deepcopy(rng.choice(errors))
            record["id"] = index
        else:
            record = _vary(rng.choice(successes), rng, index)
        line = spell(record)
        flaw = rng.random()
        if flaw < broken / 2:
            line = line[: len(line) // 2]  # truncated line: not JSON
        elif flaw < broken and "result" in record:
            record["result"]["order"]["price"] = str(record["result"]["order"]["price"])
            line = spell(record)  # schema violation: explained by jsonschema
        yield line


def write_jsonl(
    path: Path,
    count: int,
    seed: int,
    broken: float,
    spell: Callable[[Any], bytes] = orjson.dumps,
    newline: bytes = b"\n",
) -> int:
    size = 0
    with path.open("wb") as handle:
        for line in build_records(count, seed, broken, spell):
            handle.write(line + newline)
            size += len(line) + len(newline)
    return size
