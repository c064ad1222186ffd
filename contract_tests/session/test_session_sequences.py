"""A sequence on a target whose other protocol cannot be reached still judges every other rule,
and says why the notifications were not compared; the guard's refusals are never softened."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from deribit_contract.contract.run import ContractRun
from deribit_contract.contract.sequences import SequenceRun
from deribit_contract.contract.target import OpenTarget, TargetSpec
from deribit_contract.errors import TargetRefused


@pytest.fixture
def run() -> Iterator[ContractRun]:
    started = ContractRun(TargetSpec(kind="local")).start()
    try:
        yield started
    finally:
        started.finish()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_websocket_means_no_notification_verdict_and_a_noted_reason(
    run: ContractRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"ws://127.0.0.1:{_closed_port()}/ws/api/v2"
    monkeypatch.setattr(OpenTarget, "other_url", property(lambda self: dead))
    seq = SequenceRun(run, "BTC-PERPETUAL", test="t")
    assert seq.listen() is False
    assert seq.listener is None
    assert any("notifications: not compared" in d for d in run.observations.differences)
    # the second connection falls back to the target's own protocol
    side = seq._side_session()
    assert side.read("public/get_time", {}).get("result")
    seq.close()


def test_a_guard_refusal_is_never_softened(
    run: ContractRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise TargetRefused("redirected to a host the guard never judged")

    monkeypatch.setattr(
        "deribit_contract.contract.sequences.NotificationListener.authenticate", refuse
    )
    seq = SequenceRun(run, "BTC-PERPETUAL", test="t")
    with pytest.raises(TargetRefused):
        seq.listen()
