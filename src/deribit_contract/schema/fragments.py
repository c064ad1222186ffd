"""The schema fragments of one mode: fields, objects, params and the two envelopes.

:mod:`deribit_contract.schema.build` assembles them into the seven parts and says what each
mode means; this module turns the parsed table rows (and, in observed mode, the errata) into
the fragments. Errata are empty in documented mode.
"""

from __future__ import annotations

import copy
from typing import Any

from deribit_contract.doctable.model import FieldRow, MethodDoc, ParamRow
from deribit_contract.errors import SchemaBuildError
from deribit_contract.schema.errata import Erratum

__all__ = ["FragmentBuilder", "Schema"]

_JSONRPC_SOURCE = "JSON-RPC 2.0 error object; Deribit error envelope (deribit-facts (a))"
Schema = dict[str, Any]


class FragmentBuilder:
    """Builds the schema fragments of one mode; errata are empty in documented mode."""

    def __init__(self, doc: MethodDoc, errata: tuple[Erratum, ...], *, mode: str) -> None:
        self.doc = doc
        self.mode = mode
        self.errata = errata if mode == "observed" else ()
        self.used: set[str] = set()

    @property
    def observed(self) -> bool:
        return self.mode == "observed"

    def _for(self, path: str, *kinds: str) -> list[Erratum]:
        found = [e for e in self.errata if e.path == path and (not kinds or e.kind in kinds)]
        self.used.update(e.id for e in found)
        return found

    # -- leaves --------------------------------------------------------------------------

    def _type_schema(self, row: FieldRow | ParamRow) -> Schema:
        spec = row.type
        if spec.is_union:
            branches: list[Schema] = []
            literals = row.string_literals if isinstance(row, FieldRow) else ()
            for json_type in spec.types:
                branch: Schema = {"type": json_type}
                if json_type == "string" and literals:
                    branch["enum"] = list(literals)
                branches.append(branch)
            return {"anyOf": branches}
        schema: Schema = {"type": spec.types[0]}
        if row.enum:
            schema["enum"] = list(row.enum)
        return schema

    def _apply(self, schema: Schema, path: str) -> Schema:
        for entry in self._for(path, "type", "nullable", "enum", "range", "presence"):
            if entry.kind == "type":
                schema.pop("anyOf", None)
                wanted = entry.correction["type"]
                schema["type"] = list(wanted) if isinstance(wanted, list) else wanted
                if "enum" in schema:
                    raise SchemaBuildError(
                        f"errata entry {entry.id}: cannot retype {path}, it has an enum"
                    )
            elif entry.kind == "nullable":
                _allow_null(schema)
            elif entry.kind == "enum":
                if "enum" not in schema:
                    raise SchemaBuildError(
                        f"errata entry {entry.id}: {path} has no documented enum to extend"
                    )
                schema["enum"] = schema["enum"] + [
                    v for v in entry.correction["add"] if v not in schema["enum"]
                ]
            schema.setdefault("x-errata", []).append(entry.id)
        if "x-errata" in schema:
            schema["x-errata"] = sorted(schema["x-errata"])
        return schema

    def _annotate(self, schema: Schema, row: FieldRow | ParamRow) -> Schema:
        description = row.description
        if isinstance(row, FieldRow) and row.folded:
            description = f"(no description: this row was folded into the description of the row on line {row.line})"
            schema["x-doc-folded"] = True
        schema["description"] = description or "(no description in the table)"
        schema["x-doc-line"] = row.line
        if row.presence:
            schema["x-presence"] = list(row.presence)
        if isinstance(row, FieldRow):
            if row.examples:
                schema["x-examples"] = list(row.examples)
            if row.always_null:
                schema["x-always-null"] = True
            schema["x-doc-type"] = row.type.raw
        return schema

    # -- containers -----------------------------------------------------------------------

    def field(self, row: FieldRow, *, refs: dict[str, str]) -> Schema:
        """The schema of one documented field (objects and arrays recursively)."""
        if row.path in refs:
            return self._annotate({"$ref": refs[row.path]}, row)
        if row.type.types == ("object",):
            schema = self.object(row.path, refs=refs)
        elif row.type.types == ("array",):
            schema = {"type": "array"}
            if row.type.items == "object" or (
                row.type.items is None and self.doc.children(row.path + "[]")
            ):
                item_path = row.path + "[]"
                schema["items"] = (
                    {"$ref": refs[item_path]}
                    if item_path in refs
                    else self.object(item_path, refs=refs)
                )
            elif row.type.items is not None:
                schema["items"] = {"type": row.type.items}
        else:
            schema = self._type_schema(row)
        return self._annotate(self._apply(schema, row.path), row)

    def object(self, path: str, *, refs: dict[str, str], basics: tuple[str, ...] = ()) -> Schema:
        """The object at ``path`` (``""`` = envelope members from the table)."""
        rows = self.doc.children(path)
        properties = {row.name: self.field(row, refs=refs) for row in rows}
        documented = sorted(properties)
        required = list(basics)
        schema: Schema = {"type": "object", "x-documented-properties": documented}
        if self.observed:
            self._add_undocumented(properties, path)
            for entry in self._for(path, "required"):
                missing = [f for f in entry.correction["fields"] if f not in properties]
                if missing:
                    raise SchemaBuildError(
                        f"errata entry {entry.id}: required fields {missing} are not properties of {path}"
                    )
                required = sorted(set(required) | set(entry.correction["fields"]))
                schema["x-errata"] = [entry.id]
            for name in list(required):
                prefix = f"{path}." if path else ""
                if self._for(prefix + name, "presence"):
                    required.remove(name)
        schema["properties"] = properties
        schema["additionalProperties"] = self.observed
        if required:
            schema["required"] = sorted(required)
        return schema

    def _add_undocumented(self, properties: Schema, parent: str) -> None:
        """Add the errata's undocumented fields of the object at ``parent`` to its properties."""
        for entry in self.errata:
            if entry.kind == "undocumented" and entry.parent == parent:
                self.used.add(entry.id)
                properties[entry.name] = self.undocumented(entry)

    def undocumented(self, entry: Erratum) -> Schema:
        schema = copy.deepcopy(dict(entry.correction["schema"]))
        schema["description"] = f"Undocumented: {entry.why}"
        schema["x-doc-line"] = None
        schema["x-undocumented"] = True
        schema["x-erratum"] = entry.id
        return schema

    # -- parts ------------------------------------------------------------------------------

    def params(self) -> Schema:
        properties = {p.name: self._annotate(self._type_schema(p), p) for p in self.doc.params}
        schema: Schema = {
            "type": "object",
            "description": self.doc.summary,
            "x-doc-line": self.doc.params_line,
            "x-documented-properties": sorted(properties),
            "additionalProperties": False,
            "required": sorted(p.name for p in self.doc.params if p.required),
        }
        if self.observed:
            self._add_undocumented(properties, "params")
        schema["properties"] = properties
        return schema

    def envelope_members(self, *, refs: dict[str, str]) -> tuple[Schema, list[str]]:
        """Top-level table rows except ``result`` (id, jsonrpc) plus observed extras."""
        rows = [r for r in self.doc.children("") if r.name != "result"]
        members: Schema = {row.name: self.field(row, refs=refs) for row in rows}
        if "jsonrpc" in members:
            members["jsonrpc"]["const"] = "2.0"
        if self.observed:
            self._add_undocumented(members, "")
        required: list[str] = [
            name
            for name in ("id", "jsonrpc")
            if name in members and not (self.observed and self._for(name, "presence"))
        ]
        return members, required

    def success(self, *, refs: dict[str, str]) -> Schema:
        members, required = self.envelope_members(refs=refs)
        result_row = self.doc.find("result")
        if (
            result_row is None
            or self.doc.find("result.order") is None
            or self.doc.find("result.trades") is None
        ):
            raise SchemaBuildError("the Response table defines no result.order / result.trades")
        result = self.field(result_row, refs=refs)
        result["required"] = ["order", "trades"]
        members["result"] = result
        return {
            "type": "object",
            "properties": members,
            "required": sorted([*required, "result"]),
            "not": {"required": ["error"]},
            "additionalProperties": self.observed,
            "x-documented-properties": sorted(r.name for r in self.doc.children("")),
        }

    def error(self, *, refs: dict[str, str]) -> Schema:
        members, required = self.envelope_members(refs=refs)

        def member(json_type: str | None, description: str, path: str) -> Schema:
            schema: Schema = {"type": json_type} if json_type else {}
            schema.update(
                {"description": description, "x-doc-line": None, "x-source": _JSONRPC_SOURCE}
            )
            return self._apply(schema, path)

        error_properties: Schema = {
            "code": member(
                "integer", "Error code (Deribit or JSON-RPC, e.g. 13009, -32602)", "error.code"
            ),
            "message": member(
                "string", "Error message (e.g. unauthorized, Invalid params)", "error.message"
            ),
            "data": member(
                None,
                "Optional details; may be omitted (for -32602: reason and param)",
                "error.data",
            ),
        }
        if self.observed:
            self._add_undocumented(error_properties, "error")
        error_object: Schema = {
            "type": "object",
            "properties": error_properties,
            "required": ["code", "message"],
            "additionalProperties": self.observed,
            "x-documented-properties": ["code", "data", "message"],
            "description": "The JSON-RPC error object",
            "x-doc-line": None,
            "x-source": _JSONRPC_SOURCE,
        }
        members["error"] = error_object
        return {
            "type": "object",
            "properties": members,
            "required": sorted([*required, "error"]),
            "not": {"required": ["result"]},
            "additionalProperties": self.observed,
            "x-documented-properties": sorted(
                [*(r.name for r in self.doc.children("") if r.name != "result"), "error"]
            ),
        }

    def request(self) -> Schema:
        members, _ = self.envelope_members(refs={})
        if "id" not in members or "jsonrpc" not in members:
            raise SchemaBuildError(
                "the Response table must document the envelope rows 'id' and 'jsonrpc'"
            )
        return {
            "type": "object",
            "properties": {
                "jsonrpc": members["jsonrpc"],
                "id": members["id"],
                "method": {
                    "const": self.doc.method,
                    "description": f"The method name, from the page title ({self.doc.http_verb} /{self.doc.method})",
                    "x-doc-line": self.doc.title_line,
                },
                "params": {
                    "$ref": "#/$defs/params",
                    "description": "Method parameters",
                    "x-doc-line": self.doc.params_line,
                },
            },
            "required": ["jsonrpc", "method", "params"],
            "additionalProperties": False,
            "x-documented-properties": ["id", "jsonrpc", "method", "params"],
        }


def _allow_null(schema: Schema) -> None:
    if "anyOf" in schema:
        schema["anyOf"].append({"type": "null"})
        return
    current = schema.get("type")
    types = list(current) if isinstance(current, list) else [current] if current else []
    if "null" not in types:
        schema["type"] = [*types, "null"]
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
