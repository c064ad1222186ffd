"""Deribit's vendor facts, each defined once with its evidence: instruments, error codes, scopes.

Data only, a leaf of the package: the strategies, the simulated exchange, the session and the
docs read these values; nothing here computes behaviour. Every value names the real capture that
shows it (paths relative to :data:`CAPTURES`, the verbatim copy of ``/work/shared/realdata``), or
says why there is none. ``contract_tests/kit/test_facts.py`` holds each value against its capture
and against every capture of the same instrument, so a wrong fact fails a test, not a user.

The invariants do not read this module: they judge a call from the call alone (and an optional
``tick_size`` argument), so they stay independent of what the simulator believes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

__all__ = [
    "CAPTURES",
    "CONNECTIONS_PER_IP",
    "CURRENCY_UUIDS",
    "ERRORS",
    "INDEX_IDS",
    "INSTRUMENTS",
    "METHOD_SCOPES",
    "REDUCE_ONLY",
    "DeribitError",
    "ErrorCode",
    "InstrumentFacts",
    "ReduceOnlyFacts",
    "error_message",
]

#: where the evidence files live, relative to the repository root
CAPTURES = "fixtures/captured/realdata"

InstrumentType = Literal["reversed", "linear"]


@dataclass(frozen=True)
class InstrumentFacts:
    """What ``public/get_instrument`` says about one instrument, and what shows each number.

    ``instrument_type`` is Deribit's word: ``"reversed"`` (inverse: amounts in USD, fees and PnL
    in the coin) or ``"linear"`` (amounts in the base coin, fees in the settlement stablecoin).
    ``id_prefix`` starts every order and trade id (``"ETH-"`` gives ``ETH-584864807``; BTC ids
    are bare numbers). ``evidence`` maps a field name to the capture that shows its value;
    ``note`` says where a value without a capture comes from.
    """

    name: str
    instrument_type: InstrumentType
    base_currency: str
    quote_currency: str
    settlement_currency: str
    contract_size: Decimal
    tick_size: Decimal
    min_trade_amount: Decimal
    id_prefix: str
    instrument_id: int
    creation_timestamp: int
    #: Deribit reports 32503708800000 (year 3000) as the "expiry" of a perpetual
    expiration_timestamp: int
    settlement_period: Literal["perpetual", "month"]
    evidence: MappingProxyType[str, str]
    note: str = ""
    #: fees as ``public/get_instrument`` lists them for perpetuals and futures (taker 5 bp)
    taker_commission: Decimal = Decimal("0.0005")
    maker_commission: Decimal = Decimal("0")

    @property
    def inverse(self) -> bool:
        """True when amounts are USD and fees/PnL are paid in the base coin."""
        return self.instrument_type == "reversed"

    @property
    def fee_currency(self) -> str:
        """Currency of trade fees: the coin for inverse, the settlement stablecoin for linear."""
        return self.settlement_currency


_PERPETUAL_EXPIRY = 32_503_708_800_000
_VENOAJIE_ORDERS = "bulk/venoajie__all_orders.jsonl"
_VENOAJIE_TRADES = "bulk/venoajie__all_user_trades.jsonl"


def _evidence(**files: str) -> MappingProxyType[str, str]:
    return MappingProxyType(dict(files))


_CATALOGUE = (
    InstrumentFacts(
        name="BTC-PERPETUAL",
        instrument_type="reversed",
        base_currency="BTC",
        quote_currency="USD",
        settlement_currency="BTC",
        contract_size=Decimal("10"),
        tick_size=Decimal("0.5"),
        min_trade_amount=Decimal("10"),
        id_prefix="",
        instrument_id=210838,
        creation_timestamp=1534242287000,
        expiration_timestamp=_PERPETUAL_EXPIRY,
        settlement_period="perpetual",
        evidence=_evidence(
            contract_size=_VENOAJIE_TRADES,  # amount 10.0 per 1.0 contract
            tick_size=_VENOAJIE_ORDERS,  # limit prices such as 99575.5
            min_trade_amount=_VENOAJIE_TRADES,  # fills of one contract (10 USD)
            id_prefix="gmbabar__private_buy__filled_1.json",  # bare numeric order and trade ids
        ),
    ),
    InstrumentFacts(
        name="ETH-PERPETUAL",
        instrument_type="reversed",
        base_currency="ETH",
        quote_currency="USD",
        settlement_currency="ETH",
        contract_size=Decimal("1"),
        tick_size=Decimal("0.05"),
        min_trade_amount=Decimal("1"),
        id_prefix="ETH-",
        instrument_id=210760,
        creation_timestamp=1552568454000,
        expiration_timestamp=_PERPETUAL_EXPIRY,
        settlement_period="perpetual",
        evidence=_evidence(
            contract_size=_VENOAJIE_TRADES,
            tick_size=_VENOAJIE_ORDERS,  # limit prices such as 1531.15
            min_trade_amount=_VENOAJIE_TRADES,
            id_prefix="docs/docs2019__private_close_position__1.json",  # ETH-349197
        ),
    ),
    InstrumentFacts(
        name="BTC-27JUN25",
        instrument_type="reversed",
        base_currency="BTC",
        quote_currency="USD",
        settlement_currency="BTC",
        contract_size=Decimal("10"),
        tick_size=Decimal("2.5"),
        min_trade_amount=Decimal("10"),
        id_prefix="",
        instrument_id=355963,
        creation_timestamp=1725609600000,
        expiration_timestamp=1751011200000,
        settlement_period="month",
        evidence=_evidence(
            contract_size=_VENOAJIE_ORDERS,  # amount 20.0 for 2.0 contracts
            tick_size=_VENOAJIE_ORDERS,  # limit prices 99097.5, 99300.0 (combo legs are off-tick)
            id_prefix=_VENOAJIE_ORDERS,
        ),
        note="min_trade_amount: one contract, as on every inverse future (no capture of a fill "
        "below 20 USD); instrument_id and creation_timestamp are illustrative",
    ),
    InstrumentFacts(
        name="BTC_USDC-PERPETUAL",
        instrument_type="linear",
        base_currency="BTC",
        quote_currency="USDC",
        settlement_currency="USDC",
        contract_size=Decimal("0.001"),
        tick_size=Decimal("1"),
        min_trade_amount=Decimal("0.001"),
        id_prefix="USDC-",
        instrument_id=211704,
        creation_timestamp=1646824342000,
        expiration_timestamp=_PERPETUAL_EXPIRY,
        settlement_period="perpetual",
        evidence=_evidence(
            # the only BTC_USDC captures are hand-edited; their amounts and ids are consistent
            contract_size="_suspect_or_edited/nautilus__private_sell_stop_market__ws_order_stop_market_no_filled_amount.json",
            id_prefix="_suspect_or_edited/nautilus__private_sell_stop_market__ws_order_stop_market_no_filled_amount.json",
        ),
        note="tick_size 1 and min_trade_amount 0.001: a live public/get_instrument answer quoted "
        "in a public client's source (no capture in realdata shows a BTC_USDC limit price)",
    ),
    InstrumentFacts(
        name="ETH_USDC-PERPETUAL",
        instrument_type="linear",
        base_currency="ETH",
        quote_currency="USDC",
        settlement_currency="USDC",
        contract_size=Decimal("0.001"),
        tick_size=Decimal("0.05"),
        min_trade_amount=Decimal("0.001"),
        id_prefix="USDC-",
        instrument_id=211705,
        creation_timestamp=1646824342000,
        expiration_timestamp=_PERPETUAL_EXPIRY,
        settlement_period="perpetual",
        evidence=_evidence(
            contract_size="nautilus__private_buy__1.json",  # amount 0.001 is 1.0 contract
            tick_size="nautilus__private_buy__1.json",  # limit price 2973.55
            min_trade_amount="nautilus__private_buy__1.json",  # an order of 0.001 accepted
            id_prefix="nautilus__private_buy__1.json",  # USDC-104819327443
        ),
        note="instrument_id is illustrative",
    ),
)

#: every instrument the kit knows, by name, in catalogue order (read-only)
INSTRUMENTS: MappingProxyType[str, InstrumentFacts] = MappingProxyType(
    {instrument.name: instrument for instrument in _CATALOGUE}
)


class ErrorCode:
    """Deribit's error codes, by name (the older official table; the newer error page is wrong)."""

    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600  # also "request entity too large" for bodies over 32 kB
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    INTERNAL_ERROR = -32603
    MISSING_PARAMS = -32000
    AUTHORIZATION_REQUIRED = 10000
    ORDER_NOT_FOUND = 10004
    NOT_ENOUGH_FUNDS = 10009
    PME_MAX_FUTURE_OPEN_ORDERS = 10014
    LOCKED_BY_ADMIN = 10019
    INVALID_INSTRUMENT = 10020
    INVALID_AMOUNT = 10021
    INVALID_PRICE = 10023
    TOO_MANY_REQUESTS = 10028
    RETRY = 10040
    SETTLEMENT_IN_PROGRESS = 10041
    PRICE_WRONG_TICK = 10043
    MATCHING_ENGINE_QUEUE_FULL = 10047
    INVALID_ARGUMENTS = 11029
    OTHER_REJECT = 11030
    NOT_OPEN_ORDER = 11044
    BAD_REQUEST = 11050
    SYSTEM_MAINTENANCE = 11051
    POST_ONLY_REJECT = 11054
    INTERNAL_SERVER_ERROR = 11094
    INVALID_CREDENTIALS = 13004
    UNAUTHORIZED = 13009
    NOT_FOUND = 13020
    FORBIDDEN = 13021
    TEMPORARILY_UNAVAILABLE = 13028
    SCOPE_EXCEEDED = 13403


@dataclass(frozen=True)
class DeribitError:
    """One error code, the ``message`` Deribit sends with it, and the capture showing it."""

    code: int
    message: str
    evidence: str = ""


_ERRORS = (
    DeribitError(ErrorCode.AUTHORIZATION_REQUIRED, "authorization_required"),
    DeribitError(ErrorCode.ORDER_NOT_FOUND, "order_not_found"),
    DeribitError(ErrorCode.NOT_ENOUGH_FUNDS, "not_enough_funds"),
    DeribitError(ErrorCode.PME_MAX_FUTURE_OPEN_ORDERS, "pme_max_future_open_orders"),
    DeribitError(ErrorCode.LOCKED_BY_ADMIN, "locked_by_admin"),
    DeribitError(ErrorCode.INVALID_INSTRUMENT, "invalid_or_unsupported_instrument"),
    DeribitError(ErrorCode.INVALID_AMOUNT, "invalid_amount"),
    DeribitError(ErrorCode.INVALID_PRICE, "invalid_price"),
    DeribitError(ErrorCode.TOO_MANY_REQUESTS, "too_many_requests"),
    DeribitError(ErrorCode.RETRY, "retry"),
    DeribitError(ErrorCode.SETTLEMENT_IN_PROGRESS, "settlement_in_progress"),
    DeribitError(ErrorCode.PRICE_WRONG_TICK, "price_wrong_tick"),
    DeribitError(ErrorCode.MATCHING_ENGINE_QUEUE_FULL, "matching_engine_queue_full"),
    DeribitError(ErrorCode.INVALID_ARGUMENTS, "invalid_arguments"),
    DeribitError(ErrorCode.OTHER_REJECT, "other_reject"),
    DeribitError(ErrorCode.NOT_OPEN_ORDER, "not_open_order", "errors/venoajie__error__11044__1.json"),
    DeribitError(ErrorCode.BAD_REQUEST, "bad_request"),
    DeribitError(ErrorCode.SYSTEM_MAINTENANCE, "system_maintenance"),
    DeribitError(ErrorCode.POST_ONLY_REJECT, "post_only_reject"),
    DeribitError(ErrorCode.INTERNAL_SERVER_ERROR, "internal_server_error"),
    DeribitError(ErrorCode.INVALID_CREDENTIALS, "invalid_credentials", "errors/gmbabar__error__13004__1.json"),
    DeribitError(ErrorCode.UNAUTHORIZED, "unauthorized", "errors/gmbabar__error__13009__1.json"),
    DeribitError(ErrorCode.NOT_FOUND, "not_found"),
    DeribitError(ErrorCode.FORBIDDEN, "forbidden"),
    DeribitError(ErrorCode.TEMPORARILY_UNAVAILABLE, "temporarily_unavailable"),
    DeribitError(ErrorCode.SCOPE_EXCEEDED, "scope_exceeded"),
    DeribitError(ErrorCode.INVALID_REQUEST, "request entity too large"),
    DeribitError(ErrorCode.METHOD_NOT_FOUND, "Method not found"),
    DeribitError(ErrorCode.INVALID_PARAMS, "Invalid params", "errors/roq__error__-32602__1.json"),
    DeribitError(ErrorCode.INTERNAL_ERROR, "Internal error"),
    DeribitError(ErrorCode.MISSING_PARAMS, "Missing params"),
    DeribitError(ErrorCode.PARSE_ERROR, "Parse error"),
)  # fmt: skip

#: every known code with its message and evidence (the older official table, see the notes)
ERRORS: MappingProxyType[int, DeribitError] = MappingProxyType({e.code: e for e in _ERRORS})


def error_message(code: int) -> str:
    """The ``message`` Deribit sends with ``code`` (``KeyError`` for a code the kit does not know)."""
    return ERRORS[code].message


#: simultaneous connections Deribit allows one IP address (HTTP requests and WebSockets alike);
#: the 33rd is refused with HTTP 429 (docs.deribit.com, "Connection management best practices")
CONNECTIONS_PER_IP = 32


#: the access scope each private method the simulator serves needs: the ``Scope:`` line of its
#: page in Deribit's API reference (close_position's: ``../shared/docs``). No capture shows a
#: refusal (13021 ``forbidden``, as the error table names it) for a token that lacks one.
METHOD_SCOPES: MappingProxyType[str, str] = MappingProxyType(
    {
        "private/buy": "trade:read_write",
        "private/sell": "trade:read_write",
        "private/edit": "trade:read_write",
        "private/cancel": "trade:read_write",
        "private/cancel_all_by_instrument": "trade:read_write",
        "private/close_position": "trade:read_write",
        "private/get_position": "trade:read",
        "private/get_positions": "trade:read",
        "private/get_open_orders_by_instrument": "trade:read",
        "private/get_open_orders_by_currency": "trade:read",
        "private/get_order_state": "trade:read",
        "private/get_user_trades_by_instrument": "trade:read",
        "private/get_user_trades_by_currency": "trade:read",
        "private/get_user_trades_by_order": "trade:read",
        "private/get_account_summary": "account:read",
        "private/get_account_summaries": "account:read",
        "private/get_open_orders": "trade:read",
        "private/get_order_history_by_instrument": "trade:read",
        "private/get_margins": "trade:read",
        "private/cancel_all": "trade:read_write",
        "private/cancel_all_by_currency": "trade:read_write",
        "private/cancel_all_by_kind_or_type": "trade:read_write",
        "private/get_subaccounts": "account:read",
        "private/get_transaction_log": "account:read",
    }
)

#: ``base_currency_uuid``/``quote_currency_uuid`` of instrument listings, for the currencies a
#: capture shows (``market/fastmm__public_get_instruments__future_1.json``); Deribit omits the
#: field for a currency without one, and the simulation omits it for currencies no capture shows
CURRENCY_UUIDS: MappingProxyType[str, str] = MappingProxyType(
    {"BTC": "5b71fc48-3dd3-540c-809b-f8c94d0e68b5", "USD": "dc311642-e9fb-4ba9-a312-c75c1aef4ae1"}
)
#: ``index_id`` of a price index, where a capture shows it (same listing)
INDEX_IDS: MappingProxyType[str, int] = MappingProxyType({"btc_usd": 1000033})


@dataclass(frozen=True)
class ReduceOnlyFacts:
    """What Deribit's engine does with resting reduce-only orders, and what no capture shows.

    The rules (Deribit, "Introduction to reduce-only on Deribit", insights.deribit.com): a
    reduce-only order never exceeds the open position (its amount is adjusted down to it); when
    the position is reduced by other means, resting reduce-only orders are adjusted downward, and
    they do not grow when it grows; across several of them the total never exceeds the position:
    the first that can execute keeps its amount, the ones behind are reduced, to nothing meaning
    cancelled. ``private/close_position`` places such an order, so ``private/edit`` of it is
    bounded the same way.

    No capture shows the ``cancel_reason`` of an order reduced to nothing, nor the error of an
    edit Deribit refuses: the values here are the simulator's choices, and the kit's rules judge
    the state (not open, never more than the position), never these words.
    """

    #: ``cancel_reason`` the simulator writes on an order reduced to nothing (the documented
    #: enum has no reduce-only reason; ``position_locked`` is its nearest). No capture.
    reduced_to_nothing_reason: str
    #: the code of an edit or order that could not reduce anything (Deribit's catch-all for rare
    #: rejects with a reason attached). No capture.
    cannot_reduce_code: int
    #: ``data.reason`` sent with it
    cannot_reduce_reason: str


REDUCE_ONLY = ReduceOnlyFacts(
    reduced_to_nothing_reason="position_locked",
    cannot_reduce_code=ErrorCode.OTHER_REJECT,
    cannot_reduce_reason="reduce_only order would not reduce the position",
)
