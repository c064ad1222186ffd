"""The pytest stash keys the plugin's hooks and its fixtures share, and the run's observations."""

from __future__ import annotations

import pytest

from deribit_contract.contract.target import TargetSpec
from deribit_contract.redaction import Redactor
from deribit_contract.reporting.observations import RunObservations

__all__ = [
    "MOCK_URL_KEY",
    "OBSERVATIONS_KEY",
    "PROBLEMS_KEY",
    "REDACTOR_KEY",
    "SPEC_KEY",
    "observations_of",
]

OBSERVATIONS_KEY = pytest.StashKey[RunObservations]()
PROBLEMS_KEY = pytest.StashKey[list[str]]()
SPEC_KEY = pytest.StashKey[TargetSpec]()
#: the run's redaction: set by `deribit-contract run` before configuration, else made here
REDACTOR_KEY = pytest.StashKey[Redactor]()
#: the base URL of the respx mock a test is using (the contract assertion's curl line)
MOCK_URL_KEY = pytest.StashKey[str]()


def observations_of(config: pytest.Config) -> RunObservations:
    """The run's observations (merged from every xdist worker on the controller)."""
    return config.stash.setdefault(OBSERVATIONS_KEY, RunObservations())
