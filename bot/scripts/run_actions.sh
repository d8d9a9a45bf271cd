#!/usr/bin/env bash
# The action server (rasa-sdk) on port 5055 by default, on loopback and behind ACTION_SERVER_TOKEN
# (bot/action_server.py): only Rasa can call it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
exec "$BOT_DIR/.venv/bin/python" action_server.py --port "${ACTIONS_PORT:-5055}"
