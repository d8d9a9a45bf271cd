# Sourced by the bot scripts: paths and defaults of `make run` (override any of them).
BOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT_DIR="$(cd "$BOT_DIR/.." && pwd)"
export VAR_DIR="${VAR_DIR:-$ROOT_DIR/var}"
mkdir -p "$VAR_DIR"
export RASA="$BOT_DIR/.venv/bin/rasa"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:5055/webhook}"
# Rasa's HTTP API and the signed REST channel (backend proxy) share RASA_AUTH_TOKEN; Rasa calls
# the action server with ACTION_SERVER_TOKEN. Both development defaults are refused in production.
export RASA_AUTH_TOKEN="${RASA_AUTH_TOKEN:-dev-rasa-token}"
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-dev-action-token}"
export RASA_TRACKER_DB="${RASA_TRACKER_DB:-$VAR_DIR/rasa_tracker.db}"
export RASA_EVENTS_DB="${RASA_EVENTS_DB:-$VAR_DIR/rasa_events.db}"
export BACKEND_URL="${BACKEND_URL:-http://127.0.0.1:5000}"
export SERVICE_TOKEN="${SERVICE_TOKEN:-dev-service-token}"
export ZALO_APP_ID="${ZALO_APP_ID:-}"
export ZALO_OA_SECRET_KEY="${ZALO_OA_SECRET_KEY:-}"
export ZALO_APP_SECRET_KEY="${ZALO_APP_SECRET_KEY:-}"
export ZALO_API_BASE="${ZALO_API_BASE:-https://openapi.zalo.me}"
export ZALO_OAUTH_BASE="${ZALO_OAUTH_BASE:-https://oauth.zaloapp.com}"
export ZALO_TOKEN_FILE="${ZALO_TOKEN_FILE:-$VAR_DIR/zalo_tokens.json}"
export MODEL="$BOT_DIR/models/current.tar.gz"
export PYTHONPATH="$BOT_DIR:$ROOT_DIR${PYTHONPATH:+:$PYTHONPATH}"  # zalo/ is shared with the backend
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export TF_CPP_MIN_LOG_LEVEL=2
export RASA_TELEMETRY_ENABLED=false
