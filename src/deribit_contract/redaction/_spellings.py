"""How a secret may be spelled in a report, and how each spelling is found (for :mod:`.`).

Found by three passes, each cheap however many secrets a run learns: a trie of the raw secrets
and their Base64 forms; the text decoded once (JSON, percent and HTML escapes, in any mix) and
searched for the raw secrets; and the pieces a cut or a split leaves (a prefix or a suffix of a
secret, long and distinctive enough not to be data).
"""

from __future__ import annotations

import base64
import bisect
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote_plus

__all__ = [
    "FRAGMENT_CHARS",
    "MASK",
    "MAX_GENERATIONS",
    "MIN_VALUE_LENGTH",
    "Decoded",
    "Generation",
    "base64_forms",
    "has_escape",
    "mask_spans",
]

#: what a secret is replaced with
MASK = "***"
# Shorter values would mask ordinary words and numbers; real secrets are far longer.
MIN_VALUE_LENGTH = 6

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


class Decoded:
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


def base64_forms(secret: str) -> set[str]:
    """The Base64 and base64url text of ``secret`` at each alignment, without the characters a
    neighbouring byte or the padding would change: found inside any longer Base64 text."""
    raw = secret.encode("utf-8")
    forms = {base64.b64encode(raw).decode("ascii")}
    for offset in (0, 1, 2):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        core = encoded[-(-8 * offset // 6) : 8 * (offset + len(raw)) // 6]
        if len(core) >= MIN_VALUE_LENGTH:
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


def _shortest_piece(secret: str) -> str | None:
    """The shortest prefix of ``secret`` at least :data:`FRAGMENT_CHARS` long that cannot be
    data; None when none can (a secret of digits, say)."""
    for length in range(FRAGMENT_CHARS, len(secret) + 1):
        if _distinctive(secret[:length]):
            return secret[:length]
    return None


class _Pieces:
    """Finds the prefixes of some secrets (their shortest distinctive prefix, extended as far as
    the text goes on with the secret). Suffixes are prefixes of the reversed secrets in the
    reversed text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._by_start: dict[str, list[str]] = {}
        for secret in secrets:
            piece = _shortest_piece(secret)
            if piece is not None:
                self._by_start.setdefault(piece, []).append(secret)
        self._pattern = re.compile(_alternation(self._by_start)) if self._by_start else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where a prefix of a secret is in ``text`` (rare: the text past it is compared here)."""
        if self._pattern is None:
            return []
        found = []
        for match in self._pattern.finditer(text):
            start = match.start()
            longest = max(
                _common_length(text[start : start + len(secret)], secret)
                for secret in self._by_start[match.group()]
            )
            found.append((start, start + longest))
        return found


def _common_length(text: str, secret: str) -> int:
    for length, (seen, expected) in enumerate(zip(text, secret, strict=False)):
        if seen != expected:
            return length
    return min(len(text), len(secret))


def _alternation(words: Iterable[str]) -> str:
    """One regular expression for fixed strings, as a trie: fast to match however many there
    are, and at each position the longest wins (a secret containing another is masked whole)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # the longer continuation first, the word itself when the text stops matching
        return f"(?:{body})?" if optional else body

    return render(trie)


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
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


class Generation:
    """The patterns of some secrets, compiled together once (None where there is nothing)."""

    def __init__(self, secrets: set[str], literals: set[str]) -> None:
        self.secrets = secrets
        self.literals = literals
        # an empty alternation would match everywhere: no pattern at all instead
        every = secrets | literals
        self.pattern = re.compile(_alternation(every)) if every else None
        self.raw = re.compile(_alternation(secrets)) if secrets else None
        # what is left of a cut or split secret is a prefix or a suffix of it
        self.prefixes = _Pieces(secrets)
        self.suffixes = _Pieces(secret[::-1] for secret in secrets)


# a run learns tokens one by one: each new batch is compiled on its own (cheap), and the batches
# are merged into one when there are more than this many (few passes over the text)
MAX_GENERATIONS = 6


def has_escape(text: str) -> bool:
    """Whether ``text`` holds an escape the decoded pass must look through."""
    return _ESCAPE.search(text) is not None
