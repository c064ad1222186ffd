"""One source of choices for code shared by Hypothesis strategies and seeded fixture generation.

The coherent-outcome builder must run inside ``@given`` (draws, so Hypothesis can shrink) and in
``deribit-contract fixtures`` (a seeded ``random.Random``, so committed bytes do not depend on
Hypothesis' draw order). Both sides implement :class:`Chooser`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

__all__ = ["Chooser", "DrawChooser", "RandomChooser"]

T = TypeVar("T")


class Chooser(Protocol):
    """The few kinds of choice the builders make."""

    def integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        ...

    def choice(self, options: Sequence[T]) -> T:
        """One element of a non-empty sequence."""
        ...

    def boolean(self) -> bool:
        """True or False."""
        ...


class DrawChooser:
    """Choices made by a Hypothesis ``draw`` (inside ``st.composite``), so they shrink."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        value: int = self._draw(st.integers(low, high))
        return value

    def choice(self, options: Sequence[T]) -> T:
        value: T = self._draw(st.sampled_from(options))
        return value

    def boolean(self) -> bool:
        value: bool = self._draw(st.booleans())
        return value


class RandomChooser:
    """Choices made by a seeded ``random.Random``: the same seed gives the same choices."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def integer(self, low: int, high: int) -> int:
        return self._rng.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        return options[self._rng.randrange(len(options))]

    def boolean(self) -> bool:
        return self._rng.random() < 0.5
