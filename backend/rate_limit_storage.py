"""A rate-limit store in a SQLite file, so that every process on one machine counts together.

`make run` starts gunicorn with two workers; with `memory://` each worker counted on its own and
the per-household chat limit let through almost twice its number (57 of 67). Redis is what
production uses (compose, `make run-prod-local`), but `make run` must not need a Redis server.
A SQLite file is shared by every process that opens it, and a write transaction (BEGIN
IMMEDIATE) makes "count the window, then add an entry" atomic across them.

`RATELIMIT_STORAGE_URI=sqlite:////absolute/path/ratelimit.db` (the default, under VAR_DIR).
Registered with the `limits` library by importing this module (backend.extensions does).
Supports the fixed-window and moving-window strategies; one machine only (use Redis for several).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from limits.storage import MovingWindowSupport, Storage

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS window_entries (key TEXT NOT NULL, at REAL NOT NULL,"
    " expires_at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_window_entries_key_at ON window_entries (key, at)",
    "CREATE INDEX IF NOT EXISTS ix_window_entries_expires_at ON window_entries (expires_at)",
    "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL,"
    " expires_at REAL NOT NULL)",
)
SWEEP_EVERY = 60.0  # seconds between deletions of expired rows of every key


class SQLiteStorage(Storage, MovingWindowSupport):
    STORAGE_SCHEME = ["sqlite"]  # noqa: RUF012  (declared by limits as a plain class attribute)

    def __init__(
        self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        # as SQLAlchemy: sqlite:///relative.db, sqlite:////absolute.db
        self.path = uri.split("://", 1)[1].removeprefix("/")
        self.timeout = float(options.get("timeout", 10.0))
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._pool_pid = os.getpid()
        self.opened = 0  # connections this process opened (tests: a pool, not one per request)
        self.swept = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _open(self) -> sqlite3.Connection:
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        # used by one thread (or greenlet) at a time, handed between them by the pool
        connection = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        self._use_wal(connection)
        connection.execute("PRAGMA synchronous=NORMAL")
        for statement in SCHEMA:
            connection.execute(statement)
        self.opened += 1
        return connection

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of this process's pool for one operation. Not one per thread: under
        gunicorn's gevent workers a thread-local is a greenlet-local, and every request would
        open (and set up) a connection of its own. A fork starts a pool of its own."""
        with self._pool_lock:
            if self._pool_pid != os.getpid():
                self._idle, self._pool_pid = [], os.getpid()
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = self._open()
        try:
            yield connection
        except BaseException:
            connection.close()  # in an unknown state (an interrupted transaction): not reused
            raise
        with self._pool_lock:
            if self._pool_pid == os.getpid():
                self._idle.append(connection)
                return
        connection.close()

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        """Switch the file to WAL (it stays so). Changing the journal mode takes an exclusive lock
        and SQLite answers "database is locked" at once, without waiting the busy timeout, when
        another process has the new file open (two workers starting together): retry until the
        timeout, with backoff."""
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        while True:
            try:
                if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.1)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A transaction that holds the file's write lock from its start: no other process can
        count and add between our count and our add."""
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _sweep(self, connection: sqlite3.Connection, now: float) -> None:
        if now - self.swept < SWEEP_EVERY:
            return
        self.swept = now
        connection.execute("DELETE FROM window_entries WHERE expires_at <= ?", (now,))
        connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))

    # fixed window
    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._write() as connection:
            self._sweep(connection, now)
            connection.execute("DELETE FROM counters WHERE key = ? AND expires_at <= ?", (key, now))
            connection.execute(
                "INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            row = connection.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()
        return int(row[0])

    def get(self, key: str) -> int:
        with self._connection() as connection:
            row = connection.execute(
                "SELECT value FROM counters WHERE key = ? AND expires_at > ?", (key, time.time())
            ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self._connection() as connection:
            row = connection.execute(
                "SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?", (key, now)
            ).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            with self._connection() as connection:
                connection.execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._write() as connection:
            removed = connection.execute("DELETE FROM counters").rowcount
            removed += connection.execute("DELETE FROM window_entries").rowcount
        return removed

    def clear(self, key: str) -> None:
        with self._write() as connection:
            connection.execute("DELETE FROM counters WHERE key = ?", (key,))
            connection.execute("DELETE FROM window_entries WHERE key = ?", (key,))

    # moving window
    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._write() as connection:
            self._sweep(connection, now)
            (used,) = connection.execute(
                "SELECT count(*) FROM window_entries WHERE key = ? AND at > ?",
                (key, now - expiry),
            ).fetchone()
            if used + amount > limit:
                return False
            connection.executemany(
                "INSERT INTO window_entries (key, at, expires_at) VALUES (?, ?, ?)",
                [(key, now, now + expiry)] * amount,
            )
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        with self._connection() as connection:
            oldest, used = connection.execute(
                "SELECT min(at), count(*) FROM window_entries WHERE key = ? AND at > ?",
                (key, now - expiry),
            ).fetchone()
        return (float(oldest), int(used)) if used else (now, 0)
