"""The pytest stash keys the plugin's hooks and its fixtures share; the run's target and profiles.

Installing the kit loads the plugin in every pytest run of the host repository, most of which
never use a fixture: nothing here imports the contract run, the transports or the reporting
package until a hook of a run that asked for the kit, or a fixture, needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import deribit_contract.suite

if TYPE_CHECKING:
    from deribit_contract.contract.target import TargetSpec
    from deribit_contract.redaction import Redactor
    from deribit_contract.reporting.observations import RunObservations

__all__ = [
    "MOCK_URL_KEY",
    "OBSERVATIONS_KEY",
    "OPTION_DEFAULTS",
    "PROBLEMS_KEY",
    "REDACTOR_KEY",
    "SPEC_KEY",
    "SUITE_DIR",
    "asked_for_the_kit",
    "configure_target",
    "observations_of",
    "register_profiles",
    "spec_of",
]

OBSERVATIONS_KEY: pytest.StashKey[RunObservations] = pytest.StashKey()
PROBLEMS_KEY = pytest.StashKey[list[str]]()
SPEC_KEY: pytest.StashKey[TargetSpec] = pytest.StashKey()
#: the run's redaction: set by `deribit-contract run` before configuration, else made here
REDACTOR_KEY: pytest.StashKey[Redactor] = pytest.StashKey()
#: the base URL of the respx mock a test is using (the contract assertion's curl line)
MOCK_URL_KEY = pytest.StashKey[str]()


SUITE_DIR = Path(deribit_contract.suite.__file__).parent
#: each option of the kit with its default (filled by the plugin's pytest_addoption)
OPTION_DEFAULTS: dict[str, Any] = {}


def asked_for_the_kit(config: pytest.Config) -> bool:
    """True when the run asked for the kit: ``deribit-contract run``, an option of the kit, or
    the shipped suite on the command line. Any other run gets its target judged when a fixture
    first needs it (:func:`spec_of`), and pays nothing for the kit until then."""
    if REDACTOR_KEY in config.stash:  # set by `deribit-contract run` before configuration
        return True
    if any(config.getoption(dest) != default for dest, default in OPTION_DEFAULTS.items()):
        return True
    return any(_names_the_suite(arg) for arg in config.args)


def _names_the_suite(arg: str) -> bool:
    target = arg.split("::")[0]
    if target.startswith("deribit_contract.suite"):  # --pyargs
        return True
    try:
        path = Path(target).resolve()
    except OSError:
        return False
    return path == SUITE_DIR or SUITE_DIR in path.parents


def register_profiles() -> None:
    """dev, ci and live, unless the project already registered its own under those names."""
    from hypothesis import HealthCheck, settings
    from hypothesis.errors import InvalidArgument as HypothesisInvalidArgument

    wanted: dict[str, dict[str, Any]] = {
        "dev": {"max_examples": 30, "deadline": None},
        "ci": {"max_examples": 60, "deadline": None, "derandomize": True, "database": None},
        "live": {
            "max_examples": 5,
            "deadline": None,
            "database": None,
            "suppress_health_check": [HealthCheck.too_slow],
        },
    }
    for name, options in wanted.items():
        try:
            settings.get_profile(name)
        except HypothesisInvalidArgument:
            settings.register_profile(name, **options)


def observations_of(config: pytest.Config) -> RunObservations:
    """The run's observations (merged from every xdist worker on the controller)."""
    observations = config.stash.get(OBSERVATIONS_KEY, None)
    if observations is None:
        from deribit_contract.reporting.observations import RunObservations

        observations = config.stash[OBSERVATIONS_KEY] = RunObservations()
    return observations


def configure_target(config: pytest.Config) -> TargetSpec:
    """Judge the selected target (the guard), refuse what cannot run, and stash it.

    A URL target is judged in ``pytest_configure``, before a single request; a run that named
    no target and no other option of the kit does this when a fixture first needs the target,
    which is then ``local``: the guard has nothing to refuse there.
    """
    from deribit_contract.contract.target import parse_target, preflight
    from deribit_contract.errors import ContractKitError, TargetError
    from deribit_contract.redaction import Redactor

    try:
        spec = parse_target(
            config.getoption("deribit_target"),
            fault=config.getoption("deribit_fault"),
            allow_hosts=config.getoption("deribit_allow_host"),
            instruments=config.getoption("deribit_instrument"),
            order_budget=config.getoption("deribit_order_budget"),
            market=config.getoption("deribit_market"),
        )
    except ContractKitError as exc:  # the guard refused before any request: a usage error
        raise pytest.UsageError(f"deribit-contract: {exc}") from None
    if spec.is_live and _xdist_workers(config):
        raise pytest.UsageError(
            "deribit-contract: refusing -n/--numprocesses against a live target: workers would "
            "each spend their own order budget and rate limit; run it without -n (the mock and "
            "local targets run fine under xdist)"
        )
    if not hasattr(config, "workerinput"):  # the controller checks once for all workers
        try:
            preflight(spec)
        except TargetError as exc:  # one clear error instead of a failure in every test
            raise pytest.UsageError(f"deribit-contract: {exc}") from None
    config.stash[SPEC_KEY] = spec
    redactor = config.stash.get(REDACTOR_KEY, None)
    if redactor is None:
        redactor = config.stash[REDACTOR_KEY] = Redactor()
    redactor.add(spec.client_secret)
    if spec.client_id and spec.client_secret:
        redactor.add_basic_credentials(spec.client_id, spec.client_secret)
    return spec


def spec_of(config: pytest.Config) -> TargetSpec:
    """The run's target, judged now if no hook needed it yet (:func:`configure_target`)."""
    spec = config.stash.get(SPEC_KEY, None)
    return configure_target(config) if spec is None else spec


def _xdist_workers(config: pytest.Config) -> bool:
    if hasattr(config, "workerinput"):
        return True
    numprocesses = getattr(config.option, "numprocesses", None)
    return bool(numprocesses) and numprocesses != "0"
