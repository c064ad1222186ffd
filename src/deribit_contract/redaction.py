"""Remove secrets from everything the kit prints, writes or records.

Redaction is by value first: every client secret and every token the kit handles is registered
with a :class:`Redactor`, which then replaces it wherever it appears, in every encoding a report
may carry it in: raw, JSON-escaped, HTML/XML-escaped (JUnit, the HTML report), percent-encoded
(URLs, curl lines) and Base64 (HTTP Basic). Key names (``client_secret``, ``access_token``, ...)
are a second net for secrets the kit never saw, such as a token a target returns that a test
then prints.

Replacement is by substring, so a secret never survives in any surrounding text. That is only
safe when a secret cannot also be data: a secret such as ``market`` or ``000000`` would turn
``"type": "market"`` or an order id into ``***``. Such secrets are refused up front
(:func:`require_strong_secret`, exit 2); tokens a target hands out are registered only when they
pass the same test (a weak token is still masked under its key name).
"""

from __future__ import annotations

import base64
import html
import json as _stdjson
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

from deribit_contract.errors import InvalidArgument

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "SECRET_KEYS",
    "RedactingFilter",
    "Redactor",
    "redacting_logs",
    "require_strong_secret",
    "weak_secret_reason",
]

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
#: shortest client secret the kit accepts (Deribit's generated secrets have 43 characters)
MIN_SECRET_LENGTH = 12


def weak_secret_reason(secret: str) -> str | None:
    """Why ``secret`` could be mistaken for data in a report (None when it cannot)."""
    if len(secret) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    if secret.isdigit():
        return "only digits, like order ids and timestamps"
    if secret.isalpha():
        return "only letters, like field values"
    if secret.upper() == secret:
        return "no lower-case letter, like instrument names"
    return None


def require_strong_secret(secret: str | None, what: str) -> None:
    """Raise :class:`InvalidArgument` (exit 2) when ``secret`` cannot be told apart from data.

    The message names ``what`` (e.g. the environment variable) and the reason, never the value.
    """
    if not secret:
        return
    reason = weak_secret_reason(secret)
    if reason is not None:
        raise InvalidArgument(
            f"{what} cannot be told apart from data ({reason}): the kit could not redact it from reports without corrupting "
            "field values. Use the key pair the exchange generated (Deribit's secrets are 43 "
            "random characters)."
        )


def _encoded_forms(secret: str) -> set[str]:
    """Every way a report may spell ``secret``."""
    bases = {
        secret,
        _stdjson.dumps(secret)[1:-1],
        _stdjson.dumps(secret, ensure_ascii=False)[1:-1],
    }
    forms: set[str] = set()
    for base in bases:
        forms |= {
            base,
            html.escape(base, quote=True),
            html.escape(base, quote=False),
            html.escape(base, quote=True).replace("&#x27;", "&apos;"),
            base.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
            quote(base, safe=""),
            quote_plus(base),
        }
    forms.add(base64.b64encode(secret.encode("utf-8")).decode("ascii"))
    return {form for form in forms if form}


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
        forms = _encoded_forms(secret)
        with self._lock:
            if forms <= self._values:
                return
            self._values |= forms
            self._pattern = None

    def learn_token(self, token: str | None) -> None:
        """Register a token a target handed out, if it cannot be mistaken for data."""
        if token and weak_secret_reason(token) is None:
            self.add(token)

    def add_url_credentials(self, url: str) -> None:
        """Register the password (and Basic form) of ``user:password@`` in ``url``."""
        try:
            parts = urlsplit(url)
            user, password = parts.username, parts.password
        except ValueError:
            return
        if password:
            self.add(unquote(password))
            self.add(password)
            self.add_basic_credentials(unquote(user or ""), unquote(password))

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
        """A deep copy of a JSON value with secret keys and secret values masked.

        A value too deep to walk (a hostile target's answer nested a thousand levels) is
        replaced by a note: what cannot be walked cannot be shown safely.
        """
        try:
            return self._json(value)
        except RecursionError:
            return "<a value nested too deep to redact; not shown>"

    def _json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: (
                    MASK
                    if str(key).lower() in SECRET_KEYS and val not in (None, "")
                    else self._json(val)
                )
                for key, val in value.items()
            }
        if isinstance(value, list):
            return [self._json(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in every record's rendered message."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record, self._redactor)
        return True


def _mask_record(record: logging.LogRecord, redactor: Redactor) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = f"{record.msg} {record.args}"
    record.msg = redactor.text(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        # formatted now, masked, and kept as text: handlers format exc_text as given
        record.exc_text = redactor.text(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redactor.text(record.exc_text)


@contextmanager
def redacting_logs(redactor: Redactor) -> Iterator[None]:
    """Mask secrets in every log record created inside the block, whatever its handler.

    Installed as the record factory (not a handler filter) so that handlers added later, such as
    pytest's capture and report handlers, only ever see masked records.
    """
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _mask_record(record, redactor)
        return record

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)
