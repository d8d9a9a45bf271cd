"""A Sanic app serving the Zalo and REST channels, answering every message with an echo.

"lỗi" gets no reply and "hỏng" raises, as a turn whose custom action failed; the sender
zalo-777 is a conversation staff has taken over (paused in the stand-in tracker store).

Started by test_zalo_channel.py as a subprocess: `python zalo_echo_app.py PORT CONFIG_JSON`.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the shared zalo/
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))

from channels.rest import SignedRestInput
from channels.zalo import ZaloInput
from rasa.core.channels.channel import UserMessage
from sanic import Sanic


class Tracker:
    def __init__(self, paused: bool) -> None:
        self.paused = paused

    def is_paused(self) -> bool:
        return self.paused


class TrackerStore:
    async def retrieve(self, sender_id: str) -> Tracker:
        return Tracker(paused=sender_id == "zalo-777")


class Agent:
    tracker_store = TrackerStore()


async def echo(message: UserMessage) -> None:
    text = message.text
    if text == "lỗi":
        return
    if text == "hỏng":
        raise RuntimeError("the action server is down")
    reply = "x" * 4500 if text == "dài" else f"echo: {text} ({message.sender_id})"
    await message.output_channel.send_text_message(message.sender_id, reply)


REST_SECRET = "echo-rest-secret"  # the REST channel takes only turns signed with it


def main() -> None:
    port, config = int(sys.argv[1]), json.loads(sys.argv[2])
    app = Sanic("zalo_echo")
    app.ctx.agent = Agent()
    channel = ZaloInput(**config)
    app.blueprint(channel.blueprint(echo), url_prefix="/webhooks/zalo")
    app.blueprint(SignedRestInput(REST_SECRET).blueprint(echo), url_prefix="/webhooks/rest")
    app.run(host="127.0.0.1", port=port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
