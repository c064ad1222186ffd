"""`validate --jobs N`: a worker pool whose output is the single-process output, byte for byte.

The reference is always the single-process path (`--jobs 1`: one BulkScanner over the whole
input). Chunks are made tiny here so that a small corpus crosses hundreds of chunk boundaries.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parallel_corpus import LATE_FIELD, build_corpus
from validation_support import good_success, mixed_lines

from deribit_contract.cli import main
from deribit_contract.validation import ResponseValidator, chunks
from deribit_contract.validation import pool as pool_mod
from deribit_contract.validation.bulk import BulkScanner
from deribit_contract.validation.chunks import shift_labels
from deribit_contract.validation.parallel import merge_verdicts, scan_task, validate_in_pool
from deribit_contract.validation.pool import (
    PARALLEL_MIN_BYTES,
    cpu_count,
    default_jobs,
    ordered_map,
)
from deribit_contract.validation.records import iter_batches
from deribit_contract.validation.report import TextReporter

TINY_CHUNK = 2048


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


def _validate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["validate", "--no-progress", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_jobs_2_output_is_byte_identical_to_jobs_1(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    corpus: list[str],
    fmt: str,
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_BYTES", TINY_CHUNK)
    tasks = list(chunks.plan_tasks(corpus))
    ranges = [t for t in tasks if t.relative]
    assert len(ranges) > 50, "the corpus must cross many chunk boundaries"
    assert any(not t.relative for t in tasks), "whole files go to workers too"

    one = _validate(capsys, *corpus, "--format", fmt, "--jobs", "1")
    two = _validate(capsys, *corpus, "--format", fmt, "--jobs", "2")
    assert one[0] == two[0] == 1
    assert two[1] == one[1]  # byte for byte, bad records, labels, warnings and summary
    assert two[2] == one[2]

    # and the run really judged what the corpus holds, far from the first chunk
    traffic = str(Path(corpus[0]) / "traffic.jsonl")
    if fmt == "json":
        document = json.loads(two[1])
        labels = [r["record"] for r in document["records"]]
        late = {w["field"]: w["first_record"] for w in document["warnings"]}
        assert document["summary"]["records"] > 1000
        assert late[f"$.result.order.{LATE_FIELD}"].startswith(traffic + ":")
        assert int(late[f"$.result.order.{LATE_FIELD}"].rsplit(":", 1)[1]) > 300
    else:
        labels = [line.split(": ", 1)[0] for line in two[1].splitlines() if ": " in line]
    deep = [label for label in labels if label.startswith(traffic + ":")]
    assert max(int(label.split(":")[1].split()[0]) for label in deep) > 500
    assert any(label.endswith("(recorded response)") for label in labels)
    # the gzip file was decompressed (in a worker) and read line by line
    packed = [label for label in labels if label.startswith(corpus[2] + ":")]
    assert len(packed) > 3


def _write_and_close(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="needs /dev/fd (process substitution)")
def test_a_pipe_is_read_once_by_the_parent_and_judged_by_the_pool(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    corpus: list[str],
) -> None:
    # `validate <(zcat x.gz)` names /dev/fd/N: only this process can read it, and only once
    monkeypatch.setattr(chunks, "CHUNK_BYTES", TINY_CHUNK)
    data = (Path(corpus[0]) / "traffic.jsonl").read_bytes()
    outputs = []
    for jobs in ("1", "2"):
        read_end, write_end = os.pipe()
        writer = threading.Thread(target=_write_and_close, args=(write_end, data))
        writer.start()
        name = f"/dev/fd/{read_end}"
        try:
            code, out, _ = _validate(capsys, name, "--jobs", jobs)
        finally:
            writer.join(timeout=60)
            os.close(read_end)
        assert out.splitlines()[-1].startswith("600 records")
        assert f"{name}:" in out
        outputs.append((code, out.replace(name, "<pipe>")))
    assert outputs[0] == outputs[1]


def test_stdin_with_jobs_2_is_identical_to_jobs_1(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    corpus: list[str],
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_BYTES", TINY_CHUNK)
    data = (Path(corpus[0]) / "traffic.jsonl").read_bytes()
    outputs = []
    for jobs in ("1", "2"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        outputs.append(_validate(capsys, "-", "--jobs", jobs))
    assert outputs[0] == outputs[1]
    assert "<stdin>:" in outputs[1][1]


def _text(run: Any) -> str:
    out = io.StringIO()
    reporter = TextReporter(out)
    reporter.start(mode="observed", part="response")
    run(reporter)
    reporter.finish()
    return out.getvalue()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(
    picks=st.lists(st.integers(0, len(mixed_lines()) - 1), min_size=1, max_size=80),
    crlf=st.booleans(),
    trailing_newline=st.booleans(),
    chunk=st.integers(1, 600),
)
def test_any_chunking_gives_the_single_process_output(
    mini_schemas: Path,
    tmp_path_factory: pytest.TempPathFactory,
    picks: list[int],
    crlf: bool,
    trailing_newline: bool,
    chunk: int,
) -> None:
    variants = mixed_lines()
    eol = b"\r\n" if crlf else b"\n"
    target = tmp_path_factory.mktemp("chunked") / "mixed.jsonl"
    target.write_bytes(eol.join(variants[i] for i in picks) + (eol if trailing_newline else b""))
    validator = ResponseValidator("observed", directory=mini_schemas)

    def single(reporter: TextReporter) -> None:
        BulkScanner(validator).run(iter_batches([target]), reporter.summary, reporter.emit)

    def chunked(reporter: TextReporter) -> None:
        # jobs=1 runs the pool's tasks and merge in this process: every boundary, no start-up
        validate_in_pool(
            [target],
            reporter,
            mode="observed",
            part="response",
            directory=mini_schemas,
            jobs=1,
            chunk_bytes=chunk,
        )

    assert _text(chunked) == _text(single)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25)
@given(workers=st.lists(st.integers(0, 2), min_size=1, max_size=12))
def test_any_spread_of_the_tasks_over_workers_gives_the_single_process_output(
    corpus: list[str], workers: list[int]
) -> None:
    # A worker keeps the fields it reported for its earlier tasks. Whatever worker runs each
    # task (each taking its own tasks in input order, as the pool hands them out), the merge
    # must still print every field with its first record: task i goes to workers[i % len].
    validator = ResponseValidator("observed")
    tasks = list(chunks.plan_tasks(corpus, chunk_bytes=TINY_CHUNK))
    scanners = [BulkScanner(validator) for _ in range(3)]
    done = [
        (task, scan_task(scanners[workers[i % len(workers)]], task)) for i, task in enumerate(tasks)
    ]

    def spread(reporter: TextReporter) -> None:
        merge_verdicts(done, reporter)

    def single(reporter: TextReporter) -> None:
        BulkScanner(validator).run(iter_batches(corpus), reporter.summary, reporter.emit)

    assert len(tasks) > 50
    out = _text(spread)
    assert out == _text(single)
    assert f"$.result.order.{LATE_FIELD}" in out


def test_ranges_cover_the_file_exactly_on_line_boundaries(tmp_path: Path) -> None:
    target = tmp_path / "lines.jsonl"
    data = b"".join(b'{"n": %d}\n' % i for i in range(500)) + b"\n\nno newline at the end"
    target.write_bytes(data)
    tasks = list(chunks.plan_tasks([target], chunk_bytes=100))
    assert [t.start for t in tasks[1:]] == [t.end for t in tasks[:-1]]
    assert tasks[0].start == 0
    assert tasks[-1].end == len(data)
    for task in tasks[1:]:
        assert data[task.start - 1 : task.start] == b"\n"


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("small.jsonl", b""),
        ("pretty.json", b""),
        ("packed.jsonl", b"\x1f\x8b"),
        ("bom.jsonl", b"\xff\xfe"),
    ],
)
def test_files_that_cannot_be_cut_go_whole_to_one_worker(
    tmp_path: Path, name: str, head: bytes
) -> None:
    target = tmp_path / name
    size = 50 if name == "small.jsonl" else 5000
    target.write_bytes(head + b"{}\n" * size)
    tasks = list(chunks.plan_tasks([target], chunk_bytes=1000))
    assert len(tasks) == 1
    assert not tasks[0].relative
    assert tasks[0].end is None


def test_labels_shift_by_the_lines_of_earlier_ranges() -> None:
    shift = shift_labels("a.jsonl", 100)
    assert shift("a.jsonl:3") == "a.jsonl:103"
    assert shift("a.jsonl:3 (recorded response)") == "a.jsonl:103 (recorded response)"
    assert shift("b.jsonl:3") == "b.jsonl:3"
    assert shift_labels("a.jsonl", 0)("a.jsonl:3") == "a.jsonl:3"


def test_results_come_back_in_input_order_whatever_finishes_first() -> None:
    delays = [0.3, 0.0, 0.2, 0.0, 0.1, 0.0]
    done = [item for item, _ in ordered_map(time.sleep, delays, jobs=2)]
    assert done == delays


def test_a_failing_task_raises_at_its_turn_after_the_earlier_results() -> None:
    results = ordered_map(int, ["3", "1", "x", "2"], jobs=2)
    assert next(results) == ("3", 3)
    assert next(results) == ("1", 1)
    with pytest.raises(ValueError, match="invalid literal"):
        next(results)


def test_default_jobs_is_every_core_above_the_threshold_and_one_below() -> None:
    assert default_jobs(None) == 1
    assert default_jobs(PARALLEL_MIN_BYTES - 1) == 1
    assert default_jobs(PARALLEL_MIN_BYTES) == cpu_count()
    assert cpu_count() <= (os.cpu_count() or 1)


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_bad_jobs_value_is_a_usage_error(capsys: pytest.CaptureFixture[str], value: str) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["validate", "x.jsonl", "--jobs", value])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert "--jobs" in err
    assert f"got {value!r}" in err


def test_a_parent_with_threads_never_forks_its_workers() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert pool_mod._context().get_start_method() != "fork"
    finally:
        release.set()
        thread.join()


def test_a_read_error_inside_a_range_ends_its_file_as_in_one_process(
    mini_schemas: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An I/O error while a worker reads its range must not escape as a traceback: the range ends
    # with one unreadable record, the file's later ranges are dropped (one process stops reading
    # the file there too), and the next file is read whole.
    record = json.dumps(good_success()).encode()
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"".join(record + b"\n" for _ in range(300)))
    after = tmp_path / "after.jsonl"
    after.write_bytes(record + b"\n" + b"<html>\n")
    fail_at = broken.stat().st_size // 2
    real_read = chunks._Range.read

    def failing_read(self: Any, size: int = -1) -> bytes:
        handle = self._handle
        wanted = self._left if size < 0 else min(size, self._left)
        if handle.name == str(broken) and handle.tell() + wanted > fail_at:
            raise OSError(5, "Input/output error")
        return bytes(real_read(self, size))

    monkeypatch.setattr(chunks._Range, "read", failing_read)
    printed = io.StringIO()
    reporter = TextReporter(printed)
    reporter.start(mode="observed", part="response")
    validate_in_pool(
        [broken, after],
        reporter,
        mode="observed",
        part="response",
        directory=mini_schemas,
        jobs=1,
        chunk_bytes=2048,
    )
    reporter.finish()
    out = printed.getvalue()
    unreadable = [line for line in out.splitlines() if "cannot read past this point" in line]
    assert len(unreadable) == 1, out
    where = int(unreadable[0].split(f"{broken}:")[1].split()[0].rstrip(":"))
    good_lines = fail_at // (len(record) + 1)
    # the error is reported at a line of the failing read, and nothing after it is counted
    assert good_lines - 2048 // (len(record) + 1) - 1 <= where <= good_lines + 1
    summary = reporter.summary
    assert summary.records == where + 2  # the broken file up to the error, then `after`
    assert f"{after}:2" in out  # the next file is read whole
