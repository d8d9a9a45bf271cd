#!/usr/bin/env bash
# The action server (rasa-sdk) on port 5055 by default.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
exec "$RASA" run actions --actions actions --port "${ACTIONS_PORT:-5055}"
