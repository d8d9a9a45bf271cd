#!/usr/bin/env bash
# Train the Rasa model only when config, domain, data or components changed (fingerprint).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
fingerprint=$(bash scripts/fingerprint.sh)
if [ -f "$MODEL" ] && [ "$(cat models/current.fingerprint 2>/dev/null)" = "$fingerprint" ]; then
  echo "bot: model up to date ($MODEL)"
  exit 0
fi
echo "bot: training the Rasa model (data or config changed)…"
start=$(date +%s)
"$RASA" train --fixed-model-name current --out models --quiet
echo "$fingerprint" > models/current.fingerprint
echo "bot: trained in $(( $(date +%s) - start )) s"
