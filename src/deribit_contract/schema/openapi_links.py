"""OpenAPI links: which answer feeds which next call, so stateful tools chain real resources.

A close only means something after an order has opened a position, and an order id only after
an order has been placed. Without links a tool such as Schemathesis draws every call alone: the
first close uses the position up and every later one is answered "no position", an error the
document allows, so a broken close answer is never seen. With them its stateful phase places an
order, closes the position that order opened on the same instrument, then reads the closing
order, its fills and the position left behind.

Every value a link passes comes from the source's *response* (``$response.body#/result/...``),
so one link reads the same from the GET and the POST form; only where the target takes it
differs (the query string, or ``params`` of the JSON-RPC body).

``public/auth`` cannot hand its token to the private calls: a link fills a target's parameters
and body, and a credential is neither (OpenAPI ignores a header parameter named
``Authorization``; the security scheme carries it). Its only link is the refresh grant Deribit
documents; a user passes the access token with ``-H "Authorization: Bearer ..."``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deribit_contract.schema.openapi_shapes import operation_id

__all__ = ["LINKS", "Link", "response_links"]

_ORDER = "$response.body#/result/order/"
_RESULT = "$response.body#/result/"


@dataclass(frozen=True)
class Link:
    """One link: from a method's 200 answer to ``target``, with its params as runtime expressions
    (or constants)."""

    name: str
    target: str
    params: Mapping[str, Any]
    description: str


def _after_order(source: str) -> tuple[Link, ...]:
    # what follows a placed order (buy, sell): close what it opened, or change or cancel it
    # while it rests (a filled order answers those with an error, which the document allows)
    return (
        Link(
            "ClosePosition",
            "private/close_position",
            {"instrument_name": _ORDER + "instrument_name"},
            f"Close the position this {source} opened or changed (the same instrument).",
        ),
        Link(
            "Edit",
            "private/edit",
            {
                "order_id": _ORDER + "order_id",
                "amount": _ORDER + "amount",
                "price": _ORDER + "price",
            },
            "Edit the order while it rests (a limit order away from the market).",
        ),
        Link(
            "Cancel",
            "private/cancel",
            {"order_id": _ORDER + "order_id"},
            "Cancel the order while it rests (a limit order away from the market).",
        ),
    )


def _order_from_listing(target: str) -> Link:
    # the first listed instrument at its minimum amount: an order the exchange accepts, where a
    # drawn name and amount (not a multiple of the contract size) only meet "invalid params"
    return Link(
        "Market" + target.removeprefix("private/").capitalize(),
        target,
        {
            "instrument_name": _RESULT + "0/instrument_name",
            "amount": _RESULT + "0/min_trade_amount",
            "type": "market",
        },
        f"A market {target.removeprefix('private/')} of the first listed instrument's minimum "
        "amount.",
    )


#: method -> the links of its 200 answer (both forms)
LINKS: Mapping[str, tuple[Link, ...]] = {
    "public/get_instruments": (
        _order_from_listing("private/buy"),
        _order_from_listing("private/sell"),
    ),
    "private/buy": _after_order("buy"),
    "private/sell": _after_order("sell"),
    "private/close_position": (
        Link(
            "GetOrderState",
            "private/get_order_state",
            {"order_id": _ORDER + "order_id"},
            "The closing order, as the exchange keeps it.",
        ),
        Link(
            "GetUserTradesByOrder",
            "private/get_user_trades_by_order",
            {"order_id": _ORDER + "order_id"},
            "The closing order's fills.",
        ),
        Link(
            "GetPosition",
            "private/get_position",
            {"instrument_name": _ORDER + "instrument_name"},
            "The position the close left behind (zero after a full close).",
        ),
    ),
    "public/auth": (
        Link(
            "RefreshToken",
            "public/auth",
            {"grant_type": "refresh_token", "refresh_token": _RESULT + "refresh_token"},
            "Renew the session with its refresh token. The access token is the bearer "
            "credential of every private call, which a link cannot set: pass it with "
            '-H "Authorization: Bearer <access_token>".',
        ),
    ),
}


def response_links(method: str, *, post: bool) -> dict[str, Any]:
    """The ``links`` of ``method``'s 200 response in one form, each to the same form of its target."""
    links: dict[str, Any] = {}
    for link in LINKS.get(method, ()):
        rendered: dict[str, Any] = {
            "operationId": operation_id(link.target, post=post),
            "description": link.description,
        }
        if post:
            rendered["requestBody"] = {"params": dict(sorted(link.params.items()))}
        else:
            rendered["parameters"] = dict(sorted(link.params.items()))
        links[link.name] = rendered
    return dict(sorted(links.items()))
