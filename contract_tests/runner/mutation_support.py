"""The fault sweep both mutation tests share: run every fault mode, collect what was caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deribit_contract.cli import main
from deribit_contract.contract.checks import CONTRACT_RULES
from deribit_contract.exchange import FAULTS
from deribit_contract.invariants import RULES


def known_rule(rule: str) -> bool:
    """A rule the kit defines: an invariant, a contract rule of the suite or a schema keyword."""
    return rule in RULES or rule in CONTRACT_RULES or rule.startswith("schema.")


def sweep(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    title: str = "mutation score",
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """``run ARGS --fault NAME --quick-fail`` for every fault: (caught with rules, missed why),
    printing the score table under ``title``.

    A fault counts as caught when the run exits 1, says the contract is VIOLATED and its report
    names at least one of the fault's own rules (``Fault.breaks``) and no rule the fault does not
    break. Which of them depends on the close the suite draws first (a close that rests unfilled
    has no trades to misdate), so a part of ``breaks``, plus its knock-on ``also_breaks``, is the
    most the sweep can demand of every draw; the exchange tests hold each fault to ``breaks``
    exactly on its own scenario.
    """
    caught: dict[str, list[str]] = {}
    missed: dict[str, str] = {}
    for name in FAULTS:
        report = tmp_path / f"{name}.json"
        code = main([*args, "--fault", name, "--quick-fail", "--report", str(report)])
        out = capsys.readouterr().out
        failures = json.loads(report.read_text())["failures"] if report.exists() else []
        rules = sorted({f["rule"] for f in failures if known_rule(f["rule"])})
        fault = FAULTS[name]
        if not (code == 1 and "the contract is VIOLATED" in out):
            missed[name] = f"exit {code}, rules {rules}: {out[-600:]}"
        elif not set(rules) & fault.breaks or not set(rules) <= fault.breaks | fault.also_breaks:
            missed[name] = f"rules {rules}, but the fault breaks {sorted(fault.breaks)}" + (
                f" (and may knock on to {sorted(fault.also_breaks)})" if fault.also_breaks else ""
            )
        else:
            caught[name] = rules
    with capsys.disabled():  # the score table, shown in the test log
        print(f"\n{title}: {len(caught)}/{len(FAULTS)} faults caught")
        for name, rules in caught.items():
            print(f"  {name:<26} -> {', '.join(rules)}")
    return caught, missed
