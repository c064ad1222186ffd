"""Accounts, ``public/auth`` and the check every private method makes.

Tokens look like Deribit's (``<ms>.<8 chars>.<long base64url>``) but are derived from the seed,
the account and a counter with BLAKE2b, so a run is reproducible while the strings still look
secret (a test can check that logs redact them). Access tokens expire after ``expires_in``
seconds of simulated time; a refresh token is single-use, as refreshing rotates it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange.jsonrpc import Auth, ErrorCode
from deribit_contract.exchange.params import RpcError, invalid_params, req_str

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "GRANTED_SCOPE", "Accounts"]

DEFAULT_CLIENT_ID = "sim-client-0001"
DEFAULT_CLIENT_SECRET = "sim-secret-0123456789abcdef"  # test-only; the simulation has no real keys
#: the scope a client_credentials grant gets (wording of a live mainnet answer)
GRANTED_SCOPE = "connection trade:read_write account:read wallet:read mainaccount"
_UNAUTHORIZED = RpcError(ErrorCode.UNAUTHORIZED, "unauthorized")


@dataclass
class _Token:
    client_id: str
    expires_us: int


class Accounts:
    """Credentials, issued tokens and the stable ``user_id`` of each account."""

    def __init__(
        self, credentials: Mapping[str, str], *, seed: int, token_ttl_seconds: int
    ) -> None:
        if not credentials:
            raise InvalidArgument("accounts must hold at least one client_id -> client_secret")
        if token_ttl_seconds < 1:
            raise InvalidArgument(f"token_ttl_seconds must be >= 1, got {token_ttl_seconds}")
        self._secrets = dict(credentials)
        self._seed = seed
        self._ttl_s = token_ttl_seconds
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, str] = {}
        self._issued = 0
        self.user_ids = {cid: 10_000 + 7 * i + seed % 7 for i, cid in enumerate(self._secrets)}

    @property
    def client_ids(self) -> tuple[str, ...]:
        """Every configured client id, first one being the default account."""
        return tuple(self._secrets)

    def auth(self, params: Mapping[str, Any], *, now_us: int) -> dict[str, Any]:
        """The ``public/auth`` result for ``params``; raises :class:`RpcError` on refusal."""
        grant = req_str(params, "grant_type")
        if grant == "client_credentials":
            client_id = req_str(params, "client_id")
            secret = req_str(params, "client_secret")
            if self._secrets.get(client_id) != secret:
                raise RpcError(ErrorCode.INVALID_CREDENTIALS, "invalid_credentials")
        elif grant == "refresh_token":
            refresh = req_str(params, "refresh_token")
            found = self._refresh.pop(refresh, None)
            if found is None:
                raise _UNAUTHORIZED
            client_id = found
        elif grant == "client_signature":
            raise invalid_params(
                "grant_type", "client_signature is not supported by the simulation"
            )
        else:
            raise invalid_params(
                "grant_type", "must be one of: client_credentials, client_signature, refresh_token"
            )
        access = self._token(client_id, "access", now_us)
        refresh_token = self._token(client_id, "refresh", now_us)
        self._access[access] = _Token(client_id, now_us + self._ttl_s * 1_000_000)
        self._refresh[refresh_token] = client_id
        return {
            "access_token": access,
            "expires_in": self._ttl_s,
            "refresh_token": refresh_token,
            "scope": GRANTED_SCOPE,
            "token_type": "bearer",
            "enabled_features": [],
        }

    def authorize(self, auth: Auth, params_token: str | None, *, now_us: int) -> str:
        """The client id a private call acts for; 13009 (or 13004 for bad Basic) otherwise.

        A token in ``params.access_token`` (WebSocket style) counts as a bearer token when the
        transport found no credentials of its own.
        """
        if auth.kind == "basic":
            cid = auth.client_id or ""
            if self._secrets.get(cid) != auth.client_secret:
                raise RpcError(ErrorCode.INVALID_CREDENTIALS, "invalid_credentials")
            return cid
        token = auth.token if auth.kind == "bearer" else params_token
        if token is None:
            raise _UNAUTHORIZED
        issued = self._access.get(token)
        if issued is None or issued.expires_us <= now_us:
            raise _UNAUTHORIZED
        return issued.client_id

    def _token(self, client_id: str, kind: str, now_us: int) -> str:
        self._issued += 1
        digest = hashlib.blake2b(
            f"{kind}:{client_id}:{self._issued}".encode(),
            key=f"deribit-contract-sim:{self._seed}".encode(),
            digest_size=48,
        ).digest()
        text = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
        return f"{now_us // 1000}.{text[:8]}.{text[8:]}"
