#!/usr/bin/env bash
# Train the Rasa model only when config, domain, data or components changed (fingerprint).
# Shows a line per stage with the elapsed time (scripts/rasa_progress.py); the full output goes
# to models/train.log and its tail is printed when training fails.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
fingerprint=$(bash scripts/fingerprint.sh)
if [ -f "$MODEL" ] && [ "$(cat models/current.fingerprint 2>/dev/null)" = "$fingerprint" ]; then
  echo "bot: model up to date ($MODEL)"
  exit 0
fi
echo "bot: training the Rasa model (data or config changed); 6–18 min on 2 cores, a line per stage…"
start=$(date +%s)
mkdir -p models
# While training, the backend answers chat with "getting ready, about N minutes" (make run serves
# everything else meanwhile): the marker says when training started and how long it should take
# (the last training on this machine, or 10 minutes).
marker="$VAR_DIR/bot-training.json"
expected=$(cat models/train.seconds 2>/dev/null || echo 600)
echo "{\"started\": $start, \"expected_s\": $expected}" > "$marker"
trap 'rm -f "$marker"' EXIT
if ! "$RASA" train --fixed-model-name current --out models 2>&1 |
  python3 "$ROOT_DIR/scripts/rasa_progress.py" --log models/train.log; then
  echo "bot: training FAILED after $(( $(date +%s) - start )) s; the end of models/train.log:" >&2
  tail -n 40 models/train.log >&2
  exit 1
fi
echo "$fingerprint" > models/current.fingerprint
elapsed=$(( $(date +%s) - start ))
echo "$elapsed" > models/train.seconds
echo "bot: trained in $(( elapsed / 60 )) min $(( elapsed % 60 )) s"
