"""Schema-valid responses, orders, trades and JSON-RPC error envelopes, in either schema mode.

``observed`` follows real traffic (boolean ``trades[].reduce_only``, ``matching_id: null``,
``price`` as a number or ``"market_price"``...); ``documented`` follows the vendor's table
literally. Every draw validates against ``schemas/<mode>/<part>.schema.json``; optional fields
are present or absent, every enum value is reachable and ``trades`` may be empty.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from deribit_contract.facts import ERRORS
from deribit_contract.schema.store import load_schema
from deribit_contract.strategies.from_schema import from_schema

__all__ = [
    "KNOWN_ERRORS",
    "deribit_errors",
    "error_envelopes",
    "orders",
    "responses",
    "success_responses",
    "trades",
]

#: (code, message) of every error Deribit's older official table lists (the newer error page is
#: wrong; see the shared notes), from the one definition in :mod:`deribit_contract.facts`
KNOWN_ERRORS: tuple[tuple[int, str], ...] = tuple((e.code, e.message) for e in ERRORS.values())


def deribit_errors() -> SearchStrategy[dict[str, Any]]:
    """The ``error`` member: a known code with its message, ``data`` present or absent
    (``{"reason", "param"}`` as real ``-32602`` errors carry)."""
    data = st.fixed_dictionaries(
        {
            "reason": st.sampled_from(
                ["value required", "must be a multiple of contract size", "invalid value"]
            ),
            "param": st.sampled_from(["instrument_name", "type", "price"]),
        }
    )
    return st.sampled_from(KNOWN_ERRORS).flatmap(
        lambda pair: st.fixed_dictionaries(
            {"code": st.just(pair[0]), "message": st.just(pair[1])}, optional={"data": data}
        )
    )


def responses(*, mode: str = "observed", max_trades: int = 3) -> SearchStrategy[Any]:
    """Any schema-valid response envelope (success or error) of ``mode``."""
    return from_schema(load_schema("response", mode), max_items=max_trades)


def success_responses(*, mode: str = "observed", max_trades: int = 3) -> SearchStrategy[Any]:
    """Schema-valid success envelopes of ``mode`` (``result.order`` and ``result.trades``)."""
    return from_schema(load_schema("success", mode), max_items=max_trades)


def orders(*, mode: str = "observed") -> SearchStrategy[Any]:
    """Schema-valid ``result.order`` objects of ``mode``."""
    return from_schema(load_schema("order", mode))


def trades(*, mode: str = "observed") -> SearchStrategy[Any]:
    """Schema-valid items of ``result.trades`` of ``mode``."""
    return from_schema(load_schema("trade", mode))


def error_envelopes(*, mode: str = "observed") -> SearchStrategy[Any]:
    """Schema-valid JSON-RPC error envelopes whose ``error`` is a real Deribit code and message."""
    return from_schema(load_schema("error", mode), overrides={"error": deribit_errors()})
