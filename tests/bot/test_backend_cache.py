"""The action server's backend client keeps what changes a few times a year: the tariff table (for a
TTL, then revalidated with If-None-Match) and bill estimates (per body and day), and keeps one
client, with its open connections, per backend."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from actions.backend_client import BackendClient, client

TABLE = {"tariffs": [], "current": "1062/QĐ-BCT", "vat": {"default": 0.1, "reduced": []}}


def tariff_backend(fake_server):
    def handler(method, path, body):
        if path.startswith("/api/v1/tariffs"):
            return 200, TABLE
        if path.startswith("/api/v1/bills/estimate"):
            return 200, {"total": body["kwh"] * 3000}
        return 404, {"code": "not_found", "message": "Không tìm thấy."}

    return fake_server(handler)


def calls_to(server, path: str) -> int:
    return sum(1 for _, called, _, _ in server.calls if called.startswith(path))


def test_tariffs_are_fetched_once_per_ttl(fake_server):
    server = tariff_backend(fake_server)
    backend = BackendClient(base_url=server.url)
    for _ in range(5):
        assert backend.get("/api/v1/tariffs") == TABLE
    assert calls_to(server, "/api/v1/tariffs") == 1
    assert backend.cache_hits == 4

    backend.cache_ttl = 0  # the TTL ran out: asked again
    assert backend.get("/api/v1/tariffs") == TABLE
    assert calls_to(server, "/api/v1/tariffs") == 2


class EtagTariffs(BaseHTTPRequestHandler):
    """GET /api/v1/tariffs with an ETag, 304 to a matching If-None-Match."""

    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        EtagTariffs.seen.append(self.headers.get("If-None-Match"))
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.end_headers()
            return
        data = json.dumps(TABLE).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", '"v1"')
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def test_an_expired_table_is_revalidated_with_its_etag():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EtagTariffs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        backend = BackendClient(base_url=f"http://127.0.0.1:{server.server_port}")
        backend.cache_ttl = 0
        assert backend.get("/api/v1/tariffs") == TABLE
        assert backend.get("/api/v1/tariffs") == TABLE  # a 304: the kept table
        assert backend.get("/api/v1/tariffs") == TABLE
    finally:
        server.shutdown()
    assert EtagTariffs.seen == [None, '"v1"', '"v1"']


def test_the_same_estimate_is_computed_once_and_different_ones_each(fake_server):
    server = tariff_backend(fake_server)
    backend = BackendClient(base_url=server.url)
    assert backend.post("/api/v1/bills/estimate", {"kwh": 350}) == {"total": 1_050_000}
    assert backend.post("/api/v1/bills/estimate", {"kwh": 350}) == {"total": 1_050_000}
    assert backend.post("/api/v1/bills/estimate", {"kwh": 100}) == {"total": 300_000}
    assert calls_to(server, "/api/v1/bills/estimate") == 2


def test_household_data_is_never_cached(fake_server):
    def handler(method, path, body):
        return 200, {"household_id": "hh-1", "linked": True}

    server = fake_server(handler)
    backend = BackendClient(base_url=server.url)
    backend.household_of("zalo-1")
    backend.household_of("zalo-1")
    assert len(server.calls) == 2


def test_one_client_per_backend_so_caches_and_connections_are_shared(fake_server, monkeypatch):
    server = tariff_backend(fake_server)
    monkeypatch.setenv("BACKEND_URL", server.url)
    assert client() is client()
    client().get("/api/v1/tariffs")
    client().get("/api/v1/tariffs")
    assert calls_to(server, "/api/v1/tariffs") == 1

    other = tariff_backend(fake_server)
    monkeypatch.setenv("BACKEND_URL", other.url)
    assert client().base_url == other.url
