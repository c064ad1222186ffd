"""`drift --jobs N`: the report of a worker pool is the single-process report, byte for byte.

Field statistics of consecutive parts of an input merge into exactly the statistics of the whole,
also past the bound on remembered values; that is what makes the pool's report identical.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deribit_contract._paths import fixtures_dir
from deribit_contract.cli import main
from deribit_contract.reporting import fieldstats
from deribit_contract.reporting.drift_inputs import merge_tallies, tally_paths, tally_task
from deribit_contract.reporting.fieldstats import FieldStats
from deribit_contract.validation import chunks

REAL = fixtures_dir() / "captured" / "realdata"
VALIDATION_TESTS = Path(__file__).resolve().parents[1] / "validation"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    sys.path.insert(0, str(VALIDATION_TESTS))
    try:
        from parallel_corpus import build_corpus
    finally:
        sys.path.remove(str(VALIDATION_TESTS))
    inputs = build_corpus(tmp_path_factory.mktemp("corpus"))
    return [*inputs, str(REAL / "bulk"), str(REAL / "errors"), str(REAL / "orders")]


def _drift(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["drift", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_jobs_2_report_is_byte_identical_to_jobs_1(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    corpus: list[str],
    fmt: str,
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 16384)
    assert sum(t.relative for t in chunks.plan_tasks(corpus)) > 20
    one = _drift(capsys, *corpus, "--format", fmt, "--jobs", "1")
    two = _drift(capsys, *corpus, "--format", fmt, "--jobs", "2")
    assert one == two
    assert one[0] == 0
    assert "unreadable" in one[2]
    assert "record(s)" in one[2]


def test_any_chunking_gives_the_single_process_tally(corpus: list[str]) -> None:
    whole = tally_paths(corpus)
    for chunk in (700, 20_000):
        tasks = chunks.plan_tasks(corpus, chunk_bytes=chunk)
        parts = merge_tallies((task, tally_task(task)) for task in tasks)
        assert parts.total == whole.total > 1000
        assert parts.unreadable == whole.unreadable > 0
        assert parts.problems == whole.problems
        assert len(parts.problems) == 20
        assert parts.collected.kinds == whole.collected.kinds
        assert parts.collected.success.to_json() == whole.collected.success.to_json()
        assert parts.collected.error.to_json() == whole.collected.error.to_json()
        assert _values(parts.collected.success) == _values(whole.collected.success)


def _values(stats: FieldStats) -> dict[str, dict[str | bool, int]]:
    return {path: dict(stat.values) for path, stat in stats.fields.items()}


@given(
    values=st.lists(st.one_of(st.booleans(), st.sampled_from("abcdefghij")), max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=4),
)
def test_statistics_of_parts_merge_into_those_of_the_whole_past_the_bound(
    values: list[str | bool], cuts: list[int]
) -> None:
    original = fieldstats.MAX_VALUES
    fieldstats.MAX_VALUES = 4  # far fewer than the distinct values drawn: the bound is hit
    try:
        whole = FieldStats()
        for value in values:
            whole.add_object({"v": value})
        merged = FieldStats()
        bounds = [0, *sorted(cuts), len(values)]
        for start, end in itertools.pairwise(bounds):
            part = FieldStats()
            for value in values[start:end]:
                part.add_object({"v": value})
            merged.merge(part)
    finally:
        fieldstats.MAX_VALUES = original
    assert _values(merged) == _values(whole)
    assert merged.to_json() == whole.to_json()
    if len(set(map(repr, values))) > 4:
        assert whole.fields["v"].overflow
        kept = sorted(whole.fields["v"].values, key=lambda v: (isinstance(v, str), v))
        everything = sorted(set(values), key=lambda v: (isinstance(v, str), v))
        assert kept == everything[:4]  # the smallest are kept, each with its exact count
        assert all(whole.fields["v"].values[v] == values.count(v) for v in kept)


def test_a_read_error_inside_a_range_ends_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as for validate: the range ends with one unreadable record, the file's later ranges are
    # left out, the next file is read whole, and nothing escapes as a traceback
    record = sorted((REAL / "errors").glob("*.json"))[0].read_bytes().replace(b"\n", b"")
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"".join(record + b"\n" for _ in range(200)))
    after = tmp_path / "after.jsonl"
    after.write_bytes(record + b"\n<html>\n")
    fail_at = broken.stat().st_size // 2
    real_read = chunks._Range.read

    def failing_read(self: chunks._Range, size: int = -1) -> bytes:
        wanted = self._left if size < 0 else min(size, self._left)
        if self._handle.name == str(broken) and self._handle.tell() + wanted > fail_at:
            raise OSError(5, "Input/output error")
        return real_read(self, size)

    monkeypatch.setattr(chunks._Range, "read", failing_read)
    tasks = chunks.plan_tasks([str(broken), str(after)], chunk_bytes=2048)
    tally = merge_tallies((task, tally_task(task)) for task in tasks)
    read_errors = [p for p in tally.problems if "cannot read past this point" in p]
    assert len(read_errors) == 1, tally.problems
    where = int(read_errors[0].split(f"{broken}:")[1].split(":")[0])
    assert where <= fail_at // (len(record) + 1) + 1
    assert tally.total == where + 2  # the broken file up to its read error, then `after`
    assert tally.unreadable == 2
    assert any(p.startswith(f"{after}:2:") for p in tally.problems)
