"""The comparison behind a drift report: field statistics against the documented schemas,
each difference judged by the observed schemas.

The documented schema (the table verbatim) says what is a difference; the observed schema
(table + errata) decides whether it is explained, because the observed schema is what
``validate`` judges with: a field ``validate`` rejects as missing, mistyped or out of its enum
is therefore always a ``new`` difference here, on the same records, and a difference the
observed schema admits is explained by the errata that made it admit it. Presence follows the
same rule: a field the observed schema requires (the errata's evidence-based ``required``
lists) and some record lacks is a difference even though the table requires nothing.

One pass over the paths, and every check of a path looks at that path and its ancestors only,
so the comparison is linear in the number of fields seen (a record with 40,000 undocumented
fields compared quadratically took minutes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deribit_contract.reporting.fieldstats import FieldStat, FieldStats, json_key, parent_path
from deribit_contract.reporting.schemaview import SchemaField, SchemaView
from deribit_contract.schema.errata import Erratum

__all__ = ["Difference", "ErrataIndex", "compare"]


@dataclass(frozen=True)
class Difference:
    """One way reality differs from the documentation at one path."""

    kind: str
    envelope: str  # "success" (responses, bare orders and trades) or "error"
    path: str
    observed: str
    documented: str
    count: int
    erratum: str | None = None

    @property
    def is_new(self) -> bool:
        """Not informational and not explained by the errata overlay."""
        return self.kind != "never-seen" and self.erratum is None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "kind": self.kind,
            "envelope": self.envelope,
            "path": self.path,
            "observed": self.observed,
            "documented": self.documented,
            "count": self.count,
            "erratum": self.erratum,
            "new": self.is_new,
        }


class ErrataIndex:
    """Looks up which erratum explains a difference (by path, kind and value)."""

    def __init__(self, errata: Iterable[Erratum]) -> None:
        self.entries = {e.id: e for e in errata}
        self._by_path: dict[str, list[Erratum]] = {}
        for entry in self.entries.values():
            self._by_path.setdefault(entry.path, []).append(entry)

    def _at(self, path: str, *kinds: str) -> list[Erratum]:
        return [e for e in self._by_path.get(path, []) if e.kind in kinds]

    def undocumented(self, path: str) -> str | None:
        """The entry that documents ``path`` as a known extra field."""
        found = self._at(path, "undocumented")
        return found[0].id if found else None

    def type(self, path: str, json_type: str) -> str | None:
        """The entry admitting ``json_type`` at ``path`` (``nullable`` for null)."""
        for entry in self._at(path, "type"):
            raw = entry.correction.get("type")
            allowed = raw if isinstance(raw, list) else [raw]
            if json_type in allowed or (json_type == "integer" and "number" in allowed):
                return entry.id
        if json_type == "null":
            found = self._at(path, "nullable")
            if found:
                return found[0].id
        return None

    def enum(self, path: str, value: Any) -> str | None:
        """The entry adding ``value`` to the enum at ``path``."""
        for entry in self._at(path, "enum"):
            if value in entry.correction.get("add", ()):
                return entry.id
        return None

    def presence(self, path: str) -> str | None:
        """The entry making ``path`` optional (a presence entry, or a required list without it)."""
        found = self._at(path, "presence")
        if found:
            return found[0].id
        name = path.rsplit(".", 1)[-1]
        for entry in self._at(parent_path(path), "required"):
            if name not in entry.correction.get("fields", ()):
                return entry.id
        return None


def _fmt_types(types: Counter[str]) -> str:
    return ", ".join(f"{t} ×{n}" for t, n in sorted(types.items()))


def _under(path: str, roots: set[str]) -> bool:
    """Whether an ancestor of ``path`` is in ``roots`` (walks the ancestors, not the roots)."""
    probe = path
    while probe:
        probe = parent_path(probe)
        if probe in roots:
            return True
    return False


def _explained(observed: SchemaField | None, named: str | None, *, admitted: bool) -> str | None:
    """The erratum that explains a difference, or None when the observed schema rejects it."""
    if observed is None or not admitted:
        return None
    if named is not None:
        return named
    return observed.errata[0] if observed.errata else None


def _types(
    envelope: str,
    path: str,
    stat: FieldStat,
    row: SchemaField | None,
    observed: SchemaField | None,
    errata: ErrataIndex,
) -> Iterable[Difference]:
    """Types outside ``row`` (the documented row, or the erratum's row for an undocumented
    field), explained only when the observed row admits them; and types the documented row
    admits but an erratum corrected away (a string ``post_only``, which real trades never send
    and the observed schema rejects), always new."""
    documented = " or ".join(row.types) if row is not None and row.types else "any"
    for json_type, n in sorted(stat.types.items()):
        admitted = observed is not None and observed.admits_type(json_type)
        if row is not None and row.admits_type(json_type):
            if admitted or observed is None:
                continue
            corrected = " or ".join(observed.types)
            yield Difference(
                "type", envelope, path, f"{json_type} ×{n}", f"{corrected} (errata)", n
            )
            continue
        named = errata.type(path, json_type)
        yield Difference(
            "type",
            envelope,
            path,
            f"{json_type} ×{n}",
            documented,
            n,
            _explained(observed, named, admitted=admitted),
        )


def _shown(value: str | bool | int) -> str:  # noqa: FBT001 - a JSON value, not a flag
    """A kept value as the report writes it: quoted text, bare numbers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(json_key(value))


def _enums(
    envelope: str,
    path: str,
    stat: FieldStat,
    row: SchemaField,
    observed: SchemaField | None,
    errata: ErrataIndex,
) -> Iterable[Difference]:
    if not row.has_enum:
        return
    kept: list[tuple[str | bool | int, int]] = sorted(
        stat.values.items(), key=lambda kv: str(kv[0])
    )
    kept += sorted(stat.integers.items())
    for value, n in kept:
        if isinstance(value, bool):
            json_type = "boolean"
        else:
            json_type = "integer" if isinstance(value, int) else "string"
        if not row.admits_type(json_type) or row.admits_value(value, json_type):
            continue
        admitted = observed is not None and observed.admits_value(value, json_type)
        listed = ", ".join(map(str, row.enum_values))
        yield Difference(
            "enum",
            envelope,
            path,
            f"{_shown(value)} ×{n}",
            f"one of {listed}",
            n,
            _explained(observed, errata.enum(path, value), admitted=admitted),
        )


def compare(
    envelope: str,
    stats: FieldStats,
    view: SchemaView,
    observed: SchemaView,
    errata: ErrataIndex,
) -> list[Difference]:
    """Every difference between ``stats`` and the documented ``view``, judged by ``observed``."""
    out: list[Difference] = []
    undocumented_roots: set[str] = set()
    for path in sorted(stats.fields):
        stat = stats.fields[path]
        if view.is_free_form(path) or _under(path, undocumented_roots):
            continue
        row = view.get(path)
        known = observed.get(path)
        if row is None:
            undocumented_roots.add(path)
            out.append(
                Difference(
                    "undocumented",
                    envelope,
                    path,
                    _fmt_types(stat.types),
                    "(not in the table)",
                    stat.present,
                    errata.undocumented(path),
                )
            )
            if known is not None:  # a known extra field is still held to its erratum's type
                out.extend(
                    d
                    for d in _types(envelope, path, stat, known, known, errata)
                    if d.erratum is None
                )
            continue
        out.extend(_types(envelope, path, stat, row, known, errata))
        out.extend(_enums(envelope, path, stat, row, known, errata))
    for path in sorted(set(view.fields) | set(observed.fields)):
        row = view.get(path)
        known = observed.get(path)
        if path.endswith("[]") or view.is_free_form(path):
            continue
        present, parents = stats.presence(path)
        if parents == 0 or present == parents:
            continue
        required = (row is not None and row.required) or (known is not None and known.required)
        if required:
            # the observed schema decides: absent where it does not require is explained
            explained = errata.presence(path) if not (known and known.required) else None
            out.append(
                Difference(
                    "presence",
                    envelope,
                    path,
                    f"present in {present} of {parents}",
                    "required" if row is not None and row.required else "required (errata)",
                    parents - present,
                    explained,
                )
            )
        elif present == 0 and row is not None:
            hint = "; ".join(row.presence)
            out.append(
                Difference(
                    "never-seen",
                    envelope,
                    path,
                    f"absent from all {parents}",
                    hint or "listed in the table",
                    0,
                )
            )
    return out
