"""Read the generated schemas from ``schemas/``: the only way later stages see the contract.

Layout (written by :mod:`deribit_contract.schema.build`)::

    schemas/<mode>/<part>.schema.json      mode in {observed, documented}

Parts: ``params`` (request params), ``request`` (JSON-RPC request envelope), ``response``
(success or error envelope), ``success``, ``error``, ``order`` (``result.order``), ``trade``
(one item of ``result.trades``). Every file is self-contained (no cross-file ``$ref``) so that
any validator, the compiled one included, can use it alone.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Literal, get_args

from deribit_contract._paths import schemas_dir
from deribit_contract.errors import SchemaNotFound

__all__ = ["MODES", "PARTS", "Mode", "Part", "load_schema", "schema_path"]

Mode = Literal["observed", "documented"]
Part = Literal["params", "request", "response", "success", "error", "order", "trade"]
MODES: tuple[Mode, ...] = get_args(Mode)
PARTS: tuple[Part, ...] = get_args(Part)


def schema_path(part: str, mode: str = "observed", *, directory: Path | None = None) -> Path:
    """The file that holds ``part`` in ``mode``; raises :class:`SchemaNotFound` naming the choices."""
    if mode not in MODES:
        raise SchemaNotFound(f"unknown schema mode {mode!r}; expected one of {', '.join(MODES)}")
    if part not in PARTS:
        raise SchemaNotFound(f"unknown schema part {part!r}; expected one of {', '.join(PARTS)}")
    base = directory if directory is not None else schemas_dir()
    path = base / mode / f"{part}.schema.json"
    if not path.is_file():
        raise SchemaNotFound(
            f"{path} does not exist; run `deribit-contract schemas` to generate the schemas"
        )
    return path


@functools.lru_cache(maxsize=64)
def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def load_schema(
    part: str, mode: str = "observed", *, directory: Path | None = None
) -> dict[str, Any]:
    """The schema of ``part`` in ``mode`` as a dict (cached; treat it as read-only)."""
    return _load(schema_path(part, mode, directory=directory))
