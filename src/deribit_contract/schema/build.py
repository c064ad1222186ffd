"""Turn the parsed documentation (plus, in observed mode, the errata) into JSON Schemas.

Two modes, seven parts, one self-contained Draft 2020-12 file each (``$defs`` inside the file,
never a cross-file ``$ref``):

* ``documented`` is the table verbatim: its types, its prose enums, closed objects
  (``additionalProperties: false``), and no required response fields except the envelope
  basics, because the table has no required column. Envelope basics: ``jsonrpc`` and ``id``
  (JSON-RPC 2.0 makes both mandatory in a response), ``result`` with ``order`` and ``trades``
  (the table defines the result as exactly that pair) or ``error`` with ``code`` and ``message``.
* ``observed`` is table + ``sources/errata.yaml``: corrected types, added enum values, nullable
  fields, relaxed envelope (``id`` may be absent, null, integer or string) and evidence-based
  ``required`` lists for ``order`` and ``trade``.

How undocumented fields stay visible (the contract with the validation stage): in observed mode
every object is open (``additionalProperties: true``) and carries
``x-documented-properties``, the sorted names the vendor table documents. Fields the overlay
knows about are also in ``properties`` with ``x-undocumented: true`` and ``x-erratum: <id>`` (so
their type is still checked). A validator lists, for each object in an instance, the keys not in
``x-documented-properties`` as warnings: known ones by erratum id, unknown ones as new drift.
In documented mode the same keys are violations, because the objects are closed.

Every property carries ``description`` and ``x-doc-line`` (the page's 1-based line; ``null`` for
envelope members the page does not list, which carry ``x-source`` instead). Presence hints are
kept as ``x-presence``, example lists as ``x-examples``, "Always null" as ``x-always-null``, and
observed-mode properties name the errata applied to them in ``x-errata``.

Request params are closed in both modes: the table is the method's complete parameter list and a
misspelt parameter (the 2019 vendor spec itself said ``instrument`` for ``instrument_name``) must
be caught rather than silently ignored by the exchange. The one exception, ``access_token``
(Deribit's WebSocket authentication puts the token in ``params``), is an observed-mode erratum.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

from deribit_contract.doctable.model import FieldRow, MethodDoc
from deribit_contract.errors import SchemaBuildError
from deribit_contract.schema.errata import Erratum, check_errata
from deribit_contract.schema.fragments import FragmentBuilder, Schema

__all__ = ["DRAFT", "build_all", "build_parts"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _sha256(path: Path | None) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None


def build_parts(
    doc: MethodDoc,
    errata: tuple[Erratum, ...],
    *,
    mode: str,
    source: Path | None = None,
    errata_source: Path | None = None,
) -> dict[str, Schema]:
    """All seven parts of one mode, keyed by part name, ready to be written."""
    if mode not in ("documented", "observed"):
        raise SchemaBuildError(f"unknown mode {mode!r}; expected documented or observed")
    check_errata(errata, doc)
    builder = FragmentBuilder(doc, errata, mode=mode)
    item_refs = {"result.order": "#/$defs/order", "result.trades[]": "#/$defs/trade"}
    order = builder.field(_require(doc, "result.order"), refs={})
    trade = builder.object("result.trades[]", refs={})
    defs_ot = {"order": order, "trade": trade}
    success = builder.success(refs=item_refs)
    error = builder.error(refs={})
    params = builder.params()
    request = builder.request()
    if mode == "observed":
        unused = sorted({e.id for e in errata} - builder.used)
        if unused:
            raise SchemaBuildError(f"errata entries {unused} matched nothing while building")
    meta: Schema = {
        "x-mode": mode,
        "x-source": {
            "document": source.name if source else None,
            "sha256": _sha256(source),
            "method": doc.method,
        },
    }
    if mode == "observed":
        meta["x-errata-source"] = {
            "file": errata_source.name if errata_source else None,
            "sha256": _sha256(errata_source),
        }

    def wrap(part: str, schema: Schema, defs: dict[str, Schema] | None = None) -> Schema:
        out: Schema = {"$schema": DRAFT, "title": f"{doc.method} {part} ({mode})", **meta, **schema}
        out["x-part"] = part
        if defs:
            out["$defs"] = copy.deepcopy(defs)
        return out

    return {
        "params": wrap("params", params),
        "request": wrap("request", request, {"params": params}),
        "order": wrap("order", order),
        "trade": wrap("trade", trade),
        "success": wrap("success", success, defs_ot),
        "error": wrap("error", error),
        "response": wrap(
            "response",
            {"anyOf": [{"$ref": "#/$defs/success"}, {"$ref": "#/$defs/error"}]},
            {"success": success, "error": error, **defs_ot},
        ),
    }


def _require(doc: MethodDoc, path: str) -> FieldRow:
    row = doc.find(path)
    if row is None:
        raise SchemaBuildError(f"the Response table has no {path!r} row")
    return row


def build_all(
    doc: MethodDoc,
    errata: tuple[Erratum, ...],
    *,
    source: Path | None = None,
    errata_source: Path | None = None,
) -> dict[str, dict[str, Schema]]:
    """``{mode: {part: schema}}`` for both modes."""
    return {
        mode: build_parts(doc, errata, mode=mode, source=source, errata_source=errata_source)
        for mode in ("documented", "observed")
    }
