"""Round 2 of the hostile pass on secrets: the spellings the first round missed, secrets split
or cut before they were masked, and secrets and tokens echoed in errors `run` and `record`
print (the account preflight's get_position, a refused login, a non-JSON error page)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from deribit_contract.cli import main
from deribit_contract.exchange import SimulatedExchange
from deribit_contract.redaction import MASK, Redactor
from deribit_contract.transports.respx_mock import answer

CLIENT_ID = "attacker-visible-id"
SECRET = "Xq7/vR+2kLm9=Tz-wP_4sY8d"  # the characters every encoding treats differently
TOKEN_LIKE = "1767225600001.PJwUREVn.lBqrDwzi5JFpuC58PJKy2e34vA"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _u_escaped(text: str, every: int = 1, case: str = "x") -> str:
    return "".join(f"\\u{ord(c):04{case}}" if i % every == 0 else c for i, c in enumerate(text))


FORMS: dict[str, Callable[[str], str]] = {
    "base64 without padding": lambda s: _b64(s).rstrip("="),
    "base64url": lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
    "base64url without padding": lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    "base64 inside a longer base64 text": lambda s: _b64(json.dumps({"secret": s})),
    "\\u00XX-escaped JSON": _u_escaped,
    "\\u00XX for some characters, upper-case hex": lambda s: _u_escaped(s, 3, "X"),
    "\\/-escaped JSON": lambda s: json.dumps(s).replace("/", "\\/")[1:-1],
    "lower-case percent-encoding": lambda s: "".join(f"%{b:02x}" for b in s.encode()),
    "quote() that keeps /": quote,
    "split over two fields": lambda s: json.dumps({"a": s[:12], "b": s[12:]}),
    "cut by a 21-character excerpt": lambda s: "error near " + s[:21] + "…",
}  # fmt: skip


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("secret", [SECRET, TOKEN_LIKE])
def test_every_spelling_is_masked(form: str, secret: str) -> None:
    spelled = FORMS[form](secret)
    out = Redactor([secret]).text(f"before {spelled} after")
    assert MASK in out, out
    assert spelled not in out
    assert _leaks([out], [secret]) == [], out


def test_field_values_next_to_a_masked_secret_survive() -> None:
    redactor = Redactor([SECRET, TOKEN_LIKE])
    data = '{"type": "market", "instrument_name": "BTC-PERPETUAL", "order_id": "1767225600001"}'
    assert redactor.text(data) == data
    assert redactor.excerpt("x" * 100 + SECRET, 110) == "x" * 100 + MASK


class _Hostile(BaseHTTPRequestHandler):
    """The simulator behind a target that echoes credentials in its errors, in the spellings
    above: the token in the preflight's get_position error, the secret in a refused login or
    in a non-JSON error page cut by the client's 120-character excerpt."""

    protocol_version = "HTTP/1.1"
    exchange: SimulatedExchange
    mode = "preflight"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        sent = json.loads(body) if body else {}
        method = sent.get("method", "")
        reply = answer(self.exchange, httpx.Request("POST", f"http://target{self.path}",
                       headers=dict(self.headers), content=body))  # fmt: skip
        envelope: dict[str, Any] = json.loads(reply.content)
        status, content_type = reply.status_code, "application/json"
        if self.mode == "preflight" and method == "private/get_position":
            token = self.headers.get("Authorization", "").partition(" ")[2]
            echoed = " ".join(form(token) for form in FORMS.values())
            envelope = {"jsonrpc": "2.0", "id": sent.get("id"), "error": {"code": 10000,
                        "message": f"bad token {token} ({_b64(token)})", "data": echoed}}  # fmt: skip
        elif self.mode == "login" and method == "public/auth":
            secret = sent.get("params", {}).get("client_secret", "")
            echoed = " ".join(form(secret) for form in FORMS.values())
            envelope = {"jsonrpc": "2.0", "id": sent.get("id"), "error": {"code": 13004,
                        "message": f"invalid_credentials {echoed}"}}  # fmt: skip
        elif self.mode == "page" and method == "public/auth":
            secret = sent.get("params", {}).get("client_secret", "")
            page = ("<html><body>" + "x" * 90 + secret + "</body></html>").encode()
            status, content_type = 500, "text/html"
        data = (
            page
            if self.mode == "page" and method == "public/auth"
            else json.dumps(envelope).encode()
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hostile(request: pytest.FixtureRequest) -> Iterator[tuple[str, SimulatedExchange]]:
    exchange = SimulatedExchange(accounts={CLIENT_ID: SECRET})
    handler = type("H", (_Hostile,), {"exchange": exchange, "mode": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", exchange
    finally:
        server.shutdown()
        server.server_close()


def _tokens(exchange: SimulatedExchange) -> list[str]:
    found = []
    for call in exchange.calls:
        result = call.response.get("result") if isinstance(call.response, dict) else None
        if isinstance(result, dict) and isinstance(result.get("access_token"), str):
            found += [result["access_token"], result["refresh_token"]]
    return found


def _leaks(texts: list[str], secrets: list[str]) -> list[str]:
    """Pieces of 8 characters of any secret found in any text, and whole spellings. A piece
    without a lower-case letter (the digits of a token's timestamp) is data, not a leak."""
    pieces = {s[i : i + 8] for s in secrets for i in range(len(s) - 7)}
    pieces = {p for p in pieces if any(c.islower() for c in p)}
    found = {p for p in pieces for t in texts if p in t}
    return sorted(
        found | {n for s in secrets for n, f in FORMS.items() for t in texts if f(s) in t}
    )


@pytest.mark.parametrize("hostile", ["preflight"], indirect=True)
def test_run_masks_the_token_the_preflight_error_echoes(
    hostile: tuple[str, SimulatedExchange], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url, exchange = hostile
    monkeypatch.setenv("DERIBIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", SECRET)
    assert main(["run", "--target", url, "--order-budget", "40"]) == 2
    out, err = capsys.readouterr()
    assert "bad token ***" in err, err[-2000:]
    assert _leaks([out, err], [SECRET, *_tokens(exchange)]) == []


@pytest.mark.parametrize("hostile", ["login", "page", "preflight"], indirect=True)
def test_record_masks_what_the_target_echoes(
    hostile: tuple[str, SimulatedExchange], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url, exchange = hostile
    monkeypatch.setenv("DERIBIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", SECRET)
    assert main(["record", "--target", url, "--out", str(tmp_path / "rec")]) == 2
    out, err = capsys.readouterr()
    written = [p.read_text(encoding="utf-8") for p in (tmp_path / "rec").rglob("*.json")]
    assert written, "the recording kept what it saw"
    assert _leaks([out, err, *written], [SECRET, *_tokens(exchange)]) == []
