"""Deribit's real testnet: opt-in only, never part of a default or CI run.

Set ``DERIBIT_CONTRACT_LIVE=1`` together with ``DERIBIT_CLIENT_ID`` and ``DERIBIT_CLIENT_SECRET``
(testnet API keys with ``trade:read_write``) to run these. They place a handful of small orders
on test.deribit.com and clean up after themselves.
"""

from __future__ import annotations

import os

import pytest

from deribit_contract.cli import main
from deribit_contract.transports.client import HttpJsonRpcClient

TESTNET = "https://test.deribit.com"
_MISSING = [
    name
    for name in ("DERIBIT_CONTRACT_LIVE", "DERIBIT_CLIENT_ID", "DERIBIT_CLIENT_SECRET")
    if not os.environ.get(name)
]
pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        bool(_MISSING),
        reason=f"live testnet tests are opt-in: set {', '.join(_MISSING)} to run them",
    ),
]


def test_testnet_answers_a_public_call_in_the_documented_envelope() -> None:
    with HttpJsonRpcClient(TESTNET, timeout=15.0) as client:
        envelope = client.call("public/get_instrument", {"instrument_name": "BTC-PERPETUAL"})
    assert envelope.get("jsonrpc") == "2.0"
    assert envelope["result"]["instrument_name"] == "BTC-PERPETUAL"
    assert envelope.get("testnet") is True, "this must be the testnet, not production"


@pytest.mark.places_orders
def test_the_contract_holds_on_testnet(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "run", "--target", TESTNET, "--instrument", "BTC-PERPETUAL",
            "--max-examples", "3", "--steps", "3", "--order-budget", "40",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out[-4000:]
    assert os.environ["DERIBIT_CLIENT_SECRET"] not in out
