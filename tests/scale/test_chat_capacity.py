"""Ten households chatting at once through the backend's chat proxy on the production shape: every
turn is answered, and not one of the action server's calls to the backend times out.

Before the action server had a backend of its own, every backend thread could be held by a chat
turn waiting for Rasa, which waited for the action server, which waited for a backend thread: the
action server's calls timed out after 3 s and the bill and tariff answers became apologies."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.scale.conftest import chat, make_households

HOUSEHOLDS = 10
# each turn of these needs the action server and, through it, the backend
MESSAGES = ["350 số điện hết bao nhiêu tiền", "giá điện bậc thang hiện nay", "xin chào"]
APOLOGIES = (
    "Xin lỗi, trợ lý đang gặp sự cố",  # the proxy's answer to an empty reply (action failed)
    "máy tính hóa đơn đang tạm ngưng",  # bill action: backend unavailable
    "chưa lấy được bảng giá chi tiết",  # tariff action: backend unavailable
    "chưa lấy được dữ liệu riêng",  # household data: backend unavailable
)


def test_ten_concurrent_chats_without_one_action_server_timeout(stack, stack_app):
    households = make_households(stack_app, "capacity", HOUSEHOLDS)
    actions_log = stack.logs / "actions.log"
    before = actions_log.read_text(errors="replace") if actions_log.exists() else ""

    def converse(index: int) -> list[tuple[int, str]]:
        _, token = households[index]
        answers = []
        for turn in range(len(MESSAGES)):
            response = chat(stack, token, MESSAGES[(index + turn) % len(MESSAGES)])
            texts = " ".join(m.get("text", "") for m in response.json().get("messages") or [])
            answers.append((response.status_code, texts))
        return answers

    with ThreadPoolExecutor(HOUSEHOLDS) as pool:
        conversations = list(pool.map(converse, range(HOUSEHOLDS)))

    turns = [answer for conversation in conversations for answer in conversation]
    assert len(turns) == HOUSEHOLDS * len(MESSAGES)
    assert [status for status, _ in turns] == [200] * len(turns)
    for _, text in turns:
        assert text, "every turn gets a reply"
        assert not any(apology in text for apology in APOLOGIES), text
    # the action server logs each failed backend call ("backend GET /api/v1/tariffs failed: …
    # Read timed out"): none during these turns
    during = actions_log.read_text(errors="replace")[len(before) :]
    assert "failed:" not in during
    assert "timed out" not in during.lower()
