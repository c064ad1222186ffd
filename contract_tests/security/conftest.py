"""The attacks' harness: every name lookup is logged, only loopback names resolve.

In this process ``socket.getaddrinfo`` is wrapped for every test; subprocesses get the same
wrapper through a ``sitecustomize`` module on ``PYTHONPATH`` (fixture :func:`hermetic_env`),
which appends each looked-up name to a log file. After each test, no ``*.deribit.com`` name
may have been looked up unless the production confirmation variable was set: the guard must
refuse before resolving, and a redirect must never reach the resolver.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deribit_contract.guard import PRODUCTION_CONFIRM_ENV

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "localhost.localdomain"})

_SITECUSTOMIZE = """
import os, socket
_real = socket.getaddrinfo
_log = os.environ["DERIBIT_TEST_DNS_LOG"]
def _guarded(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else str(host)
    with open(_log, "a", encoding="utf-8") as handle:
        handle.write(name + "\\n")
    if name.lower() not in {loopback!r} and not name.startswith("127."):
        raise socket.gaierror(socket.EAI_NONAME, "blocked by the security tests: " + name)
    return _real(host, *args, **kwargs)
socket.getaddrinfo = _guarded
"""


def _is_deribit(name: str) -> bool:
    folded = name.lower().rstrip(".").replace("\uff0e", ".").replace("\u3002", ".")
    return "deribit" in folded


class DnsLog:
    """Names looked up during one test (in this process and in its subprocesses)."""

    def __init__(self, log_file: Path) -> None:
        self.names: list[str] = []
        self.log_file = log_file

    def all_names(self) -> list[str]:
        """Every name looked up so far, here and in subprocesses."""
        child = self.log_file.read_text(encoding="utf-8").split() if self.log_file.exists() else []
        return self.names + child

    def deribit_names(self) -> list[str]:
        """The looked-up names that belong to Deribit (any spelling)."""
        return [n for n in self.all_names() if _is_deribit(n)]


@pytest.fixture(autouse=True)
def dns_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[DnsLog]:
    """Block and log every non-loopback lookup; fail the test if production was looked up."""
    log = DnsLog(tmp_path / "dns.log")
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        log.names.append(name)
        if name.lower() not in _LOOPBACK and not name.startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, f"blocked by the security tests: {name}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield log
    if not os.environ.get(PRODUCTION_CONFIRM_ENV):
        assert log.deribit_names() == [], "a Deribit host was looked up without confirmation"


@pytest.fixture
def hermetic_env(tmp_path: Path, dns_log: DnsLog) -> dict[str, str]:
    """An environment for subprocesses: the DNS wrapper preloaded, no credentials inherited."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        _SITECUSTOMIZE.replace("{loopback!r}", repr(set(_LOOPBACK))), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DERIBIT")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    env["DERIBIT_TEST_DNS_LOG"] = str(dns_log.log_file)
    return env
