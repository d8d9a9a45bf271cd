#!/usr/bin/env bash
# A candidate model for the staff console's retraining (backend/services/retrain.py): trains
# models/candidate.tar.gz from the current data (the live models/current.tar.gz is not touched),
# measures both on the held-out sentences (scripts/eval.py) and prints, as its last line,
# {"candidate": accuracy, "current": accuracy or null, "model": path, "fingerprint": path}.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
mkdir -p models
bash scripts/fingerprint.sh > models/candidate.fingerprint
echo "bot: training a candidate model…"
"$RASA" train --fixed-model-name candidate --out models 2>&1 |
  python3 "$ROOT_DIR/scripts/rasa_progress.py" --log models/candidate-train.log
overall() {  # the "overall" accuracy eval.py prints for one model
  { "$BOT_DIR/.venv/bin/python" scripts/eval.py --model "$1" || true; } | tee /dev/stderr | awk '$1 == "overall" {print $3}'
}
candidate=$(overall models/candidate.tar.gz)
current=null
if [ -f models/current.tar.gz ]; then current=$(overall models/current.tar.gz); fi
printf '{"candidate": %s, "current": %s, "model": "%s", "fingerprint": "%s"}\n' \
  "$candidate" "$current" "$BOT_DIR/models/candidate.tar.gz" "$BOT_DIR/models/candidate.fingerprint"
