"""The production guard against other spellings of production and against redirects.

Every test runs with name lookups logged and blocked (see ``conftest.py``); the autouse fixture
fails any test in which a Deribit name was looked up without the confirmation variable.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deribit_contract.cli import main
from deribit_contract.contract.target import parse_target, preflight
from deribit_contract.errors import TargetRefused
from deribit_contract.guard import PRODUCTION_CONFIRM_ENV, check_target, normalize_host
from deribit_contract.transports.client import HttpJsonRpcClient
from deribit_contract.transports.ws_client import WsJsonRpcClient

SPELLINGS = [
    "www.deribit.com.",
    "deribit.com.",
    "www.deribit\uff0ecom",  # fullwidth full stop
    "www.deribit\u3002com",  # ideographic full stop
    "www.deribit.com\uff61",  # halfwidth ideographic full stop, trailing
    "WWW.DERIBIT.COM",
    "\uff57\uff57\uff57.deribit.com",  # fullwidth letters
    "www.deribit.com..",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_production_needs_the_confirmation(spelling: str) -> None:
    canonical = normalize_host(spelling)
    assert canonical in ("www.deribit.com", "deribit.com")
    with pytest.raises(TargetRefused, match=PRODUCTION_CONFIRM_ENV) as info:
        check_target(f"https://{spelling}", allow_hosts=[spelling], environ={})
    assert f"{PRODUCTION_CONFIRM_ENV}={canonical}" in str(info.value)
    assert f"{canonical}." not in str(info.value)  # never suggests the trailing-dot form
    decision = check_target(
        f"https://{spelling}", allow_hosts=[spelling], environ={PRODUCTION_CONFIRM_ENV: canonical}
    )
    assert decision.kind == "production"
    assert decision.url == f"https://{canonical}"  # the host connected to is the host judged


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_run_record_and_plugin_refuse_every_spelling(
    spelling: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PRODUCTION_CONFIRM_ENV, raising=False)
    url = f"https://{spelling}"
    assert main(["run", "--target", url, "--allow-host", spelling]) == 2
    monkeypatch.setenv("DERIBIT_CLIENT_ID", "id")
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", "a-long-enough-secret")
    assert main(["record", "--target", url, "--allow-host", spelling]) == 2
    err = capsys.readouterr().err
    assert err.count(PRODUCTION_CONFIRM_ENV) >= 2
    with pytest.raises(TargetRefused):
        parse_target(url, allow_hosts=[spelling], environ={})


class _Redirector(BaseHTTPRequestHandler):
    """A loopback 'target' that sends every request to production."""

    protocol_version = "HTTP/1.1"

    status = 302

    def _redirect(self, location: str) -> None:
        self.send_response(self.status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # the WebSocket upgrade
        self._redirect("wss://www.deribit.com/ws/api/v2")

    def do_POST(self) -> None:
        self._redirect(f"https://www.deribit.com{self.path}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(params=[301, 302, 303, 307, 308])
def redirector(request: pytest.FixtureRequest) -> Iterator[int]:
    handler = type("Handler", (_Redirector,), {"status": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_clients_refuse_redirects(redirector: int) -> None:
    ws = WsJsonRpcClient(f"ws://127.0.0.1:{redirector}/ws/api/v2", timeout=5)
    with pytest.raises(TargetRefused, match="redirect"):
        ws.call("public/get_time")
    ws.close()
    http = HttpJsonRpcClient(f"http://127.0.0.1:{redirector}", timeout=5)
    with pytest.raises(TargetRefused, match="redirect"):
        http.call("public/auth", {"client_id": "x", "client_secret": "y"})
    http.close()


@pytest.mark.parametrize("scheme", ["ws", "http"])
def test_run_reports_a_redirecting_target_with_exit_2(
    redirector: int, scheme: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = "/ws/api/v2" if scheme == "ws" else ""
    assert main(["run", "--target", f"{scheme}://127.0.0.1:{redirector}{path}"]) == 2
    err = capsys.readouterr().err
    assert "redirect" in err
    assert "never follows redirects" in err


def test_preflight_refuses_a_redirect(redirector: int) -> None:
    spec = parse_target(f"ws://127.0.0.1:{redirector}/ws/api/v2", environ={})
    with pytest.raises(TargetRefused, match="redirect"):
        preflight(spec, timeout=5)


@pytest.mark.parametrize("scheme", ["ws", "http"])
def test_plugin_refuses_a_redirecting_target(
    scheme: str, tmp_path: Path, hermetic_env: dict[str, str]
) -> None:
    handler = type("Handler", (_Redirector,), {"status": 302})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = "/ws/api/v2" if scheme == "ws" else ""
    try:
        (tmp_path / "test_x.py").write_text("def test_x():\n    assert True\n", encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
             "--deribit-target", f"{scheme}://127.0.0.1:{server.server_address[1]}{path}"],
            cwd=tmp_path, env=hermetic_env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 4, proc.stdout + proc.stderr  # pytest's usage error
    assert "never follows redirects" in proc.stdout + proc.stderr


def test_record_refuses_a_redirecting_target(
    redirector: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("DERIBIT_CLIENT_ID", "recorder")
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", "recorder-secret-0123456789")
    url = f"http://127.0.0.1:{redirector}"
    assert main(["record", "--target", url, "--out", str(tmp_path / "rec")]) == 2
    assert "never follows redirects" in capsys.readouterr().err
