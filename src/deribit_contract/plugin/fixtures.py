"""The plugin's fixtures: the selected target, a respx mock, and the close contract assertion.

Registered by :mod:`deribit_contract.plugin`, which imports them; see its docstring for how
users select the target. Every pytest run of a host repository imports this module: the contract
run, the transports and respx are imported by the fixture that first needs them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from deribit_contract.errors import InvalidArgument, TargetError
from deribit_contract.plugin._keys import (
    MOCK_URL_KEY,
    PROBLEMS_KEY,
    REDACTOR_KEY,
    SPEC_KEY,
    observations_of,
    spec_of,
)

if TYPE_CHECKING:
    from deribit_contract.contract.run import ContractRun
    from deribit_contract.contract.session import ExchangeSession
    from deribit_contract.invariants import CloseCall, SequenceRecorder
    from deribit_contract.transports.client import JsonRpcClient
    from deribit_contract.transports.respx_mock import DeribitMock

__all__ = [
    "CloseContractAssertion",
    "assert_close_position_contract",
    "deribit_client",
    "deribit_mock",
    "deribit_run",
    "deribit_session",
    "reduce_only_sequence",
]


@pytest.fixture(scope="session")
def deribit_run(request: pytest.FixtureRequest) -> Iterator[ContractRun]:
    """The contract run against the selected target (started once per session / worker)."""
    from deribit_contract.contract.run import ContractRun

    config = request.config
    seed = config.getoption("hypothesis_seed", None)
    run = ContractRun(
        spec_of(config),
        mode=config.getoption("deribit_mode"),
        seed="" if seed is None else str(seed),
        observations=observations_of(config),
        redactor=config.stash.get(REDACTOR_KEY, None),
    )
    try:
        run.start()
    except TargetError as exc:
        config.stash.setdefault(PROBLEMS_KEY, []).append(f"target unusable: {exc}")
        pytest.exit(f"deribit-contract: the target is unusable: {exc}", returncode=2)
    try:
        yield run
    finally:
        run.finish()
        report = run.cleanup_report
        if report is not None and report.problems:
            config.stash.setdefault(PROBLEMS_KEY, []).extend(
                f"cleanup: {problem}" for problem in report.problems
            )


@pytest.fixture(scope="session")
def deribit_session(deribit_run: ContractRun) -> ExchangeSession:
    """The run's :class:`ExchangeSession` (budget, back-off, no blind retries)."""
    assert deribit_run.session is not None
    return deribit_run.session


@pytest.fixture
def deribit_client(deribit_run: ContractRun) -> JsonRpcClient:
    """A raw JSON-RPC client of the selected target, authenticated when credentials exist."""
    assert deribit_run.target is not None
    client = deribit_run.target.client()
    credentials = deribit_run.target.credentials
    if credentials is not None:
        client.authenticate(*credentials)
    return client


@pytest.fixture
def deribit_mock(request: pytest.FixtureRequest) -> Iterator[DeribitMock]:
    """httpx talks to a fresh simulated Deribit (respx) for this test; see the marker."""
    from deribit_contract.transports.respx_mock import deribit_mock as make_mock

    marker = request.node.get_closest_marker("deribit_mock")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    positions: Mapping[str, float] = options.pop("positions", None) or {}
    with make_mock(**options) as mock:
        for name, size in positions.items():
            mock.set_position(name, size)
        # the contract assertion's curl line then names the host this test really talks to
        request.config.stash[MOCK_URL_KEY] = mock.base_url
        try:
            yield mock
        finally:
            del request.config.stash[MOCK_URL_KEY]


def _target_url(config: pytest.Config) -> str:
    """Where the calls being judged went: the active mock, the URL target, or a placeholder."""
    mock_url = config.stash.get(MOCK_URL_KEY, None)
    if mock_url is not None:
        return mock_url
    spec = config.stash.get(SPEC_KEY, None)
    if spec is not None and spec.url:
        return spec.url.rstrip("/")
    return "$DERIBIT_BASE_URL"


class CloseContractAssertion:
    """The ``assert_close_position_contract`` fixture: call it with one :class:`CloseCall`
    (``outcome.call``) or with the same fields as keyword arguments.

    Raises :class:`~deribit_contract.errors.ContractViolation` naming every broken rule (schema
    in the selected mode, every invariant), with a curl line to the target the test talked to;
    verdicts are recorded in the run's observations.
    """

    def __init__(self, config: pytest.Config) -> None:
        from deribit_contract.contract.checks import ContractJudge

        self._config = config
        self._judge = ContractJudge(
            observations_of(config),
            mode=config.getoption("deribit_mode"),
            redactor=config.stash.get(REDACTOR_KEY, None),
            seed=str(config.getoption("hypothesis_seed", None) or ""),
        )

    def __call__(
        self,
        call: CloseCall | None = None,
        /,
        *,
        request: Mapping[str, Any] | None = None,
        response: Any = None,
        position_before: Mapping[str, Any] | None = None,
        position_after: Mapping[str, Any] | None = None,
        tick_size: float | None = None,
    ) -> None:
        __tracebackhide__ = True
        from deribit_contract.invariants import CloseCall

        given = (request, response, position_before, position_after, tick_size)
        if call is None:
            call = CloseCall(request, position_before, response, position_after, tick_size)
        elif any(value is not None for value in given):
            raise InvalidArgument(
                "assert_close_position_contract takes a CloseCall or keyword arguments, not both"
            )
        self._judge.base_url = _target_url(self._config)
        self._judge.check_close(
            call.request,
            call.response,
            call.position_before,
            call.position_after,
            tick_size=call.tick_size,
            test="assert_close_position_contract",
        )


@pytest.fixture(scope="session")  # session scope: usable inside @given tests
def assert_close_position_contract(request: pytest.FixtureRequest) -> CloseContractAssertion:
    """See :class:`CloseContractAssertion`."""
    return CloseContractAssertion(request.config)


@pytest.fixture
def reduce_only_sequence() -> Iterator[SequenceRecorder]:
    """A recorder for a sequence of your own calls on one instrument (edits, closes, cancels,
    two closes at once), judged by the kit's reduce-only rules over time.

    Record each step with the position read before and after it and the open orders listed
    after it (``recorder.step(...)``); call ``recorder.assert_holds()`` to judge, or let the
    fixture judge what was recorded at teardown (a breach then errors the test).
    """
    from deribit_contract.invariants import SequenceRecorder

    recorder = SequenceRecorder()
    yield recorder
    if recorder.steps and not recorder.judged:
        recorder.assert_holds()
