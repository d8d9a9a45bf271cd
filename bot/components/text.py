"""Vietnamese text normalisation shared by the NLU component, the channels and the actions.

Pure Python (no Rasa import) so it is unit-tested on its own.
"""

from __future__ import annotations

import re
import unicodedata

# Chat shorthand → full words (after diacritics are removed). Keys are whole tokens.
SHORTHAND = {
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "hong": "khong",
    "hok": "khong",
    "khg": "khong",
    "dc": "duoc",
    "đc": "duoc",
    "dk": "duoc",
    "dduoc": "duoc",
    "bn": "bao nhieu",
    "bnh": "bao nhieu",
    "baonhieu": "bao nhieu",
    "j": "gi",
    "ji": "gi",
    "z": "vay",
    "v": "vay",
    "zay": "vay",
    "vay": "vay",
    "tr": "trieu",
    "cu": "trieu",
    "e": "em",
    "a": "anh",
    "c": "chị",
    "ad": "admin",
    "add": "admin",
    "tks": "cam on",
    "thanks": "cam on",
    "thank": "cam on",
    "ty": "cam on",
    "cmon": "cam on",
    "camon": "cam on",
    "ok": "dong y",
    "oke": "dong y",
    "okie": "dong y",
    "uk": "u",
    "uh": "u",
    "um": "u",
    "ng": "nguoi",
    "ngta": "nguoi ta",
    "mk": "minh",
    "mik": "minh",
    "mn": "moi nguoi",
    "nc": "nuoc",
    "nhiu": "nhieu",
    "nhìu": "nhieu",
    "wa": "qua",
    "qa": "qua",
    "h": "gio",
    "ms": "moi",
    "vs": "voi",
    "ns": "noi",
    "lm": "lam",
    "bt": "biet",
    "bik": "biet",
    "bit": "biet",
    "kwh": "kwh",
    "ki": "ky",
    "ky": "ky",
    "so": "so",
    "dh": "dieu hoa",
    "đh": "dieu hoa",
    "ml": "may lanh",
    "bnl": "binh nong lanh",
    "mnn": "may nuoc nong",
    "đ": "dong",
    "d": "dong",
    "sdt": "so dien thoai",
    "tt": "thong tin",
    "hd": "hoa don",
    "hđ": "hoa don",
    "ntn": "nhu the nao",
    "r": "roi",
    "ròi": "roi",
    "oy": "roi",
    "rùi": "roi",
    "dt": "dien thoai",
    "nha": "nha",
    "t": "toi",
    "hnay": "hom nay",
    "hqua": "hom qua",
    "nx": "nua",
    "trc": "truoc",
    "cto": "cong to",
    "thg": "thang",
}

# Southern and central words → the common word, so "xài 300 chữ, cúp điện rồi" and "dùng 300 số,
# cắt điện rồi" share features. Keys with accents only match what was typed with them: their plain
# form is another word ("chữ"/"chủ", "mô"/"mở", "rứa"/"rửa", "răng"/"rằng", "chừ"/"chủ", "tụi"/"tui").
SHORTHAND.update(
    {
        "xài": "dung",
        "xai": "dung",
        "chữ": "so",
        "cúp": "cat",
        "cup": "cat",
        "mắc": "dat",
        "dzậy": "vay",
        "dzay": "vay",
        "zậy": "vay",
        "răng": "sao",
        "rứa": "vay",
        "mô": "dau",
        "chừ": "gio",
        "ni": "nay",
        "tê": "kia",
        "giùm": "giup",
        "gium": "giup",
        "coi": "xem",
        "tui": "toi",
        "nghen": "nhe",
        "nhen": "nhe",
        "mạ": "me",
        "má": "me",
        "tụi": "bon",
        "eng": "anh",
    }
)

# Words whose plain (no-diacritics) form is another word the assistant must read: "bác" (the
# kinship pronoun older people use) would become "bac" = "bậc" (tariff tier), "chị" = "chỉ"
# (chỉ số), "chú" = "chủ" (chủ nhà), "cô" = "có", "bà" = "ba" (three), "sợ" = "số", "cát" = "cắt",
# "diễn" = "điện". When the household typed the accent, the lemma keeps it, so the features of
# "bác ơi" and "giá bậc 3" stay apart; the plain form ("bac") still reads as the domain word.
KEEP_ACCENT = frozenset({"bác", "chị", "chú", "cô", "bà", "ông", "dì", "cậu", "sợ", "cát", "diễn"})

# The same table read the other way: how households shorten words (full form with diacritics →
# shorthand). scripts/generate_nlu.py writes a shorthand variant of every training sentence
# with it; tests/bot/test_parsing.py proves each pair reads back to its full form through
# SHORTHAND, so the two directions cannot disagree. Longer phrases first.
SHORTENINGS: list[tuple[str, str]] = [
    ("như thế nào", "ntn"),
    ("thế nào", "ntn"),  # "ntn" reads as "như thế nào", which holds "thế nào"
    ("bao nhiêu", "bn"),
    ("cảm ơn", "tks"),
    ("điều hòa", "đh"),
    ("hóa đơn", "hđ"),
    ("không", "ko"),
    ("được", "dc"),
    ("gì", "j"),
    ("vậy", "z"),
    ("triệu", "tr"),
    ("rồi", "r"),
    ("nhiều", "nhiu"),
    ("với", "vs"),
    ("biết", "bit"),
    ("mình", "mk"),
    ("quá", "wa"),
    ("em", "e"),
    ("anh", "a"),
    ("giờ", "h"),
    ("người", "ng"),
    ("tôi", "t"),
]
# "500 nghìn" → "500k": "k" after a number is a thousand; alone it is "không" (SHORTHAND)
THOUSANDS = re.compile(r"(\d) (?:nghìn|ngàn)(?!\w)")

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """'Tiền điện' → 'Tien dien' (đ/Đ included)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


def normalise_token(token: str) -> str:
    """Lower-case, no diacritics, shorthand expanded (may return several words)."""
    lowered = nfc(token).lower()
    if lowered in KEEP_ACCENT:
        return lowered
    if lowered in SHORTHAND:
        return SHORTHAND[lowered]
    plain = strip_diacritics(lowered)
    return SHORTHAND.get(plain, plain)


def normalise_text(text: str) -> str:
    return " ".join(normalise_token(token) for token in _TOKEN.findall(nfc(text)))
