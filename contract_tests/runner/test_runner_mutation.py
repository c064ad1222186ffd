"""The mutation score: `deribit-contract run` passes the correct simulator and fails every fault.

Each fault mode of the simulated exchange names the rules it breaks (``Fault.breaks``: invariant
ids, contract rules of the suite, ``schema.<keyword>``); the runner must exit 1 against each of
them naming some of those rules and no rule the fault does not break (see ``sweep``), and exit 0
against the correct exchange. A 500 HTML page from close_position is a contract violation too
(rule ``envelope.json``), so it must also exit 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mutation_support import sweep

from deribit_contract.cli import main
from deribit_contract.exchange import FAULTS

# small but enough: every fault is exposed within a few examples (quick-fail stops at the first)
_RUN = ["run", "--max-examples", "8", "--steps", "6", "--seed", "0"]


def test_runner_passes_the_correct_local_exchange(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "run.json"
    code = main([*_RUN, "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0, out[-3000:]
    assert "the contract HOLDS" in out
    data = json.loads(report.read_text())
    assert data["failures"] == []
    assert data["examples"] > 0
    assert data["orders"] > 0
    assert data["checks_run"] > 0


def test_runner_fails_every_fault_naming_only_rules_it_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caught, missed = sweep(_RUN, tmp_path, capsys)
    assert not missed, f"faults not caught: {missed}"
    assert len(caught) == len(FAULTS)
