"""Long story-form messages and southern/central wording, composed from the hand-written sources.

Households on Zalo often tell a story before they ask ("nhà có ông cụ tám mươi tuổi, mấy hôm nay
nóng quá, cho em hỏi …") and add chatter after the question ("… cảm ơn ad nhiều"). The story
carries no request: it is family, weather, work, money worries or the house, in a northern,
central or southern voice. scripts/generate_nlu.py adds, for a share of each intent's sentences:

- `long_forms`: story + question, story + question + chatter, or question + chatter; the story
  prefixes are the same pool for every intent, so the classifier learns they say nothing about
  the request;
- `dialect_forms`: the question reworded in southern or central usage (`to_voice`: xài, chữ,
  nhiêu, hông, giùm, coi, mắc, cúp; răng, rứa, chi, ni, mô, chừ…).

Each composed sentence is written in one form only (with diacritics, without, or in chat
shorthand without), chosen with the sentence, so the data grows by about a quarter, not three
quarters. Everything is deterministic and stable: which sentences are composed, and how, is drawn
from a hash of the sentence itself, so `make nlu` writes the same files, and adding a sentence to
the sources adds its own forms (displacing at most one other per intent and kind) instead of
re-drawing every composed sentence of its intent.
"""

from __future__ import annotations

import random
import re
import zlib

from components.text import strip_diacritics

VOICES = ("northern", "central", "southern")

# Intents that get no composed forms: one- or two-word answers inside forms, and greetings.
SKIP = frozenset({"affirm", "deny", "greet"})
# How many long forms per intent (default LONG_PER_INTENT) and short dialect forms per voice.
LONG_PER_INTENT = 18
LONG_FEW = {"thank": 5, "goodbye": 4, "bot_challenge": 6, "out_of_scope": 10}
DIALECT_PER_VOICE = 4
DIALECT_VOICES = ("central", "southern")
# Form of a composed sentence: with diacritics, plain, plain chat shorthand (cumulative weights).
FORMS = (("diacritics", 0.55), ("plain", 0.85), ("shorthand", 1.0))

# Story sentences: no request, no word the intents hinge on (điện, số, giá điện, tiền điện,
# hóa đơn, cắt/mất/cúp, appliances, thuê/trọ, place names, thông báo…).
STORIES: dict[str, dict[str, list[str]]] = {
    "northern": {
        "family": [
            "nhà tôi có bốn người, hai vợ chồng với hai đứa nhỏ",
            "bố mẹ tôi già rồi, ở nhà cả ngày",
            "con tôi năm nay vào lớp một",
            "vợ tôi mới sinh em bé được hai tháng",
            "ông bà nội lên chơi với các cháu mấy hôm",
            "em đi làm cả ngày, tối mới về",
            "nhà có ông cụ tám mươi tuổi",
            "cả nhà vừa đi quê ăn giỗ về",
            "mẹ em nhờ em hỏi hộ",
            "hai đứa con đi học xa, ở nhà còn hai ông bà",
        ],
        "weather": [
            "mấy hôm nay nóng quá",
            "trời oi bức, tối không ngủ được",
            "năm nay rét đậm kéo dài",
            "mưa suốt cả tuần, nồm ẩm khắp nhà",
            "hè năm nay nắng gắt thật",
            "đợt này nắng nóng cả tuần liền",
        ],
        "work": [
            "em làm ca đêm ở khu công nghiệp",
            "chồng em chạy xe ôm công nghệ",
            "tôi về hưu được mấy năm rồi",
            "dạo này công ty ít việc",
            "tôi bán hàng online ở nhà",
            "hai vợ chồng đi làm từ sáng đến tối",
        ],
        "money": [
            "dạo này cái gì cũng lên giá",
            "lương thì không tăng mà chi tiêu thì nhiều",
            "tháng này phải đóng học cho hai đứa",
            "nhà đang trả góp nên phải tính từng đồng",
            "chợ búa bây giờ đắt đỏ lắm",
        ],
        "house": [
            "nhà tôi mới chuyển về chung cư",
            "nhà ống ba tầng, phòng nào cũng bí",
            "mới xây lại nhà xong",
            "nhà ở trong ngõ nhỏ",
            "nhà tôi là nhà cấp bốn, mái tôn",
        ],
    },
    "central": {
        "family": [
            "mạ em già rồi, ở nhà suốt",
            "nhà em có ba đứa nhỏ, đứa mô cũng nghịch",
            "ba mạ tui ở quê, tui đi làm xa",
            "con tui năm ni thi đại học",
            "o em mới ở quê ra chơi mấy bữa",
            "nhà có ông nội yếu rồi, nằm một chỗ",
        ],
        "weather": [
            "mấy bữa ni nắng như đổ lửa",
            "trời nóng rứa ai chịu nổi",
            "gió Lào thổi nóng hầm hập",
            "mùa mưa năm ni lụt lớn",
            "trời oi chi mà oi rứa",
        ],
        "work": [
            "tui đi biển mấy tháng mới về",
            "em làm ở xưởng may, tăng ca suốt",
            "nhà tui làm nghề bánh, sáng mô cũng dậy sớm",
            "chồng em làm hồ, đi từ sáng tới tối",
        ],
        "money": [
            "chừ cái chi cũng lên giá",
            "làm ăn năm ni khó khăn lắm",
            "tiền học của mấy đứa nhỏ cũng nhiều",
            "đồng lương có bao nhiêu mô",
        ],
        "house": [
            "nhà tui mới làm thêm cái gác",
            "nhà ở trong kiệt nhỏ",
            "nhà cũ rồi, mái dột tùm lum",
            "mới dọn về nhà mới được mấy bữa",
        ],
    },
    "southern": {
        "family": [
            "nhà tui có năm người, ba má già với hai đứa nhỏ",
            "má tui lớn tuổi rồi, ở nhà suốt ngày",
            "tụi nhỏ nghỉ hè ở nhà quậy quá trời",
            "ổng đi làm cả ngày, tối mịt mới về",
            "bả mới sanh em bé",
            "con tui mới lên thành phố đi học",
            "ba má tui dưới quê mới lên ở chung",
        ],
        "weather": [
            "mấy bữa nay trời nóng dữ thần",
            "nắng gì đâu mà nắng quá trời",
            "trời mưa miết, đường ngập lênh láng",
            "nóng muốn xỉu luôn á",
            "năm nay hổng có mưa gì hết",
        ],
        "work": [
            "tui chạy xe ôm, tối mới về",
            "vợ chồng tui bán quán ăn sáng",
            "tui làm công nhân, tăng ca hoài",
            "mới nghỉ làm ở công ty cũ",
            "tui bán tạp hóa nhỏ ở nhà",
        ],
        "money": [
            "dạo này cái gì cũng mắc",
            "buôn bán ế ẩm quá trời",
            "đồ ăn ngoài chợ mắc dữ lắm",
            "làm hổng đủ ăn nữa",
        ],
        "house": [
            "nhà tui mới dọn qua chỗ mới",
            "nhà cấp bốn, mái tôn nóng hừng hực",
            "mới cất lại cái nhà",
            "nhà trong hẻm nhỏ, bí lắm",
        ],
    },
}

OPENERS = {
    "northern": [
        "ad ơi",
        "em ơi",
        "chào ad",
        "dạ cho em hỏi chút",
        "bác hỏi tí",
        "mình hỏi chút",
        "chào em, chị ở gần chợ",
        "xin chào, tôi là chủ hộ ở tổ 5",
        "chào cháu, bác ở một mình",
    ],
    "central": [
        "ad ơi",
        "o ơi",
        "cho em hỏi chút",
        "chào ad",
        "eng ơi",
        "chào ad, cô ở gần chợ",
        "con chào o, con ở với mạ",
    ],
    "southern": [
        "ad ơi",
        "em ơi",
        "cho tui hỏi chút",
        "chào ad nghen",
        "ủa ad",
        "nè ad",
        "chào shop, tui ở trong hẻm",
        "hello ad, tui ở nhà trọ nè",
    ],
}
# Between the story and the question ("" : the question follows directly).
LINKS = {
    "northern": ["", "", "nên", "giờ cho hỏi", "cho em hỏi", "muốn hỏi là", "thế", "vậy cho hỏi"],
    "central": ["", "", "rứa", "chừ", "cho em hỏi", "rứa cho tui hỏi"],
    "southern": ["", "", "nên", "giờ cho hỏi", "cho tui hỏi", "tui muốn hỏi là", "vậy", "rồi"],
}
TRAILERS = {
    "northern": [
        "cảm ơn ad nhiều",
        "trả lời giúp em với nhé",
        "em cảm ơn ạ",
        "mình đang cần gấp",
        "em không rành mấy cái này lắm",
        "hỏi hơi dài, mong ad thông cảm",
    ],
    "central": [
        "cảm ơn nghe",
        "trả lời giùm em với hỉ",
        "tui không rành mấy cái ni",
        "mong ad chỉ giùm",
    ],
    "southern": [
        "cảm ơn nghen",
        "trả lời giùm tui với",
        "tui hổng rành mấy cái này",
        "nhờ ad chỉ giùm nha",
        "gấp lắm á",
        "cám ơn nhiều nhen",
    ],
}
SEPARATORS = [", ", ", ", ". ", " ", "... "]

# Word swaps, (pattern, replacements): applied to the words, never to an annotation's tail.
_W = r"(?<!\w){}(?!\w)"
_SOUTHERN: list[tuple[str, list[str]]] = [
    (_W.format("bao nhiêu"), ["nhiêu", "bao nhiu", "nhiêu"]),
    (r"(?<!\w)không(?=\s*(?:ạ|ad|vậy|nhỉ|nhé|\?)?\s*$)", ["hông", "hông", "hả"]),
    (_W.format("không"), ["hổng", "hông"]),
    (_W.format("(?:như thế nào|thế nào|ra sao)"), ["sao", "làm sao"]),
    (_W.format("vậy"), ["dzậy", "vậy", "vậy"]),
    (_W.format("thế"), ["vậy"]),
    (_W.format("dùng"), ["xài"]),
    (_W.format("tôi"), ["tui"]),
    (_W.format("giúp"), ["giùm"]),
    (_W.format("xem"), ["coi"]),
    (_W.format("đắt"), ["mắc"]),
    (_W.format("hôm nay"), ["bữa nay"]),
    (_W.format("tháng trước"), ["tháng rồi"]),
    (_W.format("(?:cắt|mất) điện"), ["cúp điện"]),
    (_W.format("điều hòa"), ["máy lạnh"]),
    (_W.format("bình nóng lạnh"), ["máy nước nóng"]),
    (_W.format("nhé"), ["nghen", "nha", "nhen"]),
    (_W.format("bọn"), ["tụi"]),
    (_W.format("bố"), ["ba", "tía"]),
    (_W.format("mẹ"), ["má"]),
    (r"(?<=\(kwh\)) (?:số|ký|kwh|kWh)(?!\w)", [" chữ", " kí"]),
    (r"(?<!chỉ )(?<!\w)số điện(?! thoại)(?!\w)", ["chữ điện", "kí điện"]),
]
_CENTRAL: list[tuple[str, list[str]]] = [
    (_W.format("(?:làm sao|làm thế nào)"), ["làm răng"]),
    (_W.format("(?:như thế nào|thế nào|ra sao)"), ["ra răng", "răng"]),
    (r"(?<!\w)(?<!\d )(?<!mấy )(?<!số )sao(?! cho)(?!\w)", ["răng"]),
    (_W.format("(?:vậy|thế)"), ["rứa"]),
    (_W.format("gì"), ["chi"]),
    (_W.format("này"), ["ni"]),
    (_W.format("kia"), ["tê"]),
    (_W.format("đâu"), ["mô"]),
    (_W.format("(?:bây giờ|hiện giờ|hiện nay)"), ["chừ", "bây chừ"]),
    (_W.format("mẹ"), ["mạ"]),
    (_W.format("tôi"), ["tui", "tôi"]),
    (_W.format("nhé"), ["nghe", "nha"]),
    (_W.format("giúp"), ["giùm", "giúp"]),
    (_W.format("hôm nay"), ["bữa ni", "hôm ni"]),
]
SWAPS = {"southern": _SOUTHERN, "central": _CENTRAL}
# Question particles a voice adds at the end now and then.
ENDINGS = {
    "southern": ["", "", " ta", " vậy ta", " dzậy"],
    "central": ["", "", " hè", " rứa", " hỉ"],
}
# ... only after a question's last word (not after a particle already there, nor a request).
QUESTION_ENDS = frozenset(
    [
        "không",
        "hông",
        "hôn",
        "chưa",
        "nhiêu",
        "nào",
        "răng",
        "sao",
        "chi",
        "mô",
        "giờ",
        "tiền",
        "được",
        "đúng",
        "số",
        "chữ",
        "kí",
    ]
)
_ANNOTATION_TAIL = re.compile(r"(\]\([^)]*\)|\]\{[^}]*\})")


def _seed(*key: str) -> int:
    return zlib.crc32("/".join(key).encode("utf-8"))


def _rng(*key: str) -> random.Random:
    return random.Random(_seed(*key))


def _draw(pool: list[str], *key: str) -> list[str]:
    """The pool in an order fixed by each sentence's own hash: taking the first k of it is a
    random sample that a new sentence changes by at most one member."""
    return sorted(pool, key=lambda s: (_seed(*key, s), s))


def to_voice(sentence: str, voice: str, rng: random.Random) -> str:
    """The sentence in southern or central usage (northern: unchanged)."""
    swaps = SWAPS.get(voice)
    if not swaps:
        return sentence
    parts = _ANNOTATION_TAIL.split(sentence)
    for index in range(0, len(parts), 2):
        words = parts[index]
        for pattern, replacements in swaps:
            words = re.sub(
                pattern, lambda _m, r=replacements: rng.choice(r), words, flags=re.IGNORECASE
            )
        parts[index] = words
    # "(kwh) số" swaps look behind into the annotation tail: join, then apply those once more
    joined = "".join(parts)
    for pattern, replacements in swaps:
        if "(?<=\\(kwh\\))" in pattern:
            joined = re.sub(pattern, lambda _m, r=replacements: rng.choice(r), joined)
    last = re.findall(r"\w+", joined.lower())[-1:]
    if last and last[0] in QUESTION_ENDS:
        joined += rng.choice(ENDINGS[voice])
    return joined


def _story(voice: str, rng: random.Random) -> str:
    themes = rng.sample(list(STORIES[voice]), k=rng.choice((1, 1, 2, 2, 3)))
    clauses = [rng.choice(STORIES[voice][theme]) for theme in themes]
    text = clauses[0]
    for clause in clauses[1:]:
        text += rng.choice(SEPARATORS) + clause
    if rng.random() < 0.4:
        text = rng.choice(OPENERS[voice]) + rng.choice((", ", " ")) + text
    return text


def _form(rng: random.Random) -> str:
    draw = rng.random()
    return next(name for name, edge in FORMS if draw < edge)


def _usable(sentence: str) -> bool:
    """Sentences of at least two words with a vowel (not keyboard mashing or punctuation)."""
    words = re.findall(r"[^\W\d_]{2,}", strip_diacritics(sentence).lower())
    voiced = [w for w in words if re.search("[aeiouy]", w)]
    return len(voiced) >= 2 and sum(map(len, voiced)) >= 8


def long_forms(intent: str, sentences: list[str]) -> list[tuple[str, str]]:
    """(sentence, form) pairs: a share of the intent's sentences told as long messages."""
    if intent in SKIP:
        return []
    pool = [s for s in sentences if _usable(s)]
    if not pool:
        return []
    count = LONG_FEW.get(intent, LONG_PER_INTENT)
    chatter_only = intent in {"thank", "goodbye"}
    out = []
    for question in _draw(pool, "long", intent)[:count]:
        rng = _rng("long", intent, question)
        voice = rng.choice(VOICES)
        if voice != "northern" and rng.random() < 0.7:
            question = to_voice(question, voice, rng)
        shape = (
            "chatter"
            if chatter_only
            else rng.choice(("story",) * 6 + ("both",) * 2 + ("chatter",) * 2)
        )
        text = question
        if shape in ("story", "both"):
            link = rng.choice(LINKS[voice])
            text = _story(voice, rng) + rng.choice(SEPARATORS) + (f"{link} " if link else "") + text
        if shape in ("chatter", "both"):
            text = text + rng.choice(SEPARATORS) + rng.choice(TRAILERS[voice])
            if shape == "chatter" and rng.random() < 0.5:
                text += rng.choice(SEPARATORS) + _story(voice, rng)
        if rng.random() < 0.2:
            text = text[0].upper() + text[1:]
        out.append((text, _form(rng)))
    return out


def dialect_forms(intent: str, sentences: list[str]) -> list[tuple[str, str]]:
    """(sentence, form) pairs: some of the intent's sentences reworded in each voice."""
    if intent in SKIP or intent in LONG_FEW:
        return []
    pool = [s for s in sentences if _usable(s)]
    out = []
    for voice in DIALECT_VOICES:
        written = 0
        for sentence in _draw(pool, "dialect", voice, intent):
            rng = _rng("dialect", voice, intent, sentence)
            reworded = to_voice(sentence, voice, rng)
            if reworded != sentence:
                out.append((reworded, "diacritics" if rng.random() < 0.65 else "plain"))
                written += 1
                if written == DIALECT_PER_VOICE:
                    break
    return out
