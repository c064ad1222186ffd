"""`deribit-contract run`: the contract suite against one target, with a verdict and a summary.

Without ``--target`` the simulated exchange is started on a free loopback port (the README's
main command); ``--target URL`` passes the production guard before anything is sent. The suite
runs in-process (``pytest --pyargs deribit_contract.suite`` with the kit's plugin); everything
pytest prints goes through the run's redactor, and JUnit XML and reports are redacted again
after writing, so a secret from the environment never reaches a file or a terminal.

Exit codes: 0 the contract holds; 1 it is violated (the summary names the rules); 2 usage error,
refused or unreachable target, or a run that could not make progress (throttled for too long,
order budget spent), with the reason.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import pytest

import deribit_contract.suite
from deribit_contract._fileio import atomic_write_text
from deribit_contract.contract.run import preflight_account
from deribit_contract.contract.summary import render_summary
from deribit_contract.contract.target import TargetSpec, parse_target, preflight
from deribit_contract.errors import ContractKitError, ExitCode, TargetError
from deribit_contract.redaction import Redactor, redacting_logs
from deribit_contract.reporting.observations import RunObservations

__all__ = ["build_pytest_args", "register"]

DEFAULT_MAX_EXAMPLES = 25
DEFAULT_STEPS = 10
SUITE_DIR = Path(deribit_contract.suite.__file__).parent


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the close_position contract suite against a target (default: local simulator)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument(
        "--target",
        default=None,
        metavar="URL",
        help="http(s):// or ws(s):// Deribit API root (default: start the local "
        "simulated exchange on a free loopback port); 'mock' uses respx",
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        metavar="N",
        help=f"Hypothesis examples per test (default {DEFAULT_MAX_EXAMPLES})",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_STEPS,
        metavar="N",
        help=f"steps per stateful example (default {DEFAULT_STEPS})",
    )
    parser.add_argument(
        "--instrument",
        action="append",
        default=[],
        metavar="NAME",
        help="instrument to trade (repeatable)",
    )
    parser.add_argument(
        "--mode",
        choices=("observed", "documented"),
        default="observed",
        help="schema mode (documented reports the errata as differences)",
    )
    parser.add_argument(
        "--junitxml",
        type=Path,
        default=None,
        metavar="PATH",
        help="write JUnit XML (secrets redacted)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="PATH",
        help="write the run's observations to PATH.json and its coverage report to "
        "PATH.coverage.json and PATH.coverage.html (any other suffix of PATH is replaced)",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="allow this non-testnet host (production also needs "
        "DERIBIT_CONTRACT_CONFIRM_PRODUCTION=<host>)",
    )
    parser.add_argument(
        "--order-budget",
        type=int,
        default=None,
        metavar="N",
        help="most orders the run may place (default: unlimited locally, 60 live)",
    )
    parser.add_argument(
        "--fault", default=None, metavar="NAME", help="run the local simulator with this fault mode"
    )
    parser.add_argument(
        "--market",
        choices=("static", "live"),
        default="static",
        help="the local/mock simulator's market: static (default) or live (moving mark, band "
        "clamping, thin book, other traders, Deribit's rate limit, 10040/13028 refusals)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="Hypothesis seed (default 0: the same examples every run)",
    )
    parser.add_argument(
        "--quick-fail",
        action="store_true",
        help="stop at the first failing test and skip shrinking (fast verdicts)",
    )
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER,
                        help="after --: extra pytest arguments (e.g. -- -n auto -k stateful)")  # fmt: skip
    parser.set_defaults(handler=_handle)


def build_pytest_args(args: argparse.Namespace) -> list[str]:
    """The pytest command line for ``args`` (the suite, the plugin's options, the user's extras)."""
    target = args.target or "local"
    # The suite by its directory, under its own settings: whatever pytest.ini / pyproject.toml
    # the caller's directory holds (a `python_files = check_*.py` there would collect nothing)
    # and whatever conftest.py sits there (pytest loads the working directory's conftest when
    # no argument is a path, as with --pyargs).
    argv = [str(SUITE_DIR), "-c", str(SUITE_DIR / "pytest.ini"), "--rootdir", str(SUITE_DIR)]
    argv += ["--confcutdir", str(SUITE_DIR), "-p", "no:cacheprovider", "-q", "-rfE"]
    # the runner imported the kit (and Hypothesis) before pytest could rewrite them: harmless
    argv += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if not _plugin_installed():
        argv += ["-p", "deribit_contract.plugin"]
    argv += ["--deribit-target", target, "--deribit-mode", args.mode]
    argv += ["--deribit-max-examples", str(args.max_examples), "--deribit-steps", str(args.steps)]
    argv += [f"--hypothesis-seed={args.seed}"]
    for name in args.instrument:
        argv += ["--deribit-instrument", name]
    for host in args.allow_host:
        argv += ["--deribit-allow-host", host]
    if args.order_budget is not None:
        argv += ["--deribit-order-budget", str(args.order_budget)]
    if args.fault:
        argv += ["--deribit-fault", args.fault]
    if args.market != "static":
        argv += ["--deribit-market", args.market]
    if args.report is not None:
        argv += ["--deribit-report", str(args.report)]
    if args.junitxml is not None:
        argv += [f"--junitxml={args.junitxml}"]
    if args.quick_fail:
        argv += ["-x", "--deribit-no-shrink"]
    extra = list(args.pytest_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    return argv + extra


def _plugin_installed() -> bool:
    return any(
        ep.value == "deribit_contract.plugin" for ep in metadata.entry_points(group="pytest11")
    )


class _RedactingStream:
    """A text stream that masks the run's secrets in everything pytest prints."""

    def __init__(self, inner: TextIO, redactor: Redactor) -> None:
        self._inner = inner
        self._redactor = redactor

    def write(self, text: str) -> int:
        self._inner.write(self._redactor.text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Collector:
    """Hands the run's redaction to the plugin; receives the run's observations and problems
    when the pytest session ends."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.observations: RunObservations | None = None
        self.problems: list[str] = []

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        from deribit_contract.plugin import REDACTOR_KEY

        # one Redactor for the whole run: tokens the suite's clients learn are then masked
        # in this process's output, the JUnit file, run.json and the coverage reports alike
        config.stash[REDACTOR_KEY] = self.redactor

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from deribit_contract.plugin import PROBLEMS_KEY, observations_of

        self.observations = observations_of(session.config)
        problems: list[str] = session.config.stash.get(PROBLEMS_KEY, [])
        self.problems = list(problems)


def _handle(args: argparse.Namespace) -> int:
    target = args.target or "local"
    if args.report is not None and args.report.suffix != ".json":
        # `--report reports/run.html` must not put JSON in a file named .html
        args.report = args.report.with_suffix(".json")
    if args.max_examples < 1 or args.steps < 1:
        print("deribit-contract run: --max-examples and --steps must be >= 1", file=sys.stderr)
        return ExitCode.USAGE
    # the guard judges the target before pytest (and any request) starts; refusal -> exit 2
    spec = parse_target(
        target,
        fault=args.fault,
        allow_hosts=args.allow_host,
        instruments=args.instrument,
        order_budget=args.order_budget,
        market=args.market,
    )
    redactor = Redactor([spec.client_secret, os.environ.get("DERIBIT_CLIENT_SECRET")])
    if spec.client_id and spec.client_secret:
        redactor.add_basic_credentials(spec.client_id, spec.client_secret)
    if args.target:
        redactor.add_url_credentials(args.target)
    try:
        with redacting_logs(redactor):
            return _run(args, spec, redactor)
    except ContractKitError as exc:  # printed by the CLI: masked like everything else
        raise TargetError(redactor.text(str(exc))) from None


def _run(args: argparse.Namespace, spec: TargetSpec, redactor: Redactor) -> int:
    # an unreachable or non-Deribit URL is one clear error (exit 2), not a failure per test
    preflight(spec)
    # so is an account that holds positions or open orders on the traded instruments
    preflight_account(spec, redactor)
    collector = _Collector(redactor)
    out, err = sys.stdout, sys.stderr
    sys.stdout = _RedactingStream(out, redactor)
    sys.stderr = _RedactingStream(err, redactor)
    try:
        code = int(pytest.main(build_pytest_args(args), plugins=[collector]))
    finally:
        sys.stdout, sys.stderr = out, err
    for path in (args.junitxml, args.report):
        _redact_file(path, redactor)
    observations = collector.observations or RunObservations(target=spec.label, mode=args.mode)
    if args.report is not None and collector.observations is not None:
        _write_coverage(observations, args.report, redactor)
    verdict = _verdict(code, observations, collector.problems)
    # the summary quotes target answers (an auth error may echo the secret): masked too
    print(
        redactor.text(render_summary(observations, problems=collector.problems, exit_code=verdict))
    )
    return verdict


def _verdict(pytest_code: int, observations: RunObservations, problems: list[str]) -> int:
    if observations.failures:
        return ExitCode.VIOLATED  # a broken rule is a verdict even if the run was cut short
    # failing tests that recorded no broken rule errored (target or suite trouble): no verdict
    return ExitCode.OK if pytest_code == 0 and not problems else ExitCode.USAGE


def _redact_file(path: Path | None, redactor: Redactor) -> None:
    if path is None or not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    masked = redactor.text(text)
    if masked != text:
        atomic_write_text(path, masked)


def _write_coverage(observations: RunObservations, report: Path, redactor: Redactor) -> None:
    try:
        from deribit_contract.contract.checks import CONTRACT_RULES
        from deribit_contract.reporting.coverage import write_run_report
    except ImportError:  # the reporting stage is optional for a run
        return
    target = report.with_name(report.stem + ".coverage.json")
    for path in write_run_report(observations, target, rule_descriptions=CONTRACT_RULES):
        _redact_file(path, redactor)
