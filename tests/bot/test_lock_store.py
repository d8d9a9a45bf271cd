"""The atomic Redis lock store (bot/stores/redis_lock.py) against a real redis-server: two
store instances stand for two Rasa servers sharing one conversation."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from stores.redis_lock import AtomicRedisLockStore

from tests.fakes import stop_server


@pytest.fixture
def redis_port(tmp_path):
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (apt-get install redis-server; .ci/run does it)"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield port
    stop_server(process)


def stores(port: int) -> list[AtomicRedisLockStore]:
    return [AtomicRedisLockStore(host="127.0.0.1", port=port, db=1) for _ in range(2)]


def test_concurrent_tickets_from_two_servers_are_all_kept(redis_port):
    a, b = stores(redis_port)
    with ThreadPoolExecutor(16) as pool:
        tickets = list(pool.map(lambda i: (a, b)[i % 2].issue_ticket("c1"), range(200)))
    assert sorted(tickets) == list(range(200))
    lock = a.get_lock("c1")
    assert lock is not None and len(lock.tickets) == 200

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda t: (a, b)[t % 2].cleanup("c1", t), tickets))
    assert a.get_lock("c1") is None  # every ticket returned, lock gone


def test_turns_of_one_conversation_never_overlap_across_servers(redis_port):
    a, b = stores(redis_port)
    inside, most, order = [0], [0], []

    async def turn(store: AtomicRedisLockStore, n: int) -> None:
        async with store.lock("c2", wait_time_in_seconds=0.01):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            order.append(n)
            await asyncio.sleep(0.005)
            inside[0] -= 1

    async def main() -> None:
        await asyncio.gather(*(turn((a, b)[n % 2], n) for n in range(30)))

    asyncio.run(main())
    assert most[0] == 1 and sorted(order) == list(range(30))
    assert a.get_lock("c2") is None
