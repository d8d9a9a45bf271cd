"""The Zalo OA client configured from the app's settings (None when Zalo is not set up)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zalo.oa import OaClient
from zalo.tokens import TokenStore


def oa_client(config: Mapping[str, Any]) -> OaClient | None:
    if not config.get("ZALO_APP_ID"):
        return None
    return OaClient(
        api_base=config["ZALO_API_BASE"],
        oauth_base=config["ZALO_OAUTH_BASE"],
        zns_base=config["ZALO_ZNS_BASE"],
        app_id=config["ZALO_APP_ID"],
        app_secret_key=config["ZALO_APP_SECRET_KEY"],
        store=TokenStore(config["ZALO_TOKEN_FILE"]),
    )
