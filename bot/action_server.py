"""The action server (rasa-sdk), reachable only by Rasa.

rasa-sdk's own launcher listens on every interface and answers anyone who posts to /webhook with
any sender id, and each action reads that household's data from the backend. This launcher adds
what the stock one lacks:
- it listens on `ACTIONS_INTERFACE` (loopback by default; a private network in the compose file);
- `POST /webhook` needs the token Rasa sends as `?token=` (`action_endpoint.token` in
  endpoints.yml, from `ACTION_SERVER_TOKEN`): without it, 401;
- no CORS: browsers have no business here;
- idle connections from Rasa are kept longer than Rasa keeps them (no lost actions under load).

    python action_server.py [--port 5055]     (cwd: bot/, PYTHONPATH as bot/scripts/env.sh sets it)
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

DEV_ACTION_TOKEN = "dev-action-token"


def build_app(*, token: str, actions: str = "actions") -> Sanic:
    """The stock rasa-sdk app with every route but /health behind `token`."""
    if not token:
        raise SystemExit("action server: ACTION_SERVER_TOKEN is empty; refusing to start")
    app = create_app(actions, cors_origins=None)
    # Rasa keeps its connection here open (aiohttp: 15 s idle); Sanic's 5 s default closes it
    # first, and a turn sent on a connection as Sanic closes it fails ("Cannot write to closing
    # transport"): the custom action is lost and the household gets no answer. Outlive the client.
    app.config.KEEP_ALIVE_TIMEOUT = int(os.environ.get("ACTIONS_KEEP_ALIVE", "75"))

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path == "/health":
            return None
        given = request.args.get("token", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTIONS_PORT", "5055")))
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    token = os.environ.get("ACTION_SERVER_TOKEN", DEV_ACTION_TOKEN)
    if os.environ.get("APP_ENV") == "production" and token == DEV_ACTION_TOKEN:
        raise SystemExit(
            "action server: set ACTION_SERVER_TOKEN (the development default is refused)"
        )
    host = os.environ.get("ACTIONS_INTERFACE", "127.0.0.1")
    app = build_app(token=token, actions=args.actions)
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
