"""deploy/docker-compose.yml and its nginx: a structural check of the wiring (neither this
machine nor CI has a Docker engine or the compose plugin, so `docker compose config` cannot run
where the tests run; the real nginx config is served in tests/backend/test_security.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_every_part_of_the_production_shape_is_there():
    services = compose()["services"]
    for name in ["postgres", "redis", "migrate", "lb", "backend-1", "backend-2", "rasa-1",
                 "rasa-2", "actions-1", "actions-2", "worker-1", "worker-2"]:  # fmt: skip
        assert name in services, name
    assert "--no-periodic" in services["worker-2"]["command"]  # one schedule, two consumers
    assert "--no-periodic" not in services["worker-1"]["command"]


def test_rasa_servers_share_tracker_and_lock_store():
    endpoints = yaml.safe_load((DEPLOY / "endpoints.prod.yml").read_text())
    assert endpoints["lock_store"]["type"].endswith("RedisLockStore")
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    for store in ("tracker_store", "event_broker", "lock_store"):
        module, _, name = endpoints[store]["type"].rpartition(".")
        assert (
            f"class {name}("
            in (ROOT / "bot" / Path(*module.split("."))).with_suffix(".py").read_text()
        )
    assert endpoints["tracker_store"]["url"] != endpoints["event_broker"]["url"]
    needed = set(re.findall(r"\$\{(\w+)\}", (DEPLOY / "endpoints.prod.yml").read_text()))
    services = compose()["services"]
    for name in ("rasa-1", "rasa-2"):
        env = services[name]["environment"]
        assert needed <= set(env), needed - set(env)
        assert (
            env["REDIS_HOST"] == "redis" and "@postgres:5432/rasa" in env["RASA_TRACKER_STORE_URL"]
        )
    init = (DEPLOY / "postgres-init.sql").read_text()
    assert "DATABASE rasa " in init and "DATABASE rasa_events " in init


def test_backends_and_workers_use_postgres_and_redis():
    services = compose()["services"]
    for name in ("backend-1", "backend-2", "worker-1", "worker-2", "migrate"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["RATELIMIT_STORAGE_URI"].startswith("redis://redis:")
        assert env["APP_ENV"] == "production" and env["AUTH_MODE"] == "firebase"
    rasa_hosts = re.findall(r"http://([\w-]+):", services["backend-1"]["environment"]["RASA_URL"])
    assert rasa_hosts == ["rasa-1", "rasa-2"]


def test_the_load_balancer_points_at_existing_services():
    nginx = (DEPLOY / "nginx.conf").read_text()
    upstream_hosts = set(re.findall(r"server ([\w-]+):\d+;", nginx))
    assert upstream_hosts == {
        "backend-1",
        "backend-2",
        "rasa-1",
        "rasa-2",
        "actions-1",
        "actions-2",
    }
    assert upstream_hosts <= set(compose()["services"])
    assert "location /webhooks/" in nginx and "proxy_pass http://rasa;" in nginx


@pytest.mark.parametrize("dockerfile", sorted(DEPLOY.glob("Dockerfile.*")), ids=lambda p: p.name)
def test_dockerfiles_copy_what_exists(dockerfile):
    for line in dockerfile.read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _ = line.split()[1:]
            for source in sources:
                if source != "bot/models/current.tar.gz":  # built by `make bot-train`
                    assert (ROOT / source).exists(), f"{dockerfile.name}: {source}"


def test_the_action_server_image_has_no_rasa():
    text = (DEPLOY / "Dockerfile.actions").read_text()
    assert "rasa-sdk==" in text and "rasa==" not in text


def test_only_the_zalo_webhook_of_rasa_is_public():
    """nginx routes /webhooks/zalo/webhook to Rasa and nothing else of it: not the REST channel,
    not the HTTP API; every Rasa and action server needs its credential to start."""
    conf = (DEPLOY / "nginx.conf").read_text()
    to_rasa = re.findall(r"location ([^{]+)\{[^}]*proxy_pass http://rasa;", conf)
    assert [where.strip() for where in to_rasa] == ["= /webhooks/zalo/webhook"]
    assert re.search(r"location /webhooks/ \{\s*return 404;", conf)
    assert "--auth-token" in (DEPLOY / "Dockerfile.rasa").read_text()
    assert "action_server.py" in (DEPLOY / "Dockerfile.actions").read_text()
    services = compose()["services"]
    for name in ("rasa-1", "backend-1"):
        assert services[name]["environment"]["RASA_AUTH_TOKEN"].startswith("${RASA_AUTH_TOKEN:?")
    for name in ("rasa-1", "actions-1"):
        token = services[name]["environment"]["ACTION_SERVER_TOKEN"]
        assert token.startswith("${ACTION_SERVER_TOKEN:?")
    endpoints = yaml.safe_load((DEPLOY / "endpoints.prod.yml").read_text())
    assert endpoints["action_endpoint"]["token"] == "${ACTION_SERVER_TOKEN}"
