"""Deribit's signed authentication: HMAC-SHA256 signatures, their time window, nonces, scopes.

Two schemes sign with the client secret (vendor docs, ``public/auth`` and "Authentication"):

* the ``client_signature`` grant of ``public/auth``: ``signature`` is the hex HMAC-SHA256 of
  ``timestamp + "\\n" + nonce + "\\n" + data`` (``data`` optional, empty by default);
* the HTTP header ``Authorization: deri-hmac-sha256 id=ID,ts=MS,sig=HEX,nonce=N``: the signed
  text is ``ts + "\\n" + nonce + "\\n" + METHOD + "\\n" + URI + "\\n" + body + "\\n"`` where URI
  includes the query string.

The timestamp must be within 60 s of the exchange's clock and a nonce may be used once per
client and timestamp; both refusals, like a wrong signature, are 13009 ``unauthorized`` with a
``data.reason`` (Deribit's code for "bad signature"; its exact reason texts are not published).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict

from deribit_contract.exchange.jsonrpc import ErrorCode
from deribit_contract.exchange.params import RpcError
from deribit_contract.facts import METHOD_SCOPES

__all__ = [
    "DEFAULT_SCOPE",
    "SIGNATURE_WINDOW_MS",
    "NonceGuard",
    "grant_scope",
    "require_scope",
    "scope_allows",
    "sign",
]

#: how far a signed timestamp may be from the exchange's clock (the documented 60 s)
SIGNATURE_WINDOW_MS = 60_000
#: what a grant without ``scope`` gets (wording of a live mainnet answer)
DEFAULT_SCOPE = "connection trade:read_write account:read wallet:read mainaccount"
_NONCE_MEMORY = 100_000  # nonces remembered; older ones are outside the window anyway
_ACCESS = ("account", "trade", "wallet", "block_trade", "custody")
_LEVELS = ("read", "read_write", "none")
_NAMED = ("session", "name", "expires", "ip")  # scopes carrying a value: session:NAME, ...


def sign(secret: str, timestamp: str, nonce: str, data: str) -> str:
    """The hex HMAC-SHA256 of ``timestamp\\nnonce\\ndata`` with ``secret`` (both schemes)."""
    message = f"{timestamp}\n{nonce}\n{data}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _unauthorized(reason: str) -> RpcError:
    return RpcError(ErrorCode.UNAUTHORIZED, "unauthorized", {"reason": reason})


class NonceGuard:
    """Checks a signature, its time window and that its (client, timestamp, nonce) is new."""

    def __init__(self) -> None:
        self._seen: OrderedDict[tuple[str, str, str], None] = OrderedDict()

    def verify(
        self,
        *,
        client_id: str,
        secret: str,
        timestamp: str,
        nonce: str,
        data: str,
        signature: str,
        now_ms: int,
    ) -> None:
        """Raise 13009 unless ``signature`` signs ``data`` now, with a nonce not seen before."""
        try:
            signed_ms = int(timestamp)
        except ValueError:
            raise _unauthorized("timestamp must be milliseconds since the epoch") from None
        if abs(now_ms - signed_ms) > SIGNATURE_WINDOW_MS:
            raise _unauthorized(
                f"timestamp {signed_ms} is more than {SIGNATURE_WINDOW_MS // 1000} s "
                f"from the server time {now_ms}"
            )
        expected = sign(secret, timestamp, nonce, data)
        if not hmac.compare_digest(expected, signature.lower()):
            raise _unauthorized("invalid signature")
        key = (client_id, timestamp, nonce)
        if key in self._seen:
            raise _unauthorized("nonce already used")
        self._seen[key] = None
        if len(self._seen) > _NONCE_MEMORY:
            self._seen.popitem(last=False)


def grant_scope(requested: str | None) -> str:
    """The scope string a token is granted for ``requested`` (space-separated), echoed back.

    Deribit echoes the access scopes asked for, adds ``connection`` unless a ``session:NAME``
    scope was asked, and always ``mainaccount``; without a request it grants the defaults.
    Unknown scope names are refused with -32602.
    """
    if requested is None or not requested.strip():
        return DEFAULT_SCOPE
    granted: list[str] = []
    for item in requested.split():
        name, _, level = item.partition(":")
        access = name in _ACCESS and level in _LEVELS
        if access or (name in _NAMED and level):
            granted.append(item)
        elif item in ("connection", "mainaccount"):
            continue
        else:
            raise RpcError(
                ErrorCode.INVALID_PARAMS,
                "Invalid params",
                {"reason": f"unknown scope {item!r}", "param": "scope"},
            )
    if not any(item.startswith("session:") for item in granted):
        granted.insert(0, "connection")
    granted.append("mainaccount")
    return " ".join(dict.fromkeys(granted))


def scope_allows(granted: str, required: str) -> bool:
    """Whether a token granted ``granted`` may call a method needing ``required`` (``trade:read``).

    ``read_write`` covers ``read``. A family the grant does not name keeps the level a grant
    without ``scope`` gets, so asking for ``session:NAME`` alone narrows nothing: only a family
    named with a lower level (``trade:read``, ``trade:none``) is refused. (Deribit documents
    that requested scopes narrow the key's; which level an unnamed family gets is not shown by
    any capture, and the lenient reading keeps clients that never ask for scopes working.)
    """
    family, _, needed = required.partition(":")
    levels = {
        name: level
        for name, _, level in (item.partition(":") for item in f"{DEFAULT_SCOPE} {granted}".split())
        if name in _ACCESS and level in _LEVELS
    }
    level = levels.get(family, "none")
    return level == "read_write" or (level == "read" and needed == "read")


def require_scope(method: str, granted: str) -> None:
    """Raise 13021 ``forbidden`` unless ``granted`` covers what ``method`` needs
    (:data:`deribit_contract.facts.METHOD_SCOPES`; methods not listed need no scope)."""
    required = METHOD_SCOPES.get(method)
    if required is None or scope_allows(granted, required):
        return
    raise RpcError(
        ErrorCode.FORBIDDEN,
        data={"reason": f"{method} needs scope {required}; the token has {granted or 'none'}"},
    )
