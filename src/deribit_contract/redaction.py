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
import bisect
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote_plus, unquote, urlsplit

from deribit_contract.errors import InvalidArgument

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


#: a piece of a secret this long that starts or ends it is masked on its own (a split or cut
#: secret), provided it cannot be data (see ``_distinctive``)
FRAGMENT_CHARS = 8
# one escaped character: JSON (\uXXXX in either case, \/ and the short forms), percent-encoded
# ASCII (either case) and HTML/XML entities. Decoded once, so any mix of spellings is found.
_ESCAPE = re.compile(
    r"\\u([0-9a-fA-F]{4})|\\([\"\\/nrtbf])|%([0-7][0-9a-fA-F])"
    r"|&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos);"
)
_SHORT = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(match: re.Match[str]) -> str:
    hex4, short, percent, entity = match.groups()
    if hex4 is not None:
        return chr(int(hex4, 16))
    if short is not None:
        return _SHORT[short]
    if percent is not None:
        return chr(int(percent, 16))
    if entity in _NAMED:
        return _NAMED[entity]
    number = int(entity[2:], 16) if entity[1] in "xX" else int(entity[1:])
    return chr(number) if number <= 0x10FFFF else "\ufffd"


class _Decoded:
    """``text`` with every escape decoded, and the way back to the original's positions."""

    def __init__(self, text: str) -> None:
        parts: list[str] = []
        self.at: list[int] = []  # decoded index of each escape
        self.spans: list[tuple[int, int]] = []  # its original (start, end)
        self.extra: list[int] = [0]  # original characters saved by the escapes so far
        position = length = 0
        for match in _ESCAPE.finditer(text):
            plain = text[position : match.start()]
            parts += [plain, _unescape(match)]
            length += len(plain)
            self.at.append(length)
            self.spans.append(match.span())
            self.extra.append(self.extra[-1] + match.end() - match.start() - 1)
            length += 1
            position = match.end()
        parts.append(text[position:])
        self.text = "".join(parts)

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the decoded span ``[start, end)``."""
        first = bisect.bisect_left(self.at, start)
        if first < len(self.at) and self.at[first] == start:
            begin = self.spans[first][0]
        else:
            begin = start + self.extra[first]
        last = bisect.bisect_left(self.at, end - 1)
        if last < len(self.at) and self.at[last] == end - 1:
            return begin, self.spans[last][1]
        return begin, end + self.extra[last]


def _base64_forms(secret: str) -> set[str]:
    """The Base64 and base64url text of ``secret`` at each alignment, without the characters a
    neighbouring byte or the padding would change: found inside any longer Base64 text."""
    raw = secret.encode("utf-8")
    forms = {base64.b64encode(raw).decode("ascii")}
    for offset in (0, 1, 2):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        core = encoded[-(-8 * offset // 6) : 8 * (offset + len(raw)) // 6]
        if len(core) >= _MIN_SECRET_LENGTH:
            forms.add(core)
    forms |= {form.translate(str.maketrans("+/", "-_")) for form in forms}
    return forms | {quote_plus(secret)}  # "+" for a space is the one spelling not decoded


def _distinctive(fragment: str) -> bool:
    """Whether a piece of a secret cannot be mistaken for data (a word, a number, a name)."""
    has_lower = any(c.islower() for c in fragment)
    return (
        has_lower
        and not fragment.isdigit()
        and (not fragment.isalpha() or any(c.isupper() for c in fragment))
    )


def _prefix_parts(secret: str) -> tuple[str, str] | None:
    """(the shortest distinctive prefix of ``secret`` at least :data:`FRAGMENT_CHARS` long, a
    pattern for as much of the rest as follows it); None when no prefix is distinctive."""
    for shortest in range(FRAGMENT_CHARS, len(secret) + 1):
        if _distinctive(secret[:shortest]):
            break
    else:
        return None
    rest = "".join(f"(?:{re.escape(char)}" for char in secret[shortest:])
    return secret[:shortest], rest + ")?" * (len(secret) - shortest)


def _pieces_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    tails: dict[str, list[str]] = {}
    for parts in map(_prefix_parts, secrets):
        if parts is not None:
            tails.setdefault(parts[0], []).append(parts[1])
    if not tails:
        return None
    # longest tail first: among secrets sharing a prefix, the longest continuation wins
    ordered = {
        k: "(?:" + "|".join(sorted(v, key=len, reverse=True)) + ")" for k, v in tails.items()
    }
    return re.compile(_trie_pattern(ordered, ordered))


def _trie_pattern(words: Iterable[str], tails: Mapping[str, str] | None = None) -> str:
    """One regular expression for many fixed strings, sharing their prefixes (fast to match);
    ``tails`` maps a word to a pattern that may follow it."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {"tail": (tails or {}).get(word, "")}

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if "" in node:
            branches.append(node[""]["tail"])
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return render(trie)


def _mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span (overlapping ones merged) replaced by one :data:`MASK`."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + MASK + text[end:]
    return text


_Pieces = tuple[re.Pattern[str] | None, re.Pattern[str] | None]


class Redactor:
    """A set of secret values and the knowledge of where they may hide."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._literals: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._raw: re.Pattern[str] | None = None
        self._pieces: _Pieces | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register ``secret`` (and its encoded forms); short or empty values are ignored."""
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            if secret in self._secrets:
                return
            self._secrets.add(secret)
            self._literals |= _base64_forms(secret)
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
        pair = f"{client_id}:{client_secret}".encode()
        with self._lock:
            self._literals.add(base64.b64encode(pair).decode("ascii"))
            self._literals.add(base64.urlsafe_b64encode(pair).decode("ascii"))
            self._pattern = None

    def _compiled(self) -> tuple[re.Pattern[str], re.Pattern[str], _Pieces]:
        with self._lock:
            if self._pattern is None or self._raw is None or self._pieces is None:
                # a trie of fixed strings: the longest match wins at each position, so a secret
                # that contains another is masked whole
                self._raw = re.compile(_trie_pattern(self._secrets))
                self._pattern = re.compile(_trie_pattern(self._secrets | self._literals))
                # what is left of a cut or split secret is a prefix or a suffix of it: suffixes
                # are prefixes of the reversed secret in the reversed text
                self._pieces = (
                    _pieces_pattern(self._secrets),
                    _pieces_pattern(secret[::-1] for secret in self._secrets),
                )
            return self._pattern, self._raw, self._pieces

    def text(self, value: str) -> str:
        """``value`` with every registered secret, and every piece of one at least
        :data:`FRAGMENT_CHARS` long that starts or ends it, replaced by :data:`MASK`."""
        if not self._secrets:
            return value
        pattern, raw, (prefixes, suffixes) = self._compiled()
        masked = pattern.sub(MASK, value)
        spans: list[tuple[int, int]] = []
        if _ESCAPE.search(masked):
            decoded = _Decoded(masked)
            spans = [decoded.original(*m.span()) for m in raw.finditer(decoded.text)]
        if prefixes is not None:
            spans += [m.span() for m in prefixes.finditer(masked)]
        if suffixes is not None:
            size = len(masked)
            spans += [(size - m.end(), size - m.start()) for m in suffixes.finditer(masked[::-1])]
        return _mask_spans(masked, spans)

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
