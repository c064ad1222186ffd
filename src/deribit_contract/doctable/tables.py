"""A small, strict reader for GitHub pipe tables that keeps source line numbers.

General-purpose markdown parsers throw line numbers away and silently accept ragged rows; the
schema needs both the line of every row and a loud failure when a row does not line up with its
header. Only the subset the vendor pages use is supported: a header row, a delimiter row of
dashes (optionally with colons), then body rows, each starting and ending with ``|``; ``\\|``
escapes a pipe inside a cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from deribit_contract.errors import DocParseError

__all__ = [
    "Section",
    "Table",
    "TableRow",
    "find_section",
    "parse_table",
    "render_table",
    "split_row",
]

_DELIMITER_CELL = re.compile(r"^:?-{1,}:?$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class TableRow:
    """The stripped cells of one body row and its 1-based line."""

    cells: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Table:
    """A pipe table: header cells, body rows, and the line of the header."""

    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    line: int


@dataclass(frozen=True)
class Section:
    """The lines under one heading, up to the next heading of the same or a higher level."""

    title: str
    line: int
    body: tuple[tuple[int, str], ...]


def split_row(text: str, *, path: str, line: int) -> tuple[str, ...]:
    """Split ``| a | b |`` into stripped cells; ``\\|`` stays a literal pipe inside a cell."""
    stripped = text.strip()
    if not (stripped.startswith("|") and stripped.endswith("|")) or len(stripped) < 2:
        raise DocParseError(path, line, "table row must start and end with '|'")
    inner = stripped[1:-1]
    cells: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(inner):
        char = inner[index]
        if char == "\\" and index + 1 < len(inner) and inner[index + 1] == "|":
            current.append("|")
            index += 2
            continue
        if char == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    cells.append("".join(current).strip())
    return tuple(cells)


def find_section(lines: Sequence[str], title: str, *, path: str) -> Section:
    """The section whose heading text is ``title`` (case-insensitive); DocParseError if absent."""
    for index, text in enumerate(lines):
        match = _HEADING.match(text)
        if match is None or match.group(2).strip().lower() != title.lower():
            continue
        level = len(match.group(1))
        body: list[tuple[int, str]] = []
        for offset in range(index + 1, len(lines)):
            nested = _HEADING.match(lines[offset])
            if nested is not None and len(nested.group(1)) <= level:
                break
            body.append((offset + 1, lines[offset]))
        return Section(title=match.group(2).strip(), line=index + 1, body=tuple(body))
    raise DocParseError(path, 1, f"missing section '### {title}'")


def parse_table(section: Section, *, path: str) -> Table:
    """The first pipe table of ``section``; every row must have as many cells as the header.

    Raises :class:`DocParseError` for a section without a table, a missing or malformed
    delimiter row, a ragged row, text interrupting the table, or a table without body rows.
    """
    body = section.body
    start = next((i for i, (_, text) in enumerate(body) if text.strip().startswith("|")), None)
    if start is None:
        raise DocParseError(path, section.line, f"section '{section.title}' has no table")
    header_line, header_text = body[start]
    header = split_row(header_text, path=path, line=header_line)
    if start + 1 >= len(body):
        raise DocParseError(path, header_line, "table header is not followed by a delimiter row")
    delim_line, delim_text = body[start + 1]
    if not delim_text.strip().startswith("|"):
        raise DocParseError(path, delim_line, "table header is not followed by a delimiter row")
    delimiter = split_row(delim_text, path=path, line=delim_line)
    if len(delimiter) != len(header) or not all(_DELIMITER_CELL.match(c) for c in delimiter):
        raise DocParseError(
            path,
            delim_line,
            f"malformed delimiter row: expected {len(header)} cells of dashes, got {delim_text.strip()!r}",
        )
    rows: list[TableRow] = []
    for line, text in body[start + 2 :]:
        if not text.strip():
            break
        if not text.strip().startswith("|"):
            raise DocParseError(path, line, "text interrupts the table (expected a '|' row)")
        cells = split_row(text, path=path, line=line)
        if len(cells) != len(header):
            raise DocParseError(
                path, line, f"ragged row: {len(cells)} cells where the header has {len(header)}"
            )
        rows.append(TableRow(cells=cells, line=line))
    if not rows:
        raise DocParseError(path, header_line, f"table in section '{section.title}' is empty")
    return Table(header=header, rows=tuple(rows), line=header_line)


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Render cells as a pipe table (pipes escaped); the inverse of :func:`parse_table`."""

    def row(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    lines = [row(header), "| " + " | ".join("---" for _ in header) + " |"]
    lines.extend(row(cells) for cells in rows)
    return "\n".join(lines) + "\n"
