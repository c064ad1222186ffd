from __future__ import annotations

import base64
import logging
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from deribit_contract.redaction import MASK, RedactingFilter, Redactor

SECRET = "s3cr3t/+=value"


def test_value_is_masked_in_text_and_encoded_forms() -> None:
    redactor = Redactor([SECRET])
    text = f"curl -d 'client_secret={quote(SECRET, safe='')}' token {SECRET}"
    out = redactor.text(text)
    assert SECRET not in out
    assert quote(SECRET, safe="") not in out
    assert out.count(MASK) == 2


def test_basic_credentials_are_masked() -> None:
    redactor = Redactor()
    redactor.add_basic_credentials("client-id", SECRET)
    header = "Authorization: Basic " + base64.b64encode(f"client-id:{SECRET}".encode()).decode()
    assert "Y2xpZW50" not in redactor.text(header)


def test_json_masks_secret_keys_even_for_unknown_values() -> None:
    redactor = Redactor()
    payload = {"result": {"access_token": "never-registered-token", "scope": "trade:read_write"}}
    out = redactor.json(payload)
    assert out["result"]["access_token"] == MASK
    assert out["result"]["scope"] == "trade:read_write"
    assert payload["result"]["access_token"] == "never-registered-token", (
        "input must not be mutated"
    )


def test_json_masks_registered_values_anywhere() -> None:
    redactor = Redactor(["tok-123456789"])
    out = redactor.json({"params": {"note": "uses tok-123456789 here"}, "list": ["tok-123456789"]})
    assert "tok-123456789" not in repr(out)


def test_short_values_are_not_registered() -> None:
    redactor = Redactor(["abc", "", None])
    assert redactor.text("abc abc") == "abc abc"


def test_logging_filter_masks_formatted_arguments(caplog: object) -> None:
    redactor = Redactor([SECRET])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "secret is %s", (SECRET,), None)
    assert RedactingFilter(redactor).filter(record)
    assert SECRET not in record.getMessage()


@given(
    secret=st.text(min_size=6, max_size=40),
    prefix=st.text(max_size=20),
    suffix=st.text(max_size=20),
)
def test_a_registered_secret_never_survives(secret: str, prefix: str, suffix: str) -> None:
    redactor = Redactor([secret])
    assert secret not in redactor.text(prefix + secret + suffix)
