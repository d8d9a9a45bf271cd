"""The language checks of the guard, standard library only (used by the app's and the bot's
tests): ISO dates, "0%", banned spellings, English words, common words without diacritics."""

from __future__ import annotations

import re

VIETNAMESE = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I
)

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ZERO_PERCENT = re.compile(r"(?<![\d.,])0 ?%")
BANNED = re.compile(
    r"(?<![^\W\d_])(?:h|kh|x)o[àáảãạ](?![^\W\d_])|(?<![^\W\d_])hu[ỷýỳỹỵ](?![^\W\d_])", re.I
)
# common English words (none of them a Vietnamese word without diacritics)
ENGLISH = set(
    re.split(
        r"\s+",
        """the and is are was must be between length field required not valid invalid error please
    try again your our you we with for from this that of if will missing data value unknown
    message hello thanks thank bill price peak hours hour tip tips weekly saving energy power
    outage user account password login logout submit cancel delete save search filter next
    previous back settings status queue waiting closed staff admin none yes email name address
    reason details note reply send sent failed success sorry unavailable server request response
    session should would could about after before than more less greater equal only every when
    model weather season hot cold forecast minutes days week month year today tomorrow""",
    )
)
# words we mean to use as they are (names, units, JSON literals in API messages)
ALLOWED = {"true", "false", "json", "null"}
UNACCENTED = re.compile(
    r"(?<![^\W\d_])(khong|duoc|dien|tien|nguoi|cua|voi|nhieu|nhung|chua|biet|giup|muon|hoac|nuoc)(?![^\W\d_])",
    re.I,
)


def problems(text: str) -> list[str]:
    found = []
    if ISO_DATE.search(text):
        found.append("ISO date")
    if ZERO_PERCENT.search(text):
        found.append('"0%"')
    if BANNED.search(text):
        found.append(f"banned spelling {BANNED.search(text).group(0)!r}")  # type: ignore[union-attr]
    # a field or parameter named in quotes ('from', `amount`) is an identifier, not English prose
    bare = re.sub(r"(['`])[a-z_.]+\1", " ", text)
    words = {w.lower() for w in re.findall(r"(?<![\w{])[A-Za-z]{2,}(?![\w}])", bare)}
    english = sorted((words & ENGLISH) - ALLOWED)
    if english:
        found.append(f"English {english}")
    if UNACCENTED.search(text):
        found.append(f"no diacritics {UNACCENTED.search(text).group(0)!r}")  # type: ignore[union-attr]
    return found
