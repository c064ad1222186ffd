"""Remove secrets from everything the kit prints, writes or records.

Redaction is by value first: every client secret and every token the kit handles is registered
with a :class:`Redactor`, which then replaces it wherever it appears, in every encoding a report
may carry it in. Each character of a secret may be spelled as itself, JSON-escaped (``\\u00XX``
in either case, ``\\/``), HTML/XML-escaped (JUnit, the HTML report) or percent-encoded (either
case, whatever ``quote`` kept), in any mix; Base64 and base64url, with or without padding and at
any alignment inside a longer Base64 text (HTTP Basic), are matched too. A run of
:data:`FRAGMENT_CHARS` or more characters of a secret is masked on its own, so a secret split
over two fields, or cut by an excerpt, does not survive either (a piece that starts or ends a
secret: what a cut or a split leaves). Key names (``client_secret``,
``access_token``, ...) are a second net for secrets the kit never saw, such as a token a target
returns that a test then prints.

Text is masked before it is shortened (:meth:`Redactor.excerpt`): a cut never leaves a piece of
a secret that no longer matches.

Replacement is by substring, so a secret never survives in any surrounding text. That is only
safe when a secret cannot also be data: a secret such as ``market`` or ``000000`` would turn
``"type": "market"`` or an order id into ``***``. Such secrets are refused up front
(:func:`require_strong_secret`, exit 2); tokens a target hands out are registered only when they
pass the same test (a weak token is still masked under its key name).
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

from deribit_contract.errors import InvalidArgument
from deribit_contract.redaction._spellings import (
    FRAGMENT_CHARS,
    MASK,
    MAX_GENERATIONS,
    MIN_VALUE_LENGTH,
    Decoded,
    Generation,
    base64_forms,
    has_escape,
    mask_spans,
)

__all__ = [
    "FRAGMENT_CHARS",
    "MASK",
    "MIN_SECRET_LENGTH",
    "SECRET_KEYS",
    "RedactingFilter",
    "Redactor",
    "redacting_logs",
    "require_strong_secret",
    "weak_secret_reason",
]

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


class Redactor:
    """A set of secret values and the knowledge of where they may hide."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._new_secrets: set[str] = set()
        self._new_literals: set[str] = set()
        self._generations: list[Generation] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register ``secret`` (and its encoded forms); short or empty values are ignored."""
        if not secret or len(secret) < MIN_VALUE_LENGTH:
            return
        with self._lock:
            if secret in self._secrets:
                return
            self._secrets.add(secret)
            self._new_secrets.add(secret)
            self._new_literals |= base64_forms(secret)

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
        pair = f"{client_id}:{client_secret}".encode()
        with self._lock:
            self._new_literals.add(base64.b64encode(pair).decode("ascii"))
            self._new_literals.add(base64.urlsafe_b64encode(pair).decode("ascii"))

    def _compiled(self) -> list[Generation]:
        with self._lock:
            if self._new_secrets or self._new_literals:
                self._generations.append(Generation(self._new_secrets, self._new_literals))
                self._new_secrets, self._new_literals = set(), set()
                if len(self._generations) > MAX_GENERATIONS:
                    merged = self._generations
                    self._generations = [
                        Generation(
                            set().union(*(g.secrets for g in merged)),
                            set().union(*(g.literals for g in merged)),
                        )
                    ]
            return self._generations

    def text(self, value: str) -> str:
        """``value`` with every registered secret, and every piece of one at least
        :data:`FRAGMENT_CHARS` long that starts or ends it, replaced by :data:`MASK`."""
        if not self._secrets:
            return value
        generations = self._compiled()
        masked = value
        for generation in generations:
            if generation.pattern is not None:
                masked = generation.pattern.sub(MASK, masked)
        spans: list[tuple[int, int]] = []
        if has_escape(masked):
            decoded = Decoded(masked)
            for generation in generations:
                if generation.raw is not None:
                    found = generation.raw.finditer(decoded.text)
                    spans += [decoded.original(*m.span()) for m in found]
        size, backwards = len(masked), masked[::-1]
        for generation in generations:
            spans += generation.prefixes.spans(masked)
            spans += [(size - e, size - s) for s, e in generation.suffixes.spans(backwards)]
        return mask_spans(masked, spans)

    def excerpt(self, value: str, limit: int) -> str:
        """``value`` masked, then cut to ``limit`` characters (with an ellipsis when cut)."""
        masked = self.text(value)
        return masked if len(masked) <= limit else masked[:limit] + "…"

    def json(self, value: Any) -> Any:
        """A deep copy of a JSON value with secret keys and secret values masked.

        A value too deep to walk (a hostile target's answer nested a thousand levels) is
        replaced by a note: what cannot be walked cannot be shown safely. A secret split over
        two string values of one object is masked in both.
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
