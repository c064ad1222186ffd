"""Recording a scenario: fixtures with metadata, secrets removed, guarded targets, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deribit_contract._paths import fixtures_dir
from deribit_contract.cli import main
from deribit_contract.contract.record import record_scenario
from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.exchange.simulator import SimulatedExchange
from deribit_contract.transports import LocalExchangeServer


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    out = tmp_path_factory.mktemp("recorded")
    secret = "planted-secret-0123456789"
    exchange = SimulatedExchange(seed=1, accounts={"planted-id": secret})
    with LocalExchangeServer(exchange=exchange) as server:
        rec = record_scenario(server.url, out=out, credentials=("planted-id", secret))
    return rec.directory, rec.steps, out


def test_scenario_steps_and_outcomes(recording: tuple[Path, dict[str, str], Path]) -> None:
    _, steps, _ = recording
    assert steps["close-long-market"] == "result"
    assert steps["close-short-limit-resting"] == "result"
    assert steps["cancel-resting"] == "result"
    assert steps["close-when-flat"].startswith("error")
    for step in ("invalid-missing-type", "invalid-type-value", "invalid-unknown-instrument"):
        assert steps[step].startswith("error"), step


def test_fixtures_have_metadata_and_no_secret(recording: tuple[Path, dict[str, str], Path]) -> None:
    directory, _, _ = recording
    files = sorted(directory.glob("[0-9]*.json"))
    assert len(files) >= 12
    for path in files:
        text = path.read_text()
        assert "planted-secret-0123456789" not in text
        doc = json.loads(text)
        meta = doc["meta"]
        assert meta["target_host"] == "127.0.0.1"
        assert meta["kit_version"]
        assert meta["recorded_at"]
        assert {"request", "response"} <= set(doc)
    auth = json.loads(files[0].read_text())
    assert auth["meta"]["method"] == "public/auth"
    assert auth["response"]["result"]["access_token"] == "***"
    resting = json.loads(next(directory.glob("*-close-short-limit-resting.json")).read_text())
    assert resting["response"]["result"]["order"]["order_state"] == "open"
    assert not list(directory.glob(".*"))  # atomic writes leave no temporary file behind
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["complete"] is True


def test_tokens_are_removed_by_value(recording: tuple[Path, dict[str, str], Path]) -> None:
    directory, _, _ = recording
    # the token the server issued must not appear anywhere (e.g. in an echoed field)
    blob = "".join(p.read_text() for p in directory.glob("*.json"))
    assert '"access_token": "***"' in blob
    assert "Bearer" not in blob


def test_drift_reads_a_recording(
    recording: tuple[Path, dict[str, str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, _, _ = recording
    assert main(["drift", str(directory), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["records"]["kinds"]["success"] >= 4
    assert data["records"]["kinds"]["error"] >= 4


def test_refuses_protected_fixture_dirs() -> None:
    for name in ("generated", "captured"):
        with pytest.raises(InvalidArgument, match=f"fixtures/{name}/"):
            record_scenario(
                "http://127.0.0.1:9",
                out=fixtures_dir() / name / "x",
                credentials=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
            )


def test_cli_refuses_unknown_remote_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["record", "--target", "https://staging.example.com", "--out", str(tmp_path)]) == 2
    assert "--allow-host staging.example.com" in capsys.readouterr().err
    assert main(["record", "--target", "https://www.deribit.com", "--out", str(tmp_path)]) == 2
    assert "production" in capsys.readouterr().err
    assert main(["record", "--target", "ftp://127.0.0.1", "--out", str(tmp_path)]) == 2
    assert list(tmp_path.iterdir()) == []


def test_cli_unreachable_target_keeps_nothing_half_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DERIBIT_CLIENT_ID", "id")
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", "some-long-secret")
    assert main(["record", "--target", "http://127.0.0.1:9", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "127.0.0.1:9" in err
    assert "some-long-secret" not in err
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert not path.name.endswith(".tmp")


def test_recording_leaves_the_account_as_it_found_it(tmp_path: Path) -> None:
    # the same_direction fault doubles the long instead of closing it: the recording must
    # still undo its own exposure, with reduce-only orders, never with close_position
    exchange = SimulatedExchange(seed=2, fault="same_direction")
    with LocalExchangeServer(exchange=exchange) as server:
        rec = record_scenario(
            server.url, out=tmp_path, credentials=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        )
    assert exchange.get_position("BTC-PERPETUAL")["size"] == 0
    assert rec.steps["cleanup"] == "left +0"


def test_recording_refuses_an_account_that_holds_a_position(tmp_path: Path) -> None:
    exchange = SimulatedExchange(seed=2, positions={"BTC-PERPETUAL": 120.0})
    with (
        LocalExchangeServer(exchange=exchange) as server,
        pytest.raises(Exception, match=r"not flat.*BTC-PERPETUAL: position \+120"),
    ):
        record_scenario(
            server.url, out=tmp_path, credentials=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        )
    assert exchange.get_position("BTC-PERPETUAL")["size"] == 120.0
    trading = {"private/buy", "private/sell", "private/close_position", "private/cancel"}
    assert not [c for c in exchange.calls if c.method in trading]
