"""Crash-safe writes: what a killed run (`kill -9`) leaves behind is cleaned at the next run, and
a recording without its manifest is marked incomplete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deribit_contract._fileio import atomic_write_text, sweep_stale
from deribit_contract.cli import main
from deribit_contract.contract.record import mark_incomplete
from deribit_contract.fixturegen import write_fixtures


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_fixtures_staging_folder_of_a_killed_run_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    stale = tmp_path / f".generated.tmp-{_dead_pid()}"
    (stale / "responses").mkdir(parents=True)
    (stale / "responses" / "x.json").write_text("{}", encoding="utf-8")
    write_fixtures(out)
    assert not stale.exists()
    assert (out / "manifest.json").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["generated"]


def test_a_live_writers_files_are_left_alone(tmp_path: Path) -> None:
    live = tmp_path / f".x.json.{os.getpid()}.abcd1234.tmp"
    dead = tmp_path / f".x.json.{_dead_pid()}.abcd1234.tmp"
    live.write_text("half", encoding="utf-8")
    dead.write_text("half", encoding="utf-8")
    assert sweep_stale(tmp_path) == [dead]
    assert live.exists()


def test_temp_files_name_their_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    atomic_write_text(tmp_path / "a.json", "{}")
    assert seen[0].startswith(f".a.json.{os.getpid()}.")
    assert seen[0].endswith(".tmp")


def test_a_recording_without_manifest_is_marked_incomplete(tmp_path: Path) -> None:
    killed = tmp_path / "20261201T000000Z"
    killed.mkdir()
    (killed / "01-auth.json").write_text("{}", encoding="utf-8")
    (killed / f".02-open-long.json.{_dead_pid()}.abcd1234.tmp").write_text("{", encoding="utf-8")
    (killed / f".writing-{_dead_pid()}").touch()
    running = tmp_path / "20261201T000001Z"
    running.mkdir()
    (running / f".writing-{os.getpid()}").touch()
    assert mark_incomplete(tmp_path) == [killed]
    manifest = json.loads((killed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False
    assert manifest["files"] == ["01-auth.json"]
    assert sorted(p.name for p in killed.iterdir()) == ["01-auth.json", "manifest.json"]
    assert not (running / "manifest.json").exists()


def test_record_marks_what_a_killed_record_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    killed = tmp_path / "19990101T000000Z"
    killed.mkdir()
    (killed / "01-auth.json").write_text("{}", encoding="utf-8")
    assert main(["record", "--target", "local", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert json.loads((killed / "manifest.json").read_text(encoding="utf-8"))["complete"] is False
    runs = [p for p in tmp_path.iterdir() if p != killed]
    assert len(runs) == 1
    assert json.loads((runs[0] / "manifest.json").read_text(encoding="utf-8"))["complete"] is True
    assert not list(runs[0].glob(".*"))
