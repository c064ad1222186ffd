"""Contract diff between two versions of the vendor's documentation page.

When Deribit edits its page, users want to know what changed *in the contract*, not in the
prose: which parameters and response fields appeared or vanished, which types, enums and
presence rules moved, and whether a client written against the old page breaks. Both pages are
read with :func:`deribit_contract.doctable.read_method_doc` (an unreadable page raises
:class:`~deribit_contract.errors.DocParseError`) and compared row by row.

Breaking is judged from a client's side: it *sends* params and *reads* response fields. So a
client breaks when it must send something new (a parameter added as required, an optional one
becoming required), may no longer send what it sends (a parameter or an enum value removed, a
param type narrowed), or reads something it cannot expect (a response field removed, a response
type changed other than narrowed, a response enum grown, a field becoming conditional or null).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deribit_contract.doctable import FieldRow, MethodDoc, ParamRow, read_method_doc

__all__ = ["CHANGE_KINDS", "Change", "DocDiff", "diff_docs", "diff_files", "render_text"]

CHANGE_KINDS = (
    "param-added",
    "param-removed",
    "param-required",
    "param-optional",
    "param-type",
    "param-enum-added",
    "param-enum-removed",
    "field-added",
    "field-removed",
    "field-type",
    "field-enum-added",
    "field-enum-removed",
    "field-presence",
    "field-always-null",
)


@dataclass(frozen=True)
class Change:
    """One contract change: what, where, before and after, and whether a client breaks."""

    kind: str
    location: str
    old: str
    new: str
    breaking: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "kind": self.kind,
            "location": self.location,
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class DocDiff:
    """Every change from ``old`` to ``new`` (sorted: breaking first, then by location)."""

    old: str
    new: str
    method: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        """The changes that break a client written against the old page."""
        return tuple(c for c in self.changes if c.breaking)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "old": self.old,
            "new": self.new,
            "method": self.method,
            "summary": {"changes": len(self.changes), "breaking": len(self.breaking)},
            "changes": [c.to_json() for c in self.changes],
        }


def _type(raw: Any) -> str:
    types = " or ".join(raw.types)
    return f"{types} of {raw.items}" if raw.items else types


def _set(values: Iterable[Any]) -> str:
    listed = ", ".join(map(str, values))
    return listed or "(none)"


def _enum(row: FieldRow) -> tuple[Any, ...]:
    return tuple(row.enum) + tuple(row.string_literals)


def _diff_params(old: ParamRow, new: ParamRow) -> list[Change]:
    loc = f"params.{new.name}"
    out: list[Change] = []
    if not old.required and new.required:
        out.append(
            Change(
                "param-required",
                loc,
                "optional",
                "required",
                breaking=True,
                reason="clients that omit it are now rejected",
            )
        )
    if old.required and not new.required:
        out.append(
            Change(
                "param-optional",
                loc,
                "required",
                "optional",
                breaking=False,
                reason="clients that send it keep working",
            )
        )
    if old.type.types != new.type.types or old.type.items != new.type.items:
        widened = set(old.type.types) <= set(new.type.types) and old.type.items == new.type.items
        out.append(
            Change(
                "param-type",
                loc,
                _type(old.type),
                _type(new.type),
                breaking=not widened,
                reason="every value a client sent is still accepted"
                if widened
                else "values clients send may no longer be accepted",
            )
        )
    added = [v for v in new.enum if v not in old.enum]
    removed = [v for v in old.enum if v not in new.enum]
    if added and old.enum:
        out.append(
            Change(
                "param-enum-added",
                loc,
                _set(old.enum),
                _set(added),
                breaking=False,
                reason="new values a client may send; old ones still work",
            )
        )
    if removed and new.enum:
        out.append(
            Change(
                "param-enum-removed",
                loc,
                _set(removed),
                _set(new.enum),
                breaking=True,
                reason="clients sending a removed value are now rejected",
            )
        )
    return out


def _diff_fields(old: FieldRow, new: FieldRow) -> list[Change]:
    loc = new.path
    out: list[Change] = []
    if old.type.types != new.type.types or old.type.items != new.type.items:
        narrowed = set(new.type.types) <= set(old.type.types) and old.type.items == new.type.items
        out.append(
            Change(
                "field-type",
                loc,
                _type(old.type),
                _type(new.type),
                breaking=not narrowed,
                reason="every value now sent was possible before"
                if narrowed
                else "clients may meet a type they do not parse",
            )
        )
    old_enum, new_enum = _enum(old), _enum(new)
    added = [v for v in new_enum if v not in old_enum]
    removed = [v for v in old_enum if v not in new_enum]
    if added and old_enum:
        out.append(
            Change(
                "field-enum-added",
                loc,
                _set(old_enum),
                _set(added),
                breaking=True,
                reason="clients that match the values exhaustively meet an unknown one",
            )
        )
    if removed and new_enum:
        out.append(
            Change(
                "field-enum-removed",
                loc,
                _set(removed),
                _set(new_enum),
                breaking=False,
                reason="fewer values to handle; clients keep working",
            )
        )
    if old.presence != new.presence:
        conditional = bool(new.presence) and not old.presence
        out.append(
            Change(
                "field-presence",
                loc,
                "; ".join(old.presence) or "always listed",
                "; ".join(new.presence) or "always listed",
                breaking=conditional,
                reason="clients that rely on the field may find it absent"
                if conditional
                else "the field is at least as reliably present as before",
            )
        )
    if old.always_null != new.always_null:
        out.append(
            Change(
                "field-always-null",
                loc,
                str(old.always_null).lower(),
                str(new.always_null).lower(),
                breaking=new.always_null,
                reason="clients reading a value now get null"
                if new.always_null
                else "values may appear where null was promised",
            )
        )
    return out


def diff_docs(old: MethodDoc, new: MethodDoc) -> DocDiff:
    """Compare two parsed pages; see the module docstring for what counts as breaking."""
    changes: list[Change] = []
    old_params = {p.name: p for p in old.params}
    new_params = {p.name: p for p in new.params}
    for name, param in new_params.items():
        if name not in old_params:
            changes.append(
                Change(
                    "param-added",
                    f"params.{name}",
                    "(absent)",
                    f"{_type(param.type)}, {'required' if param.required else 'optional'}",
                    breaking=param.required,
                    reason="clients that do not send it are rejected"
                    if param.required
                    else "optional: old clients keep working",
                )
            )
        else:
            changes.extend(_diff_params(old_params[name], param))
    for name, param in old_params.items():
        if name not in new_params:
            changes.append(
                Change(
                    "param-removed",
                    f"params.{name}",
                    _type(param.type),
                    "(absent)",
                    breaking=True,
                    reason="clients that send it may be rejected",
                )
            )
    old_fields = {f.path: f for f in old.fields}
    new_fields = {f.path: f for f in new.fields}
    for path, row in new_fields.items():
        if path not in old_fields:
            changes.append(
                Change(
                    "field-added",
                    path,
                    "(absent)",
                    _type(row.type),
                    breaking=False,
                    reason="an extra field; only clients that reject unknown fields break",
                )
            )
        else:
            changes.extend(_diff_fields(old_fields[path], row))
    for path, row in old_fields.items():
        if path not in new_fields:
            changes.append(
                Change(
                    "field-removed",
                    path,
                    _type(row.type),
                    "(absent)",
                    breaking=True,
                    reason="clients reading it find nothing",
                )
            )
    order = {kind: i for i, kind in enumerate(CHANGE_KINDS)}
    changes.sort(key=lambda c: (not c.breaking, c.location, order[c.kind]))
    return DocDiff(old=old.path, new=new.path, method=new.method, changes=tuple(changes))


def diff_files(old: Path, new: Path) -> DocDiff:
    """Read both pages (DocParseError when unreadable) and compare them."""
    return diff_docs(read_method_doc(old), read_method_doc(new))


def render_text(diff: DocDiff) -> str:
    """A plain-text listing, one change a line, breaking ones first."""
    lines = [f"contract diff of {diff.method}: {diff.old} -> {diff.new}"]
    if not diff.changes:
        lines.append("no contract change")
    for c in diff.changes:
        tag = "BREAKING" if c.breaking else "ok      "
        lines.append(f"{tag} {c.kind:<19} {c.location}: {c.old} -> {c.new} ({c.reason})")
    lines.append(f"{len(diff.changes)} change(s), {len(diff.breaking)} breaking")
    return "\n".join(lines) + "\n"


def run_diff_command(
    old: Path, new: Path, *, output: str = "text", fail_on_breaking: bool = False
) -> int:
    """What ``deribit-contract schemas --diff OLD NEW`` does; returns the exit code.

    Prints the diff (``text`` or ``json``) to stdout; 0 when it worked, 1 when
    ``fail_on_breaking`` and a change is breaking. DocParseError propagates (the CLI makes it 2).
    """
    import sys

    from deribit_contract._fileio import dump_canonical_json

    diff = diff_files(old, new)
    sys.stdout.write(dump_canonical_json(diff.to_json()) if output == "json" else render_text(diff))
    return 1 if fail_on_breaking and diff.breaking else 0
