#!/usr/bin/env bash
# Held-out intent accuracy, overall and per writing style.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
bash scripts/train.sh
exec "$BOT_DIR/.venv/bin/python" scripts/eval.py --model "$MODEL" "$@"
