"""The initial-margin check every order that can add exposure goes through (buy, sell, edit).

Deribit refuses an order whose initial margin the account cannot cover with 10009
``not_enough_funds``. The simulation keeps it simple and conservative: an order is judged as if
it and the account's other open orders on its side filled entirely at the mark; the margin is
that exposure over the instrument's maximum leverage, in the settlement currency; the funds are
the currency's starting deposit plus the PnL already realised there. Reduce-only orders never
add exposure and are never refused for margin.
"""

from __future__ import annotations

from decimal import Decimal

from deribit_contract.exchange.instruments import INSTRUMENTS, Instrument
from deribit_contract.exchange.jsonrpc import ErrorCode
from deribit_contract.exchange.orders import Direction
from deribit_contract.exchange.params import RpcError
from deribit_contract.exchange.trading import Venue

__all__ = ["STARTING_FUNDS", "require_margin"]

#: what every simulated account holds before it trades, per currency
STARTING_FUNDS: dict[str, Decimal] = {
    "BTC": Decimal(10),
    "ETH": Decimal(100),
    "USDC": Decimal(1_000_000),
}


def _funds(venue: Venue, client_id: str, currency: str) -> Decimal:
    realized = sum(
        (
            position.realized_pnl
            for (owner, name), position in venue.positions.items()
            if owner == client_id and INSTRUMENTS[name].settlement_currency == currency
        ),
        Decimal(0),
    )
    return STARTING_FUNDS.get(currency, Decimal(0)) + realized


def require_margin(
    venue: Venue,
    client_id: str,
    instrument: Instrument,
    direction: Direction,
    amount: Decimal,
    *,
    replacing: str | None = None,
) -> None:
    """Raise 10009 when ``amount`` more on ``direction`` could not be margined.

    ``replacing``: the id of the order an edit changes (its old amount is not counted twice).
    """
    sign = 1 if direction == "buy" else -1
    pending = sum(
        (
            order.amount - order.filled_amount
            for order in venue.open_orders(client_id, instrument)
            if order.direction == direction and not order.reduce_only
            and order.order_id != replacing
        ),
        Decimal(0),
    )  # fmt: skip
    size = venue.position(client_id, instrument).size
    exposure = abs(size + sign * (amount + pending))
    mark = venue.books[instrument.name].mark_price
    notional = exposure / mark if instrument.inverse else exposure * mark
    if notional / instrument.max_leverage > _funds(
        venue, client_id, instrument.settlement_currency
    ):
        raise RpcError(
            ErrorCode.NOT_ENOUGH_FUNDS,
            "not_enough_funds",
            {"reason": "initial margin exceeds the available funds", "param": "amount"},
        )
