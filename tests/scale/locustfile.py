"""Households of the load test (tests/scale/test_load.py): chat through the backend proxy and
read their usage, as the mobile app does. Tokens come from the file in LOCUST_TOKENS."""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

TOKENS = itertools.cycle(json.loads(Path(os.environ["LOCUST_TOKENS"]).read_text()))
QUESTIONS = [
    "xin chào",
    "giá điện bậc thang bao nhiêu",
    "gia dien bac thang",
    "mẹo tiết kiệm điện cho điều hòa",
    "giờ cao điểm là mấy giờ",
    "/ask_tariff",
    "cảm ơn",
]
APOLOGY = "Xin lỗi, trợ lý đang gặp sự cố"


class Household(HttpUser):
    wait_time = between(2, 4)  # one message every few seconds, as people type

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {next(TOKENS)}"}

    @task(2)
    def ask_the_assistant(self) -> None:
        with self.client.post(
            "/api/v1/chat",
            json={"message": random.choice(QUESTIONS)},
            headers=self.headers,
            name="POST /api/v1/chat",
            catch_response=True,
        ) as response:
            messages = response.json().get("messages") if response.ok else None
            if not messages or APOLOGY in (messages[0].get("text") or ""):
                response.failure(f"no real answer: {response.status_code} {response.text[:200]}")

    @task(3)
    def read_usage(self) -> None:
        self.client.get("/api/v1/me/usage", headers=self.headers, name="GET /api/v1/me/usage")
