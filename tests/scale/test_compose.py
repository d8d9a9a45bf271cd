"""deploy/docker-compose.yml and its nginx: a structural check of the wiring (neither this
machine nor CI has a Docker engine or the compose plugin, so `docker compose config` cannot run
where the tests run; the real nginx config is served in tests/backend/test_security.py)."""

from __future__ import annotations

import re
import tomllib
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
    for name in ("backend-1", "backend-2", "backend-service-1", "worker-1", "worker-2", "migrate"):
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
        "backend-service-1",
        "backend-service-2",
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


def _upstream_behind(port: int) -> set[str]:
    """The hosts of the upstream that nginx's `listen port` server proxies to."""
    nginx = (DEPLOY / "nginx.conf").read_text()
    server = re.search(rf"server \{{\s*listen {port};(.*?)\n\}}", nginx, flags=re.S)
    assert server, f"no server listening on {port}"
    upstream = re.search(r"proxy_pass http://([\w-]+);", server.group(1)).group(1)
    hosts = re.search(rf"upstream {upstream} \{{([^}}]*)\}}", nginx).group(1)
    return set(re.findall(r"server ([\w-]+):\d+;", hosts))


def test_the_action_servers_call_backends_that_chat_turns_cannot_occupy():
    """docs/deploy.md, "Chat under load": a chat turn waits for Rasa, which waits for the action
    server, which calls the backend; those calls go to their own backends, over plain HTTP
    inside the network (port 80 only redirects to HTTPS), never to the household-facing pool."""
    services = compose()["services"]
    url = services["actions-1"]["environment"]["BACKEND_URL"]
    host, port = re.fullmatch(r"http://([\w-]+):(\d+)", url).groups()
    assert host == "lb" and port not in {"80", "443"}
    assert _upstream_behind(int(port)) == {"backend-service-1", "backend-service-2"}
    assert not any(p.startswith(f"{port}:") for p in services["lb"]["ports"])  # not published
    command = " ".join(services["backend-service-1"]["command"])
    assert "--threads=" in command and "gevent" not in command


def test_the_household_facing_backends_run_gevent_workers_the_image_installs():
    cmd = next(
        line
        for line in (DEPLOY / "Dockerfile.backend").read_text().splitlines()
        if line.startswith("CMD ")
    )
    assert "--worker-class=gevent" in cmd
    assert "command" not in compose()["services"]["backend-1"]  # the image's CMD
    # `uv sync --no-dev` installs the project's dependencies only: gevent must be one of them
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(re.match(r"gevent\b", dependency) for dependency in project["dependencies"])
