"""The mutation score: `deribit-contract run` passes the correct simulator and fails every fault.

Each fault mode of the simulated exchange names the rules it breaks (``Fault.breaks``: invariant
ids, contract rules of the suite, ``schema.<keyword>``); the runner must exit 1 against each of
them naming those rules and no other (all of them for response and transport faults), and exit 0
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


def test_runner_fails_every_fault_naming_exactly_the_rules_it_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caught, missed = sweep(_RUN, tmp_path, capsys)
    # A response fault corrupts every close the same way: the run names exactly its rules. An
    # execution fault's breakage depends on the close the suite draws (a resting limit close
    # does not grow the position): the first failing close names a part of them, never another.
    for name, rules in caught.items():
        fault = FAULTS[name]
        named = (
            set(rules) == fault.breaks if fault.kind != "execution" else set(rules) <= fault.breaks
        )
        if not named:
            missed[name] = f"rules {rules}, but the fault breaks {sorted(fault.breaks)}"
    with capsys.disabled():
        print(f"\nmutation score: {len(caught)}/{len(FAULTS)} faults caught")
        for name, rules in caught.items():
            print(f"  {name:<26} -> {', '.join(rules)}")
    assert not missed, f"faults not caught: {missed}"
    assert len(caught) == len(FAULTS)
