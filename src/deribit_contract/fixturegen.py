"""Regenerate ``fixtures/generated/`` deterministically, atomically, with measured coverage.

Everything is drawn from one seeded ``random.Random`` (never from Hypothesis, whose draw order
changes between versions), serialised with the one canonical writer, written into a temporary
directory next to the target and swapped in only when complete: an interrupted run leaves the
previous fixtures in place. Captured and recorded real traffic lives elsewhere and is refused
as a target.
"""

from __future__ import annotations

import difflib
import json
import os
import random
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deribit_contract._fileio import (
    atomic_write_text,
    dump_canonical_json,
    staging_name,
    sweep_stale,
)
from deribit_contract.errors import InvalidArgument
from deribit_contract.schema.store import MODES, load_schema
from deribit_contract.strategies._choice import RandomChooser
from deribit_contract.strategies._closing import CATALOG, CloseOutcome, build_outcome
from deribit_contract.strategies.params import INVALID_PARAM_RULES, apply_rule, make_valid_params
from deribit_contract.strategies.responses import KNOWN_ERRORS
from deribit_contract.strategies.seeded import (
    Coverage,
    SeededSampler,
    coverage_targets,
    measure_coverage,
)

__all__ = ["DEFAULT_SEED", "Rendered", "check_fixtures", "render_fixtures", "write_fixtures"]

DEFAULT_SEED = 20240601
_PROTECTED = ("captured", "recorded")
_MAX_SAMPLES = 400


@dataclass(frozen=True)
class Rendered:
    """The full fixture tree as ``relative path -> file text``, with its coverage."""

    files: Mapping[str, str]
    coverage: tuple[Coverage, ...]


def _request(request_id: int, params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "private/close_position",
        "params": dict(params),
    }


def _until_covered(
    name: str, schema: Mapping[str, Any], make: Callable[[], Any], start: list[Any]
) -> tuple[list[Any], Coverage]:
    """Add instances from ``make`` until every coverage target of ``schema`` is hit."""
    targets = coverage_targets(schema)
    instances = list(start)
    hits = measure_coverage(schema, instances)
    while not targets <= hits and len(instances) < _MAX_SAMPLES:
        batch = [make() for _ in range(5)]
        instances.extend(batch)
        hits |= measure_coverage(schema, batch)
    return instances, Coverage(name, frozenset(targets), frozenset(hits & targets))


def render_fixtures(*, seed: int = DEFAULT_SEED) -> Rendered:
    """Every generated fixture for ``seed``, in memory (pure: same seed, same texts)."""
    rng = random.Random(seed)
    chooser = RandomChooser(rng)
    files: dict[str, str] = {}
    coverage: list[Coverage] = []

    def put(path: str, value: Any) -> None:
        files[path] = dump_canonical_json(value)

    outcomes: list[CloseOutcome] = []
    for instrument in CATALOG:
        for order_type in ("market", "limit"):
            for fill in ("full", "partial", "none", "flat"):
                outcome = build_outcome(
                    chooser,
                    instrument=instrument,
                    order_type=order_type,
                    fill=fill,
                    request_id=len(outcomes) + 1,
                )
                outcomes.append(outcome)
                put(
                    f"outcomes/{len(outcomes):03d}-{instrument.instrument_name}-{order_type}-{fill}.json",
                    outcome.as_json(),
                )

    for mode in MODES:
        params_schema = load_schema("params", mode)
        valid = [
            _request(
                100 + index,
                make_valid_params(chooser, instrument=instrument, order_type=order_type),
            )
            for index, (instrument, order_type) in enumerate(
                (i, t) for i in CATALOG for t in ("market", "limit")
            )
        ]
        params_sampler = SeededSampler(params_schema, rng)
        params, _ = _until_covered(
            f"{mode} params", params_schema, params_sampler.sample, [r["params"] for r in valid]
        )
        for index, extra in enumerate(params[len(valid) :]):
            # Keep what the sampler added for coverage (e.g. access_token) on realistic params.
            realistic = make_valid_params(
                chooser, instrument=CATALOG[index % len(CATALOG)], order_type=extra["type"]
            )
            added = {
                key: value
                for key, value in extra.items()
                if key not in ("instrument_name", "type", "price")
            }
            valid.append(_request(200 + index, {**realistic, **added}))
        targets = coverage_targets(params_schema)
        params_coverage = Coverage(
            f"{mode} params", frozenset(targets),
            frozenset(measure_coverage(params_schema, [r["params"] for r in valid]) & targets),
        )  # fmt: skip
        coverage.append(params_coverage)
        for index, request in enumerate(valid):
            put(f"requests/{mode}/valid/request-{index:03d}.json", request)

        for rule in INVALID_PARAM_RULES:
            bad = apply_rule(rule, valid[1]["params"], chooser, schema=params_schema)
            body = json.dumps(
                _request(300, bad.params), sort_keys=True
            )  # NaN/Infinity kept as sent
            entry: dict[str, Any] = {
                "rule": bad.rule,
                "reason": bad.reason,
                "schema_level": bad.schema_level,
                "body": body,
            }
            try:
                dump_canonical_json(bad.params)
                entry["request"] = _request(300, bad.params)
            except ValueError:
                pass  # not representable in strict JSON: only the raw body
            put(f"requests/{mode}/invalid/{rule}.json", entry)

        response_schema = load_schema("response", mode)
        sampler = SeededSampler(response_schema, rng)
        responses, response_coverage = _until_covered(
            f"{mode} response", response_schema, sampler.sample, []
        )
        coverage.append(response_coverage)
        for index, response in enumerate(responses):
            put(f"responses/{mode}/response-{index:03d}.json", response)

        error_sampler = SeededSampler(load_schema("error", mode), rng)
        for code, message in KNOWN_ERRORS:
            envelope = error_sampler.sample()
            envelope["error"] = {"code": code, "message": message}
            put(f"errors/{mode}/error-{code}.json", envelope)

    manifest = {
        "generator": "deribit_contract.fixturegen",
        "seed": seed,
        "counts": _counts(files),
        "coverage": {item.name: item.summary().split(": ", 1)[1] for item in coverage},
        "note": "generated by `deribit-contract fixtures`; edit the generator, not these files",
    }
    put("manifest.json", manifest)
    return Rendered(files, tuple(coverage))


def _counts(files: Mapping[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in files:
        top = path.rsplit("/", 1)[0]
        counts[top] = counts.get(top, 0) + 1
    return dict(sorted(counts.items()))


def _guard(out: Path) -> Path:
    """Refuse targets that would overwrite captured or recorded traffic or a foreign directory."""
    out = out.resolve()
    for parent in (out, *out.parents):
        if parent.name in _PROTECTED and parent.parent.name == "fixtures":
            raise InvalidArgument(
                f"refusing to write generated fixtures into {parent}: it holds real traffic"
            )
    for name in _PROTECTED:
        if (out / name).exists():
            raise InvalidArgument(
                f"refusing to replace {out}: it contains {name}/ (real traffic); pass --out fixtures/generated"
            )
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise InvalidArgument(
            f"refusing to replace {out}: it is not empty and has no manifest.json of generated fixtures"
        )
    return out


def _recover(out: Path) -> None:
    """Put back the previous fixtures if a run died between moving them aside and swapping in."""
    if out.exists():
        for stale in out.parent.glob(f".{out.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)
        return
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if olds:
        os.replace(olds[-1], out)


def write_fixtures(out: Path, *, seed: int = DEFAULT_SEED) -> Rendered:
    """Render and atomically replace ``out`` with the fixtures for ``seed``."""
    out = _guard(out)
    _recover(out)
    rendered = render_fixtures(seed=seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(out.parent)  # staging folders of runs killed before they could clean up
    staging = staging_name(out)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for relative, text in sorted(rendered.files.items()):
            atomic_write_text(staging / relative, text)
        aside = out.parent / f".{out.name}.old-{os.getpid()}"
        if out.exists():
            os.replace(out, aside)
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _recover(out)
    return rendered


def check_fixtures(out: Path, *, seed: int = DEFAULT_SEED, max_lines: int = 200) -> list[str]:
    """A readable diff between ``out`` and what ``seed`` renders; empty when up to date."""
    out = out.resolve()
    rendered = render_fixtures(seed=seed)
    on_disk = (
        {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
        if out.is_dir()
        else set()
    )
    lines: list[str] = []
    for relative in sorted(on_disk | set(rendered.files)):
        if relative not in on_disk:
            lines.append(f"missing: {relative}")
        elif relative not in rendered.files:
            lines.append(f"unexpected: {relative}")
        else:
            current = (out / relative).read_text(encoding="utf-8")
            if current != rendered.files[relative]:
                lines.extend(
                    difflib.unified_diff(
                        current.splitlines(),
                        rendered.files[relative].splitlines(),
                        f"{relative} (on disk)",
                        f"{relative} (seed {seed})",
                        lineterm="",
                        n=1,
                    )
                )
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], f"... {len(lines) - max_lines} more diff lines"]
    return lines
