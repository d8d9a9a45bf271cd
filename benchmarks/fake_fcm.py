"""A fast fake FCM v1 + OAuth token server for the notification benchmark (asyncio, keep-alive).

Runs in its own process so that its CPU does not share the delivery worker's GIL. Every message
send is answered 200 and counted by the `notification_id` in its data: GET /stats gives how many
sends arrived and how many distinct notifications they carried (the difference is duplicates).

    python benchmarks/fake_fcm.py PORT           # serve
    python benchmarks/fake_fcm.py PORT --load N  # measure the fake alone: N sends, 64 connections
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

TOKEN = b'{"access_token": "bench-access", "expires_in": 3600, "token_type": "Bearer"}'


class Counter:
    def __init__(self) -> None:
        self.received = 0
        self.seen: set[str] = set()


def response(body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def serve_client(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, counter: Counter
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length) if length else b""
            path = head.split(b" ", 2)[1]
            if path == b"/token":
                writer.write(response(TOKEN))
            elif path == b"/stats":
                stats = {"received": counter.received, "distinct": len(counter.seen)}
                writer.write(response(json.dumps(stats).encode()))
            else:
                message = json.loads(body)["message"]
                counter.received += 1
                counter.seen.add(message.get("data", {}).get("notification_id", ""))
                name = f'{{"name": "projects/bench/messages/{counter.received}"}}'
                writer.write(response(name.encode()))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(port: int) -> None:
    counter = Counter()
    server = await asyncio.start_server(
        lambda r, w: serve_client(r, w, counter), "127.0.0.1", port, backlog=1024
    )
    async with server:
        await server.serve_forever()


async def load(port: int, total: int, connections: int = 64) -> float:
    """Sends per second the fake answers, from keep-alive clients in this process."""
    body = json.dumps(
        {"message": {"token": "t", "notification": {"title": "x", "body": "y" * 300}, "data": {}}}
    ).encode()
    request = (
        f"POST /v1/projects/bench/messages:send HTTP/1.1\r\nHost: x\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def client(count: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(count):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client(total // connections) for _ in range(connections)))
    return total // connections * connections / (time.perf_counter() - began)


if __name__ == "__main__":
    port = int(sys.argv[1])
    if "--load" in sys.argv:
        count = int(sys.argv[sys.argv.index("--load") + 1])
        print(f"{asyncio.run(load(port, count)):.0f}")
    else:
        asyncio.run(serve(port))
