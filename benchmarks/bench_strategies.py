"""Examples per second of the kit's strategies next to a hypothesis-jsonschema baseline.

Run: ``python3 benchmarks/bench_strategies.py [--examples N] [--baseline-examples N]``.

Measures, inside a ``@given`` test, the response strategy (observed schema), and the
coherent-outcome strategy, and the share of drawn values valid against the schema (checked after
the timed run). hypothesis-jsonschema fails with current Hypothesis, so the baseline runs in a
throwaway venv under /tmp with ``hypothesis<6.100`` (6.99.x works), in a subprocess, on the same
schema file, in the same run. Not a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
import venv
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy
from jsonschema import Draft202012Validator

from deribit_contract.invariants import check_all
from deribit_contract.schema.store import schema_path
from deribit_contract.strategies import close_outcomes, responses

BASELINE_VENV = Path("/tmp/deribit-contract-bench-hjs")
BASELINE_REQUIREMENTS = ["hypothesis-jsonschema==0.23.1", "hypothesis<6.100"]

# The same harness runs in both interpreters: a @given test that collects the drawn values.
HARNESS = textwrap.dedent(
    """
    import json, sys, time
    from hypothesis import HealthCheck, given, settings
    from jsonschema import Draft202012Validator

    def measure(strategy, examples):
        drawn = []

        @settings(max_examples=examples, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def collect(value):
            drawn.append(value)

        started = time.perf_counter()
        collect()
        return drawn, time.perf_counter() - started
    """
)
exec(HARNESS)  # defines measure() here exactly as in the baseline subprocess

BASELINE = HARNESS + textwrap.dedent(
    """
    from hypothesis_jsonschema import from_schema
    schema = json.load(open(sys.argv[1]))
    drawn, seconds = measure(from_schema(schema), int(sys.argv[2]))
    validator = Draft202012Validator(schema)
    valid = sum(validator.is_valid(value) for value in drawn)
    print(json.dumps({"examples": len(drawn), "seconds": seconds, "valid": valid}))
    """
)


def _ensure_baseline_venv() -> Path:
    python = BASELINE_VENV / "bin" / "python"
    if not python.exists():
        print(
            f"creating {BASELINE_VENV} with {' '.join(BASELINE_REQUIREMENTS)} ...", file=sys.stderr
        )
        venv.create(BASELINE_VENV, with_pip=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *BASELINE_REQUIREMENTS], check=True
        )
    return python


def _baseline(schema_file: Path, examples: int) -> dict[str, Any]:
    python = _ensure_baseline_venv()
    version = subprocess.run([str(python), "-c", "import hypothesis; print(hypothesis.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    done = subprocess.run([str(python), "-c", BASELINE, str(schema_file), str(examples)],
                          capture_output=True, text=True, timeout=1800)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"baseline failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["hypothesis"] = version
    return result


def _line(name: str, examples: int, seconds: float, valid: int) -> float:
    rate = examples / seconds
    print(
        f"{name:<48} {rate:9.1f} examples/s   {100 * valid / max(examples, 1):6.1f}% valid   ({examples} in {seconds:.2f}s)"
    )
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--baseline-examples", type=int, default=100)
    args = parser.parse_args()
    import hypothesis

    schema_file = schema_path("response", "observed")
    validator = Draft202012Validator(json.loads(schema_file.read_text(encoding="utf-8")))
    print(f"schema: {schema_file}   kit Hypothesis {hypothesis.__version__}")

    strategy: SearchStrategy[Any] = responses(mode="observed")
    drawn, seconds = measure(strategy, args.examples)  # type: ignore[name-defined]  # noqa: F821
    ours = _line(
        "kit responses(mode='observed')",
        len(drawn),
        seconds,
        sum(validator.is_valid(v) for v in drawn),
    )

    outcomes, seconds = measure(close_outcomes(include_flat=True), args.examples)  # type: ignore[name-defined]  # noqa: F821
    coherent = sum(validator.is_valid(o.response) and not check_all(o.call) for o in outcomes)
    _line("kit close_outcomes() (schema-valid + coherent)", len(outcomes), seconds, coherent)

    base = _baseline(schema_file, args.baseline_examples)
    theirs = _line(
        f"hypothesis-jsonschema (Hypothesis {base['hypothesis']})",
        base["examples"],
        base["seconds"],
        base["valid"],
    )
    print(f"ratio responses / baseline: {ours / theirs:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


_ = (HealthCheck, given, settings, time)  # used by the exec'd harness
