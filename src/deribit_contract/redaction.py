"""Remove secrets from everything the kit prints, writes or records.

Redaction is by value first: every client secret and every token the kit handles is registered
with a :class:`Redactor`, which then replaces it wherever it appears — in JSON values, in free text
(tracebacks, curl lines, URLs in percent-encoded form) and inside HTTP Basic credentials. Key
names (``client_secret``, ``access_token``, ...) are a second net for secrets the kit never saw,
such as a token a target returns that a test then prints.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "SECRET_KEYS", "RedactingFilter", "Redactor"]

MASK = "***"
# Keys whose values are secret whatever they hold (compared case-insensitively).
SECRET_KEYS = frozenset(
    {
        "access_token",
        "authorization",
        "client_secret",
        "password",
        "refresh_token",
        "signature",
        "token",
    }
)
# Shorter values would mask ordinary words and numbers; real secrets are far longer.
_MIN_SECRET_LENGTH = 6


class Redactor:
    """A set of secret values and the knowledge of where they may hide."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register ``secret`` (and its encoded forms); short or empty values are ignored."""
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        forms = {secret, quote(secret, safe=""), quote_plus(secret)}
        with self._lock:
            if forms <= self._values:
                return
            self._values |= forms
            self._pattern = None

    def add_basic_credentials(self, client_id: str, client_secret: str) -> None:
        """Register the secret and the Base64 ``id:secret`` pair of HTTP Basic auth."""
        self.add(client_secret)
        self.add(base64.b64encode(f"{client_id}:{client_secret}".encode()).decode("ascii"))

    def _compiled(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._values:
                # longest first so a secret that contains another is masked whole
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
            return self._pattern

    def text(self, value: str) -> str:
        """``value`` with every registered secret replaced by :data:`MASK`."""
        pattern = self._compiled()
        if pattern is None:
            return value
        return pattern.sub(MASK, value)

    def json(self, value: Any) -> Any:
        """A deep copy of a JSON value with secret keys and secret values masked."""
        if isinstance(value, dict):
            return {
                key: (
                    MASK
                    if str(key).lower() in SECRET_KEYS and val not in (None, "")
                    else self.json(val)
                )
                for key, val in value.items()
            }
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in every record's rendered message."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redactor.text(record.getMessage())
        record.args = None
        return True
