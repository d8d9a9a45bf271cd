#!/usr/bin/env bash
# Held-out intent accuracy of every bot/tests/nlu_*.yml, overall and per writing style; then the
# misread-figure count of the generated bill/budget suite (tests/bot/test_bill_figures.py: every
# phrasing through the forms and answers, checked against the engine's figures).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
bash scripts/train.sh
status=0
"$BOT_DIR/.venv/bin/python" scripts/eval.py --model "$MODEL" "$@" || status=$?
echo
echo "bot: misread figures in the generated bill/budget suite"
(cd "$ROOT_DIR" && "$BOT_DIR/.venv/bin/python" -m pytest -q -p no:cacheprovider -c bot/pytest.ini \
  tests/bot/test_bill_figures.py -k "suite or misread") | grep -E "bill/budget suite|passed|failed" || status=1
exit $status
