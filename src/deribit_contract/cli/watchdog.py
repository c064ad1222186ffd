"""An input that yields nothing: said on stderr after a while, ended by ``--timeout``.

``validate /dev/zero`` (no line ever ends) and a FIFO with no writer (``open`` blocks) used to
wait forever without a word. The readers beat :data:`~deribit_contract.validation.sources.activity`
whenever an input completes a line, ends, or hands a task to the pool; a one-second interval
timer (``SIGALRM``, so that it also interrupts a blocked ``open`` or ``read``) checks it. After
:data:`IDLE_NOTICE_S` seconds without progress one line goes to stderr, once per quiet spell;
after ``--timeout`` seconds the wait ends with :class:`InputTimeout` (exit 2). Where there is
no ``SIGALRM`` (Windows) or the command runs outside the main thread, nothing is watched.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from deribit_contract.errors import ContractKitError
from deribit_contract.validation.sources import activity

__all__ = ["IDLE_NOTICE_S", "InputTimeout", "add_timeout_argument", "watching_inputs"]

#: seconds without progress before stderr says an input yields nothing
IDLE_NOTICE_S = 10.0
_TICK_S = 1.0


class InputTimeout(ContractKitError):
    """No input made progress for ``--timeout`` seconds (exit 2)."""


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds; got {text!r}")
    return value


def add_timeout_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--timeout SECONDS`` (default: wait as long as it takes, saying so)."""
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=None,
        metavar="SECONDS",
        help=f"end with exit 2 when no input makes progress for this long (a FIFO with no "
        f"writer, /dev/zero); without it, stderr says so after {IDLE_NOTICE_S:g} s and the "
        "wait goes on",
    )


@contextmanager
def watching_inputs(command: str, paths: list[str], timeout: float | None) -> Iterator[None]:
    """Watch the inputs of ``command`` for the duration of the block (see the module)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    activity.beat()
    told = [activity.last - 1]  # when the last notice was printed (before the start: none)
    what = ", ".join(paths)

    def check(signum: int, frame: FrameType | None) -> None:
        quiet = time.monotonic() - activity.last
        if timeout is not None and quiet >= timeout:
            raise InputTimeout(
                f"no input made progress for {timeout:g} s ({what}): giving up (--timeout)"
            )
        if quiet >= IDLE_NOTICE_S and told[0] < activity.last:
            told[0] = time.monotonic()
            hint = "" if timeout is not None else "; --timeout SECONDS ends such a wait"
            print(
                f"deribit-contract {command}: no input for {quiet:.0f} s from {what} (a FIFO "
                f"with no writer, or a device that never ends a line?): still waiting{hint}",
                file=sys.stderr,
                flush=True,
            )

    previous = signal.signal(signal.SIGALRM, check)
    signal.setitimer(signal.ITIMER_REAL, _TICK_S, _TICK_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, previous)
