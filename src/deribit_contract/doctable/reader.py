"""Read one vendor method page (markdown) into a :class:`MethodDoc`.

This is where the page's known defects are repaired, each repair recorded as a
:class:`Quirk` with its line, so that the schema builder sees a clean table:

* the Parameters table is column-shifted: prose sits in the Enum column while Description is
  empty, and the Enum column holds the space-separated enum ``limit market``;
* parent rows were folded into the previous row's description (``... result object
  result.order object``, ``... result.trades array of object``): the fragment is stripped and
  the parents are recovered as rows of their own;
* enums, union literals, "Always null" and presence hints are read from the prose.

Everything malformed becomes :class:`DocParseError` (file, line, reason); nothing else escapes.
"""

from __future__ import annotations

import re
from pathlib import Path

from deribit_contract.doctable.model import (
    BASE_TYPES,
    FieldRow,
    MethodDoc,
    ParamRow,
    Quirk,
    TypeSpec,
)
from deribit_contract.doctable.prose import read_prose, split_space_enum, string_literals
from deribit_contract.doctable.tables import TableRow, find_section, parse_table
from deribit_contract.errors import DocParseError

__all__ = ["parse_method_doc", "parse_type", "read_method_doc"]

_TITLE = re.compile(r"^#\s+(?:(GET|POST|PUT|DELETE|PATCH)\s+)?/?([a-z]+/[A-Za-z0-9_]+)\s*$")
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[\])?(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\])?)*$")
_TYPE_WORDS = r"(?:array of [a-z]+|[a-z]+ or [a-z]+|[a-z]+)"
# One folded "<path> <type>" fragment at the end of a description.
_FOLDED_TAIL = re.compile(
    r"\s+(?P<path>[A-Za-z_][A-Za-z0-9_]*(?:\[\])?(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\])?)*)\s+(?P<type>"
    + _TYPE_WORDS
    + r")$"
)
_PARAM_HEADER = ("parameter", "required", "type", "enum", "description")
_RESPONSE_HEADER = ("name", "type", "description")


def parse_type(raw: str, *, path: str, line: int) -> TypeSpec:
    """Parse ``string``, ``number or string``, ``array``, ``array of object`` ...; else DocParseError."""
    text = " ".join(raw.split()).lower()
    if text in BASE_TYPES:
        return TypeSpec(raw=raw, types=(text,))
    if text.startswith("array of "):
        item = text.removeprefix("array of ")
        if item in BASE_TYPES:
            return TypeSpec(raw=raw, types=("array",), items=item)
    parts = text.split(" or ")
    scalar = all(p in BASE_TYPES and p not in ("object", "array") for p in parts)
    if len(parts) == 2 and scalar and parts[0] != parts[1]:
        return TypeSpec(raw=raw, types=(parts[0], parts[1]))
    raise DocParseError(path, line, f"unknown type string {raw!r}")


def _check_header(row: tuple[str, ...], expected: tuple[str, ...], *, path: str, line: int) -> None:
    if tuple(cell.lower() for cell in row) != expected:
        raise DocParseError(
            path, line, f"unexpected table header {list(row)!r}; expected {list(expected)!r}"
        )


def _read_params(rows: tuple[TableRow, ...], *, path: str) -> tuple[list[ParamRow], list[Quirk]]:
    params: list[ParamRow] = []
    quirks: list[Quirk] = []
    for row in rows:
        name, required_cell, type_cell, enum_cell, description = row.cells
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise DocParseError(path, row.line, f"invalid parameter name {name!r}")
        if required_cell.lower() not in ("true", "false"):
            raise DocParseError(
                path, row.line, f"Required must be 'true' or 'false', got {required_cell!r}"
            )
        spec = parse_type(type_cell, path=path, line=row.line)
        enum = split_space_enum(enum_cell) if enum_cell else ()
        if enum_cell and not enum:
            # Prose in the Enum column: the table is shifted one column to the left.
            quirks.append(
                Quirk(
                    row.line,
                    "column-shift",
                    f"{name}: Enum cell {enum_cell!r} is prose; read as description",
                )
            )
            description = f"{enum_cell} {description}".strip()
        elif len(enum) > 1 and "," not in enum_cell:
            quirks.append(
                Quirk(
                    row.line, "space-separated-enum", f"{name}: enum {enum_cell!r} split on spaces"
                )
            )
        facts = read_prose(description, json_type=spec.types[0])
        params.append(
            ParamRow(
                name=name,
                required=required_cell.lower() == "true",
                type=spec,
                enum=enum,
                description=description,
                line=row.line,
                presence=facts.presence,
            )
        )
    names = [p.name for p in params]
    for param in params:
        if names.count(param.name) > 1:
            raise DocParseError(path, param.line, f"duplicate parameter {param.name!r}")
    return params, quirks


def _unfold(description: str, later_paths: set[str]) -> tuple[str, list[tuple[str, str]]]:
    """Strip trailing ``<path> <type>`` fragments that name parents of later rows."""
    fragments: list[tuple[str, str]] = []
    while True:
        match = _FOLDED_TAIL.search(description)
        if match is None:
            break
        candidate = match.group("path")
        is_parent = any(
            p.startswith(candidate + ".") or p.startswith(candidate + "[].") for p in later_paths
        )
        if not is_parent:
            break
        fragments.insert(0, (candidate, match.group("type")))
        description = description[: match.start()].rstrip()
    return description, fragments


def _field_row(
    path_text: str, spec: TypeSpec, description: str, line: int, *, folded: bool
) -> FieldRow:
    facts = read_prose(description, json_type=spec.types[0])
    literals = string_literals(description) if spec.is_union and "string" in spec.types else ()
    return FieldRow(
        path=path_text,
        type=spec,
        description=description,
        line=line,
        enum=facts.enum,
        string_literals=literals,
        examples=facts.examples,
        always_null=facts.always_null,
        presence=facts.presence,
        folded=folded,
    )


def _read_fields(rows: tuple[TableRow, ...], *, path: str) -> tuple[list[FieldRow], list[Quirk]]:
    fields: list[FieldRow] = []
    quirks: list[Quirk] = []
    all_paths = {row.cells[0] for row in rows}
    for row in rows:
        name, type_cell, description = row.cells
        if not _PATH.match(name):
            raise DocParseError(path, row.line, f"invalid field path {name!r}")
        spec = parse_type(type_cell, path=path, line=row.line)
        cleaned, fragments = _unfold(description, all_paths - {name})
        fields.append(_field_row(name, spec, cleaned, row.line, folded=False))
        facts = read_prose(cleaned, json_type=spec.types[0])
        if facts.broken_quote:
            quirks.append(
                Quirk(
                    row.line,
                    "broken-quote",
                    f"{name}: unbalanced quotes; enum read as {list(facts.enum)}",
                )
            )
        if facts.examples:
            quirks.append(
                Quirk(
                    row.line,
                    "examples-not-enum",
                    f"{name}: {list(facts.examples)} are examples, not a closed set",
                )
            )
        for parent, parent_type in fragments:
            quirks.append(
                Quirk(
                    row.line,
                    "folded-parent-row",
                    f"row {parent!r} ({parent_type}) was folded into the description of {name!r}",
                )
            )
            parent_spec = parse_type(parent_type, path=path, line=row.line)
            fields.append(_field_row(parent, parent_spec, "", row.line, folded=True))
    _check_tree(fields, path=path)
    return fields, quirks


def _check_tree(fields: list[FieldRow], *, path: str) -> None:
    """Every path unique, every parent documented with a container type."""
    by_path: dict[str, FieldRow] = {}
    for row in fields:
        if row.path in by_path:
            raise DocParseError(
                path,
                row.line,
                f"duplicate field path {row.path!r} (first on line {by_path[row.path].line})",
            )
        by_path[row.path] = row
    for row in fields:
        parent = row.parent
        if not parent:
            continue
        if parent.endswith("[]"):
            owner = by_path.get(parent[:-2])
            if (
                owner is None
                or owner.type.types != ("array",)
                or owner.type.items not in (None, "object")
            ):
                raise DocParseError(
                    path,
                    row.line,
                    f"orphan field {row.path!r}: no array-of-object row {parent[:-2]!r}",
                )
        else:
            owner = by_path.get(parent)
            if owner is None or owner.type.types != ("object",):
                raise DocParseError(
                    path, row.line, f"orphan field {row.path!r}: no object row {parent!r}"
                )


def parse_method_doc(text: str, *, path: str = "<string>") -> MethodDoc:
    """Parse the markdown ``text`` of one method page; ``path`` only labels error messages."""
    lines = text.splitlines()
    title_index = next((i for i, t in enumerate(lines) if t.startswith("# ")), None)
    if title_index is None:
        raise DocParseError(path, 1, "missing title line '# <VERB> /<scope>/<method>'")
    title = _TITLE.match(lines[title_index].strip())
    if title is None:
        raise DocParseError(
            path, title_index + 1, f"title {lines[title_index].strip()!r} does not name a method"
        )
    summary = next(
        (t.strip() for t in lines[title_index + 1 :] if t.strip() and not t.startswith("#")), ""
    )

    params_section = find_section(lines, "Parameters", path=path)
    params_table = parse_table(params_section, path=path)
    _check_header(params_table.header, _PARAM_HEADER, path=path, line=params_table.line)
    params, param_quirks = _read_params(params_table.rows, path=path)

    response_section = find_section(lines, "Response", path=path)
    response_table = parse_table(response_section, path=path)
    _check_header(response_table.header, _RESPONSE_HEADER, path=path, line=response_table.line)
    fields, field_quirks = _read_fields(response_table.rows, path=path)

    return MethodDoc(
        path=path,
        method=title.group(2),
        http_verb=title.group(1) or "",
        title_line=title_index + 1,
        summary=summary,
        params_line=params_section.line,
        response_line=response_section.line,
        params=tuple(params),
        fields=tuple(fields),
        quirks=tuple(param_quirks + field_quirks),
    )


def read_method_doc(path: str | Path) -> MethodDoc:
    """Read and parse the page at ``path``; unreadable or malformed input raises DocParseError."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DocParseError(
            path, 1, f"cannot read the documentation page: {exc.strerror or exc}"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DocParseError(path, line, "the documentation page is not valid UTF-8") from None
    return parse_method_doc(text, path=str(path))
