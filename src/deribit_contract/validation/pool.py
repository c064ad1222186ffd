"""An ordered map over a pool of worker processes, and how many workers a run gets.

Results come back in the order of the inputs, never in the order the workers finish, so a
parallel run can print exactly what a single-process run prints. At most a small window of
tasks is in flight, so the parent holds a bounded number of results whatever the input size.

Workers are forked from the parent on Linux when it runs a single thread: they start in
milliseconds with every module already imported, which matters because a pool is only worth it
when it saves seconds. A parent with threads (a progress bar's monitor, a test runner's servers)
must not fork, since a lock held by another thread stays locked forever in the child: workers
then come from a ``forkserver`` (``spawn`` where there is none), which costs an interpreter
start and the imports.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

__all__ = ["PARALLEL_MIN_BYTES", "cpu_count", "default_jobs", "ordered_map"]

T = TypeVar("T")
R = TypeVar("R")

# Below this much input a pool costs more than it saves: starting a worker (interpreter, imports,
# compiling the schemas) takes a few tenths of a second, which one core spends validating
# ~60 MB. Inputs of unknown size (stdin) run in one process unless --jobs says otherwise.
PARALLEL_MIN_BYTES = 64 * 1024 * 1024
# tasks in flight per worker: one running, one queued so a worker never waits for the parent
_WINDOW_PER_JOB = 2
# seconds a thread that was joined may take to leave the process
_THREAD_EXIT_WAIT = 0.25
# modules each worker imports once, in the fork server, before any task arrives
_PRELOAD = ["deribit_contract.validation", "deribit_contract.reporting.fieldstats"]


def cpu_count() -> int:
    """Cores this process may run on (its affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return max(os.cpu_count() or 1, 1)


def default_jobs(total_bytes: int | None) -> int:
    """Workers for an input of ``total_bytes`` (None: unknown): every core above
    :data:`PARALLEL_MIN_BYTES`, one below it."""
    if total_bytes is None or total_bytes < PARALLEL_MIN_BYTES:
        return 1
    return cpu_count()


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))  # every OS thread, also those started in C
    except OSError:
        return threading.active_count()


def _single_threaded() -> bool:
    # A pool shut down just before leaves its manager thread exiting for a few milliseconds
    # after it was joined: give it that long rather than pay for a fork server.
    deadline = time.monotonic() + _THREAD_EXIT_WAIT
    while _threads() > 1:
        if threading.active_count() > 1 or time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and _single_threaded():
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[tuple[T, R]]:
    """``(item, fn(item))`` for every item, in input order, computed by ``jobs`` processes.

    ``fn``, ``initializer`` and the items must be picklable (module-level functions, plain
    data). Items are handed out in input order (the executor's call queue is first in, first
    out), so each worker also sees its own items in input order. An exception raised by ``fn`` is raised here, at its item's turn; the tasks after it
    are cancelled. With ``jobs`` 1 everything runs in this process, in order (no pool): the
    same tasks and the same merge, which the tests use to compare chunked runs cheaply.
    """
    if jobs <= 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            yield item, fn(item)
        return
    window = jobs * _WINDOW_PER_JOB
    executor = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_context(),
        initializer=initializer,
        initargs=initargs,
    )
    try:
        pending: deque[tuple[T, Future[R]]] = deque()
        source = iter(items)
        for item in source:
            pending.append((item, executor.submit(fn, item)))
            if len(pending) >= window:
                break
        while pending:
            item, future = pending.popleft()
            result = future.result()
            for following in source:
                pending.append((following, executor.submit(fn, following)))
                break
            yield item, result
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
