"""Round 2 of the hostile pass on inputs: ``--jobs N`` must keep the memory of ``--jobs 1``
(a task's answer is bounded in records, gzip is streamed by the parent, a file is read up to
the size it had), and an input that yields nothing is reported and ended by ``--timeout``.

The real figures (RSS of ``validate --jobs 2`` on a gzip of short lines) are in the closing
note; here the bounds themselves are checked with small limits."""

from __future__ import annotations

import gzip
import os
import threading
from pathlib import Path

import pytest

from deribit_contract.cli import main, watchdog
from deribit_contract.validation import chunks
from deribit_contract.validation.chunks import plan_tasks, read_task
from deribit_contract.validation.records import iter_batches

SHORT = b'{"id":1}\n'


def _lines(task: chunks.Task) -> int:
    return sum(len(batch.lines) for batch in read_task(task))


def test_a_gzip_of_short_lines_is_streamed_in_bounded_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "short.jsonl.gz"
    path.write_bytes(gzip.compress(SHORT * 1_050))  # 9 kB unpacked from a few hundred bytes
    monkeypatch.setattr(chunks, "TASK_LINES", 100)
    tasks = list(plan_tasks([path]))
    assert all(task.path is None for task in tasks), "no worker gets the whole file"
    assert [_lines(task) for task in tasks] == [100] * 10 + [50]


def test_byte_ranges_hold_a_bounded_number_of_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "short.jsonl"
    path.write_bytes(SHORT * 1_000)
    monkeypatch.setattr(chunks, "TASK_LINES", 64)
    tasks = list(plan_tasks([path], chunk_bytes=2_000))
    counts = [_lines(task) for task in tasks]
    assert max(counts) <= 64
    assert sum(counts) == 1_000
    assert all(task.end is not None for task in tasks)


def test_a_file_appended_to_while_it_is_read_ends_where_it_ended(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    path.write_bytes(SHORT * 100_000)
    batches = iter_batches([path])
    seen = len(next(batches).lines)
    with path.open("ab") as growing:  # a capture still being written
        growing.write(SHORT * 100_000)
    seen += sum(len(batch.lines) for batch in batches)
    assert seen == 100_000


def test_validate_dev_zero_ends_with_exit_2_on_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    assert main(["validate", "/dev/zero", "--timeout", "1"]) == 2
    assert "no input made progress for 1 s (/dev/zero)" in capsys.readouterr().err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_fifo_with_no_writer_is_reported_then_given_up(
    jobs: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "capture.jsonl"
    os.mkfifo(fifo)
    monkeypatch.setattr(watchdog, "IDLE_NOTICE_S", 1.0)
    assert threading.current_thread() is threading.main_thread()
    assert main(["validate", str(fifo), "--jobs", jobs, "--timeout", "2.5"]) == 2
    err = capsys.readouterr().err
    assert f"no input for 1 s from {fifo}" in err
    assert "giving up (--timeout)" in err
