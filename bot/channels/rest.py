"""Rasa's REST channel with the text normalised to Unicode NFC at the edge.

The same sentence typed on different phones may arrive composed (NFC) or decomposed (NFD);
the NLU must see one form. URL stays /webhooks/rest/webhook.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.request import Request


class NfcRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_message(self, req: Request) -> Any:
        text = super()._extract_message(req)
        return unicodedata.normalize("NFC", text) if isinstance(text, str) else text
