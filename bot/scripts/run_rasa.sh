#!/usr/bin/env bash
# Rasa server with the HTTP API, REST and Zalo channels (port 5005 by default).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
exec "$RASA" run --enable-api ${RASA_CORS_ORIGINS:+--cors $RASA_CORS_ORIGINS} --interface "${RASA_INTERFACE:-0.0.0.0}" --port "${RASA_PORT:-5005}" --model "$MODEL" \
  --credentials credentials.yml --endpoints "${RASA_ENDPOINTS:-endpoints.yml}" ${RASA_AUTH_TOKEN:+--auth-token "$RASA_AUTH_TOKEN"}
