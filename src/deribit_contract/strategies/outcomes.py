"""Coherent close outcomes: (request, position_before, response, position_after) that obey
every invariant of the contract, for market and limit closes, full and partial fills, resting
limit closes and (on request) closes of a flat position.

Feed them to an implementation's checks to see that correct behaviour passes, or mutate one
field to see that a check catches the breakage (the kit's own tests do both).
"""

from __future__ import annotations

from typing import Any, get_args

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from deribit_contract.errors import InvalidArgument
from deribit_contract.strategies._choice import DrawChooser
from deribit_contract.strategies._closing import (
    CATALOG,
    FILLS,
    CloseOutcome,
    Fill,
    Instrument,
    OrderType,
    build_outcome,
)

__all__ = [
    "CATALOG",
    "CloseOutcome",
    "Fill",
    "Instrument",
    "OrderType",
    "close_outcomes",
    "instruments",
]


def instruments() -> SearchStrategy[Instrument]:
    """One of the catalogued instruments (inverse and linear perpetuals and a dated future)."""
    return st.sampled_from(CATALOG)


def close_outcomes(
    *,
    instrument: Instrument | SearchStrategy[Instrument] | None = None,
    order_type: OrderType | None = None,
    fill: Fill | None = None,
    include_flat: bool = False,
) -> SearchStrategy[CloseOutcome]:
    """Coherent close_position calls, each obeying every invariant of the contract.

    ``instrument`` fixes the instrument (or draws from a strategy; default: :data:`CATALOG`);
    ``order_type`` fixes ``"market"`` or ``"limit"``; ``fill`` fixes ``"full"``, ``"partial"``
    (a limit close rests with the remainder open, a market close is cancelled), ``"none"``
    (nothing marketable) or ``"flat"`` (no position: the response is a JSON-RPC error).
    Without ``fill`` the first three are drawn, and ``"flat"`` too when ``include_flat``.

    Responses have the shape of real traffic (the ``observed`` schema): boolean
    ``trades[].reduce_only``, ``matching_id: null``, the envelope's ``usIn``/``usOut``.
    """
    if order_type is not None and order_type not in get_args(OrderType):
        raise InvalidArgument(
            f"order_type must be one of {get_args(OrderType)}, got {order_type!r}"
        )
    if fill is not None and fill not in FILLS:
        raise InvalidArgument(f"fill must be one of {FILLS}, got {fill!r}")
    if isinstance(instrument, Instrument):
        instrument_strategy: SearchStrategy[Instrument] = st.just(instrument)
    elif instrument is None:
        instrument_strategy = instruments()
    elif isinstance(instrument, SearchStrategy):
        instrument_strategy = instrument
    else:
        raise InvalidArgument(
            f"instrument must be an Instrument or a strategy of them, got {instrument!r}"
        )
    fills: tuple[Fill, ...] = (fill,) if fill is not None else FILLS if include_flat else FILLS[:3]
    types: tuple[OrderType, ...] = (order_type,) if order_type is not None else get_args(OrderType)

    @st.composite
    def draw_outcome(draw: Any) -> CloseOutcome:
        return build_outcome(
            DrawChooser(draw),
            instrument=draw(instrument_strategy),
            order_type=draw(st.sampled_from(types)),
            fill=draw(st.sampled_from(fills)),
            request_id=draw(st.integers(1, 2**31 - 1)),
        )

    return draw_outcome()
