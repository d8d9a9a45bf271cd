#!/usr/bin/env bash
# Every bot test: data validation, unit/action/channel tests, test stories, held-out NLU accuracy.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
bash scripts/train.sh
echo "bot: rasa data validate"
"$RASA" data validate --quiet
echo "bot: pytest (parsing, normaliser, actions against a fake backend, Zalo channel against a fake Zalo)"
(cd "$ROOT_DIR" && "$BOT_DIR/.venv/bin/python" -m pytest -q -c bot/pytest.ini tests/bot)
echo "bot: test stories"
rm -rf results
"$RASA" test core --model "$MODEL" --stories tests/test_stories.yml --fail-on-prediction-errors --out results --quiet
echo "bot: held-out NLU accuracy"
"$BOT_DIR/.venv/bin/python" scripts/eval.py --model "$MODEL" --min nlu_holdout.yml=0.95
