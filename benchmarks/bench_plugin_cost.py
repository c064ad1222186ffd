"""Benchmark: what installing the kit costs a host repository's pytest run that uses no fixture.

Not a test. In a scratch directory holding one trivial test (a host repository that never uses
the kit), the whole ``python -m pytest`` process is timed ``--runs`` times in each of two ways,
alternating so both see the machine at the same moments:

* with the kit's plugin, as every run gets it once the kit is installed;
* with the kit's plugin left out (``-p no:deribit_contract``), everything else alike;

and the same two again with every other plugin of the environment left out (``-p no:NAME`` for
each other ``pytest11`` entry point: Hypothesis' own plugin imports Hypothesis at the end of every
run, respx's imports httpx), which isolates the kit's plugin on a small, steadier baseline;
and, with ``--without PYTHON`` (the interpreter of a virtual environment where the kit and its
dependencies are not installed), that environment's run too: the plugins of the kit's
dependencies (respx's loads httpx in every run) are then counted as well. The medians and the
median of the paired differences are printed, of wall time and of CPU time (user + system,
which a loaded machine disturbs less). The target: < 50 ms more than without the kit.

Usage: ``python benchmarks/bench_plugin_cost.py [--runs 10] [--without /path/to/python]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import entry_points
from pathlib import Path

_HOST_TEST = "def test_one():\n    assert 1 + 1 == 2\n"


def _timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--without", default=None, metavar="PYTHON", help="a venv without the kit")
    args = parser.parse_args()
    one, five, _ = os.getloadavg()
    print(f"load average {one:.2f} (1 min), {five:.2f} (5 min)")
    with tempfile.TemporaryDirectory(prefix="host-repo-") as tmp:
        host = Path(tmp)
        (host / "test_host.py").write_text(_HOST_TEST, encoding="utf-8")
        base = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
        others = [
            arg
            for entry in entry_points(group="pytest11")
            if entry.name != "deribit_contract"
            for arg in ("-p", f"no:{entry.name}")
        ]
        commands = {
            "kit installed": [sys.executable, *base],
            "kit's plugin left out": [sys.executable, *base, "-p", "no:deribit_contract"],
            "other plugins left out": [sys.executable, *base, *others],
            "other plugins and the kit's left out": [
                sys.executable,
                *base,
                *others,
                "-p",
                "no:deribit_contract",
            ],
        }
        if args.without:
            commands["no kit in the environment"] = [args.without, *base]
        for command in commands.values():
            _timed(command, host)  # warm the page cache and the bytecode caches
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for turn in range(args.runs):
            names = list(commands)
            names = names[turn % len(names) :] + names[: turn % len(names)]  # each first in turn
            for name in names:
                times[name].append(_timed(commands[name], host))
    for name, found in times.items():
        # each run is compared with the one that differs from it by the kit's plugin alone
        kit = times["other plugins left out" if "other" in name else "kit installed"]
        for index, kind in enumerate(("wall", "CPU")):
            own = [pair[index] for pair in found]
            paired = [a[index] - b[index] for a, b in zip(kit, found, strict=True)]
            print(
                f"{name}, {kind} time: median {statistics.median(own) * 1000:.0f} ms over "
                f"{args.runs} runs; the run with the kit's plugin minus this one, median of the "
                f"pairs: {statistics.median(paired) * 1000:+.0f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
