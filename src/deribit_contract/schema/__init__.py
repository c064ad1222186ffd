"""Stage 2: the documentation rows plus the errata overlay become JSON Schemas.

* :func:`load_schema` — read a generated schema (``schemas/<mode>/<part>.schema.json``); the only
  way later stages see the contract;
* :func:`render` / :func:`write` / :func:`check` — generate the files, write them canonically,
  or report drift against the committed ones (``deribit-contract schemas [--check]``);
* :func:`load_errata` — the overlay recording where the exchange differs from its documentation.
"""

from __future__ import annotations

from deribit_contract.schema.errata import Erratum, load_errata
from deribit_contract.schema.generate import check, default_inputs, render, write
from deribit_contract.schema.store import MODES, PARTS, load_schema, schema_path

__all__ = [
    "MODES",
    "PARTS",
    "Erratum",
    "check",
    "default_inputs",
    "load_errata",
    "load_schema",
    "render",
    "schema_path",
    "write",
]
