"""The floors the validate benchmarks compare the kit with: the tightest loops Python allows.

``orjson.loads`` + the compiled ``jsonschema_rs`` yes/no per line, with ``try``/``except`` and
nothing else (the floor); optionally with the duplicate-member proof a hand-written loop needs to
give the kit's verdicts; and the same loop run by one forked process per core at once, to show
how far the machine itself scales before any code of the kit runs.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from deribit_contract.schema.store import load_schema


def _floor_check() -> Any:
    return jsonschema_rs.Draft202012Validator(load_schema("response", "observed")).is_valid


def _floor_loop(lines: Iterable[bytes], is_valid: Any, *, members: bool = False) -> int:
    """The floor's loop: parse each line and ask the compiled validator yes or no; with
    ``members``, also prove that a valid record repeats no member name the straightforward way
    (its line must be how orjson writes it back), which is the guarantee the kit gives."""
    loads = orjson.loads
    dumps = orjson.dumps
    newline = orjson.OPT_APPEND_NEWLINE
    count = 0
    for line in lines:
        count += 1
        try:
            value = loads(line)
        except orjson.JSONDecodeError:
            continue
        if is_valid(value) and members:
            dumps(value, option=newline) == line  # noqa: B015 - the cost is what is measured
    return count


def _floor_share(share: tuple[str, int, int]) -> int:
    """The floor's loop over ``lines`` lines of a file from byte ``start``."""
    name, start, lines = share
    with open(name, "rb") as handle:
        handle.seek(start)
        return _floor_loop(itertools.islice(handle, lines), _floor_check())


def floor_shares(path: Path, count: int, jobs: int) -> list[tuple[str, int, int]]:
    """``jobs`` shares of the file's lines, as (path, first byte, lines), cut before timing."""
    bounds = [count * part // jobs for part in range(jobs + 1)]
    starts = {0: 0}  # line index -> the byte it starts at, for each cut
    cuts = set(bounds[1:-1])
    with path.open("rb") as handle:
        position = 0
        for index, line in enumerate(handle, start=1):
            position += len(line)
            if index in cuts:
                starts[index] = position
    return [(str(path), starts[bounds[i]], bounds[i + 1] - bounds[i]) for i in range(jobs)]


def bench_floor_all_cores(shares: list[tuple[str, int, int]], count: int) -> float:
    """The floor run by one forked process per share at once: how far the machine itself
    scales, as a named baseline."""
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(len(shares)) as pool:
        counted = sum(pool.map(_floor_share, shares))
    elapsed = time.perf_counter() - start
    if counted != count:
        raise SystemExit(f"the shares held {counted} lines, the file {count}")
    return count / elapsed


def bench_fast_floor(path: Path, *, members: bool = False) -> float:
    is_valid = _floor_check()
    with path.open("rb") as handle:
        start = time.perf_counter()
        count = _floor_loop(handle, is_valid, members=members)
    return count / (time.perf_counter() - start)
