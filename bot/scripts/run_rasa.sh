#!/usr/bin/env bash
# Rasa server with the HTTP API (behind RASA_AUTH_TOKEN), the signed REST channel (backend proxy
# only) and the Zalo channel, on port 5005 by default. No CORS unless RASA_CORS_ORIGINS names
# origins: no browser talks to Rasa directly.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BOT_DIR"
if [ -z "$RASA_AUTH_TOKEN" ]; then
  echo "rasa: RASA_AUTH_TOKEN is empty; refusing to start with an open HTTP API" >&2
  exit 2
fi
cors=()
[ -n "${RASA_CORS_ORIGINS:-}" ] && cors=(--cors ${RASA_CORS_ORIGINS})
exec "$RASA" run --enable-api --auth-token "$RASA_AUTH_TOKEN" "${cors[@]}" \
  --interface "${RASA_INTERFACE:-127.0.0.1}" --port "${RASA_PORT:-5005}" --model "$MODEL" \
  --credentials credentials.yml --endpoints "${RASA_ENDPOINTS:-endpoints.yml}"
