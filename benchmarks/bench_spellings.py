"""Benchmark step: `validate` on the spellings real captures use, each against orjson's own.

The corpus of :mod:`bench_validate` written the ways real files are: orjson's compact output
(the reference), Python's ``json.dumps`` with compact separators (exponent floats such as
``7.766e-05``, UTF-8), Python's default (``", "``, ``": "``, ``\\u00f4`` escapes), the same with
CRLF line ends, and pretty-printed whole ``.json`` documents (one file each). The records are the
same in every spelling; only their text differs. For each spelling, in the same run:

* the kit end to end (``deribit-contract validate``, start-up excluded as in the main step);
* jsonschema alone on the parsed records (a sample, extrapolated);
* the floor with the same verdicts: ``orjson.loads`` + the compiled validator + the proof that no
  record repeats a member name, per record (``orjson.dumps`` compared with the line, else the
  colon count of :func:`~deribit_contract.validation.duplicates.members_kept`).

The spellings are timed in turn within each round, and each rate is also divided by the orjson
spelling's rate of the same round: the median of those ratios holds on a machine whose speed
drifts between rounds. Rates are by CPU time (the whole-file run's wall-time rate is printed
too): on a machine shared with other work, time spent waiting for a core is not the kit's. Run it alone with ``python benchmarks/bench_validate.py --spellings-only``.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import orjson

from bench_corpus import build_records, write_jsonl
from bench_floor import _floor_check
from bench_validate import _parsed, load, run_kit
from deribit_contract.schema.store import load_schema
from deribit_contract.validation.bulk import BulkScanner
from deribit_contract.validation.duplicates import members_kept
from deribit_contract.validation.records import Batch, iter_batches
from deribit_contract.validation.report import Summary
from deribit_contract.validation.validator import ResponseValidator


def _compact(record: Any) -> bytes:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()


def _python(record: Any) -> bytes:
    return json.dumps(record).encode()


def _pretty(record: Any) -> bytes:
    return json.dumps(record, indent=2).encode()


#: name -> (how a record is written, line end); orjson's own output is the reference
SPELLINGS: dict[str, tuple[Callable[[Any], bytes], bytes]] = {
    "orjson": (orjson.dumps, b"\n"),
    "python compact": (_compact, b"\n"),
    "python default": (_python, b"\n"),
    "python default, CRLF": (_python, b"\r\n"),
}
REFERENCE = "orjson"
PRETTY = "pretty .json documents"


@dataclass
class _Figures:
    """One spelling's measurements over the rounds."""

    records: int
    size: int
    kit: list[float] = field(default_factory=list)  # responses/s by CPU time, one per round
    kit_wall: list[float] = field(default_factory=list)  # the same by wall time
    floor: list[float] = field(default_factory=list)
    jsonschema: list[float] = field(default_factory=list)
    to_reference: list[float] = field(default_factory=list)  # kit / orjson kit, same round


def _write_documents(directory: Path, count: int, seed: int, broken: float) -> int:
    directory.mkdir()
    size = 0
    for index, text in enumerate(build_records(count, seed, broken, _pretty)):
        (directory / f"r{index:07d}.json").write_bytes(text + b"\n")
        size += len(text) + 1
    return size


def _documents(directory: Path) -> Iterator[bytes]:
    for path in sorted(directory.iterdir()):
        yield path.read_bytes()


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        for line in handle:
            yield line.rstrip(b"\r\n")


def _records(target: Path) -> Iterable[bytes]:
    return _documents(target) if target.is_dir() else _lines(target)


def _same_verdict_floor(target: Path) -> float:
    """Responses/s of the tightest loop giving the kit's verdicts on valid records."""
    is_valid = _floor_check()
    loads, dumps = orjson.loads, orjson.dumps
    count = 0
    start = time.process_time()
    for raw in _records(target):
        count += 1
        try:
            value = loads(raw)
        except orjson.JSONDecodeError:
            continue
        if is_valid(value):
            written = dumps(value)
            written == raw or members_kept(written, raw)
    return count / (time.process_time() - start)


def _jsonschema(target: Path, sample: int) -> float:
    validator = jsonschema.Draft202012Validator(load_schema("response", "observed"))
    objects = []
    for raw in _records(target):
        with contextlib.suppress(orjson.JSONDecodeError):
            objects.append(orjson.loads(raw))
        if len(objects) >= sample:
            break
    start = time.process_time()
    for value in objects:
        validator.is_valid(value)
    return len(objects) / (time.process_time() - start)


def _kit(target: Path, records: int) -> tuple[float, float]:
    """Responses/s of the whole ``validate`` run, by CPU time and by wall time."""
    start, wall = time.process_time(), time.perf_counter()
    run_kit(target)
    return records / (time.process_time() - start), records / (time.perf_counter() - wall)


# jsonschema alone takes ~0.4 ms a record: the interleaved comparison times it on one batch in so many
_JSONSCHEMA_EVERY = 25


def _first_batches(target: Path, sample: int) -> list[Batch]:
    batches: list[Batch] = []
    lines = 0
    for batch in iter_batches([target]):
        batches.append(batch)
        lines += len(batch.lines)
        if lines >= sample:
            break
    return batches


def bench_interleaved(targets: dict[str, Path], sample: int, repeat: int) -> None:
    """The kit's scanner on each spelling (one process, input already read), a batch of each
    spelling in turn, with jsonschema alone on one batch in 25: every spelling sees the machine
    at the same moment, so the ratios hold when whole-file runs drift by tens of percent."""
    batches = {name: _first_batches(path, sample) for name, path in targets.items()}
    scanners: dict[str, BulkScanner] = {}
    for name, found in batches.items():
        scanners[name] = BulkScanner(ResponseValidator("observed", part="response"))
        scanners[name].run(found, Summary(), lambda _result: None)  # steady state
    clock = time.thread_time_ns  # CPU time: a loaded machine's waits for a core are not counted
    spent = dict.fromkeys(batches, 0)
    reference = jsonschema.Draft202012Validator(load_schema("response", "observed")).is_valid
    spent_reference = judged = 0
    rounds = min(len(found) for found in batches.values())
    names = list(batches)
    for turn in range(repeat):
        for index in range(rounds):
            shift = (index + turn) % len(names)  # each spelling goes first as often as the others
            for name in names[shift:] + names[:shift]:
                batch = batches[name][index]
                start = clock()
                scanners[name].run([batch], Summary(), lambda _result: None)
                spent[name] += clock() - start
            if index % _JSONSCHEMA_EVERY == 0:
                objects = _parsed(batches[REFERENCE][index].lines)
                start = clock()
                for value in objects:
                    reference(value)
                spent_reference += clock() - start
                judged += len(objects)
    counted = {n: sum(len(b.lines) for b in found[:rounds]) for n, found in batches.items()}
    per = {name: spent[name] / (counted[name] * repeat) for name in names}
    per_reference = spent_reference / judged
    print(
        f"  interleaved, one batch of each spelling in turn over about {sample} records, "
        f"{repeat} passes (one process, input already read; jsonschema alone "
        f"{per_reference:,.0f} ns/response on one batch in {_JSONSCHEMA_EVERY}):"
    )
    for name in names:
        print(
            f"    {name}: kit scanner {per[name]:,.0f} ns/response = "
            f"{per[REFERENCE] / per[name]:.2f}x its speed on orjson's spelling, "
            f"{per_reference / per[name]:.1f}x jsonschema alone"
        )


def bench_spellings(
    tmp: Path, count: int, seed: int, broken: float, *, repeat: int, sample: int, pretty: int
) -> dict[str, _Figures]:
    """Write the corpus in every spelling under ``tmp``, time each in turn, print a table."""
    targets: dict[str, Path] = {}
    figures: dict[str, _Figures] = {}
    for name, (spell, newline) in SPELLINGS.items():
        target = tmp / f"spelling-{len(targets)}.jsonl"
        size = write_jsonl(target, count, seed, broken, spell, newline)
        targets[name] = target
        figures[name] = _Figures(count, size)
    if pretty:
        targets[PRETTY] = tmp / "pretty"
        figures[PRETTY] = _Figures(pretty, _write_documents(targets[PRETTY], pretty, seed, broken))
    print(f"spellings of the same records ({count} a file; {pretty} documents), {load()}:")
    for turn in range(repeat):
        names = list(targets)
        names = names[turn % len(names) :] + names[: turn % len(names)]  # each goes first in turn
        for name in names:
            found = figures[name]
            cpu, wall = _kit(targets[name], found.records)
            found.kit.append(cpu)
            found.kit_wall.append(wall)
            found.floor.append(_same_verdict_floor(targets[name]))
            found.jsonschema.append(_jsonschema(targets[name], sample))
        for found in figures.values():
            found.to_reference.append(found.kit[-1] / figures[REFERENCE].kit[-1])
    _print_table(figures)
    bench_interleaved(targets, min(count, 50_000), repeat)
    print(f"  (after the runs: {load()})")
    return figures


def _print_table(figures: dict[str, _Figures]) -> None:
    # the records are the same in every spelling, so jsonschema's rate on them is one figure:
    # the best of every measurement (the least disturbed by the rest of the machine)
    reference = max(rate for found in figures.values() for rate in found.jsonschema)
    print(
        f"  rates by CPU time (a busy machine's waits for a core are not counted), best of the "
        f"rounds; jsonschema alone on the parsed records: {reference:,.0f}/s (best of every sample)"
    )
    print(
        "  | spelling | bytes/record | kit, responses/s | kit / orjson spelling (median of "
        "rounds) | kit / jsonschema | kit / same-verdict floor | kit by wall time |"
    )
    print("  |---|---|---|---|---|---|---|")
    for name, found in figures.items():
        kit = max(found.kit)
        print(
            f"  | {name} | {found.size / found.records:,.0f} | {kit:,.0f} | "
            f"{statistics.median(found.to_reference):.2f}x | "
            f"{kit / reference:.1f}x | {kit / max(found.floor):.2f}x | {max(found.kit_wall):,.0f}/s |"
        )
    worst = min(
        statistics.median(found.to_reference) for name, found in figures.items() if name != PRETTY
    )
    least = min(max(f.kit) for n, f in figures.items() if n != PRETTY) / reference
    print(
        f"  JSON Lines spellings: worst kit / orjson spelling {worst:.2f}x (target >= 0.85x), "
        f"least kit / jsonschema {least:.1f}x (target >= 40x)"
    )
