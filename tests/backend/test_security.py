"""Hostile and broken input on every documented operation, driven by the OpenAPI document so a
new endpoint is covered the day it is added; then the HTTP layer: the client behind a proxy,
security headers on every page type, the HTTPS-only console, production secrets and CORS."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import ssl
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from flask import Flask, g
from flask_migrate import upgrade
from sqlalchemy import select, text
from werkzeug.serving import make_server

from backend.api import api_of
from backend.app import create_app
from backend.config import DEV_RASA_AUTH_TOKEN, DEV_SERVICE_TOKEN, ROOT, TestConfig
from backend.extensions import db
from backend.models import StaffLoginFailure
from backend.services.staff_users import create_staff
from tests import fakes
from tests.backend.staff.conftest import PASSWORD
from tests.backend.test_households import ME_ENDPOINTS
from tests.conftest import bearer
from tests.fakes import start_server_on_ports, stop_server


def _operations() -> list[tuple[str, str, str | None, bool]]:
    """(method, path, security scheme, has a body) of every documented operation."""
    spec = api_of(create_app(TestConfig)).document(internal=True)  # the internal /service too
    operations = []
    for path, items in spec["paths"].items():
        for method, operation in items.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            security = operation.get("security") or [{}]
            scheme = next(iter(security[0]), None)
            operations.append((method, path, scheme, "requestBody" in operation))
    return operations


OPERATIONS = _operations()
WITH_BODY = [(m, p, s) for m, p, s, body in OPERATIONS if body]


def _request(app: Flask, client, household, method: str, path: str, scheme: str | None, **kw):
    headers = {}
    if scheme == "household":
        headers = bearer(household)
    elif scheme == "service":
        headers = {"Authorization": f"Bearer {app.config['SERVICE_TOKEN']}"}
    path = path.replace("{household_id}", household.id).replace("{sender_id}", household.id)
    path = path.replace("{anomaly_id}", "1")  # the body is read before the alert is looked up
    return client.open(path, method=method.upper(), headers=headers, **kw)


def test_every_household_operation_is_in_the_cross_household_test():
    household_ops = {(m, p) for m, p, s, _ in OPERATIONS if s == "household"}
    covered = {(m, p) for m, p, _ in ME_ENDPOINTS}
    assert household_ops - covered == {
        # always speaks as the token's household (test_foundation: chat_forwards_as_own_household)
        ("post", "/api/v1/chat"),
        # only the token's own staff messages (test_handoff: no_other_household_does)
        ("get", "/api/v1/chat/messages"),
        # below: another household's push token cannot be removed
        ("delete", "/api/v1/me/devices"),
        # another household's notice is a 404 (test_household_app: notice_of_another_household)
        ("post", "/api/v1/me/notices/{notice_id}/read"),
        # another household's alert is a 404 naming anomaly_id
        # (test_anomaly_feedback: feedback_on_another_households_alert_is_a_404)
        ("post", "/api/v1/me/anomalies/{anomaly_id}/feedback"),
        # (test_anomaly_feedback: repair_on_another_households_or_a_closed_alert_is_refused)
        ("post", "/api/v1/me/anomalies/{anomaly_id}/repaired"),
        # another household's guest stay is a 404 naming stay_id, and stays
        # (test_guest_stays: nobody_withdraws_another_households_stay)
        ("delete", "/api/v1/me/guest-stays/{stay_id}"),
    }


def test_another_households_push_token_cannot_be_removed(client, household, other_household):
    token = {"token": "fcm-token-of-the-other-household"}
    assert (
        client.post("/api/v1/me/devices", json=token, headers=bearer(other_household)).status_code
        < 300
    )
    response = client.delete("/api/v1/me/devices", json=token, headers=bearer(household))
    assert response.status_code == 404
    kept = client.get("/api/v1/me/export", headers=bearer(other_household)).get_data(as_text=True)
    assert token["token"] in kept


@pytest.mark.parametrize(("method", "path", "scheme"), WITH_BODY)
def test_a_body_over_one_megabyte_is_413_json(app, client, household, method, path, scheme):
    body = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
    response = _request(
        app, client, household, method, path, scheme, data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "body_too_large"


@pytest.mark.parametrize("body", ["{", '{"a": ', "\xff\xfe", "[1, 2", "null", "[]", '"text"', "12"])
@pytest.mark.parametrize(("method", "path", "scheme"), WITH_BODY)
def test_malformed_bodies_get_a_clear_4xx(app, client, household, method, path, scheme, body):
    response = _request(
        app, client, household, method, path, scheme, data=body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    payload = response.get_json()
    assert payload["code"] in {"bad_request", "invalid"} and payload["message"]


@pytest.mark.parametrize(("method", "path", "scheme"), WITH_BODY)
def test_a_body_that_is_not_json_is_refused(app, client, household, method, path, scheme):
    response = _request(
        app, client, household, method, path, scheme, data="a=1", content_type="text/plain"
    )
    assert 400 <= response.status_code < 500
    assert response.get_json()["message"]


# --- The client behind a proxy, headers on every page, HTTPS-only console, secrets, CORS ----

PRODUCTION = {
    "APP_ENV": "production",
    "AUTH_MODE": "firebase",
    "SECRET_KEY": "a-long-random-secret-key-for-tests",
    "SERVICE_TOKEN": "a-long-random-service-token",
    "RASA_AUTH_TOKEN": "a-long-random-rasa-token",
    "TRUSTED_PROXIES": 1,
}
NGINX = "10.9.0.2"  # the proxy's own address, as the backend sees the connection


@contextmanager
def app_with(**overrides: Any) -> Iterator[Flask]:
    """A migrated app with settings that act when the app is created (proxies, production)."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()} | overrides
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _login(client, password: str = PASSWORD, **kw):
    return client.post("/staff/login", data={"login": "an", "password": password}, **kw)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SERVICE_TOKEN", ""),
        ("SERVICE_TOKEN", "   "),
        ("SERVICE_TOKEN", DEV_SERVICE_TOKEN),
        ("RASA_AUTH_TOKEN", ""),
        ("RASA_AUTH_TOKEN", DEV_RASA_AUTH_TOKEN),
        ("SECRET_KEY", ""),
    ],
)
def test_production_refuses_to_start_with_an_empty_or_default_secret(name, value):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    create_app(config | PRODUCTION)  # the good settings start
    with pytest.raises(RuntimeError, match=name):
        create_app(config | PRODUCTION | {name: value})


def test_behind_a_trusted_proxy_limits_and_throttles_see_the_client():
    """Two clients behind the same nginx have their own sign-in limit; a forged left-hand
    X-Forwarded-For entry changes nothing (nginx appends the real peer at the right)."""
    with app_with(
        TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, STAFF_LOGIN_RATE_LIMIT="2 per minute"
    ) as app:
        create_staff(db.session(), "an", PASSWORD, "agent")
        client = app.test_client()

        def attempt(forwarded: str):
            return _login(
                client,
                "wrong password!",
                environ_base={"REMOTE_ADDR": NGINX},
                headers={"X-Forwarded-For": forwarded},
            )

        assert [attempt(f"6.6.6.{n}, 203.0.113.5").status_code for n in range(3)] == [
            401,
            401,
            429,
        ]
        assert attempt("203.0.113.5, 198.51.100.20").status_code == 401  # another client
        addresses = set(db.session.scalars(select(StaffLoginFailure.ip)))
        assert addresses == {"203.0.113.5", "198.51.100.20"}


@pytest.mark.parametrize(
    ("trusted", "thief_forwarded"),
    [
        (0, "198.51.100.7"),  # no proxy: the header is the thief's own invention
        (1, "198.51.100.7, 203.0.113.9"),  # behind nginx: a forged entry left of the real one
    ],
)
def test_a_copied_session_cookie_with_a_forged_forwarded_for_is_refused(trusted, thief_forwarded):
    """Flask-Login binds the session to the client address it reads from X-Forwarded-For:
    only the address a trusted proxy vouched for may reach it."""
    with app_with(TRUSTED_PROXIES=trusted) as app:
        create_staff(db.session(), "an", PASSWORD, "agent")
        owner, thief = app.test_client(), app.test_client()
        owner_env = {"REMOTE_ADDR": NGINX if trusted else "198.51.100.7"}
        owner_headers = {"X-Forwarded-For": "198.51.100.7"} if trusted else {}
        assert _login(owner, environ_base=owner_env, headers=owner_headers).status_code == 302
        assert (
            owner.get(
                "/staff/conversations", environ_base=owner_env, headers=owner_headers
            ).status_code
            == 200
        )
        thief.set_cookie("session", owner.get_cookie("session").value)
        g.pop("_login_user", None)  # one app context for both clients: no cached user
        stolen = thief.get(
            "/staff/conversations",
            environ_base={"REMOTE_ADDR": NGINX if trusted else "203.0.113.9"},
            headers={"X-Forwarded-For": thief_forwarded},
        )
        assert stolen.status_code == 302


def test_the_console_refuses_plain_http_in_production():
    with app_with(**PRODUCTION) as app:
        create_staff(db.session(), "an", PASSWORD, "agent")
        client = app.test_client()
        plain = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "http"}
        secure = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
        env = {"REMOTE_ADDR": NGINX}
        refused = client.get("/staff/login", headers=plain, environ_base=env)
        assert refused.status_code == 403 and "HTTPS" in refused.get_data(as_text=True)
        assert _login(client, headers=plain, environ_base=env).status_code == 403
        assert client.get("/healthz", headers=plain, environ_base=env).status_code == 200
        page = client.get("/staff/login", headers=secure, environ_base=env)
        assert page.status_code == 200
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        signed_in = _login(client, headers=secure, environ_base=env)
        assert signed_in.status_code == 302
        cookie = signed_in.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def signed_in(client, staff_agent):
    assert _login(client).status_code == 302
    return client


@pytest.fixture
def staff_agent(app):
    return create_staff(db.session(), "an", PASSWORD, "agent")


PAGES = {
    "web chat": "/",
    "staff login": "/staff/login",
    "staff console": "/staff/conversations",
    "staff 404": "/staff/khong-co",
    "API JSON": "/api/v1/tariffs",
    "API 404": "/api/v1/khong-co",
    "health": "/healthz",
    "Swagger UI": "/docs",
    "OpenAPI": "/openapi.json",
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_security_headers_on_every_page(signed_in, household, path):
    response = signed_in.get(path, headers={"Accept": "text/html"})
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    csp = dict(
        part.strip().partition(" ")[::2] for part in headers["Content-Security-Policy"].split(";")
    )
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    if response.mimetype != "text/html":
        assert csp["default-src"] == "'none'"
        return
    assert "'unsafe-inline'" not in csp["script-src"] and "*" not in csp["script-src"]
    nonce = re.search(r"'nonce-([^']+)'", csp["script-src"]).group(1)
    page = response.get_data(as_text=True)
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts), inline_scripts
    if "'unsafe-inline'" not in csp["style-src"]:
        assert all(f'nonce="{nonce}"' in attrs for attrs in re.findall(r"<style([^>]*)>", page))
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page)  # no inline event handlers
    assert "javascript:" not in page


def test_the_web_chat_script_runs_only_with_this_responses_nonce(client, household):
    first, second = client.get("/"), client.get("/")
    nonces = [re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1)
              for r in (first, second)]  # fmt: skip
    assert nonces[0] != nonces[1]
    page = first.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts, "the page loads its script"
    for attributes in scripts:  # no inline script: each comes from this origin's static files
        assert 'src="/static/' in attributes or f'nonce="{nonces[0]}"' in attributes
    script_src = re.search(r"script-src ([^;]*)", first.headers["Content-Security-Policy"]).group(1)
    assert "'unsafe-inline'" not in script_src


def test_staff_pages_are_not_cached(signed_in):
    assert signed_in.get("/staff/conversations").headers["Cache-Control"] == "no-store"


def test_no_wildcard_cors_anywhere_in_the_backend(signed_in, household):
    for path in PAGES.values():
        for method in ("GET", "OPTIONS"):
            response = signed_in.open(
                path,
                method=method,
                headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
            )
            assert response.headers.get("Access-Control-Allow-Origin") in (None, ""), path
            assert "Access-Control-Allow-Credentials" not in response.headers, path


def _run_rasa_arguments(tmp_path: Path, **env: str) -> list[str]:
    """bot/scripts/run_rasa.sh with a stand-in `rasa` that prints the arguments it was given."""
    scripts = tmp_path / "bot" / "scripts"
    scripts.mkdir(parents=True)
    for name in ("run_rasa.sh", "env.sh"):
        shutil.copy(ROOT / "bot" / "scripts" / name, scripts / name)
    rasa = tmp_path / "bot" / ".venv" / "bin" / "rasa"
    rasa.parent.mkdir(parents=True)
    rasa.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
    rasa.chmod(0o755)
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run(
        ["bash", str(scripts / "run_rasa.sh")],
        env=base | env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout.splitlines()


def test_rasa_allows_no_cross_origin_calls_unless_configured(tmp_path):
    arguments = _run_rasa_arguments(tmp_path / "default")
    assert "--cors" not in arguments and "*" not in arguments
    arguments = _run_rasa_arguments(
        tmp_path / "set", RASA_CORS_ORIGINS="https://a.example https://b.example"
    )
    at = arguments.index("--cors")
    assert arguments[at + 1 : at + 3] == ["https://a.example", "https://b.example"]


def test_the_production_shape_ends_tls_and_trusts_exactly_its_proxy():
    """deploy/: nginx answers plain HTTP only with a redirect, serves HTTPS with the mounted
    certificate, and tells the backends the client and the scheme; the backends trust it."""
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = re.split(r"\nserver \{", nginx)[1:]
    plain = next(s for s in servers if re.search(r"listen 80\b", s))
    assert "return 301 https://$host$request_uri;" in plain and "proxy_pass" not in plain
    tls = next(s for s in servers if "listen 443 ssl" in s)
    assert "ssl_certificate /etc/nginx/tls/fullchain.pem;" in tls
    assert "ssl_certificate_key /etc/nginx/tls/privkey.pem;" in tls
    assert "Strict-Transport-Security" in tls
    for location in re.findall(r"location [^{]+\{[^}]+proxy_pass[^}]+\}", tls):
        assert "X-Forwarded-For $proxy_add_x_forwarded_for" in location
        assert "X-Forwarded-Proto $scheme" in location
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    lb = compose["services"]["lb"]
    assert "443:443" in lb["ports"]
    mounts = " ".join(lb["volumes"])
    assert "${TLS_CERT_FILE" in mounts and ":/etc/nginx/tls/fullchain.pem:ro" in mounts
    assert "${TLS_KEY_FILE" in mounts and ":/etc/nginx/tls/privkey.pem:ro" in mounts
    for name in ("backend-1", "backend-2"):
        env = compose["services"][name]["environment"]
        assert env["TRUSTED_PROXIES"] == "1" and env["APP_ENV"] == "production"
        assert env["RASA_AUTH_TOKEN"].startswith("${RASA_AUTH_TOKEN:?")


NGINX_BIN = shutil.which("nginx") or "/usr/sbin/nginx"


def _certificate(tmp_path: Path) -> None:
    """A self-signed certificate for 127.0.0.1: tmp_path/fullchain.pem and privkey.pem."""
    assert Path(NGINX_BIN).exists(), "nginx is needed (Debian: apt-get install nginx-light)"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(tmp_path / "privkey.pem"),
         "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def _start_nginx(tmp_path: Path, upstream_port: int) -> tuple[subprocess.Popen, list[int]]:
    """deploy/nginx.conf, its upstreams on `upstream_port`, run on four free loopback ports (http,
    https, actions, service); ready when its own HTTPS answers with our certificate (another
    suite's server on one of the ports cannot), started again on other ports when a bind fails
    (tests/fakes.py, `start_server_on_ports`)."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(r"server [\w-]+:\d+;", f"server 127.0.0.1:{upstream_port};", site)
    if "nginx/1.2" in subprocess.run([NGINX_BIN, "-v"], capture_output=True, text=True).stderr:
        site = site.replace("http2 on;", "")  # Debian 12's 1.22; the image is 1.27
    (tmp_path / "nginx.conf").write_text(
        f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}; "
        f"proxy_temp_path {tmp_path}; include {tmp_path}/site.conf; }}\n"
    )

    def command(ports: list[int]) -> list[str]:
        (tmp_path / "site.conf").write_text(
            site.replace("listen 80 ", f"listen 127.0.0.1:{ports[0]} ")
            .replace("listen 443 ", f"listen 127.0.0.1:{ports[1]} ")
            .replace("listen 5055;", f"listen 127.0.0.1:{ports[2]};")
            .replace("listen 5001;", f"listen 127.0.0.1:{ports[3]};")
            .replace("/etc/nginx/tls/", f"{tmp_path}/")
        )
        return [NGINX_BIN, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]

    ours = ssl.create_default_context(cafile=str(tmp_path / "fullchain.pem"))
    return start_server_on_ports(
        command,
        lambda ports: f"https://127.0.0.1:{ports[1]}/healthz",
        count=4,
        ready=lambda status, body: True,  # any answer over our TLS is nginx's own
        opener=urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ours)
        ),
        timeout=20,
    )


@pytest.fixture
def nginx_in_front(tmp_path: Path) -> Iterator[tuple[str, str, Flask, str, str]]:
    """deploy/nginx.conf run by a real nginx on loopback (self-signed certificate, upstreams
    pointed at a production-configured backend served by werkzeug): (http URL, https URL, app,
    the certificate to verify with, the action servers' plain-HTTP URL)."""
    _certificate(tmp_path)
    with app_with(**PRODUCTION, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.db'}") as app:
        create_staff(db.session(), "an", PASSWORD, "agent")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        nginx, ports = _start_nginx(tmp_path, server.server_port)
        http_port, https_port, _, service_port = ports
        try:
            yield (
                f"http://127.0.0.1:{http_port}",
                f"https://127.0.0.1:{https_port}",
                app,
                str(tmp_path / "fullchain.pem"),
                f"http://127.0.0.1:{service_port}",
            )
        finally:
            stop_server(nginx)
            server.shutdown()


def test_nginx_starts_again_on_other_ports_when_a_server_holds_one(tmp_path, monkeypatch):
    """Another suite's server took the HTTPS port: its answer is not taken for nginx's."""
    _certificate(tmp_path)
    foreign = make_server("127.0.0.1", 0, Flask("foreign"), threaded=True)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    real = fakes.free_port
    handed = iter([real(), foreign.server_port])  # the first HTTPS port is the foreign one
    monkeypatch.setattr(fakes, "free_port", lambda: next(handed, None) or real())
    nginx, ports = _start_nginx(tmp_path, real())  # no backend behind it
    try:
        assert foreign.server_port not in ports
        assert nginx.poll() is None
    finally:
        stop_server(nginx)
        foreign.shutdown()


def test_the_action_servers_reach_the_backend_over_plain_http_without_a_redirect(nginx_in_front):
    """BACKEND_URL of the action servers is http://lb:5001 (docs/deploy.md): served inside the
    network, not redirected to HTTPS as port 80 is."""
    *_, service_url = nginx_in_front
    assert requests.get(f"{service_url}/healthz", allow_redirects=False, timeout=10).ok
    unsigned = requests.get(
        f"{service_url}/api/v1/service/outages", allow_redirects=False, timeout=10
    )
    assert unsigned.status_code == 401  # the service API itself answers: its token is needed


def test_nginx_redirects_plain_http_and_the_console_works_over_its_tls(nginx_in_front):
    http_url, https_url, app, certificate, _ = nginx_in_front
    redirect = requests.get(f"{http_url}/staff/login", allow_redirects=False, timeout=10)
    assert redirect.status_code == 301
    assert redirect.headers["Location"] == "https://127.0.0.1/staff/login"
    session = requests.Session()
    page = session.get(f"{https_url}/staff/login", timeout=10, verify=certificate)
    assert page.status_code == 200 and "Đăng nhập" in page.text
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    refused = session.post(
        f"{https_url}/staff/login",
        data={"login": "an", "password": "wrong password!"},
        headers={"X-Forwarded-For": "6.6.6.6"},  # forged: nginx appends the real peer
        timeout=10,
        verify=certificate,
    )
    assert refused.status_code == 401
    with app.app_context():  # the client nginx saw, not the forged entry
        assert set(db.session.scalars(select(StaffLoginFailure.ip))) == {"127.0.0.1"}
    signed_in = session.post(
        f"{https_url}/staff/login",
        data={"login": "an", "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
        verify=certificate,
    )
    assert signed_in.status_code == 302
    assert "Secure" in signed_in.headers["Set-Cookie"]
    console = session.get(f"{https_url}/staff/conversations", timeout=10, verify=certificate)
    assert console.status_code == 200


@pytest.mark.parametrize("path", ["/static/app/app.js", "/static/app/app.css", "/openapi.json"])
def test_nginx_compresses_text_for_the_phone(nginx_in_front, path):
    _, https_url, _, certificate, _ = nginx_in_front

    def fetch(encoding: str) -> tuple[requests.Response, bytes]:
        response = requests.get(
            f"{https_url}{path}",
            headers={"Accept-Encoding": encoding},
            stream=True,
            timeout=10,
            verify=certificate,
        )
        return response, response.raw.read(decode_content=False)

    plain, plain_bytes = fetch("identity")
    zipped, zipped_bytes = fetch("gzip")
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped_bytes) == plain_bytes
    assert len(zipped_bytes) < len(plain_bytes) / 2
