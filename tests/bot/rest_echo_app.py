"""A Sanic app serving only the signed REST channel, answering every message with an echo of
who spoke, as Rasa would once the channel let the turn through.

Started by test_doors.py as a subprocess: `python rest_echo_app.py PORT SECRET`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))

from channels.rest import SignedRestInput
from rasa.core.channels.channel import UserMessage
from sanic import Sanic


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_text_message(
        message.sender_id, f"echo: {message.text} ({message.sender_id})"
    )


def main() -> None:
    port, secret = int(sys.argv[1]), sys.argv[2]
    app = Sanic("rest_echo")
    app.blueprint(SignedRestInput(secret).blueprint(echo), url_prefix="/webhooks/rest")
    app.run(host="127.0.0.1", port=port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
