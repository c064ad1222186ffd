"""Shape checks of simulated answers against real Deribit captures (``fixtures/captured``).

A simulated object has the shape of a real one when it carries every field the capture carries,
each with the same JSON type (int and float are both "number": live Deribit writes ``10.0`` and
``1e-7`` for the same fields). Extra simulated fields are allowed only when listed.
"""

from __future__ import annotations

import json
from typing import Any

from deribit_contract._paths import fixtures_dir

REALDATA = fixtures_dir() / "captured" / "realdata"


def capture(relative: str) -> Any:
    """A real capture, parsed."""
    return json.loads((REALDATA / relative).read_text(encoding="utf-8"))


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_problems(
    ours: dict[str, Any], real: dict[str, Any], *, extra_ok: frozenset[str] = frozenset()
) -> list[str]:
    """Every field where ``ours`` differs in presence or JSON type from the real ``real``."""
    problems = [f"missing {key!r}" for key in real if key not in ours]
    problems += [
        f"{key!r}: {_kind(ours[key])} where the capture has {_kind(value)}"
        for key, value in real.items()
        if key in ours and value is not None and _kind(ours[key]) != _kind(value)
    ]
    problems += [f"extra {key!r}" for key in ours if key not in real and key not in extra_ok]
    return problems
