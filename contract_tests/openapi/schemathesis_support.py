"""Schemathesis as its users run it, against the kit's simulated exchange.

The README's command, unchanged: ``schemathesis --config-file schemathesis.toml run
schemas/openapi.json --url URL -H "Authorization: Bearer TOKEN"``, in its own process, against
one served exchange. No position is opened by hand and no hook is loaded: whatever reaches a
close gets there through the document's links, in Schemathesis' own stateful phase.

A run here adds only bounds (:data:`BOUNDS`: the stateful phase, a seed and a number of
scenarios, so that the whole table stays inside the suite's time) and a report: what a run
found is read from Schemathesis' own NDJSON event stream, every failed check with its operation.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

REPO = Path(__file__).resolve().parents[2]
OPENAPI = REPO / "schemas" / "openapi.json"
CONFIG = REPO / "schemathesis.toml"
#: what a run here adds to the README's command: the phase the links feed, a fixed seed (the
#: requests drawn; which link values are used stays random, as Schemathesis draws it), and
#: enough scenarios for the links to reach a close many times over
BOUNDS: tuple[str, ...] = ("--phases", "stateful", "--seed", "7", "--max-examples", "30")
#: the method whose answers the simulator's faults corrupt
CLOSE = "/private/close_position"


@dataclass(frozen=True)
class Finding:
    """One failed Schemathesis check: where, which check, and its own title and message."""

    operation: str
    check: str
    title: str
    message: str
    request: Mapping[str, Any]


@dataclass(frozen=True)
class Run:
    """One finished ``schemathesis run``: its exit code, what it reported, how long it took."""

    exit_code: int
    findings: tuple[Finding, ...]
    errors: tuple[str, ...]
    #: how many close_position calls the exchange answered with a result (the run closed
    #: something: a pass with none would say nothing)
    closes: int
    seconds: float
    output: str

    def titles_on(self, path: str) -> set[str]:
        """The titles of the checks that failed on ``path`` (either form)."""
        return {f.title for f in self.findings if f.operation.endswith(f" {path}")}


@dataclass(frozen=True)
class Served:
    """A ``deribit-contract serve`` process: its API address and the bearer token a user passes."""

    api: str
    token: str


@contextmanager
def serve(workdir: Path, *options: str) -> Iterator[Served]:
    """``deribit-contract serve --port 0 OPTIONS`` on loopback, as a user starts it; stopped after."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "serve.log"
    argv = [str(Path(sys.executable).with_name("deribit-contract")), "serve", "--port", "0"]
    # the log is a file, not a pipe: uvicorn writes a line per request, and a full pipe nobody
    # reads would stall the server mid-run
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen([*argv, *options], stdout=sink, stderr=subprocess.STDOUT)
    try:
        api = _announced(log, process)
        yield Served(api, _login(api))
    finally:
        process.terminate()
        process.wait(timeout=20)


def _announced(log: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"on (http://127\.0\.0\.1:\d+/api/v2)", log.read_text("utf-8"))
        if found:
            return found.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"deribit-contract serve did not start:\n{log.read_text('utf-8')}")


def _login(api: str) -> str:
    # the documented way in: public/auth with the simulator's default credentials, retried
    # until uvicorn listens on the socket serve has bound and announced
    params = {
        "grant_type": "client_credentials",
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
    }
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = httpx.get(f"{api}/public/auth", params=params, timeout=10).json()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
            continue
        return str(answer["result"]["access_token"])


def command(url: str, token: str, *extra: str) -> list[str]:
    """The README's command line, plus ``extra``."""
    return [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(CONFIG),
        "run", str(OPENAPI),
        "--url", url,
        "-H", f"Authorization: Bearer {token}",
        "--no-color",
        *extra,
    ]  # fmt: skip


def _events(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            ((kind, body),) = json.loads(line).items()
            yield kind, body


def _closed(interaction: Mapping[str, Any]) -> bool:
    response = interaction.get("response") or {}
    if not str(interaction.get("request", {}).get("uri", "")).endswith(CLOSE):
        return False
    content = response.get("content") or {}
    text = base64.b64decode(content["$base64"]) if "$base64" in content else b""
    return response.get("status_code") == 200 and b'"result"' in text


def _read(report: Path) -> tuple[tuple[Finding, ...], tuple[str, ...], int]:
    findings: list[Finding] = []
    errors: list[str] = []
    closes = 0
    for kind, body in _events(report):
        if kind == "NonFatalError":
            errors.append(str(body.get("info", body))[:2000])
        recorder = body.get("recorder") if isinstance(body, dict) else None
        if not recorder:
            continue
        closes += sum(_closed(i) for i in recorder.get("interactions", {}).values())
        for case_id, checks in recorder.get("checks", {}).items():
            case = recorder["cases"].get(case_id, {}).get("value", {})
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = check["failure_info"]["failure"]
                findings.append(
                    Finding(
                        str(failure.get("operation", "")),
                        str(check["name"]),
                        str(failure.get("title", "")),
                        str(failure.get("message", "")),
                        case,
                    )
                )
    return tuple(findings), tuple(errors), closes


def run_schemathesis(served: Served, workdir: Path, *extra: str) -> Run:
    """The README's command against ``served`` (bounded by ``extra``), run in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    report = workdir / "events.ndjson"
    argv = command(
        served.api, served.token, *extra, "--report", "ndjson", "--report-ndjson-path", str(report)
    )
    started = time.monotonic()
    # the working directory holds Schemathesis' own cache (replayed crashes) and Hypothesis'
    # database: a fresh one per run, so no run replays another's findings
    done = subprocess.run(
        argv, cwd=workdir, capture_output=True, text=True, timeout=300, check=False
    )
    seconds = time.monotonic() - started
    findings, errors, closes = _read(report) if report.exists() else ((), ("no report",), 0)
    output = done.stdout[-6000:] + done.stderr[-2000:]
    return Run(done.returncode, findings, errors, closes, seconds, output)
