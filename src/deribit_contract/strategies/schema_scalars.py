"""Strategies for the scalar keywords of a JSON Schema: numeric bounds and string lengths.

Each produces only values the keywords accept (bounds are turned into the tightest integer or
float range, ``multipleOf`` into multiples of a drawn integer), and a combination no value can
satisfy, or one outside the supported subset, raises
:class:`~deribit_contract.errors.InvalidArgument` naming the keyword's location (``where``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from deribit_contract.errors import InvalidArgument

__all__ = ["floats_within", "numbers", "strings"]


def numbers(schema: Mapping[str, Any], where: str, *, integral: bool) -> SearchStrategy[Any]:
    """Integers (``integral``, or with ``multipleOf``) or numbers within the schema's bounds."""
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    for key, value in (
        ("minimum", low),
        ("maximum", high),
        ("exclusiveMinimum", xlow),
        ("exclusiveMaximum", xhigh),
    ):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidArgument(f"{where}/{key}: expected a number, got {value!r}")
    step = schema.get("multipleOf")
    if step is not None and not (
        isinstance(step, int | float) and float(step).is_integer() and step > 0
    ):
        raise InvalidArgument(
            f"{where}/multipleOf: only positive integral steps are supported, got {step!r}"
        )
    # Integer bounds: the tightest integers inside the (possibly exclusive, possibly float) bounds.
    int_low: int | None = None
    if low is not None and xlow is not None:
        int_low = max(math.ceil(low), math.floor(xlow) + 1)
    elif low is not None:
        int_low = math.ceil(low)
    elif xlow is not None:
        int_low = math.floor(xlow) + 1
    int_high: int | None = None
    if high is not None and xhigh is not None:
        int_high = min(math.floor(high), math.ceil(xhigh) - 1)
    elif high is not None:
        int_high = math.floor(high)
    elif xhigh is not None:
        int_high = math.ceil(xhigh) - 1
    ints: SearchStrategy[Any] | None
    if step is not None:
        n = int(step)
        lo = None if int_low is None else -((-int_low) // n)
        hi = None if int_high is None else int_high // n
        ints = (
            None
            if lo is not None and hi is not None and lo > hi
            else st.integers(lo, hi).map(lambda k: k * n)
        )
    elif int_low is not None and int_high is not None and int_low > int_high:
        ints = None
    else:
        ints = st.integers(int_low, int_high)
    if integral or step is not None:
        if ints is None:
            raise InvalidArgument(f"{where}: no integer satisfies the bounds")
        return ints
    floats = floats_within(low, high, xlow, xhigh)
    if floats is None and ints is None:
        raise InvalidArgument(f"{where}: no number satisfies the bounds")
    return st.one_of([s for s in (ints, floats) if s is not None])


def floats_within(low: Any, high: Any, xlow: Any, xhigh: Any) -> SearchStrategy[Any] | None:
    """Finite floats within the (possibly exclusive) bounds; None when the range is empty."""
    lower, exclude_min = (None, False)
    if low is not None:
        lower, exclude_min = float(low), False
    if xlow is not None and (lower is None or float(xlow) >= lower):
        lower, exclude_min = float(xlow), True
    upper, exclude_max = (None, False)
    if high is not None:
        upper, exclude_max = float(high), False
    if xhigh is not None and (upper is None or float(xhigh) <= upper):
        upper, exclude_max = float(xhigh), True
    if (
        lower is not None
        and upper is not None
        and (lower > upper or (lower == upper and (exclude_min or exclude_max)))
    ):
        return None
    return st.floats(
        min_value=lower, max_value=upper, exclude_min=exclude_min, exclude_max=exclude_max,
        allow_nan=False, allow_infinity=False,
    )  # fmt: skip


def strings(schema: Mapping[str, Any], where: str) -> SearchStrategy[Any]:
    """Text within ``minLength``/``maxLength``, or matching ``pattern`` in full."""
    min_size = int(schema.get("minLength", 0))
    max_size = schema.get("maxLength")
    if "pattern" in schema:
        if "minLength" in schema or max_size is not None:
            raise InvalidArgument(
                f"{where}: pattern together with minLength/maxLength is not supported"
            )
        return st.from_regex(str(schema["pattern"]), fullmatch=True)
    if max_size is not None and int(max_size) < min_size:
        raise InvalidArgument(f"{where}: maxLength {max_size} < minLength {min_size}")
    return st.text(min_size=min_size, max_size=None if max_size is None else int(max_size))
