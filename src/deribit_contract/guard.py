"""The production guard: decide, before a single request, whether a target may be used.

close_position trades real money on production, so the kit refuses any target it was not told
about. Allowed without asking: loopback addresses (the kit's own staging server) and Deribit's
testnet. Any other host must be named by the user (``--allow-host HOST``). Deribit production
(``www.deribit.com``, ``deribit.com`` and any other ``*.deribit.com`` host than the testnet)
additionally needs the environment variable :data:`PRODUCTION_CONFIRM_ENV` set to the host name,
so a copied command line alone can never trade on production.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from deribit_contract.errors import TargetRefused

__all__ = [
    "PRODUCTION_CONFIRM_ENV",
    "TESTNET_HOST",
    "TargetDecision",
    "check_target",
    "is_loopback_host",
]

TESTNET_HOST = "test.deribit.com"
PRODUCTION_CONFIRM_ENV = "DERIBIT_CONTRACT_CONFIRM_PRODUCTION"
_SCHEMES = ("http", "https", "ws", "wss")


@dataclass(frozen=True)
class TargetDecision:
    """What the guard decided about a target URL."""

    url: str
    host: str
    scheme: str
    kind: str  # "loopback", "testnet", "allowed" or "production"

    @property
    def is_remote(self) -> bool:
        """True for anything that is not the kit's own loopback server."""
        return self.kind != "loopback"


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and any address in 127.0.0.0/8 or ``::1``."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_deribit_production(host: str) -> bool:
    return (host == "deribit.com" or host.endswith(".deribit.com")) and host != TESTNET_HOST


def check_target(
    url: str,
    *,
    allow_hosts: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
) -> TargetDecision:
    """Judge ``url``; raise :class:`TargetRefused` with the way out when it is not allowed.

    Args:
        url: the target, ``http(s)://HOST[:PORT]`` or ``ws(s)://HOST[:PORT]/...``.
        allow_hosts: host names the user named explicitly (``--allow-host``).
        environ: the environment to read the production confirmation from (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise TargetRefused(
            f"target {url!r} has scheme {parts.scheme!r}; expected one of {', '.join(_SCHEMES)} "
            "(e.g. https://test.deribit.com or http://127.0.0.1:8080)"
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise TargetRefused(f"target {url!r} names no host")
    allowed = {h.lower() for h in allow_hosts}
    if is_loopback_host(host):
        return TargetDecision(url, host, scheme, "loopback")
    if host == TESTNET_HOST:
        return TargetDecision(url, host, scheme, "testnet")
    if _is_deribit_production(host):
        if host not in allowed:
            raise TargetRefused(
                f"refusing {host}: it is Deribit production, where close_position trades real money. "
                f"To run anyway, pass --allow-host {host} AND set {PRODUCTION_CONFIRM_ENV}={host}"
            )
        if env.get(PRODUCTION_CONFIRM_ENV) != host:
            raise TargetRefused(
                f"refusing {host}: --allow-host {host} was given, but production also needs "
                f"the environment variable {PRODUCTION_CONFIRM_ENV}={host} as a second confirmation"
            )
        return TargetDecision(url, host, scheme, "production")
    if host not in allowed:
        raise TargetRefused(
            f"refusing {host}: only loopback and {TESTNET_HOST} are allowed by default; "
            f"if {host} is a staging exchange you own, pass --allow-host {host}"
        )
    return TargetDecision(url, host, scheme, "allowed")
