#!/usr/bin/env bash
# Every bot test: data validation, unit/action/channel tests, test stories, held-out NLU accuracy.
# Usage: test.sh [all|unit|model]
#   unit   data validation and pytest (tests/bot): no trained model needed
#   model  train if needed, then the test stories and held-out NLU accuracy on the model
# `make test` runs "unit" beside the training (step test-app) and "model" after it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
part="${1:-all}"
case "$part" in all | unit | model) ;; *) echo "usage: $0 [all|unit|model]" >&2; exit 2 ;; esac
if [ "$part" != unit ]; then
  bash scripts/train.sh
fi
if [ "$part" != model ]; then
  echo "bot: rasa data validate"
  "$RASA" data validate --quiet
  echo "bot: pytest (parsing, normaliser, actions against a fake backend, Zalo channel against a fake Zalo)"
  (cd "$ROOT_DIR" && "$BOT_DIR/.venv/bin/python" -m pytest -q -c bot/pytest.ini tests/bot)
fi
if [ "$part" != unit ]; then
  echo "bot: test stories"
  rm -rf results
  "$RASA" test core --model "$MODEL" --stories tests/test_stories.yml --fail-on-prediction-errors --out results --quiet
  echo "bot: held-out NLU accuracy"
  "$BOT_DIR/.venv/bin/python" scripts/eval.py --model "$MODEL" --min nlu_holdout.yml=0.95
fi
