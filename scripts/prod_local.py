"""The production shape on one machine, without containers (`make run-prod-local`, tests/scale).

PostgreSQL (a throwaway cluster from Debian's packages) for the backend and for Rasa's tracker
store, Redis (no persistence) for Rasa's lock store, the job queue and the rate limiter, two Rasa
servers sharing both stores, one action server, the backend on gunicorn (the chat proxy spreads
turns over both Rasa servers) and two Huey workers (only the first runs the periodic schedule).
Everything listens on loopback; ports are free ones unless given.

    .venv/bin/python scripts/prod_local.py [--state DIR] [--backend-port 5000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from supervisor import Service, Supervisor, stop_on_signals

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
SECRET_KEY = "prod-local-secret"  # demo tokens of this stack are signed with it
SERVICE_TOKEN = "prod-local-service-token"
RASA_AUTH_TOKEN = "prod-local-rasa-token"  # Rasa's HTTP API and the signed REST channel
ACTION_SERVER_TOKEN = "prod-local-action-token"  # Rasa -> action server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent.parent.name
    )
    if not found:
        raise SystemExit(
            "prod-local: PostgreSQL server binaries not found (apt-get install postgresql)"
        )
    return found[-1].parent


class Postgres:
    """A throwaway cluster in its own temp directory (owned by `postgres` when we are root)."""

    def __init__(self, port: int) -> None:
        self.dir, self.port, self.bin = (
            Path(tempfile.mkdtemp(prefix="pgprod.")),
            port,
            postgres_bin(),
        )
        self.as_owner: list[str] = []
        if os.getuid() == 0:
            if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://app:app@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_owner, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self, databases: tuple[str, ...]) -> None:
        if self.as_owner:
            shutil.chown(self.dir, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "app",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        self.pg_ctl("start", "-w", "-l", str(self.dir / "log"), "-o",
                    f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                    "-c max_connections=200 -c fsync=off -c synchronous_commit=off")  # fmt: skip
        for name in databases:
            self._run(
                str(self.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "app",
                name,
            )

    def pg_ctl(self, action: str, *args: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), action, *args)

    def restart(self) -> None:
        """What an operator's `pg_ctl restart -m fast` does: drop every connection, come back."""
        self.pg_ctl("restart", "-m", "fast", "-w", "-l", str(self.dir / "log"))

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Stack:
    """Start, probe, kill and restart the services of the prod-local shape."""

    def __init__(
        self,
        state: Path,
        backend_port: int | None = None,
        echo: bool = False,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.state, self.echo, self.extra_env = state, echo, extra_env or {}
        self.logs = state / "logs"
        self.ports = {
            "postgres": free_port(),
            "redis": free_port(),
            "backend": backend_port or free_port(),
            "service": free_port(),
            "rasa-a": free_port(),
            "rasa-b": free_port(),
            "actions": free_port(),
        }
        self.postgres = Postgres(self.ports["postgres"])
        self.redis: subprocess.Popen[bytes] | None = None
        self.services: dict[str, Service] = {}
        self.supervisor = Supervisor(echo=echo, logs=self.logs)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.ports['redis']}"

    def environment(self) -> dict[str, str]:
        """What every service sees: the one place where the shape is wired together."""
        var = self.state / "var"
        var.mkdir(parents=True, exist_ok=True)
        return {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "VAR_DIR": str(var),
            "SECRET_KEY": SECRET_KEY,
            "SERVICE_TOKEN": SERVICE_TOKEN,
            "RASA_AUTH_TOKEN": RASA_AUTH_TOKEN,
            "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN,
            "DATABASE_URL": self.postgres.url("app"),
            "REDIS_URL": self.redis_url + "/0",
            "RATELIMIT_STORAGE_URI": self.redis_url + "/2",
            "RASA_URL": f"{self.url('rasa-a')},{self.url('rasa-b')}",
            "ACTION_SERVER_URL": self.url("actions"),
            "RASA_TRACKER_DB_URL": self.postgres.url("rasa"),
            "RASA_EVENTS_DB_URL": self.postgres.url("rasa_events"),
            "BACKEND_URL": self.url("backend"),
            # Rasa side (deploy/endpoints.prod.yml)
            "RASA_ENDPOINTS": str(ROOT / "deploy" / "endpoints.prod.yml"),
            "ACTION_ENDPOINT_URL": self.url("actions") + "/webhook",
            "RASA_TRACKER_STORE_URL": self.postgres.url("rasa", driver="postgresql"),
            "RASA_EVENT_BROKER_URL": self.postgres.url("rasa_events", driver="postgresql"),
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.ports["redis"]),
            "RASA_LOCK_DB": "1",
            "RASA_INTERFACE": "127.0.0.1",  # loopback only
            "ACTIONS_INTERFACE": "127.0.0.1",  # the action server's bind address
            "ZALO_REPLAY_REDIS_URL": self.redis_url + "/3",
            **self.extra_env,
        }

    def define_services(self) -> None:
        rasa = ["bash", "bot/scripts/run_rasa.sh"]
        consumer = [str(VENV_BIN / "huey_consumer"), "notifications.tasks.huey", "--workers=2"]
        for service in [
            Service(
                "actions",
                ["bash", "bot/scripts/run_actions.sh"],
                self.url("actions") + "/health",
                # the action server's own backend (below), never the chat-facing one
                {"ACTIONS_PORT": str(self.ports["actions"]), "BACKEND_URL": self.url("service")},
            ),
            Service(
                "rasa-a", rasa, self.url("rasa-a") + "/", {"RASA_PORT": str(self.ports["rasa-a"])}
            ),
            Service(
                "rasa-b", rasa, self.url("rasa-b") + "/", {"RASA_PORT": str(self.ports["rasa-b"])}
            ),
            # households, the web page, staff and Zalo-linked calls: gevent workers, so turns
            # waiting for Rasa hold greenlets, not threads; CHAT_SLOTS/CHAT_QUEUE bound them
            # per worker (docs/deploy.md, "Chat under load")
            Service(
                "backend",
                [
                    str(VENV_BIN / "gunicorn"),
                    f"--bind=127.0.0.1:{self.ports['backend']}",
                    "--workers=2",
                    "--worker-class=gevent",
                    "--worker-connections=500",
                    "--graceful-timeout=20",
                    # longer than any client's idle pause: with gunicorn's 2 s default, a
                    # request sent on a kept-alive connection as the server closes it is lost
                    "--keep-alive=75",
                    "backend.app:create_app()",
                ],
                self.url("backend") + "/openapi.json",
            ),
            # the action server's backend: capacity chat turns can never take, so the actions
            # of a turn never wait behind the turns waiting for them
            Service(
                "service",
                [
                    str(VENV_BIN / "gunicorn"),
                    f"--bind=127.0.0.1:{self.ports['service']}",
                    "--workers=1",
                    "--threads=8",
                    "--graceful-timeout=20",
                    "--keep-alive=75",
                    "backend.app:create_app()",
                ],
                self.url("service") + "/openapi.json",
            ),
            Service("worker-1", consumer, ""),
            Service("worker-2", [*consumer, "--no-periodic"], ""),  # one schedule is enough
            # conversations for the staff console, from Rasa's event broker (one reader: a cursor)
            Service(
                "events",
                [str(VENV_BIN / "flask"), "--app", "backend", "chat", "consume", "--follow"],
                "",
            ),
        ]:
            self.services[service.name] = service

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.postgres.start(("app", "rasa", "rasa_events"))
        self.redis = self._spawn(
            "redis",
            ["redis-server", "--port", str(self.ports["redis"]), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.state)],
            dict(os.environ),
        )  # fmt: skip
        env = self.environment()
        subprocess.run([str(VENV_BIN / "flask"), "--app", "backend", "db", "upgrade"],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        self.define_services()
        for name in self.services:
            self.start_service(name)

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        return self.supervisor.spawn(name, command, env)

    def start_service(self, name: str) -> None:
        self.supervisor.start(self.services[name], self.environment())

    def wait_ready(self, names: list[str] | None = None, timeout: float | None = None) -> None:
        # two Rasa servers load their model at once: minutes on a busy machine
        timeout = timeout or float(os.environ.get("PROD_LOCAL_READY_TIMEOUT", "420"))
        try:
            self.supervisor.wait_ready(
                [self.services[name] for name in names or list(self.services)], timeout
            )
        except (RuntimeError, TimeoutError) as exc:
            raise type(exc)(f"prod-local: {exc}") from exc

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        self.supervisor.kill(self.services[name], sig)

    def restart_service(self, name: str, sig: signal.Signals = signal.SIGTERM) -> None:
        self.kill(name, sig)
        self.start_service(name)
        self.wait_ready([name])

    def stop(self) -> None:
        self.supervisor.stop(self.services.values())
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
        self.postgres.stop()

    def summary(self) -> str:
        return (
            "\n  prod-local ready:\n"
            f"    backend (gunicorn ×2):   {self.url('backend')}/  (API docs {self.url('backend')}/docs)\n"
            f"    action server's backend: {self.url('service')}\n"
            f"    Rasa A / Rasa B:         {self.url('rasa-a')}  {self.url('rasa-b')}\n"
            f"    action server:           {self.url('actions')}\n"
            f"    PostgreSQL:              {self.postgres.url('app')} (+ databases rasa, rasa_events)\n"
            f"    Redis:                   {self.redis_url} (0 queue, 1 Rasa locks, 2 rate limits, 3 Zalo msg_ids)\n"
            "    Huey workers:            worker-1 (schedule + jobs), worker-2 (jobs)\n"
            f"    logs:                    {self.logs}\n"
            "  Ctrl-C to stop.\n"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--state", type=Path, help="directory for databases and logs (default: temp)"
    )
    parser.add_argument("--backend-port", type=int, default=5000)
    args = parser.parse_args()
    state = args.state or Path(tempfile.mkdtemp(prefix="prod-local."))
    stack = Stack(state, backend_port=args.backend_port, echo=True)
    stopping = stop_on_signals()
    exit_code = 0
    try:
        stack.start()
        stack.wait_ready()
        print(stack.summary(), flush=True)
        exit_code = stack.supervisor.watch(stack.services.values(), stopping, "prod-local")
    finally:
        stack.stop()
        if args.state is None:
            shutil.rmtree(state, ignore_errors=True)
        print("prod-local: all services stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
