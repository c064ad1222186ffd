"""Run coverage: JSON and self-contained HTML from RunObservations, and a real browser render."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deribit_contract._paths import fixtures_dir
from deribit_contract.invariants import RULES
from deribit_contract.reporting.coverage import compute_coverage, write_run_report
from deribit_contract.reporting.observations import CheckFailure, RunObservations

REAL = fixtures_dir() / "captured" / "realdata"


def _observations() -> RunObservations:
    success = json.loads((REAL / "docs" / "docs2025__private_close_position__1.json").read_text())
    error = json.loads((REAL / "errors" / "gmbabar__error__13009__1.json").read_text())
    obs = RunObservations(target="local <script>alert(1)</script>", seed="42")
    obs.responses += [success, error, {"not": "an envelope"}]
    obs.count_invariant("order.reduce_only", "passed")
    obs.count_invariant("order.reduce_only", "failed")
    obs.count_invariant("trades.sum_filled", "skipped")
    obs.validations["passed"] += 2
    obs.note_difference("undocumented field result.order.max_show")
    obs.failures.append(
        CheckFailure("order.reduce_only", "result.order.reduce_only", "true", "false", "test_x")
    )
    return obs


def test_coverage_counts_fields_enums_and_invariants() -> None:
    cov = compute_coverage(_observations(), rule_descriptions={"extra.rule": "suite rule"})
    run = cov["run"]
    assert (run["success_envelopes"], run["error_envelopes"], run["other_responses"]) == (1, 1, 1)
    rows = {(r["envelope"], r["path"]): r for r in cov["fields"]["rows"]}
    assert rows[("success", "result.order.order_state")]["seen"] == 1
    assert rows[("success", "result.order.quote_id")]["seen"] == 0
    assert rows[("error", "error.code")]["seen"] == 1
    assert 0 < cov["fields"]["observed"] < cov["fields"]["total"]
    enums = {(r["path"], r["value"]): r["seen"] for r in cov["enums"]["rows"]}
    assert enums[("result.order.order_state", "filled")] == 1
    assert enums[("result.order.order_state", "cancelled")] == 0
    invariants = {r["id"]: r for r in cov["invariants"]}
    assert set(RULES) | {"extra.rule"} <= set(invariants)
    assert (
        invariants["order.reduce_only"]["passed"] == invariants["order.reduce_only"]["failed"] == 1
    )
    assert invariants["trades.sum_filled"]["exercised"] is False
    assert cov["invariants_exercised"] == 1
    assert cov["failures"][0]["rule"] == "order.reduce_only"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("r.json", ("r.json", "r.html")),
        ("r.html", ("r.json", "r.html")),
        ("out", ("out/coverage.json", "out/coverage.html")),
    ],
)
def test_write_run_report_paths(tmp_path: Path, name: str, expected: tuple[str, str]) -> None:
    written = write_run_report(_observations(), tmp_path / name)
    assert written == [tmp_path / expected[0], tmp_path / expected[1]]
    assert json.loads(written[0].read_text())["run"]["seed"] == "42"
    html = written[1].read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    # self-contained: nothing is fetched (the SVG namespace is an identifier, not a request)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html
    assert "url(" not in html


def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium) – cannot render the HTML")
    _, html = write_run_report(_observations(), tmp_path / "report")
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,900",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # a blank page compresses to a few kB; tables, cards and the chart do not
    assert len(data) > 20_000
