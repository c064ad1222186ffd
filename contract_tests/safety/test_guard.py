from __future__ import annotations

import re

import pytest

from deribit_contract.errors import TargetRefused
from deribit_contract.guard import PRODUCTION_CONFIRM_ENV, check_target, is_loopback_host


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.5.6.7",
        "ws://localhost:9000/ws/api/v2",
        "http://[::1]:80",
    ],
)
def test_loopback_is_allowed_without_asking(url: str) -> None:
    decision = check_target(url, environ={})
    assert decision.kind == "loopback"
    assert not decision.is_remote


def test_testnet_is_allowed_without_asking() -> None:
    decision = check_target("https://test.deribit.com", environ={})
    assert decision.kind == "testnet"
    assert decision.is_remote


@pytest.mark.parametrize(
    "host", ["www.deribit.com", "deribit.com", "asia.deribit.com", "WWW.Deribit.com"]
)
def test_production_is_refused_without_both_confirmations(host: str) -> None:
    with pytest.raises(TargetRefused, match="real money") as info:
        check_target(f"https://{host}", environ={})
    assert "--allow-host" in str(info.value)
    assert PRODUCTION_CONFIRM_ENV in str(info.value)
    with pytest.raises(TargetRefused, match=PRODUCTION_CONFIRM_ENV):
        check_target(f"https://{host}", allow_hosts=[host], environ={})
    with pytest.raises(TargetRefused):
        check_target(f"https://{host}", allow_hosts=[host], environ={PRODUCTION_CONFIRM_ENV: "yes"})


def test_production_with_both_confirmations_is_allowed() -> None:
    decision = check_target(
        "https://www.deribit.com",
        allow_hosts=["www.deribit.com"],
        environ={PRODUCTION_CONFIRM_ENV: "www.deribit.com"},
    )
    assert decision.kind == "production"


def test_unknown_host_needs_allow_host() -> None:
    with pytest.raises(TargetRefused, match=re.escape("--allow-host staging.example")):
        check_target("https://staging.example", environ={})
    assert (
        check_target("https://staging.example", allow_hosts=["staging.example"], environ={}).kind
        == "allowed"
    )


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1", "127.0.0.1:8080", "file:///etc/passwd", "http://"]
)
def test_malformed_targets_are_refused_with_a_reason(url: str) -> None:
    with pytest.raises(TargetRefused, match="target"):
        check_target(url, environ={})


def test_loopback_detection_is_not_fooled_by_lookalikes() -> None:
    assert not is_loopback_host("127.0.0.1.evil.example")
    assert not is_loopback_host("localhost.example")
    assert is_loopback_host("127.0.0.1")


def test_the_guard_and_the_server_share_one_loopback_check() -> None:
    from deribit_contract.transports import server

    assert server.is_loopback is is_loopback_host
    assert is_loopback_host("LOCALHOST.")
    # only "localhost" is reserved for loopback (RFC 6761); this name can resolve elsewhere
    assert not is_loopback_host("localhost.localdomain")
    with pytest.raises(TargetRefused):
        check_target("http://localhost.localdomain:8080", environ={})
