"""The bounds a long-running ``serve`` keeps per connection and per address, defined once.

A staging exchange shared by a CI fleet must survive a buggy bot: every structure that grows
with what a client sends or fails to read has a limit here, and the README's "Limits" table
names each one. Tests pass smaller :class:`ServeLimits` to see a limit hold without the flood.
(Per-account limits live with the state they bound: ``exchange.accounts.LIVE_GRANTS_PER_ACCOUNT``
and ``exchange.auth.NONCES_PER_KEY``; the 32 kB request limit is Deribit's, in ``gateway``.)
"""

from __future__ import annotations

from dataclasses import dataclass

from deribit_contract.facts import CONNECTIONS_PER_IP

__all__ = [
    "CONNECTIONS_PER_ADDRESS",
    "CONNECTIONS_TOTAL",
    "MAX_FRAME_BYTES",
    "OUTBOX_BYTES",
    "OUTBOX_MESSAGES",
    "SUBSCRIPTIONS_PER_SOCKET",
    "ServeLimits",
]

#: a WebSocket frame (or fragmented message) longer than this closes the connection (1009)
#: before its payload is read; up to it, a frame over 32 kB is answered -32600 as Deribit does
MAX_FRAME_BYTES = 1024 * 1024
#: messages waiting for a socket whose client does not read; past either bound the client is
#: a slow consumer and the connection is closed (1008), its queue dropped
OUTBOX_MESSAGES = 10_000
OUTBOX_BYTES = 4 * 1024 * 1024
#: channels one socket may be subscribed to at once (more is refused with -32602)
SUBSCRIPTIONS_PER_SOCKET = 1_000
#: open WebSockets plus HTTP requests in progress from one client address (Deribit's 32 per
#: IP); the next one gets HTTP 429
CONNECTIONS_PER_ADDRESS = CONNECTIONS_PER_IP
#: open connections of every address together, idle ones included (uvicorn's
#: ``limit_concurrency``: HTTP 503 past it), a backstop against many addresses or idle sockets
CONNECTIONS_TOTAL = 1_024


@dataclass(frozen=True)
class ServeLimits:
    """The limits one server applies (the module's constants unless a test shrinks them)."""

    frame_bytes: int = MAX_FRAME_BYTES
    outbox_messages: int = OUTBOX_MESSAGES
    outbox_bytes: int = OUTBOX_BYTES
    subscriptions_per_socket: int = SUBSCRIPTIONS_PER_SOCKET
    connections_per_address: int = CONNECTIONS_PER_ADDRESS
    connections_total: int = CONNECTIONS_TOTAL
