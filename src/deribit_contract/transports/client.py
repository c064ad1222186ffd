"""Minimal JSON-RPC clients for a Deribit-shaped target (real testnet or the simulation).

The contract runner talks to its target through ``JsonRpcClient``: one request, one envelope,
nothing hidden. These clients deliberately do no retries, backoff or log redaction (a layer on
top owns that policy); they only turn transport failures into the kit's errors and keep the
access token out of every ``repr``/``str``.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Protocol, TypeVar, runtime_checkable

import httpx
import orjson

from deribit_contract.errors import TargetError, TargetUnavailable
from deribit_contract.guard import REDIRECT_STATUSES, redirect_refusal

__all__ = [
    "HttpJsonRpcClient",
    "JsonRpcClient",
    "Secret",
    "auth_params",
    "check_auth_reply",
    "excerpt",
]

_EXCERPT_CHARS = 120
_MASKED_BYTES = 64 * 1024  # what is masked before the excerpt is cut from it
_C = TypeVar("_C", bound="_ClientBase")


@runtime_checkable
class JsonRpcClient(Protocol):
    """One JSON-RPC 2.0 call at a time against a Deribit API.

    ``last_request`` is the request object last sent (with its id, secrets masked) so checks can
    judge the id echo and quote the request; ``last_status`` the HTTP status (None over WebSocket).
    """

    last_request: dict[str, Any]
    last_status: int | None

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send one request and return the full response envelope (success or error)."""
        ...

    def authenticate(
        self, client_id: str, client_secret: str, *, scope: str | None = None
    ) -> dict[str, Any]:
        """``public/auth`` with client_credentials (asking for ``scope`` when given); later
        calls are authenticated."""
        ...

    def close(self) -> None:
        """Release the connection(s)."""
        ...


class Secret:
    """Holds a token so that no ``repr``, ``str``, ``vars()`` dump or log line can show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The token itself, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('<redacted>')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


# params that carry credentials: masked in ``last_request`` (what checks quote and reports keep)
_SECRET_PARAMS = frozenset({"access_token", "client_secret", "refresh_token", "signature"})


def sent_request(request_id: int, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The request object as a client sends it, with credential params masked."""
    shown = {key: ("***" if key in _SECRET_PARAMS else value) for key, value in params.items()}
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": shown}


def excerpt(body: bytes, mask: Callable[[str], str] | None = None) -> str:
    """A short, single-line, printable excerpt of a response body for error messages.

    ``mask`` (the run's redaction) runs before the cut: a secret cut in half no longer matches.
    """
    text = body[:_MASKED_BYTES].decode("utf-8", errors="replace")
    text = " ".join((mask or str)(text).split())
    return text[:_EXCERPT_CHARS] + ("…" if len(text) > _EXCERPT_CHARS else "")


def auth_params(client_id: str, client_secret: str, scope: str | None = None) -> dict[str, Any]:
    """The params of a client_credentials ``public/auth`` (asking for ``scope`` when given)."""
    params = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
    }
    if scope is not None:
        params["scope"] = scope
    return params


def check_auth_reply(envelope: Mapping[str, Any]) -> str:
    """The access token from a ``public/auth`` envelope, or TargetError saying why there is none."""
    error = envelope.get("error")
    if error is not None:
        code = error.get("code") if isinstance(error, Mapping) else None
        message = error.get("message") if isinstance(error, Mapping) else error
        raise TargetError(f"public/auth was refused: error {code} {message}")
    result = envelope.get("result")
    token = result.get("access_token") if isinstance(result, Mapping) else None
    if not isinstance(token, str) or not token:
        raise TargetError("public/auth succeeded but its result has no access_token string")
    return token


def redacted_auth_reply(envelope: dict[str, Any]) -> dict[str, Any]:
    """The auth envelope with the secrets masked, safe to hand to callers that log."""
    result = envelope.get("result")
    if not isinstance(result, dict):
        return envelope
    masked = {
        k: ("<redacted>" if k in ("access_token", "refresh_token") else v)
        for k, v in result.items()
    }
    return {**envelope, "result": masked}


class _ClientBase:
    """What both clients share: closing as a context manager and a repr that shows no token."""

    #: told every access/refresh token the moment a reply carries one (the run's redaction)
    learn: Callable[[str], None] | None = None
    #: masks secrets in text this client quotes in its errors, before any cut (the run's)
    mask: Callable[[str], str] | None = None

    def _learn_tokens(self, envelope: Mapping[str, Any]) -> None:
        result = envelope.get("result")
        if self.learn is None or not isinstance(result, Mapping):
            return
        for key in ("access_token", "refresh_token"):
            token = result.get(key)
            if isinstance(token, str) and token:
                self.learn(token)

    def close(self) -> None:
        raise NotImplementedError

    def _where(self) -> str:
        raise NotImplementedError

    @property
    def authenticated(self) -> bool:
        raise NotImplementedError

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._where()!r}, authenticated={self.authenticated})"

    __str__ = __repr__


class HttpJsonRpcClient(_ClientBase):
    """JSON-RPC over HTTP POST, the way Deribit's REST API takes it.

    Each call is ``POST {base_url}/api/v2/{method}`` with a JSON-RPC 2.0 body; ``base_url`` may
    or may not end in ``/api/v2``. After ``authenticate`` the token goes in an
    ``Authorization: Bearer`` header. Any HTTP status with a JSON object body is returned as the
    envelope (Deribit sends errors with 400/401); ``last_status`` holds the status of the latest
    reply. Raises TargetError for a non-JSON body and TargetUnavailable when the target cannot be
    reached or times out. Never retries. ``transport`` lets tests plug in e.g. ``httpx.MockTransport``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        root = base_url.rstrip("/")
        root = root.removesuffix("/api/v2")
        self.base_url = root
        self._ids = itertools.count(1)
        self.last_status: int | None = None
        self.last_request: dict[str, Any] = {}
        self._token: Secret | None = None
        if transport is None:
            # httpx writes headers and body separately; without TCP_NODELAY, Nagle plus the
            # server's delayed ACK add ~40 ms to every keep-alive request
            transport = httpx.HTTPTransport(
                socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
            )
        self._http = httpx.Client(timeout=timeout, transport=transport)

    @property
    def authenticated(self) -> bool:
        """Whether a token is held (without revealing it)."""
        return self._token is not None

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send ``method`` with ``params``; the response envelope, whatever its HTTP status."""
        request_id = next(self._ids)
        payload = dict(params or {})
        body = orjson.dumps(
            {"jsonrpc": "2.0", "id": request_id, "method": method, "params": payload}
        )
        self.last_request = sent_request(request_id, method, payload)
        headers = {"content-type": "application/json"}
        if self._token is not None:
            headers["authorization"] = f"Bearer {self._token.reveal()}"
        url = f"{self.base_url}/api/v2/{method}"
        try:
            response = self._http.post(url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise TargetUnavailable(
                f"{method}: no answer from {self.base_url} ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise TargetUnavailable(
                f"{method}: cannot reach {self.base_url}: {type(exc).__name__}: {exc}"
            ) from None
        self.last_status = response.status_code
        if response.status_code in REDIRECT_STATUSES:
            raise redirect_refusal(url, response.status_code, response.headers.get("location"))
        envelope = _decode(method, response, self.mask)
        self._learn_tokens(envelope)
        return envelope

    def authenticate(
        self, client_id: str, client_secret: str, *, scope: str | None = None
    ) -> dict[str, Any]:
        """``public/auth`` (client_credentials, asking for ``scope`` when given); keeps the token
        for later calls.

        Returns the envelope with ``access_token``/``refresh_token`` masked; raises TargetError if
        the target refused the credentials.
        """
        self._token = None
        envelope = self.call("public/auth", auth_params(client_id, client_secret, scope))
        self._token = Secret(check_auth_reply(envelope))
        return redacted_auth_reply(envelope)

    def forget_token(self) -> None:
        """Drop the token: later calls are anonymous."""
        self._token = None

    def close(self) -> None:
        """Close the keep-alive connections."""
        self._http.close()

    def _where(self) -> str:
        return self.base_url


def _decode(
    method: str, response: httpx.Response, mask: Callable[[str], str] | None
) -> dict[str, Any]:
    content_type = response.headers.get("content-type", "(none)")
    what = f"{method}: HTTP {response.status_code}, content type {content_type}"
    try:
        envelope = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise TargetError(
            f"{what}, body is not JSON: {excerpt(response.content, mask)!r}"
        ) from None
    if not isinstance(envelope, dict):
        raise TargetError(
            f"{what}, body is JSON {type(envelope).__name__}, not an object: "
            f"{excerpt(response.content, mask)!r}"
        )
    return envelope
