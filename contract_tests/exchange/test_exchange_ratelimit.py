"""The credit model: 10028 after the burst, recovery after the refill time on the fake clock."""

from __future__ import annotations

import pytest
from exchange_testkit import Client

from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange import Auth, FakeClock, RateLimitConfig, SimulatedExchange

BTC = "BTC-PERPETUAL"


def cancel_all(client: Client) -> dict[str, object]:
    return client.call("private/cancel_all_by_instrument", instrument_name=BTC)


def test_burst_then_10028_then_recovery_after_refill() -> None:
    clock = FakeClock()
    exchange = SimulatedExchange(clock=clock, rate_limit=RateLimitConfig(burst=5, rate=2.0))
    client = Client(exchange)
    assert all("result" in cancel_all(client) for _ in range(5))
    refused = cancel_all(client)
    assert refused["error"] == {"code": 10028, "message": "too_many_requests"}
    clock.advance(seconds=0.4)  # 0.8 credit: still short
    assert "error" in cancel_all(client)
    clock.advance(seconds=0.5)  # one request's worth after the refill
    assert "result" in cancel_all(client)
    assert "error" in cancel_all(client)
    clock.advance(seconds=10)  # refill caps at the burst
    results = [cancel_all(client) for _ in range(6)]
    assert ["result" in r for r in results] == [True] * 5 + [False]


def test_non_matching_engine_methods_are_not_metered() -> None:
    exchange = SimulatedExchange(rate_limit=RateLimitConfig(burst=1, rate=0.001))
    client = Client(exchange)
    assert "result" in cancel_all(client)  # the one matching-engine credit is spent
    assert cancel_all(client)["error"]["code"] == 10028  # the bucket is empty
    for _ in range(20):
        assert "result" in client.call("private/get_position", instrument_name=BTC)
        assert "result" in client.call("public/ticker", instrument_name=BTC)


def test_close_position_is_metered_and_a_refused_close_changes_nothing() -> None:
    exchange = SimulatedExchange(rate_limit=RateLimitConfig(burst=1, rate=0.001))
    exchange.set_position(BTC, 100)
    client = Client(exchange)
    assert "error" in client.call("private/sell", instrument_name=BTC, amount=10, type="limit",
                                  price=90000.3)  # fmt: skip
    refused = client.call("private/close_position", instrument_name=BTC, type="market")
    assert refused["error"]["code"] == 10028
    assert exchange.get_position(BTC)["size"] == 100.0


def test_buckets_are_per_account() -> None:
    exchange = SimulatedExchange(
        accounts={"a": "sa", "b": "sb"}, rate_limit=RateLimitConfig(burst=1, rate=0.001)
    )
    request = {"id": 1, "method": "private/cancel_all_by_instrument",
               "params": {"instrument_name": BTC}}  # fmt: skip
    a = Auth(kind="basic", client_id="a", client_secret="sa")
    b = Auth(kind="basic", client_id="b", client_secret="sb")
    assert "result" in exchange.handle(request, auth=a)
    assert exchange.handle(request, auth=a)["error"]["code"] == 10028
    assert "result" in exchange.handle(request, auth=b)


@pytest.mark.parametrize(("burst", "rate"), [(0, 1.0), (5, 0.0), (5, -1.0)])
def test_nonsense_configs_are_refused(burst: int, rate: float) -> None:
    with pytest.raises(InvalidArgument):
        RateLimitConfig(burst=burst, rate=rate)
