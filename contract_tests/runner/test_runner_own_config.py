"""The shipped suite runs under its own pytest configuration, whatever the calling repo sets.

A repository whose ``pytest.ini`` collects ``check_*.py`` only (and adds options of its own)
must still get the whole suite, from ``deribit-contract run`` and from
``pytest --pyargs deribit_contract.suite``; otherwise the run "passes" having checked nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deribit_contract.cli import main

HOSTILE_INI = """[pytest]
python_files = check_*.py
python_functions = check_*
addopts = -k no_test_is_called_this
"""


def test_the_runner_ignores_a_hostile_caller_pytest_ini(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pytest.ini").write_text(HOSTILE_INI)
    (tmp_path / "conftest.py").write_text("raise RuntimeError('the caller conftest was loaded')\n")
    monkeypatch.chdir(tmp_path)
    code = main(
        ["run", "--target", "mock", "--max-examples", "2", "--steps", "2", "--report", "run.json",
         "--", "-k", "credentials or flat"]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.out[-2000:] + captured.err[-2000:]
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["examples"] >= 4, "the suite's tests were collected and ran"
    assert data["checks_run"] > 0
    assert "auth.required" in data["invariants"]


def test_pytest_pyargs_collects_the_suite_under_a_hostile_python_files(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\npython_files = check_*.py\n")
    result = pytester.runpytest_subprocess(
        "--pyargs", "deribit_contract.suite", "-p", "no:cacheprovider",
        "--deribit-target", "mock", "--deribit-max-examples", "2", "-k", "credentials",
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 3, result.stdout.str()[-2000:]
    assert "failed" not in outcomes


def test_pytest_pyargs_refuses_a_python_functions_that_drops_suite_tests(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\npython_files = check_*.py\npython_functions = check_*\n")
    result = pytester.runpytest_subprocess(
        "--pyargs", "deribit_contract.suite", "-p", "no:cacheprovider",
        "--deribit-target", "mock", "--deribit-max-examples", "2",
    )  # fmt: skip
    assert result.ret != pytest.ExitCode.OK
    assert "passed" not in result.parseoutcomes()
    result.stdout.fnmatch_lines(["*not collected under this configuration's python_functions*"])


def _drawn(report: Path) -> list[object]:
    """What the examples decided: each sampled close's order (its type, amount and price)."""
    orders = [r["result"]["order"] for r in json.loads(report.read_text())["responses"]
              if isinstance(r.get("result"), dict) and "order" in r["result"]]  # fmt: skip
    return [(o.get("order_type"), o.get("amount"), o.get("price")) for o in orders]


def test_the_seed_decides_the_examples_in_ci_as_on_a_laptop(tmp_path: Path) -> None:
    # Hypothesis loads its derandomized `ci` profile wherever a CI variable is set (at import, so
    # in a process of its own); a run inheriting it would ignore --seed and draw other examples
    laptop = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "GITLAB_CI")}
    drawn: dict[str, list[object]] = {}
    for name, env in (("laptop", laptop), ("ci", {**laptop, "CI": "true"})):
        report = tmp_path / f"{name}.json"
        done = subprocess.run(
            [sys.executable, "-m", "deribit_contract.cli", "run", "--max-examples", "6",
             "--steps", "4", "--seed", "5", "--report", str(report), "--", "-k", "valid_params"],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        drawn[name] = _drawn(report)
    assert drawn["laptop"], "the run sampled closes"
    assert drawn["ci"] == drawn["laptop"]
