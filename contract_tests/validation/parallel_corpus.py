"""A deterministic corpus of captured traffic for the worker-pool tests.

Real close_position-shaped responses and real error envelopes from ``fixtures/captured/realdata``,
varied per line, in several files and formats, with everything that can go wrong at a chunk
boundary: truncated lines, blank lines, an HTML error page, CRLF endings, schema violations, a
JSON value that is not an object, a recorded fixture (its label carries a suffix), undocumented
fields first seen deep into a file, a last line without a newline.
"""

from __future__ import annotations

import copy
import gzip
import json
import random
from pathlib import Path
from typing import Any

from validation_support import REALDATA

from deribit_contract.schema.evidence import close_position_shaped

__all__ = ["LATE_FIELD", "build_corpus"]

#: an undocumented field that first appears deep into the big file (its first record is checked)
LATE_FIELD = "zz_first_seen_late"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _lines(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    successes = [_load(p) for p in close_position_shaped(REALDATA)]
    errors = [_load(p) for p in sorted((REALDATA / "errors").glob("*.json"))]
    out: list[bytes] = []
    for index in range(count):
        roll = rng.random()
        record: Any = copy.deepcopy(rng.choice(errors if roll < 0.1 else successes))
        record["id"] = index
        if "result" in record and index > count // 2 and rng.random() < 0.2:
            record["result"]["order"][LATE_FIELD] = index
        line = json.dumps(record, separators=(",", ":")).encode()
        flaw = rng.random()
        if flaw < 0.03:
            line = line[: len(line) // 2]  # truncated
        elif flaw < 0.04:
            line = b""
        elif flaw < 0.05:
            line = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        elif flaw < 0.06:
            line = b"[1, 2]"
        elif flaw < 0.09 and "result" in record:
            record["result"]["order"]["price"] = str(record["result"]["order"].get("price"))
            line = json.dumps(record).encode()
        elif flaw < 0.12:  # a recorded fixture, about half of them with a violation
            if "result" in record and index % 2 == 0:
                record["result"]["order"]["amount"] = "many"
            line = json.dumps({"meta": {"seed": index}, "request": {}, "response": record}).encode()
        out.append(line)
    return out


def build_corpus(root: Path, *, count: int = 600, seed: int = 14) -> list[str]:
    """Write the corpus under ``root``; returns the CLI arguments naming it, in order."""
    lines = _lines(count, seed)
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    (root / "a" / "traffic.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    # CRLF endings, no newline after the last record
    (root / "a" / "windows.ndjson").write_bytes(b"\r\n".join(lines[: count // 3]))
    # whole documents: one pretty-printed response, one JSON Lines file with a broken first line
    (root / "b" / "pretty.json").write_text(
        json.dumps(_load(close_position_shaped(REALDATA)[0]), indent=2)
    )
    (root / "b" / "broken-head.json").write_bytes(
        b"\n".join([b'{"jsonrpc": "2.0", "res', *lines[:40]])
    )
    (root / "c.jsonl.gz").write_bytes(gzip.compress(b"\n".join(lines[: count // 4]) + b"\n"))
    # the big file again as a separate argument: a second pass over the same name
    return [
        str(root / "a"),
        str(root / "b"),
        str(root / "c.jsonl.gz"),
        str(root / "a" / "traffic.jsonl"),
    ]
