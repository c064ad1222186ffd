"""Accounts, ``public/auth`` and the check every private method makes.

Tokens look like Deribit's (``<ms>.<8 chars>.<long base64url>``) but are derived from the seed,
the account and a counter with BLAKE2b, so a run is reproducible while the strings still look
secret (a test can check that logs redact them). Access tokens expire after ``expires_in``
seconds of simulated time (31536000, a year, as live client-credentials answers show) and are
dropped then; an account holds at most :data:`LIVE_GRANTS_PER_ACCOUNT` grants, its oldest revoked
past that. A refresh token is single-use, as refreshing rotates it, and keeps the scope it was
granted with or a narrower one, never a wider one. Signed grants and headers are checked by
:mod:`deribit_contract.exchange.auth`.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange.auth import DEFAULT_SCOPE, NonceGuard, grant_scope, narrowed_scope
from deribit_contract.exchange.jsonrpc import Auth, ErrorCode
from deribit_contract.exchange.params import RpcError, invalid_params, opt_str, req_str

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TOKEN_TTL_SECONDS",
    "GRANTED_SCOPE",
    "LIVE_GRANTS_PER_ACCOUNT",
    "Accounts",
]

DEFAULT_CLIENT_ID = "sim-client-0001"
DEFAULT_CLIENT_SECRET = "sim-secret-0123456789abcdef"  # test-only; the simulation has no real keys
#: the scope a grant without ``scope`` gets (wording of a live mainnet answer)
GRANTED_SCOPE = DEFAULT_SCOPE
#: ``expires_in`` of live client-credentials answers (roq json_auth, the vendor's example)
DEFAULT_TOKEN_TTL_SECONDS = 31_536_000
#: grants (an access and its refresh token) an account holds at once; a new login past it
#: revokes that account's oldest grant, so a bot that logs in per request cannot grow memory
LIVE_GRANTS_PER_ACCOUNT = 1_000
_UNAUTHORIZED = RpcError(ErrorCode.UNAUTHORIZED, "unauthorized")


@dataclass
class _Token:
    client_id: str
    expires_us: int
    scope: str


class Accounts:
    """Credentials, issued tokens and the stable ``user_id`` of each account."""

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        seed: int,
        token_ttl_seconds: int,
        grants_per_account: int = LIVE_GRANTS_PER_ACCOUNT,
    ) -> None:
        if not credentials:
            raise InvalidArgument("accounts must hold at least one client_id -> client_secret")
        if token_ttl_seconds < 1:
            raise InvalidArgument(f"token_ttl_seconds must be >= 1, got {token_ttl_seconds}")
        self._secrets = dict(credentials)
        self._seed = seed
        self._ttl_s = token_ttl_seconds
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        # each account's live grants, oldest first: access token -> its refresh token
        self._grants: dict[str, OrderedDict[str, str]] = {cid: OrderedDict() for cid in credentials}
        self._grants_per_account = grants_per_account
        self._nonces = NonceGuard()
        self._issued = 0
        self.user_ids = {cid: 10_000 + 7 * i + seed % 7 for i, cid in enumerate(self._secrets)}

    @property
    def client_ids(self) -> tuple[str, ...]:
        """Every configured client id, first one being the default account."""
        return tuple(self._secrets)

    def secret_of(self, client_id: str) -> str | None:
        """The configured secret of ``client_id`` (None when unknown)."""
        return self._secrets.get(client_id)

    def auth(self, params: Mapping[str, Any], *, now_us: int) -> dict[str, Any]:
        """The ``public/auth`` result for ``params``; raises :class:`RpcError` on refusal."""
        grant = req_str(params, "grant_type")
        scope = grant_scope(opt_str(params, "scope"))
        if grant == "client_credentials":
            client_id = req_str(params, "client_id")
            secret = req_str(params, "client_secret")
            if self._secrets.get(client_id) != secret:
                raise RpcError(ErrorCode.INVALID_CREDENTIALS, "invalid_credentials")
        elif grant == "client_signature":
            client_id = self._signed_grant(params, now_us=now_us)
        elif grant == "refresh_token":
            found = self._refresh.get(req_str(params, "refresh_token"))
            if found is None or found.expires_us <= now_us:
                raise _UNAUTHORIZED
            scope = narrowed_scope(found.scope, opt_str(params, "scope"))
            del self._refresh[req_str(params, "refresh_token")]
            client_id = found.client_id
        else:
            raise invalid_params(
                "grant_type", "must be one of: client_credentials, client_signature, refresh_token"
            )
        access = self._token(client_id, "access", now_us)
        refresh_token = self._token(client_id, "refresh", now_us)
        expires_us = now_us + self._ttl_s * 1_000_000
        self._keep_grant(client_id, access, refresh_token, now_us=now_us)
        self._access[access] = _Token(client_id, expires_us, scope)
        self._refresh[refresh_token] = _Token(client_id, expires_us, scope)
        return {
            "access_token": access,
            "expires_in": self._ttl_s,
            "refresh_token": refresh_token,
            "scope": scope,
            "token_type": "bearer",
            "enabled_features": [],
        }

    def live_grants(self, client_id: str) -> int:
        """How many grants of ``client_id`` are held (expired ones go at its next login)."""
        return len(self._grants.get(client_id, ()))

    def _keep_grant(self, client_id: str, access: str, refresh: str, *, now_us: int) -> None:
        """Drop the account's expired grants, and its oldest past the limit, then add this one.

        Every grant has the same lifetime, so the oldest are the first to expire.
        """
        grants = self._grants.setdefault(client_id, OrderedDict())
        while grants:
            oldest, oldest_refresh = next(iter(grants.items()))
            issued = self._access.get(oldest)
            if len(grants) < self._grants_per_account and (
                issued is not None and issued.expires_us > now_us
            ):
                break
            del grants[oldest]
            self._access.pop(oldest, None)
            self._refresh.pop(oldest_refresh, None)
        grants[access] = refresh

    def _signed_grant(self, params: Mapping[str, Any], *, now_us: int) -> str:
        client_id = req_str(params, "client_id")
        timestamp = params.get("timestamp")
        if isinstance(timestamp, bool) or not isinstance(timestamp, (int, str)):
            raise invalid_params("timestamp", "value required")
        signature = req_str(params, "signature")
        nonce = opt_str(params, "nonce") or ""
        data = params.get("data") or ""
        if not isinstance(data, str):
            raise invalid_params("data", "must be a string")
        return self._verified(client_id, str(timestamp), nonce, data, signature, now_us=now_us)

    def authorize(self, auth: Auth, params_token: str | None, *, now_us: int) -> str:
        """The client id a private call acts for; 13009 (or 13004 for unknown keys) otherwise.

        A token in ``params.access_token`` (WebSocket style) counts as a bearer token when the
        transport found no credentials of its own.
        """
        if auth.kind == "basic":
            cid = auth.client_id or ""
            if self._secrets.get(cid) != auth.client_secret:
                raise RpcError(ErrorCode.INVALID_CREDENTIALS, "invalid_credentials")
            return cid
        if auth.kind == "hmac":
            return self._verified(
                auth.client_id or "",
                auth.timestamp or "",
                auth.nonce or "",
                auth.signed_data or "",
                auth.signature or "",
                now_us=now_us,
            )
        token = auth.token if auth.kind == "bearer" else params_token
        if token is None:
            raise _UNAUTHORIZED
        issued = self._access.get(token)
        if issued is None or issued.expires_us <= now_us:
            self._access.pop(token, None)
            raise _UNAUTHORIZED
        return issued.client_id

    def scope_of(self, auth: Auth, params_token: str | None) -> str:
        """The scope a call that :meth:`authorize` let in acts with.

        A token keeps the scope it was granted; Basic and ``deri-hmac-sha256`` calls carry no
        token and act with what a grant without ``scope`` gets.
        """
        if auth.kind in ("basic", "hmac"):
            return DEFAULT_SCOPE
        token = auth.token if auth.kind == "bearer" else params_token
        issued = self._access.get(token or "")
        return issued.scope if issued is not None else ""

    def _verified(
        self, client_id: str, timestamp: str, nonce: str, data: str, signature: str, *, now_us: int
    ) -> str:
        """``client_id`` once its signature checks out (a client_signature grant or a
        ``deri-hmac-sha256`` header: one rule for both); 13004 for an unknown key."""
        secret = self._secrets.get(client_id)
        if secret is None:
            raise RpcError(ErrorCode.INVALID_CREDENTIALS, "invalid_credentials")
        self._nonces.verify(
            client_id=client_id,
            secret=secret,
            timestamp=timestamp,
            nonce=nonce,
            data=data,
            signature=signature,
            now_ms=now_us // 1000,
        )
        return client_id

    def _token(self, client_id: str, kind: str, now_us: int) -> str:
        self._issued += 1
        digest = hashlib.blake2b(
            f"{kind}:{client_id}:{self._issued}".encode(),
            key=f"deribit-contract-sim:{self._seed}".encode(),
            digest_size=48,
        ).digest()
        text = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
        return f"{now_us // 1000}.{text[:8]}.{text[8:]}"
