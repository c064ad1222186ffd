"""What waits to be sent on one WebSocket, bounded, and who is connected from where.

A client that subscribes and never reads would otherwise make the server queue every
notification for it forever (5 GB in 76 s in the hostile pass). Deribit disconnects a slow
consumer; so does :class:`Outbox`: past its bound it drops what is queued and asks for the
connection to be closed. :class:`AddressSlots` counts what each client address holds open.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque

__all__ = ["AddressSlots", "Outbox"]


class Outbox:
    """A FIFO of encoded messages with a bound in count and bytes (use from the event loop)."""

    def __init__(self, *, max_messages: int, max_bytes: int) -> None:
        self._items: deque[bytes] = deque()
        self._bytes = 0
        self._max_messages = max_messages
        self._max_bytes = max_bytes
        self._ready = asyncio.Event()
        #: why the connection must close (None while it may stay open), and the close code
        self.close_reason: str | None = None
        self.close_code = 1000

    def __len__(self) -> int:
        return len(self._items)

    @property
    def queued_bytes(self) -> int:
        """Bytes waiting now."""
        return self._bytes

    def put(self, message: bytes) -> None:
        """Queue ``message``; past the bound, drop everything and ask for the close."""
        if self.close_reason is not None:
            return
        if len(self._items) >= self._max_messages or self._bytes + len(message) > self._max_bytes:
            self.close(
                f"slow consumer: more than {self._max_messages} messages or "
                f"{self._max_bytes} bytes waiting to be read",
                code=1008,  # policy violation
            )
            return
        self._items.append(message)
        self._bytes += len(message)
        self._ready.set()

    def close(self, reason: str, *, code: int = 1000) -> None:
        """Ask for the connection to close (with ``code``); what is still queued is never sent."""
        if self.close_reason is None:
            self.close_reason, self.close_code = reason, code
        self._items.clear()
        self._bytes = 0
        self._ready.set()

    async def get(self) -> bytes | None:
        """The next message, or None once the connection must close (see ``close_reason``)."""
        while not self._items and self.close_reason is None:
            self._ready.clear()
            await self._ready.wait()
        if self.close_reason is not None:
            return None
        message = self._items.popleft()
        self._bytes -= len(message)
        return message

    async def closed(self) -> str:
        """Wait until the connection must close; the reason."""
        while self.close_reason is None:
            self._ready.clear()
            await self._ready.wait()
        return self.close_reason


class AddressSlots:
    """How many connections each client address holds; ``take`` refuses past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: Counter[str] = Counter()

    def take(self, address: str) -> bool:
        """Hold one slot for ``address``; False (nothing held) when it has ``limit`` already."""
        if self._held[address] >= self.limit:
            return False
        self._held[address] += 1
        return True

    def give_back(self, address: str) -> None:
        """Release a slot ``take`` granted."""
        self._held[address] -= 1
        if self._held[address] <= 0:
            del self._held[address]

    def held(self, address: str) -> int:
        """Slots ``address`` holds now."""
        return self._held[address]
