"""The errata overlay: every known difference between the vendor's table and the real exchange.

``sources/errata.yaml`` is a list of entries, each one difference::

    - id: trade-reduce-only-boolean          # unique, kebab-case
      path: result.trades[].reduce_only      # a documented path (or, for `undocumented`, a new
                                             #   one under a documented object)
      kind: type                             # see KINDS
      correction: {type: boolean}            # shape depends on kind
      why: ...                               # one or two sentences
      evidence: [fixtures/captured/realdata/...]   # repo-relative files that show it
      reference: ...                         # optional: a non-capture source (spec, issue)
      counts: {...}                          # optional: presence counts behind a decision

Paths use the table's notation; ``params.<name>`` addresses request parameters and top-level
names (``id``, ``usIn``) the response envelope, success and error alike. The overlay is checked
here, before any schema is built: a malformed entry or one pointing at a path the page does not
have raises :class:`SchemaBuildError` naming the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deribit_contract.doctable.model import MethodDoc, path_name, path_parent
from deribit_contract.errors import SchemaBuildError
from deribit_contract.schema.evidence import INSTRUMENT_KINDS

__all__ = ["ENVELOPE_PATHS", "KINDS", "Erratum", "check_errata", "load_errata", "parse_errata"]

#: kind -> keys its ``correction`` mapping must have (and may only have).
KINDS: dict[str, frozenset[str]] = {
    "type": frozenset({"type"}),
    "nullable": frozenset({"nullable"}),
    "enum": frozenset({"add"}),
    "undocumented": frozenset({"schema"}),
    "required": frozenset({"fields", "excluded", "kinds"}),
    "presence": frozenset({"required"}),
    "range": frozenset({"allow_negative"}),
}
_JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FIELDS = ("id", "path", "kind", "correction", "why", "evidence")
_OPTIONAL_FIELDS = ("reference", "counts")
#: Paths the JSON-RPC envelope defines although the method table does not list them.
ENVELOPE_PATHS: frozenset[str] = frozenset({"error", "error.code", "error.message", "error.data"})


@dataclass(frozen=True)
class Erratum:
    """One validated overlay entry."""

    id: str
    path: str
    kind: str
    correction: Mapping[str, Any]
    why: str
    evidence: tuple[str, ...]
    reference: str = ""
    counts: Mapping[str, Any] | None = None

    @property
    def parent(self) -> str:
        """The object path the entry's field lives in (``""`` for the envelope)."""
        return path_parent(self.path)

    @property
    def name(self) -> str:
        """The field's own name (the last path segment)."""
        return path_name(self.path)


def _fail(index: int, entry_id: str, field: str, message: str) -> SchemaBuildError:
    label = f"errata entry #{index}" + (f" ({entry_id})" if entry_id else "")
    return SchemaBuildError(f"{label}, field '{field}': {message}")


def _types_ok(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(isinstance(v, str) and v in _JSON_TYPES for v in values)


def _check_correction(index: int, entry_id: str, kind: str, correction: Any) -> None:
    if not isinstance(correction, dict):
        raise _fail(
            index, entry_id, "correction", f"expected a mapping, got {type(correction).__name__}"
        )
    allowed = KINDS[kind]
    extra = sorted(set(correction) - allowed)
    if extra:
        raise _fail(
            index,
            entry_id,
            "correction",
            f"unknown keys {extra} for kind {kind!r}; allowed: {sorted(allowed)}",
        )
    if kind == "type" and not _types_ok(correction.get("type")):
        raise _fail(
            index,
            entry_id,
            "correction.type",
            f"expected a JSON type or a list of them, got {correction.get('type')!r}",
        )
    if kind in ("nullable", "range") and not all(v is True for v in correction.values()):
        raise _fail(index, entry_id, "correction", f"kind {kind!r} takes only the value true")
    if kind == "enum":
        add = correction.get("add")
        if not isinstance(add, list) or not add or not all(isinstance(v, (str, int)) for v in add):
            raise _fail(
                index,
                entry_id,
                "correction.add",
                f"expected a non-empty list of values, got {add!r}",
            )
    if kind == "undocumented":
        schema = correction.get("schema")
        if not isinstance(schema, dict) or ("type" in schema and not _types_ok(schema["type"])):
            raise _fail(
                index,
                entry_id,
                "correction.schema",
                f"expected a JSON Schema mapping, got {schema!r}",
            )
    if kind == "required":
        fields = correction.get("fields")
        if not isinstance(fields, list) or not all(isinstance(v, str) for v in fields):
            raise _fail(
                index,
                entry_id,
                "correction.fields",
                f"expected a list of field names, got {fields!r}",
            )
        excluded = correction.get("excluded", {})
        if not isinstance(excluded, dict) or not all(isinstance(v, str) for v in excluded.values()):
            raise _fail(
                index, entry_id, "correction.excluded", "expected a mapping of field name to reason"
            )
        # a requirement says which instrument kinds its evidence covers, so one resting on
        # futures alone cannot silently reject a spot or combo record
        kinds = correction.get("kinds")
        if (
            not isinstance(kinds, dict)
            or sorted(kinds) != sorted(INSTRUMENT_KINDS)
            or not all(
                isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in kinds.values()
            )
        ):
            raise _fail(
                index,
                entry_id,
                "correction.kinds",
                f"expected the live sample count of each of {list(INSTRUMENT_KINDS)}, got {kinds!r}",
            )
    if kind == "presence" and correction.get("required") is not False:
        raise _fail(index, entry_id, "correction.required", "kind 'presence' takes required: false")


def parse_errata(data: Any, *, repo_root: Path | None = None) -> tuple[Erratum, ...]:
    """Validate the loaded YAML structure; ``repo_root`` (if given) must hold every evidence file."""
    if not isinstance(data, list):
        raise SchemaBuildError(
            f"errata overlay must be a YAML list of entries, got {type(data).__name__}"
        )
    seen: set[str] = set()
    entries: list[Erratum] = []
    for index, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            raise _fail(index, "", "(entry)", f"expected a mapping, got {type(raw).__name__}")
        entry_id: str = raw["id"] if isinstance(raw.get("id"), str) else ""
        for key in _FIELDS:
            if key not in raw:
                raise _fail(index, entry_id, key, "missing")
        unknown = sorted(set(raw) - set(_FIELDS) - set(_OPTIONAL_FIELDS))
        if unknown:
            raise _fail(
                index,
                entry_id,
                unknown[0],
                f"unknown field; allowed: {list(_FIELDS + _OPTIONAL_FIELDS)}",
            )
        if not entry_id or not _ID.match(entry_id):
            raise _fail(index, entry_id, "id", f"expected a kebab-case string, got {raw['id']!r}")
        if entry_id in seen:
            raise _fail(index, entry_id, "id", "duplicate id")
        seen.add(entry_id)
        for key in ("path", "why"):
            if not isinstance(raw[key], str) or not raw[key].strip():
                raise _fail(index, entry_id, key, "expected a non-empty string")
        if raw["kind"] not in KINDS:
            raise _fail(
                index,
                entry_id,
                "kind",
                f"unknown kind {raw['kind']!r}; expected one of {sorted(KINDS)}",
            )
        _check_correction(index, entry_id, raw["kind"], raw["correction"])
        evidence = raw["evidence"]
        if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
            raise _fail(index, entry_id, "evidence", "expected a list of repo-relative paths")
        reference = raw.get("reference", "")
        if not isinstance(reference, str):
            raise _fail(index, entry_id, "reference", "expected a string")
        if not evidence and not reference.strip():
            raise _fail(index, entry_id, "evidence", "empty: give a captured file or a reference")
        for item in evidence:
            if not item.startswith("fixtures/captured/realdata/"):
                raise _fail(
                    index,
                    entry_id,
                    "evidence",
                    f"{item!r} is not under fixtures/captured/realdata/",
                )
            if repo_root is not None and not (repo_root / item).is_file():
                raise _fail(index, entry_id, "evidence", f"{item!r} does not exist")
        counts = raw.get("counts")
        if counts is not None and not isinstance(counts, dict):
            raise _fail(index, entry_id, "counts", "expected a mapping")
        entries.append(
            Erratum(
                id=entry_id,
                path=raw["path"],
                kind=raw["kind"],
                correction=raw["correction"],
                why=" ".join(raw["why"].split()),
                evidence=tuple(evidence),
                reference=" ".join(reference.split()),
                counts=counts,
            )
        )
    return tuple(entries)


def load_errata(path: Path, *, repo_root: Path | None = None) -> tuple[Erratum, ...]:
    """Read and validate the overlay file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaBuildError(f"cannot read errata overlay {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemaBuildError(f"errata overlay {path} is not valid YAML: {exc}") from None
    return parse_errata(data, repo_root=repo_root)


def check_errata(errata: tuple[Erratum, ...], doc: MethodDoc) -> None:
    """Every entry must point at something the page (or the JSON-RPC envelope) has."""
    containers = {"", "params", "error"}
    known: dict[str, str] = dict.fromkeys(("error",), "object")
    known.update(dict.fromkeys(ENVELOPE_PATHS - {"error"}, "value"))
    known.update({f"params.{p.name}": "value" for p in doc.params})
    for row in doc.fields:
        if row.type.types == ("object",):
            containers.add(row.path)
        elif row.type.types == ("array",) and row.type.items in (None, "object"):
            containers.add(row.path + "[]")
        known[row.path] = "value"
    for index, entry in enumerate(errata, start=1):
        if entry.kind == "undocumented":
            if entry.path in known:
                raise _fail(
                    index, entry.id, "path", f"{entry.path!r} is documented; use another kind"
                )
            if entry.parent not in containers:
                raise _fail(
                    index,
                    entry.id,
                    "path",
                    f"parent {entry.parent!r} of {entry.path!r} is not a documented object",
                )
        elif entry.kind == "required":
            if entry.path not in containers or entry.path == "":
                raise _fail(index, entry.id, "path", f"{entry.path!r} is not a documented object")
        elif entry.path not in known:
            raise _fail(
                index, entry.id, "path", f"{entry.path!r} does not exist in the documentation"
            )
