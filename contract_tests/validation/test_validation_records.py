"""Splitting inputs into records: files, directories, JSON Lines, stdin, and hostile sizes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from deribit_contract.errors import InvalidArgument
from deribit_contract.validation import records as records_mod
from deribit_contract.validation.records import iter_records


def _labels(paths: list[str | Path], stdin: bytes | None = None) -> list[str]:
    stream = io.BytesIO(stdin) if stdin is not None else None
    return [r.label for r in iter_records(paths, stdin=stream)]


def test_pretty_printed_json_file_is_one_record(tmp_path: Path) -> None:
    target = tmp_path / "one.json"
    target.write_text("\n\n" + json.dumps({"a": [1, 2], "b": {"c": 3}}, indent=2) + "\n")
    got = list(iter_records([target]))
    assert [r.label for r in got] == [f"{target}:3"]  # first non-blank line
    assert json.loads(got[0].raw) == {"a": [1, 2], "b": {"c": 3}}


def test_jsonl_keeps_going_after_a_bad_line(tmp_path: Path) -> None:
    target = tmp_path / "many.jsonl"
    target.write_bytes(b'{"n": 1}\n{"n": 2, "trunc\n\n{"n": 4}\r\n')
    got = list(iter_records([target]))
    assert [r.label for r in got] == [f"{target}:{i}" for i in (1, 2, 3, 4)]
    assert [r.raw for r in got] == [b'{"n": 1}', b'{"n": 2, "trunc', b"", b'{"n": 4}']


def test_json_suffix_holding_json_lines_with_broken_first_line(tmp_path: Path) -> None:
    target = tmp_path / "capture.json"
    body = b'{"n": 0, \n' + b"".join(b'{"n": %d}\n' % i for i in range(1, 6))
    target.write_bytes(body)
    got = list(iter_records([target]))
    assert len(got) == 6
    assert got[0].raw == b'{"n": 0, '
    assert got[5].label == f"{target}:6"


def test_directory_is_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for rel in ("b/x.json", "a/deep/z.jsonl", "a/y.json", ".hidden/h.json", "a/notes.txt"):
        (tmp_path / rel).write_text("{}\n")
    labels = _labels([tmp_path])
    assert labels == [
        f"{tmp_path / 'a' / 'deep' / 'z.jsonl'}:1",
        f"{tmp_path / 'a' / 'y.json'}:1",
        f"{tmp_path / 'b' / 'x.json'}:1",
    ]


def test_stdin_dash_streams_lines_and_documents() -> None:
    assert _labels(["-"], stdin=b'{"a":1}\n{"a":2}\n') == ["<stdin>:1", "<stdin>:2"]
    assert _labels(["-"], stdin=b'{\n  "a": 1\n}\n') == ["<stdin>:1"]
    assert _labels(["-"], stdin=b"") == ["<stdin>:1"]  # empty input is one empty record


def test_missing_path_fails_before_reading_anything(tmp_path: Path) -> None:
    good = tmp_path / "ok.json"
    good.write_text("{}")
    with pytest.raises(InvalidArgument, match=r"nope\.json"):
        next(iter_records([good, tmp_path / "nope.json"]))


def test_over_long_line_is_reported_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records_mod, "MAX_RECORD_BYTES", 64)
    monkeypatch.setattr(records_mod, "_CHUNK", 16)
    target = tmp_path / "big.jsonl"
    target.write_bytes(b'{"n": 1}\n' + b"[" * 1000 + b"\n" + b'{"n": 3}\n')
    got = list(iter_records([target]))
    assert [r.label for r in got] == [f"{target}:{i}" for i in (1, 2, 3)]
    assert got[1].error is not None
    assert "longer than 64 bytes" in got[1].error
    assert got[2].raw == b'{"n": 3}'


def test_over_large_document_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_mod, "MAX_RECORD_BYTES", 64)
    target = tmp_path / "big.json"
    target.write_text("{\n" + '  "k": 1,\n' * 50 + '  "z": 2\n}\n')
    got = list(iter_records([target]))
    assert len(got) == 1
    assert got[0].error is not None
    assert "larger than 64 bytes" in got[0].error
