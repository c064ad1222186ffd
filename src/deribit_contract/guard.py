"""The production guard: decide, before a single request, whether a target may be used.

close_position trades real money on production, so the kit refuses any target it was not told
about. Allowed without asking: loopback addresses (the kit's own staging server) and Deribit's
testnet. Any other host must be named by the user (``--allow-host HOST``). Deribit production
(``www.deribit.com``, ``deribit.com`` and any other ``*.deribit.com`` host than the testnet)
additionally needs the environment variable :data:`PRODUCTION_CONFIRM_ENV` set to the host name,
so a copied command line alone can never trade on production.

Hosts are judged in the one form the network stack will use (:func:`normalize_host`): IDNA with
UTS-46 mapping (case, fullwidth and ideographic dots, compatibility characters), trailing dots
removed, IP addresses in canonical form. ``www.deribit．com`` and ``www.deribit.com.`` are
production like ``www.deribit.com``; ``--allow-host`` names are normalised the same way. Redirects
are never followed by any client the kit builds (:data:`REDIRECT_STATUSES`): a redirect would
lead to a host the guard never judged.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import idna

from deribit_contract.errors import TargetRefused

__all__ = [
    "PRODUCTION_CONFIRM_ENV",
    "REDIRECT_STATUSES",
    "TESTNET_HOST",
    "TargetDecision",
    "check_target",
    "is_loopback_host",
    "normalize_host",
    "redirect_refusal",
    "strip_userinfo",
]

TESTNET_HOST = "test.deribit.com"
PRODUCTION_CONFIRM_ENV = "DERIBIT_CONTRACT_CONFIRM_PRODUCTION"
_SCHEMES = ("http", "https", "ws", "wss")
#: HTTP statuses that ask a client to go elsewhere; every client of the kit refuses them.
REDIRECT_STATUSES = frozenset({300, 301, 302, 303, 305, 307, 308})


def normalize_host(host: str) -> str:
    """``host`` as the resolver will see it: canonical IP text, or lower-case ASCII (IDNA with
    UTS-46 mapping) without trailing dots. Raises :class:`TargetRefused` for a name that is not
    a host name at all."""
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    try:
        mapped = idna.uts46_remap(text, std3_rules=False, transitional=False).rstrip(".")
        if mapped.isascii():
            # plain ASCII needs only case folding (names like docker's my_db are not IDNA)
            return mapped.lower()
        return idna.encode(mapped, uts46=False).decode("ascii").lower()
    except idna.IDNAError as exc:
        raise TargetRefused(f"host {host!r} is not a valid host name ({exc})") from None


def strip_userinfo(url: str) -> str:
    """``url`` without ``user:password@`` (for anything printed or written)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=netloc))


def redirect_refusal(where: str, status: int, location: str | None) -> TargetRefused:
    """The error every client raises for a redirect (exit 2: the target is refused)."""
    to = f" to {strip_userinfo(location)}" if location else ""
    return TargetRefused(
        f"{strip_userinfo(where)} answered with a redirect (HTTP {status}{to}); the kit never "
        "follows redirects, because the guard judged this host and not the one it points to. "
        "Use the final URL as the target."
    )


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
    """True for ``localhost`` and any address in 127.0.0.0/8 or ``::1``: the kit's one check.

    ``localhost.localdomain`` is not loopback here: only ``localhost`` is reserved for it (RFC
    6761); the other name is a distribution's ``/etc/hosts`` habit that DNS may answer otherwise.
    """
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
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
            f"target {strip_userinfo(url)!r} has scheme {parts.scheme!r}; expected one of {', '.join(_SCHEMES)} "
            "(e.g. https://test.deribit.com or http://127.0.0.1:8080)"
        )
    try:
        raw_host = parts.hostname or ""
    except ValueError as exc:
        raise TargetRefused(f"target {strip_userinfo(url)!r}: {exc}") from None
    if not raw_host:
        raise TargetRefused(f"target {strip_userinfo(url)!r} names no host")
    host = normalize_host(raw_host)
    url = _with_host(url, host)
    allowed = {normalize_host(h) for h in allow_hosts if h.strip()}
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


def _with_host(url: str, host: str) -> str:
    # The URL the clients connect to carries the host exactly as judged.
    parts = urlsplit(url)
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    shown = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port is not None else ""
    return urlunsplit(parts._replace(netloc=f"{userinfo}{shown}{port}"))
