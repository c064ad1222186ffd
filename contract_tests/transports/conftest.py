"""Fixtures of the transport tests: a stand-in exchange, and one loopback server per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from transports_support import StandInExchange, make_exchange

from deribit_contract.transports.server import LocalExchangeServer


@pytest.fixture
def standin() -> StandInExchange:
    return StandInExchange()


@pytest.fixture(scope="module")
def module_server() -> Iterator[LocalExchangeServer]:
    with LocalExchangeServer(exchange=make_exchange(seed=1)) as server:
        yield server
