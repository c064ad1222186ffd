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
import heapq
import hmac

from deribit_contract.exchange.jsonrpc import ErrorCode
from deribit_contract.exchange.params import RpcError
from deribit_contract.facts import METHOD_SCOPES

__all__ = [
    "DEFAULT_SCOPE",
    "NONCES_PER_KEY",
    "SIGNATURE_WINDOW_MS",
    "NonceGuard",
    "grant_scope",
    "narrowed_scope",
    "require_scope",
    "scope_allows",
    "sign",
]

#: how far a signed timestamp may be from the exchange's clock (the documented 60 s)
SIGNATURE_WINDOW_MS = 60_000
#: what a grant without ``scope`` gets (wording of a live mainnet answer)
DEFAULT_SCOPE = "connection trade:read_write account:read wallet:read mainaccount"
#: signed requests one key may make within one signature window (166/s, far above Deribit's
#: credit limits); past it 10028, so remembering every nonce of the window stays bounded
NONCES_PER_KEY = 10_000
_ACCESS = ("account", "trade", "wallet", "block_trade", "custody")
_LEVELS = ("read", "read_write", "none")
_RANK = {"none": 0, "read": 1, "read_write": 2}
_NAMED = ("session", "name", "expires", "ip")  # scopes carrying a value: session:NAME, ...


def sign(secret: str, timestamp: str, nonce: str, data: str) -> str:
    """The hex HMAC-SHA256 of ``timestamp\\nnonce\\ndata`` with ``secret`` (both schemes)."""
    message = f"{timestamp}\n{nonce}\n{data}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _unauthorized(reason: str) -> RpcError:
    return RpcError(ErrorCode.UNAUTHORIZED, "unauthorized", {"reason": reason})


class NonceGuard:
    """Checks a signature, its time window and that its (client, timestamp, nonce) is new.

    Each key has its own memory, and a nonce is remembered until its timestamp leaves the window
    (after that the window check refuses it anyway), so a replay is refused for as long as it
    could otherwise succeed. A key that signs more than ``per_key`` requests within one window
    is refused with 10028 until older ones age out: one key's flood never evicts another key's
    nonces, and never its own. A nonce is kept as a 16-byte digest, whatever its length.
    """

    def __init__(self, *, per_key: int = NONCES_PER_KEY) -> None:
        self._per_key = per_key
        self._seen: dict[str, set[bytes]] = {}
        self._expiry: dict[str, list[tuple[int, bytes]]] = {}  # a heap per key: (signed ms, digest)

    def remembered(self, client_id: str) -> int:
        """How many nonces of ``client_id`` are remembered now."""
        return len(self._seen.get(client_id, ()))

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
        # compare_digest raises TypeError on non-ASCII text: such a signature is simply wrong
        if not signature.isascii():
            raise _unauthorized("invalid signature")
        expected = sign(secret, timestamp, nonce, data)
        if not hmac.compare_digest(expected, signature.lower()):
            raise _unauthorized("invalid signature")
        seen = self._seen.setdefault(client_id, set())
        expiry = self._expiry.setdefault(client_id, [])
        while expiry and expiry[0][0] < now_ms - SIGNATURE_WINDOW_MS:
            seen.discard(heapq.heappop(expiry)[1])
        digest = hashlib.blake2b(f"{timestamp}\n{nonce}".encode(), digest_size=16).digest()
        if digest in seen:
            raise _unauthorized("nonce already used")
        if len(seen) >= self._per_key:
            raise RpcError(
                ErrorCode.TOO_MANY_REQUESTS,
                data={
                    "reason": f"more than {self._per_key} signed requests by this key within "
                    f"{SIGNATURE_WINDOW_MS // 1000} s"
                },
            )
        seen.add(digest)
        heapq.heappush(expiry, (signed_ms, digest))


def _named_levels(scope: str) -> dict[str, str]:
    """The access families ``scope`` names, with their levels."""
    return {
        name: level
        for name, _, level in (item.partition(":") for item in scope.split())
        if name in _ACCESS and level in _LEVELS
    }


def _levels(scope: str) -> dict[str, str]:
    """The access level of each family a token granted ``scope`` acts with (see scope_allows)."""
    return {**_named_levels(DEFAULT_SCOPE), **_named_levels(scope)}


def narrowed_scope(held: str, requested: str | None) -> str:
    """The scope a refresh of a grant holding ``held`` gets when it asks for ``requested``.

    A refresh may keep or narrow what the grant had, never widen it: asking for a higher level
    of any family than the grant acts with is refused with 13403 ``scope_exceeded``, and a
    family the request does not name keeps the grant's level (not the default one).
    """
    if requested is None:
        return held
    granted = grant_scope(requested)
    have = _levels(held)
    asked = _named_levels(granted)
    for family, level in asked.items():
        if _RANK[level] > _RANK[have.get(family, "none")]:
            raise RpcError(
                ErrorCode.SCOPE_EXCEEDED,
                data={
                    "reason": f"{family}:{level} exceeds the refreshed grant's "
                    f"{family}:{have.get(family, 'none')}",
                    "param": "scope",
                },
            )
    defaults = _named_levels(DEFAULT_SCOPE)
    kept = [
        f"{family}:{level}"
        for family, level in have.items()
        if family not in asked and level != defaults.get(family, "none")
    ]
    if not kept:
        return granted
    items = granted.split()
    return " ".join(items[:-1] + kept + items[-1:])  # mainaccount stays last


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
    level = _levels(granted).get(family, "none")
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
