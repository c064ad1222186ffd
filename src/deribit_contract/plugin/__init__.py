"""The kit's pytest plugin (entry point ``pytest11``): options, markers, profiles, fixtures.

Installing the package is enough for any repository to get it::

    pytest --pyargs deribit_contract.suite                      # the contract suite, local server
    pytest --pyargs deribit_contract.suite --deribit-target https://test.deribit.com

and, in the user's own tests, the fixtures ``deribit_mock`` (respx, a fresh simulated exchange
per test; configure it with ``@pytest.mark.deribit_mock(fault=..., positions={...})``),
``deribit_run`` / ``deribit_session`` / ``deribit_client`` (the selected target) and
``assert_close_position_contract`` (in :mod:`.fixtures`, registered by being imported here).
Wiring only: the policies live in :mod:`deribit_contract.contract`. URL targets pass the guard in
``pytest_configure``, before a single request; the run's observations live in ``config.stash``
and cross pytest-xdist workers as JSON through ``workeroutput``. Every pytest run of a repository
where the kit is installed loads this module, so it imports nothing heavy: the contract run, the
transports and Hypothesis load for a run that asked for the kit or when a fixture needs them.
"""

from __future__ import annotations

import fnmatch
import importlib
import inspect
import json
import sys
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from deribit_contract.contract.plan import PHASES
from deribit_contract.errors import TargetError
from deribit_contract.plugin._keys import (
    OBSERVATIONS_KEY,
    OPTION_DEFAULTS,
    PROBLEMS_KEY,
    REDACTOR_KEY,
    SPEC_KEY,
    SUITE_DIR,
    asked_for_the_kit,
    configure_target,
    observations_of,
    register_profiles,
)
from deribit_contract.plugin.fixtures import CloseContractAssertion as CloseContractAssertion
from deribit_contract.plugin.fixtures import (
    assert_close_position_contract as assert_close_position_contract,
)
from deribit_contract.plugin.fixtures import deribit_client as deribit_client
from deribit_contract.plugin.fixtures import deribit_mock as deribit_mock
from deribit_contract.plugin.fixtures import deribit_run as deribit_run
from deribit_contract.plugin.fixtures import deribit_session as deribit_session
from deribit_contract.plugin.fixtures import reduce_only_sequence as reduce_only_sequence

if TYPE_CHECKING:
    from deribit_contract.contract.run import ContractRun
    from deribit_contract.contract.session import ExchangeSession
    from deribit_contract.contract.target import TargetSpec
    from deribit_contract.invariants import CloseCall
    from deribit_contract.transports.client import JsonRpcClient
    from deribit_contract.transports.respx_mock import DeribitMock

__all__ = [
    "OBSERVATIONS_KEY",
    "PROBLEMS_KEY",
    "REDACTOR_KEY",
    "SPEC_KEY",
    "CloseCall",
    "CloseContractAssertion",
    "ContractRun",
    "DeribitMock",
    "ExchangeSession",
    "JsonRpcClient",
    "observations_of",
]

# every pytest run of a host repository loads this module: these are imported on first use
_LAZY = {
    "CloseCall": "deribit_contract.invariants",
    "ContractRun": "deribit_contract.contract.run",
    "DeribitMock": "deribit_contract.transports.respx_mock",
    "ExchangeSession": "deribit_contract.contract.session",
    "JsonRpcClient": "deribit_contract.transports.client",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


_PROFILE_KEY = pytest.StashKey[str]()
_WORKER_OUTPUT = "deribit_contract_observations"
_RUN_PROFILE = "deribit-contract-run"
# a test that ends in one of these did not judge the target: the run cannot make progress
_STOPPING = (TargetError,)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("deribit-contract", "Deribit close_position contract kit")
    group.addoption(
        "--deribit-target",
        default="local",
        metavar="TARGET",
        help="local (start the simulated exchange on 127.0.0.1, default), mock "
        "(respx, no sockets) or a URL: https://test.deribit.com, ws(s)://...",
    )
    group.addoption(
        "--deribit-mode",
        default="observed",
        choices=("observed", "documented"),
        help="schema mode: observed (real traffic, default) or documented (the "
        "vendor's table; errata are reported as differences)",
    )
    group.addoption(
        "--deribit-allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="allow this non-testnet host (repeatable); Deribit production also "
        "needs DERIBIT_CONTRACT_CONFIRM_PRODUCTION=<host>",
    )
    group.addoption(
        "--deribit-order-budget",
        type=int,
        default=None,
        metavar="N",
        help="most orders the run may place (default: unlimited locally, 60 live); "
        "0 skips every test marked places_orders",
    )
    group.addoption(
        "--deribit-instrument",
        action="append",
        default=[],
        metavar="NAME",
        help="instrument to trade (repeatable; default BTC-PERPETUAL, ETH-PERPETUAL, "
        "BTC_USDC-PERPETUAL locally, BTC-PERPETUAL and BTC_USDC-PERPETUAL live)",
    )
    group.addoption(
        "--deribit-fault",
        default=None,
        metavar="NAME",
        help="run the local/mock exchange with this fault mode (proves checks fail)",
    )
    group.addoption(
        "--deribit-market",
        default="static",
        choices=("static", "live"),
        help="the local/mock exchange's market: static (default) or live (moving mark, band "
        "clamping, thin book, other traders, rate limit, 10040/13028 refusals)",
    )
    group.addoption(
        "--deribit-max-examples",
        type=int,
        default=None,
        metavar="N",
        help="Hypothesis max_examples for the suite (default: the active profile)",
    )
    group.addoption(
        "--deribit-steps",
        type=int,
        default=None,
        metavar="N",
        help="steps per stateful example (default 10)",
    )
    group.addoption(
        "--deribit-no-shrink",
        action="store_true",
        default=False,
        help="report the first failing example without shrinking it (fast verdicts)",
    )
    group.addoption("--deribit-report", default=None, metavar="PATH",
                    help="write the run's observations (redacted JSON) to PATH")  # fmt: skip
    OPTION_DEFAULTS.update((option.dest, option.default) for option in group.options)


@pytest.hookimpl(trylast=True)  # after Hypothesis' own plugin has loaded --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "live: talks to the selected target (local server, mock or a remote exchange)"
    )
    config.addinivalue_line(
        "markers",
        "places_orders: places orders on the target; spends the run's order budget and is "
        "skipped when --deribit-order-budget is 0",
    )
    config.addinivalue_line(
        "markers",
        "deribit_phase(name): the phase of a budgeted run the test belongs to (checks, "
        "scenarios, exploration); budgeted runs run the phases in that order",
    )
    config.addinivalue_line(
        "markers",
        "deribit_mock(fault=None, seed=0, positions=None, base_url=...): configure the "
        "deribit_mock fixture for this test",
    )
    config.stash[PROBLEMS_KEY] = []
    if not asked_for_the_kit(config):
        if "hypothesis" in sys.modules:  # already paid for by the project's own conftest
            register_profiles()
        return
    register_profiles()
    _load_run_profile(config, configure_target(config))


def _load_run_profile(config: pytest.Config, spec: TargetSpec) -> None:
    from hypothesis import Phase, settings

    max_examples = config.getoption("deribit_max_examples")
    steps = config.getoption("deribit_steps")
    no_shrink = config.getoption("deribit_no_shrink")
    budgeted = spec.order_budget is not None
    if max_examples is None and steps is None and not no_shrink and not budgeted:
        return
    config.stash[_PROFILE_KEY] = str(getattr(settings, "_current_profile", None) or "default")
    base = settings.get_profile("live") if spec.is_live else settings.default
    options: dict[str, Any] = {"deadline": None, "database": None}
    if max_examples is not None:
        options["max_examples"] = max_examples
    if steps is not None:
        options["stateful_step_count"] = steps
    # Hypothesis loads its derandomized `ci` profile wherever CI is set, and a derandomized run
    # ignores --hypothesis-seed: the same `run --seed 0` would draw other examples in CI
    if config.getoption("hypothesis_seed", None) is not None:
        options["derandomize"] = False
    # the explain phase re-runs failing examples many times against the target: too costly here;
    # a budgeted run never replays (reuse) or shrinks either: each would place orders again
    if budgeted:
        options["phases"] = (Phase.explicit, Phase.generate)
    else:
        options["phases"] = (Phase.explicit, Phase.reuse, Phase.generate) + (
            () if no_shrink else (Phase.shrink,)
        )
    settings.register_profile(_RUN_PROFILE, base, **options)
    settings.load_profile(_RUN_PROFILE)


def pytest_collection_finish(session: pytest.Session) -> None:
    # conftest files imported during collection may have loaded their own profile since
    # pytest_configure; the run's explicit choices (--deribit-max-examples ...) win
    if session.config.stash.get(_PROFILE_KEY, None) is not None:
        from hypothesis import settings

        settings.load_profile(_RUN_PROFILE)


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(_PROFILE_KEY, None)
    if previous is not None:  # in-process runs (the runner, pytester) must not leak settings
        from hypothesis import settings
        from hypothesis.errors import InvalidArgument as HypothesisInvalidArgument

        try:
            settings.load_profile(previous)
        except HypothesisInvalidArgument:
            settings.load_profile("default")


def pytest_report_header(config: pytest.Config) -> list[str]:
    spec = config.stash.get(SPEC_KEY, None)
    if spec is None:
        return []
    seed = config.getoption("hypothesis_seed", None)
    budget = "unlimited" if spec.order_budget is None else str(spec.order_budget)
    return [
        f"deribit-contract: target {_safe_label(spec)}, mode {config.getoption('deribit_mode')}, "
        f"hypothesis seed {seed if seed is not None else '(random)'}, order budget {budget}, "
        f"instruments {', '.join(spec.instruments)}"
    ]


def _safe_label(spec: TargetSpec) -> str:
    parts = urlsplit(spec.label)
    if parts.username or parts.password:  # never print user:password@ from a URL
        return spec.label.replace(parts.netloc, parts.hostname or "", 1)
    return spec.label


def _phase_index(item: pytest.Item) -> int:
    marker = item.get_closest_marker("deribit_phase")
    if marker is None or not marker.args or marker.args[0] not in PHASES:
        return len(PHASES)  # the user's own tests, after the plan
    return PHASES.index(marker.args[0])


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect the shipped suite's ``test_*.py`` even where the caller's ``python_files`` differ.

    ``pytest --pyargs deribit_contract.suite`` reads the calling repository's configuration; a
    ``python_files = check_*.py`` there would silently collect nothing and "pass".
    """
    if file_path.suffix != ".py" or file_path.parent != SUITE_DIR:
        return None
    if not file_path.name.startswith("test_") or parent.session.isinitpath(file_path):
        return None  # pytest's own collector takes the files named on the command line
    patterns = parent.config.getini("python_files")
    if any(fnmatch.fnmatch(file_path.name, pattern) for pattern in patterns):
        return None  # pytest's own collector takes it
    module: pytest.Module = pytest.Module.from_parent(parent, path=file_path)
    return module


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Refuse to run the shipped suite with some of its tests silently left out.

    The caller's ``python_functions`` (``check_*``...) would drop the suite's ``test_*``
    functions one by one, and the run would "pass" having checked less.
    """
    if not isinstance(collector, pytest.Module) or collector.path.parent != SUITE_DIR:
        return
    if not (name.startswith("test_") and inspect.isfunction(obj)):
        return
    patterns = collector.config.getini("python_functions")
    if any(name.startswith(p) or fnmatch.fnmatch(name, p) for p in patterns):
        return
    # a CollectError is reported as its message alone, without a traceback
    raise pytest.Collector.CollectError(
        f"the contract suite's {name} is not collected under this configuration's "
        f"python_functions ({' '.join(patterns)}): run `deribit-contract run`, which brings "
        "the suite's own settings, or add -o python_functions=test_*"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    spec = config.stash.get(SPEC_KEY, None)
    if spec is not None and spec.order_budget is not None:
        # the budgeted plan: checks, then scenarios, then exploration (stable within a phase)
        items.sort(key=_phase_index)
    if config.getoption("deribit_order_budget") != 0:
        return
    skip = pytest.mark.skip(reason="--deribit-order-budget 0: this test places orders")
    for item in items:
        if item.get_closest_marker("places_orders") is not None:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if call.excinfo is not None and isinstance(call.excinfo.value, _STOPPING):
        problems = item.config.stash.setdefault(PROBLEMS_KEY, [])
        problems.append(f"{item.nodeid}: {call.excinfo.value}")
        item.session.shouldstop = f"the run cannot make progress: {call.excinfo.value}"
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        if OBSERVATIONS_KEY in config.stash:  # a worker that used no fixture observed nothing
            workeroutput[_WORKER_OUTPUT] = json.dumps(observations_of(config).to_json())
        workeroutput[_WORKER_OUTPUT + "_problems"] = json.dumps(config.stash.get(PROBLEMS_KEY, []))
        return
    path = config.getoption("deribit_report")
    if path:
        from deribit_contract._fileio import atomic_write_text
        from deribit_contract.redaction import Redactor

        observations = observations_of(config)
        spec = config.stash.get(SPEC_KEY, None)
        redactor = config.stash.get(REDACTOR_KEY, None) or Redactor()
        redactor.add(spec.client_secret if spec else None)
        text = json.dumps(redactor.json(observations.to_json()), indent=2, sort_keys=True)
        atomic_write_text(Path(path), redactor.text(text) + "\n")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: fold a finished worker's observations into the run's."""
    output = getattr(node, "workeroutput", {}) or {}
    raw = output.get(_WORKER_OUTPUT)
    if raw:
        from deribit_contract.reporting.observations import RunObservations

        observations_of(node.config).merge(RunObservations.from_json(json.loads(raw)))
    problems = output.get(_WORKER_OUTPUT + "_problems")
    if problems:
        node.config.stash.setdefault(PROBLEMS_KEY, []).extend(json.loads(problems))
