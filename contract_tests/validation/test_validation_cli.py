"""`deribit-contract validate`: exit codes, output shapes, stdin, directories, bad lines."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from validation_support import good_error, good_success

import deribit_contract.cli.validate_cmd as validate_cmd
from deribit_contract.cli import main


def _line(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def jsonl_with_bad_line(tmp_path: Path) -> Path:
    bad = good_success()
    bad["result"]["order"]["price"] = "198.75"
    lines = [
        _line(good_success()),
        '{"jsonrpc": "2.0", "id": 3, "resu',
        _line(bad),
        _line(good_error()),
    ]
    target = tmp_path / "capture.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def test_all_valid_exits_0(
    capsys: pytest.CaptureFixture[str], mini_schemas: Path, tmp_path: Path
) -> None:
    target = tmp_path / "ok.json"
    target.write_text(json.dumps(good_success(), indent=2))
    code, out, err = _run(capsys, "validate", str(target), "--schemas", str(mini_schemas))
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("1 records: 1 valid, 0 invalid, 0 not JSON")
    assert err == ""


def test_bad_line_in_the_middle_text(
    capsys: pytest.CaptureFixture[str], mini_schemas: Path, jsonl_with_bad_line: Path
) -> None:
    code, out, _ = _run(
        capsys, "validate", str(jsonl_with_bad_line), "--schemas", str(mini_schemas)
    )
    assert code == 1
    assert f"{jsonl_with_bad_line}:2: not JSON: truncated" in out
    assert f"{jsonl_with_bad_line}:3: invalid: 1 violation" in out
    assert "$.result.order.price: expected" in out
    assert "schema: observed/success.schema.json#/$defs/order/properties/price/anyOf" in out
    assert "doc line 103" in out
    assert out.strip().splitlines()[-1].startswith("4 records: 2 valid, 1 invalid, 1 not JSON")


def test_json_format_is_one_document(
    capsys: pytest.CaptureFixture[str], mini_schemas: Path, jsonl_with_bad_line: Path
) -> None:
    code, out, _ = _run(
        capsys,
        "validate",
        str(jsonl_with_bad_line),
        "--schemas",
        str(mini_schemas),
        "--format",
        "json",
    )
    assert code == 1
    doc = json.loads(out)
    assert doc["summary"] == {"records": 4, "valid": 2, "invalid": 1, "not_json": 1, "warnings": 0}
    assert [r["status"] for r in doc["records"]] == ["not_json", "invalid"]
    violation = doc["records"][1]["violations"][0]
    assert set(violation) >= {"record", "path", "expected", "actual", "schema_location", "doc_line"}
    assert violation["record"] == f"{jsonl_with_bad_line}:3"
    assert violation["path"] == "$.result.order.price"


def test_warnings_are_listed_not_failures(
    capsys: pytest.CaptureFixture[str], mini_schemas: Path, tmp_path: Path
) -> None:
    sample = good_success()
    sample["usIn"] = 1
    target = tmp_path / "w.jsonl"
    target.write_text(_line(sample) + "\n" + _line(sample) + "\n")
    code, out, _ = _run(capsys, "validate", str(target), "--schemas", str(mini_schemas))
    assert code == 0
    assert f"$.usIn  (new: not in the errata; first at {target}:1)" in out
    assert out.strip().splitlines()[-1].endswith("1 warnings (undocumented fields)")
    code, out, _ = _run(
        capsys, "validate", str(target), "--schemas", str(mini_schemas), "--format", "json"
    )
    assert json.loads(out)["warnings"] == [
        {"field": "$.usIn", "first_record": f"{target}:1", "first_path": "$.usIn", "erratum": None}
    ]
    code, out, _ = _run(
        capsys, "validate", str(target), "--schemas", str(mini_schemas), "--mode", "documented"
    )
    assert code == 1


def test_stdin_dash(
    capsys: pytest.CaptureFixture[str], mini_schemas: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = (_line(good_error()) + "\n<html>oops</html>\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload)))
    code, out, _ = _run(capsys, "validate", "-", "--schemas", str(mini_schemas))
    assert code == 1
    assert "<stdin>:2: not JSON: looks like HTML" in out


def test_directory_recursion(
    capsys: pytest.CaptureFixture[str], mini_schemas: Path, tmp_path: Path
) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "a.json").write_text(json.dumps(good_success()))
    (tmp_path / "sub" / "deeper" / "b.jsonl").write_text(_line(good_error()) + "\n")
    (tmp_path / "README.md").write_text("not a record")
    code, out, _ = _run(capsys, "validate", str(tmp_path), "--schemas", str(mini_schemas))
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("2 records: 2 valid")


def test_part_option_validates_bare_orders(
    capsys: pytest.CaptureFixture[str], mini_schemas: Path, tmp_path: Path
) -> None:
    target = tmp_path / "orders.jsonl"
    target.write_text(
        _line(good_success()["result"]["order"]) + "\n" + _line({"order_id": 1}) + "\n"
    )
    code, out, _ = _run(
        capsys, "validate", str(target), "--part", "order", "--schemas", str(mini_schemas)
    )
    assert code == 1
    assert f"{target}:2: invalid" in out
    assert "$.order_id: expected type string" in out


def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], mini_schemas: Path, tmp_path: Path
) -> None:
    code, _, err = _run(
        capsys, "validate", str(tmp_path / "missing.json"), "--schemas", str(mini_schemas)
    )
    assert code == 2
    assert "missing.json: no such file or directory" in err
    with pytest.raises(SystemExit) as exc:
        main(["validate", "x.json", "--mode", "strict"])
    assert exc.value.code == 2
    (tmp_path / "empty").mkdir()
    code, _, err = _run(capsys, "validate", str(tmp_path / "empty"), "--schemas", str(mini_schemas))
    assert code == 2
    assert "no .json or .jsonl files" in err
    code, _, err = _run(
        capsys, "validate", str(tmp_path / "empty"), "--schemas", str(tmp_path / "nothing")
    )
    assert code == 2
    assert "does not exist" in err


def test_console_script_in_a_subprocess(mini_schemas: Path, jsonl_with_bad_line: Path) -> None:
    env = {**os.environ, "DERIBIT_CONTRACT_SCHEMAS": str(mini_schemas)}
    proc = subprocess.run(
        [sys.executable, "-m", "deribit_contract", "validate", "-", "--format", "json"],
        input=jsonl_with_bad_line.read_bytes(),
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert b"Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"]["records"] == 4
    assert doc["records"][0]["record"] == "<stdin>:2"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_is_drawn_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mini_schemas: Path
) -> None:
    target = tmp_path / "many.jsonl"
    target.write_text("\n".join(_line(good_success()) for _ in range(200)) + "\n")
    monkeypatch.setattr(validate_cmd, "PROGRESS_MIN_BYTES", 1)
    for stream, drawn in ((_Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        monkeypatch.setattr(sys, "stdout", io.StringIO())
        assert main(["validate", str(target), "--schemas", str(mini_schemas)]) == 0
        assert ("B/s" in stream.getvalue() or "%" in stream.getvalue()) is drawn
