"""Record a scripted close_position scenario against a target as request/response fixtures.

Real traffic is the best test material, but it must be safe to commit: every pair is captured on
the wire (an httpx transport wrapper, so ``public/auth``'s tokens are seen and registered for
redaction by value before anything is written), redacted, and written atomically under
``fixtures/recorded/<host>/<run>/`` with metadata (time, target host, kit version, step). The
fixture generator never writes there and this module never writes anywhere else by default.

The scenario: open long and close at market; open short and close with a limit that rests far
from the market, then cancel it; close when flat (an error is the contract); a few invalid
params. Order-placing calls go through :class:`ExchangeSession` (budget, back-off, no blind
retry).
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from deribit_contract import __version__
from deribit_contract._fileio import atomic_write_text, dump_canonical_json, pid_alive, sweep_stale
from deribit_contract._paths import fixtures_dir
from deribit_contract.contract.cleanup import CleanupReport, undo_exposure
from deribit_contract.contract.run import check_account
from deribit_contract.contract.session import AmbiguousOutcome, ExchangeSession
from deribit_contract.errors import InvalidArgument, TargetError
from deribit_contract.guard import strip_userinfo
from deribit_contract.redaction import Redactor
from deribit_contract.transports.client import HttpJsonRpcClient

__all__ = ["SCENARIO", "Recording", "WireRecorder", "default_out_dir", "record_scenario"]

#: the name and version of the scripted scenario, written into every fixture's metadata
SCENARIO = "close-position-basic/1"
_PROTECTED = ("generated", "captured")


@dataclass
class Exchange:
    """One HTTP request/response pair as seen on the wire (already redacted)."""

    step: str
    method: str
    request: Any
    response: Any
    http_status: int


class WireRecorder(httpx.BaseTransport):
    """An httpx transport that keeps every JSON-RPC pair, redacted by value.

    Tokens in any ``result.access_token`` / ``refresh_token`` are registered with the redactor
    the moment they arrive, so later requests carrying them are masked too.
    """

    def __init__(self, inner: httpx.BaseTransport, redactor: Redactor) -> None:
        self._inner = inner
        self.redactor = redactor
        self.step = "setup"
        self.pairs: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        body = response.read()
        sent = _loads(request.content, self.redactor)
        got = _loads(body, self.redactor)
        result = got.get("result") if isinstance(got, dict) else None
        if isinstance(result, dict):
            for key in ("access_token", "refresh_token"):
                token = result.get(key)
                if isinstance(token, str):
                    self.redactor.add(token)
        method = sent.get("method", "") if isinstance(sent, dict) else ""
        self.pairs.append(
            Exchange(
                self.step,
                str(method),
                self.redactor.json(sent),
                self.redactor.json(got),
                response.status_code,
            )
        )
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    def close(self) -> None:
        self._inner.close()


def _loads(raw: bytes, redactor: Redactor) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:  # masked before the cut: half a secret would not match
        return {"_not_json": redactor.excerpt(raw[:65536].decode("utf-8", errors="replace"), 2000)}


@dataclass
class Recording:
    """What :func:`record_scenario` wrote."""

    directory: Path
    files: list[Path] = field(default_factory=list)
    steps: dict[str, str] = field(default_factory=dict)  # step -> "result" | "error ..." | ...


def default_out_dir(host: str) -> Path:
    """``fixtures/recorded/<host>`` of the checkout."""
    return fixtures_dir() / "recorded" / _safe(host)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "target"


def _check_out_dir(out: Path) -> None:
    resolved = out.resolve()
    base = fixtures_dir().resolve()
    for name in _PROTECTED:
        protected = base / name
        if resolved == protected or protected in resolved.parents:
            raise InvalidArgument(
                f"refusing to record into {out}: fixtures/{name}/ is not for recordings "
                "(use fixtures/recorded/ or another directory)"
            )


def _outcome(envelope: dict[str, Any] | AmbiguousOutcome) -> str:
    if isinstance(envelope, AmbiguousOutcome):
        return f"ambiguous: {envelope.reason}"
    error = envelope.get("error")
    if isinstance(error, dict):
        return f"error {error.get('code')} {error.get('message')}"
    return "result"


def _resting_buy_price(session: ExchangeSession, instrument: str) -> float:
    """A buy limit far below the market (it rests), on the instrument's tick."""
    ticker = session.read("public/ticker", {"instrument_name": instrument}).get("result") or {}
    info = (
        session.read("public/get_instrument", {"instrument_name": instrument}).get("result") or {}
    )
    tick = Decimal(str(info.get("tick_size", "0.5")))
    bound = ticker.get("min_price") or ticker.get("best_bid_price") or ticker.get("mark_price")
    if not isinstance(bound, (int, float)) or bound <= 0:
        raise InvalidArgument(f"public/ticker of {instrument} gives no usable price: {ticker!r}")
    price = (Decimal(str(bound)) * Decimal("1.0001") / tick).to_integral_value(ROUND_DOWN) * tick
    return float(price)


def record_scenario(
    base_url: str,
    *,
    out: Path,
    credentials: tuple[str, str],
    instrument: str = "BTC-PERPETUAL",
    amount: float = 10.0,
    redactor: Redactor | None = None,
    transport: httpx.BaseTransport | None = None,
    now: Callable[[], _dt.datetime] | None = None,
    order_budget: int = 12,
) -> Recording:
    """Run the scenario against ``base_url`` (already approved by the guard) and write fixtures.

    ``out`` is the host directory; a new ``<UTC time>`` run directory is made inside it. Every
    file holds ``{"meta": ..., "request": ..., "response": ...}`` with secrets masked; a
    ``manifest.json`` lists the steps and their outcomes. Raises InvalidArgument for an output
    under ``fixtures/generated`` or ``fixtures/captured``.
    """
    _check_out_dir(out)
    mark_incomplete(out)
    clock = now or (lambda: _dt.datetime.now(_dt.timezone.utc))
    started = clock()
    redactor = redactor or Redactor()
    client_id, client_secret = credentials
    redactor.add(client_secret)
    redactor.add_basic_credentials(client_id, client_secret)
    run_dir = out / started.strftime("%Y%m%dT%H%M%SZ")
    suffix = 1
    while run_dir.exists():
        suffix += 1
        run_dir = out / f"{started.strftime('%Y%m%dT%H%M%SZ')}-{suffix}"
    wire = WireRecorder(transport or httpx.HTTPTransport(), redactor)
    client = HttpJsonRpcClient(base_url, transport=wire)
    client.learn, client.mask = redactor.learn_token, redactor.text
    session = ExchangeSession(
        client, client_id=client_id, client_secret=client_secret, order_budget=order_budget
    )
    steps: dict[str, str] = {}
    failure: BaseException | None = None
    own: set[str] = set()
    started_at: float | None = None
    try:
        wire.step = "auth"
        session.authenticate()
        steps["auth"] = "result"
        # the account is the user's: start only from nothing on the instrument, so that
        # undoing the recording's own exposure at the end leaves it exactly as it was
        wire.step = "preflight"
        check_account(session, (instrument,))
        started_at = 0.0

        def call(step: str, method: str, params: Mapping[str, Any]) -> Any:
            wire.step = step
            outcome = session.call(method, params)
            steps[step] = _outcome(outcome)
            if isinstance(outcome, dict):
                result = outcome.get("result")
                order = result.get("order") if isinstance(result, dict) else None
                if isinstance(order, dict) and isinstance(order.get("order_id"), str):
                    own.add(order["order_id"])
            return outcome

        name = {"instrument_name": instrument}
        call("open-long", "private/buy", {**name, "amount": amount, "type": "market"})
        call("close-long-market", "private/close_position", {**name, "type": "market"})
        call("open-short", "private/sell", {**name, "amount": amount, "type": "market"})
        wire.step = "quote"
        price = _resting_buy_price(session, instrument)
        rest = call(
            "close-short-limit-resting",
            "private/close_position",
            {**name, "type": "limit", "price": price},
        )
        order = rest.get("result", {}).get("order", {}) if isinstance(rest, dict) else {}
        if isinstance(order, dict) and order.get("order_id"):
            call("cancel-resting", "private/cancel", {"order_id": order["order_id"]})
        call("close-short-market", "private/close_position", {**name, "type": "market"})
        call("close-when-flat", "private/close_position", {**name, "type": "market"})
        call("invalid-missing-type", "private/close_position", dict(name))
        call("invalid-type-value", "private/close_position", {**name, "type": "stop"})
        call(
            "invalid-unknown-instrument",
            "private/close_position",
            {"instrument_name": "NOPE-PERPETUAL", "type": "market"},
        )
        call(
            "invalid-price-string",
            "private/close_position",
            {**name, "type": "limit", "price": "abc"},
        )
    except Exception as exc:  # keep what was recorded, then let the caller see the error
        failure = exc
        steps[wire.step] = f"aborted: {redactor.text(str(exc))}"
    finally:
        if started_at is not None:
            _undo(session, wire, instrument, own, steps, redactor)
        client.close()
    recording = Recording(run_dir, steps=steps)
    host = urlsplit(base_url).hostname or ""
    meta_base = {
        "recorded_at": started.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "target": redactor.text(strip_userinfo(base_url)),
        "target_host": host,
        "kit_version": _kit_version(),
        "scenario": SCENARIO,
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    # while this marker exists without a manifest, the run directory is being written
    writing = run_dir / f"{_WRITING}{os.getpid()}"
    writing.touch()
    for index, pair in enumerate(wire.pairs, start=1):
        path = run_dir / f"{index:02d}-{_safe(pair.step)}.json"
        document = {
            "meta": {
                **meta_base,
                "sequence": index,
                "step": pair.step,
                "method": pair.method,
                "http_status": pair.http_status,
            },
            "request": pair.request,
            "response": pair.response,
        }
        atomic_write_text(path, redactor.text(dump_canonical_json(document)))
        recording.files.append(path)
    manifest = {
        **meta_base,
        "complete": failure is None,
        "steps": steps,
        "files": [p.name for p in recording.files],
    }
    manifest_path = run_dir / "manifest.json"
    atomic_write_text(manifest_path, redactor.text(dump_canonical_json(manifest)))
    writing.unlink(missing_ok=True)
    recording.files.append(manifest_path)
    if failure is not None:
        raise _masked(failure, redactor) from None
    return recording


def _masked(error: BaseException, redactor: Redactor) -> BaseException:
    """``error`` with its message masked (the CLI prints it): a target may echo the secret
    or a token in the error it answered."""
    message = redactor.text(str(error))
    if message == str(error):
        return error
    try:
        masked = copy.copy(error)
        masked.args = (message,)
    except Exception:  # an exception that cannot be copied is replaced, never shown raw
        return TargetError(message)
    return masked


_WRITING = ".writing-"


def mark_incomplete(out: Path) -> list[Path]:
    """Give every run directory under ``out`` that a killed ``record`` left without a manifest
    one saying ``"complete": false``, and remove its stale temporary files.

    A directory whose writer is still alive is left alone. Returns the directories marked.
    """
    marked: list[Path] = []
    if not out.is_dir():
        return marked
    for run_dir in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        sweep_stale(run_dir)
        if (run_dir / "manifest.json").exists():
            continue
        writers = [p for p in run_dir.glob(f"{_WRITING}*") if p.name[len(_WRITING) :].isdigit()]
        if any(pid_alive(int(p.name[len(_WRITING) :])) for p in writers):
            continue
        files = sorted(p.name for p in run_dir.glob("*.json"))
        manifest = {
            "complete": False,
            "files": files,
            "steps": {},
            "incomplete_reason": "the recording process died before writing its manifest",
        }
        atomic_write_text(run_dir / "manifest.json", dump_canonical_json(manifest))
        for writer in writers:
            writer.unlink(missing_ok=True)
        marked.append(run_dir)
    return marked


def _undo(
    session: ExchangeSession,
    wire: WireRecorder,
    instrument: str,
    own: set[str],
    steps: dict[str, str],
    redactor: Redactor,
) -> None:
    """Cancel the recording's own orders and trade back what it left, reduce-only."""
    wire.step = "cleanup"
    report = CleanupReport()
    try:
        undo_exposure(session, instrument, 0.0, own, report)
    except Exception as exc:  # cleanup trouble is reported with the recording, not raised
        report.problems.append(f"{instrument}: cleanup failed: {exc}")
    steps["cleanup"] = redactor.text(
        "; ".join(report.problems) or f"left {report.left.get(instrument, 0.0):+g}"
    )


def _kit_version() -> str:
    return __version__
