"""Secrets in every output of a failing run, in every encoding: echoed secrets, echoed tokens,
URL credentials, special-character secrets; weak secrets are refused (exit 2)."""

from __future__ import annotations

import base64
import html
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from deribit_contract.cli import main
from deribit_contract.exchange import SimulatedExchange
from deribit_contract.redaction import MASK, Redactor, redacting_logs
from deribit_contract.transports.respx_mock import answer

CLIENT_ID = "attacker-visible-id"
SPECIAL_SECRET = "Sp3c!al&<\"'>/+= é\\secret-9Q"
PLAIN_SECRET = "plain-Secret-4b8d1f0e9a7c"


def _forms(secret: str) -> set[str]:
    """Every spelling of ``secret`` an output could carry."""
    bases = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    out: set[str] = set()
    for base in bases:
        out |= {base, html.escape(base), html.escape(base, quote=False), quote(base, safe="")}
        out |= {quote_plus(base), base.replace("&", "&amp;").replace("<", "&lt;")}
    out.add(base64.b64encode(secret.encode()).decode())
    out.add(base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode())
    return out


class _Echoing(BaseHTTPRequestHandler):
    """The simulator behind a target that echoes what it was sent: the secret in its auth
    error (when ``refuse_auth``), the Bearer header in close_position's order_type."""

    protocol_version = "HTTP/1.1"
    exchange: SimulatedExchange
    refuse_auth = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request = httpx.Request(
            "POST", f"http://target{self.path}", headers=dict(self.headers), content=body
        )
        reply = answer(self.exchange, request)
        envelope: dict[str, Any] = json.loads(reply.content)
        sent = json.loads(body) if body else {}
        if self.path.endswith("public/auth") and self.refuse_auth:
            secret = sent.get("params", {}).get("client_secret", "")
            envelope = {"jsonrpc": "2.0", "id": sent.get("id"), "error": {
                "code": 13004, "message": f"invalid_credentials for secret {secret}"}}  # fmt: skip
        if self.path.endswith("private/close_position") and "result" in envelope:
            envelope["result"]["order"]["order_type"] = self.headers.get("Authorization", "")
            envelope["result"]["order"]["label"] = f"echo {self.headers.get('Authorization')}"
        data = json.dumps(envelope).encode()
        self.send_response(reply.status_code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(secret: str, *, refuse_auth: bool) -> tuple[ThreadingHTTPServer, SimulatedExchange]:
    exchange = SimulatedExchange(accounts={CLIENT_ID: secret})
    handler = type("H", (_Echoing,), {"exchange": exchange, "refuse_auth": refuse_auth})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, exchange


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    return tmp_path / "out"


def _run(url: str, out_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    out_dir.mkdir(exist_ok=True)
    code = main(
        ["run", "--target", url, "--max-examples", "3", "--steps", "3", "--order-budget", "40",
         "--junitxml", str(out_dir / "junit.xml"), "--report", str(out_dir / "run.json")]
    )  # fmt: skip
    out, err = capsys.readouterr()
    texts = [out, err] + [p.read_text(encoding="utf-8") for p in out_dir.iterdir() if p.is_file()]
    return code, texts


def _tokens(exchange: SimulatedExchange) -> list[str]:
    found: list[str] = []
    for call in exchange.calls:
        result = call.response.get("result") if isinstance(call.response, dict) else None
        if isinstance(result, dict) and isinstance(result.get("access_token"), str):
            found += [result["access_token"], result.get("refresh_token") or ""]
    return [t for t in found if t]


@pytest.mark.parametrize("secret", [PLAIN_SECRET, SPECIAL_SECRET])
@pytest.mark.parametrize("in_url", [False, True])
def test_no_secret_or_token_in_any_output_of_a_failing_run(
    secret: str, in_url: bool, outputs: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    server, exchange = _serve(secret, refuse_auth=False)
    port = server.server_address[1]
    if in_url:
        url = f"http://{quote(CLIENT_ID)}:{quote(secret, safe='')}@127.0.0.1:{port}"
        monkeypatch.delenv("DERIBIT_CLIENT_ID", raising=False)
        monkeypatch.delenv("DERIBIT_CLIENT_SECRET", raising=False)
    else:
        url = f"http://127.0.0.1:{port}"
        monkeypatch.setenv("DERIBIT_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("DERIBIT_CLIENT_SECRET", secret)
    try:
        code, texts = _run(url, outputs, capsys)
    finally:
        server.shutdown()
        server.server_close()
    tokens = _tokens(exchange)
    assert tokens, "the run authenticated"
    assert code == 1, texts[0][-3000:]
    assert {p.name for p in outputs.iterdir()} >= {
        "junit.xml",
        "run.json",
        "run.coverage.json",
        "run.coverage.html",
    }
    assert any("order_type" in text for text in texts)  # the echo did reach the reports
    needles = _forms(secret) | {form for token in tokens for form in _forms(token)}
    for text in texts:
        leaked = sorted(n for n in needles if n in text)
        assert leaked == [], f"leaked {len(leaked)} form(s)"
        assert f"{CLIENT_ID}:" not in text  # no user:password@ in any printed URL


def test_a_secret_echoed_in_the_auth_error_is_masked_in_the_summary(
    outputs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = _serve(SPECIAL_SECRET, refuse_auth=True)
    monkeypatch.setenv("DERIBIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", SPECIAL_SECRET)
    try:
        code, texts = _run(f"http://127.0.0.1:{server.server_address[1]}", outputs, capsys)
    finally:
        server.shutdown()
        server.server_close()
    assert code == 2
    joined = "\n".join(texts)
    assert "invalid_credentials for secret ***" in joined
    assert [n for n in _forms(SPECIAL_SECRET) if n in joined] == []


@pytest.mark.parametrize(
    "secret",
    ["market", "000000", "short-9", "marketmarketmarket", "BTC-PERPETUAL", "12345678901234"],
)
def test_weak_secrets_are_refused_with_exit_2(
    secret: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DERIBIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", secret)
    assert main(["run", "--target", "mock"]) == 2
    assert main(["record", "--target", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.count("DERIBIT_CLIENT_SECRET cannot be told apart from data") == 2
    assert secret not in err


def test_field_values_survive_redaction_of_a_strong_secret() -> None:
    redactor = Redactor([PLAIN_SECRET])
    answer_ = {"order": {"order_type": "market", "order_id": "000000"}, "note": PLAIN_SECRET}
    assert redactor.json(answer_) == {
        "order": {"order_type": "market", "order_id": "000000"}, "note": MASK
    }  # fmt: skip


def test_logs_and_exceptions_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    redactor = Redactor([SPECIAL_SECRET])
    logger = logging.getLogger("deribit_contract.test")
    with redacting_logs(redactor), caplog.at_level(logging.INFO):
        logger.info("auth with %s", SPECIAL_SECRET)
        try:
            raise ValueError(f"refused {json.dumps(SPECIAL_SECRET)}")
        except ValueError:
            logger.exception("failed")
    assert caplog.text.count(MASK) >= 2
    assert [n for n in _forms(SPECIAL_SECRET) if n in caplog.text] == []


def test_deep_hostile_answer_is_redacted_without_recursion() -> None:
    deep: Any = PLAIN_SECRET
    for _ in range(5000):
        deep = [deep]
    assert PLAIN_SECRET not in str(Redactor([PLAIN_SECRET]).json({"result": deep}))
