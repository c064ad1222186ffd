"""A target that is down or is not a Deribit API gives one clear error and exit 2, before the suite."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from deribit_contract.cli import main


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _HtmlPage(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def html_gateway() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _HtmlPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_target_is_one_error_not_a_failure_per_test(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    assert main(["run", "--target", url]) == 2
    captured = capsys.readouterr()
    assert "cannot reach" in captured.err
    assert "FAILURES" not in captured.out, "the suite must not start against a dead target"


def test_an_html_error_page_is_named_as_such(
    capsys: pytest.CaptureFixture[str], html_gateway: str
) -> None:
    assert main(["run", "--target", html_gateway]) == 2
    err = capsys.readouterr().err
    assert "HTTP 502" in err
    assert "text/html" in err
    assert "not JSON" in err
