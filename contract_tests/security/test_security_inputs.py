"""Hostile input files and streams: depth bombs, symlink loops, unreadable entries, pipes,
gzip, UTF-16/32 and duplicate keys. Each one is judged or reported, and the run goes on."""

from __future__ import annotations

import codecs
import gzip
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest

from deribit_contract._json import MAX_NESTING
from deribit_contract.cli import main
from deribit_contract.reporting.drift import analyse_paths
from deribit_contract.reporting.fieldstats import collect
from deribit_contract.validation import ResponseValidator
from deribit_contract.validation.records import iter_records

REPO = Path(__file__).resolve().parents[2]
# a real success response (a generated one changes shape whenever the schemas do)
GOOD = REPO / "fixtures" / "captured" / "realdata" / "nautilus__private_buy__1.json"


def _good() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(GOOD.read_text(encoding="utf-8"))
    return value


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _validate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["validate", "--format", "json", "--no-progress", *argv])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def _deep(levels: int) -> str:
    return '{"jsonrpc":"2.0","id":1,"result":' + "[" * levels + "]" * levels + "}"


@pytest.mark.parametrize("levels", [MAX_NESTING + 1, 1000])
def test_deep_record_is_reported_and_later_records_are_judged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, levels: int
) -> None:
    target = tmp_path / "deep.jsonl"
    target.write_text(_deep(levels) + "\n" + _compact(_good()) + "\n", encoding="utf-8")
    code, report, _ = _validate(capsys, str(target))
    assert code == 1
    assert report["summary"]["records"] == 2
    assert report["summary"]["valid"] == 1
    (bad,) = report["records"]
    assert bad["record"] == f"{target}:1"
    assert bad["violations"][0]["keyword"] == "maxDepth"


def test_deep_object_chain_does_not_crash_explanations() -> None:
    deep = '{"jsonrpc":"2.0","id":1,"result":{"order":' + '{"a":' * 999 + "1" + "}" * 999 + "}}"
    result = ResponseValidator().validate_bytes(deep.encode())
    assert result.status == "invalid"
    assert [v.keyword for v in result.violations] == ["maxDepth"]


def test_drift_and_field_statistics_skip_deep_records(tmp_path: Path) -> None:
    target = tmp_path / "deep.jsonl"
    target.write_text(_deep(1000) + "\n" + _compact(_good()) + "\n", encoding="utf-8")
    report = analyse_paths([target])
    assert report.records == 2
    assert report.collected.kinds["too-deep"] == 1
    assert report.collected.kinds["success"] == 1
    assert any("nested deeper than" in p for p in report.problems)
    assert collect([orjson.loads(_deep(1000))]).kinds["too-deep"] == 1


def test_symlink_loop_is_skipped_with_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text(_compact(_good()), encoding="utf-8")
    (tmp_path / "sub" / "up").symlink_to("..")
    (tmp_path / "one.json").symlink_to("two.json")
    (tmp_path / "two.json").symlink_to("one.json")
    code, report, err = _validate(capsys, str(tmp_path))
    assert code == 0
    assert report["summary"]["records"] == 1
    assert "symbolic link loop (it leads back to a parent directory)" in err
    assert f"skipping {tmp_path / 'one.json'}: symbolic link loop" in err


def test_unreadable_directory_and_file_are_reported_per_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked_dir = tmp_path / "locked"
    locked_dir.mkdir()
    (locked_dir / "x.json").write_text("{}", encoding="utf-8")
    locked_file = tmp_path / "b.json"
    locked_file.write_text("{}", encoding="utf-8")
    (tmp_path / "c.json").write_text(_compact(_good()), encoding="utf-8")
    # chmod does not stop root, so the refusals are simulated at the system-call boundary
    real_scandir, real_open = os.scandir, Path.open

    def scandir(path: Any) -> Any:
        if Path(path) == locked_dir:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def path_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked_file:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "open", path_open)
    code, report, _ = _validate(capsys, str(tmp_path))
    assert code == 1
    assert report["summary"]["valid"] == 1
    errors = {r["record"]: r["error"] for r in report["records"]}
    assert errors == {
        f"{locked_file}:1": "cannot read: Permission denied",
        f"{locked_dir}:1": "cannot list directory: Permission denied",
    }


def test_fifo_is_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)

    def writer() -> None:
        with fifo.open("w", encoding="utf-8") as handle:
            handle.write(_compact(_good()) + "\n")

    thread = threading.Thread(target=writer)
    thread.start()
    code, report, _ = _validate(capsys, str(fifo))
    thread.join(timeout=10)
    assert code == 0
    assert report["summary"]["valid"] == 1


def test_process_substitution_dev_fd_is_read(hermetic_env: dict[str, str]) -> None:
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "deribit_contract.cli", "validate", f"/dev/fd/{read_end}"],
        pass_fds=(read_end,),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=hermetic_env,
    )
    os.close(read_end)
    with os.fdopen(write_end, "wb") as handle:
        handle.write(gzip.compress((_compact(_good()) + "\n").encode()))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert b"1 records: 1 valid" in out


@pytest.mark.parametrize("name", ["capture.jsonl.gz", "capture.json"])
def test_gzip_is_read_by_suffix_or_magic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    target = tmp_path / name
    target.write_bytes(gzip.compress(("\n".join([_compact(_good())] * 3) + "\n").encode()))
    code, report, _ = _validate(capsys, str(tmp_path))
    assert code == 0
    assert report["summary"]["valid"] == 3


def test_truncated_gzip_is_one_unreadable_record_and_the_run_goes_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "a.jsonl.gz"
    broken.write_bytes(gzip.compress(b"{}\n" * 1000)[:40])
    (tmp_path / "b.json").write_text(_compact(_good()), encoding="utf-8")
    code, report, _ = _validate(capsys, str(tmp_path))
    assert code == 1
    assert report["summary"]["valid"] == 1
    assert any("cannot read past this point" in (r["error"] or "") for r in report["records"])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_are_read_by_bom(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, encoding: str
) -> None:
    boms = {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }
    target = tmp_path / "capture.json"
    pretty = json.dumps(_good(), indent=2, ensure_ascii=False) + "\n"
    target.write_bytes(boms[encoding] + pretty.encode(encoding))
    code, report, _ = _validate(capsys, str(target))
    assert code == 0
    assert report["summary"]["valid"] == 1


def test_duplicate_keys_are_a_violation_in_compact_and_pretty_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    compact = _compact(_good())
    doubled = compact.replace('"jsonrpc":"2.0"', '"jsonrpc":"2.0","id":99', 1)
    target = tmp_path / "dup.jsonl"
    target.write_text(compact + "\n" + doubled + "\n", encoding="utf-8")
    pretty = tmp_path / "pretty.json"
    body = json.dumps(_good(), indent=2)
    pretty.write_text(body.replace('"amount":', '"amount": 1,\n    "amount":', 1), "utf-8")
    code, report, _ = _validate(capsys, str(target), str(pretty))
    assert code == 1
    assert report["summary"]["valid"] == 1
    found = {
        (r["record"], v["path"])
        for r in report["records"]
        for v in r["violations"]
        if v["keyword"] == "duplicateKeys"
    }
    assert found == {(f"{target}:2", "$.id"), (f"{pretty}:1", "$.result.order.amount")}


def test_record_readers_keep_their_shape(tmp_path: Path) -> None:
    target = tmp_path / "x.jsonl.gz"
    target.write_bytes(gzip.compress(b'{"a":1}\n{"b":2}\n'))
    got = list(iter_records([target]))
    assert [(r.label, r.raw, r.error) for r in got] == [
        (f"{target}:1", b'{"a":1}', None),
        (f"{target}:2", b'{"b":2}', None),
    ]
