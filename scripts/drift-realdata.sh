#!/bin/sh
# Regenerate the committed example drift report (docs/drift-realdata.md and .json) from the real
# captures: the close_position-shaped full responses (live and the vendor's 2025 examples), real
# error envelopes, bare orders and trades, and the bulk JSON Lines history.
# contract_tests/reporting/test_reporting_drift_cmd.py checks the committed files match this.
set -eu
cd "$(dirname "$0")/.."
R=fixtures/captured/realdata
set -- \
  "$R/gmbabar__private_buy__filled_1.json" "$R/gmbabar__private_sell__open_1.json" \
  "$R/nautilus__private_buy__1.json" "$R/nautilus__private_edit__1.json" \
  "$R/venoajie__private_sell__1.json" \
  "$R/docs/docs2025__private_buy__1.json" "$R/docs/docs2025__private_close_position__1.json" \
  "$R/docs/docs2025__private_edit__1.json" "$R/docs/docs2025__private_sell__1.json" \
  "$R/errors" "$R/orders" "$R/trades" "$R/bulk"
deribit-contract drift "$@" --format markdown --out docs/drift-realdata.md
deribit-contract drift "$@" --format json --out docs/drift-realdata.json
