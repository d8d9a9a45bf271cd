"""The clause of a long message that carries the request.

Households often tell a story before they ask ("hai vợ chồng làm công nhân, lương không cao,
mỗi tháng chỉ dám để 800 nghìn cho tiền điện, vậy dùng được tối đa bao nhiêu số") and add
chatter after the question ("… cảm ơn ad nhiều"). `request_clause` splits such a message on
punctuation and Vietnamese connectives (nên, mà, thì, nhưng, vậy, giờ, cho hỏi…) and keeps the
clause with the most question or request cues (bao nhiêu, không at a clause's end, sao, thế nào,
giúp, muốn, đặt, báo, "?"…), the latest on a tie, with the clause before it when the request
clause is short (its topic is often there: "chủ trọ tính 4 nghìn một số, vậy có đúng không").
Without any cue the last clause is the request. Short messages are their own request.

Everything is read on the normalised words (components.text.normalise_token: no diacritics,
shorthand and dialect words mapped to the common word), so "bao nhiêu", "bao nhieu", "bn" and
"nhiêu" are the same cue. Pure Python, no Rasa import: the featurizer
(components.request_featurizer) and the tests use it alike.
"""

from __future__ import annotations

import itertools
import re

from components.text import nfc, normalise_token

# Messages of fewer words are their own request clause.
MIN_WORDS = 12
# A request clause of fewer words takes the clause before it along.
SHORT_CLAUSE = 6

_WORD = re.compile(r"\w+", re.UNICODE)
# Clause boundaries: punctuation (the "?" stays with its clause as a cue) …
_PUNCTUATION = re.compile(r"(?<!\d)[.,](?!\d)|[.,]\s|[;:!…\n]+|(?<=\?)")
# Lead-ins that announce the request: the clause they open is the request ("… giờ cho hỏi …"),
# unless only a "chút"/"tí" follows ("cho em hỏi chút, …" opens the story).
LEAD_INS: tuple[tuple[str, ...], ...] = (
    ("cho", "em", "hoi"),
    ("cho", "toi", "hoi"),
    ("cho", "minh", "hoi"),
    ("cho", "hoi"),
    ("muon", "hoi"),
    ("muon", "biet"),
)
# … and connectives (normalised words) that open a new clause, the lead-ins among them;
# longer phrases first.
CONNECTIVES: tuple[tuple[str, ...], ...] = (
    *LEAD_INS,
    ("nen",),
    ("ma",),
    ("thi",),
    ("nhung",),
    ("vay",),
)
# A connective cuts only when at least this many words other than particles follow it
# ("… tăng như vậy", "sao vậy ad" stay whole).
AFTER_CONNECTIVE = 2
# Question and request cues (normalised words or phrases).
CUES: tuple[tuple[str, ...], ...] = (
    ("bao", "nhieu"),
    ("nhieu",),  # southern "nhiêu" for "bao nhiêu" (normalised the same as "nhiều")
    ("the", "nao"),
    ("ra", "sao"),
    ("sao",),
    ("gi",),
    ("chi",),
    ("cach", "nao"),
    ("luc", "nao"),
    ("hom", "nao"),
    ("khi", "nao"),
    ("may", "gio"),
    ("dau",),
    ("giup",),
    ("muon",),
    ("dat",),
    ("bao",),
    ("tinh",),
    ("xem",),
    ("xoa",),
    ("bo",),
    ("lien", "ket"),
    ("ghi",),
    ("gui",),
    ("nhan",),
    ("co", "duoc"),
    ("dung", "khong"),
)
LEAD_IN_WEIGHT = 2
# Words that say nothing of the request: pronouns, politeness, generic asks. A clause with no
# other word is chatter ("trả lời giùm em với nhé", "nhờ ad chỉ giùm nha").
GENERIC = frozenset(
    [
        "em",
        "anh",
        "chị",
        "toi",
        "minh",
        "admin",
        "ban",
        "con",
        "bac",
        "a",
        "nhe",
        "nha",
        "voi",
        "giup",
        "nho",
        "chi",
        "tra",
        "loi",
        "cam",
        "on",
        "nhieu",
        "di",
        "chut",
        "ti",
        "xin",
        "vay",
        "oi",
        "hoi",
        "nghe",
        "nhen",
        "hi",
        "ha",
        "ne",
        "dong",
        "y",
    ]
)
# Words that end a yes/no question when they close the clause ("… có lịch cắt điện không ạ").
# "đi" closes a request ("bỏ hạn mức đi em").
QUESTION_ENDS = frozenset({"khong", "chua", "ha", "nhi", "ta", "hem", "hong", "di"})
# Particles that may follow the question's last word.
PARTICLES = frozenset({"a", "ad", "admin", "em", "anh", "chị", "nhe", "vay", "voi", "nha", "hi"})


def lemmas(text: str) -> list[str]:
    """Normalised words of the text (a shorthand may expand to several)."""
    return [w for token in _WORD.findall(text) for w in normalise_token(token).split()]


def _starts_at(words: list[str], index: int, phrase: tuple[str, ...]) -> bool:
    return tuple(words[index : index + len(phrase)]) == phrase


def _split_connectives(piece: str) -> list[str]:
    """The piece cut before every connective that does not open it."""
    tokens = list(_WORD.finditer(piece))
    normalised = [normalise_token(t.group()) for t in tokens]
    cuts = []
    index = 1  # a connective at the start opens the piece already
    while index < len(tokens):
        phrase = next((p for p in CONNECTIVES if _starts_at(normalised, index, p)), None)
        rest = [w for w in normalised[index + len(phrase or ()) :] if w not in PARTICLES]
        if phrase and len(rest) >= AFTER_CONNECTIVE:
            cuts.append(tokens[index].start())
            index += len(phrase)
        else:
            index += 1
    bounds = [0, *cuts, len(piece)]
    return [piece[a:b].strip() for a, b in itertools.pairwise(bounds) if piece[a:b].strip()]


def clauses(text: str) -> list[str]:
    """The message cut at punctuation and before connectives, as typed."""
    out: list[str] = []
    for piece in _PUNCTUATION.split(nfc(text)):
        if _WORD.search(piece):
            out.extend(c for c in _split_connectives(piece) if _WORD.search(c))
    return out


def _opens_with_lead_in(clause: str) -> bool:
    words = lemmas(clause)
    lead_in = next((p for p in LEAD_INS if _starts_at(words, 0, p)), None)
    return lead_in is not None and any(w not in {"chut", "ti"} for w in words[len(lead_in) :])


def cue_count(clause: str) -> int:
    """How many different question or request cues the clause holds."""
    words = lemmas(clause)
    found: set[tuple[str, ...]] = set()
    index = 0
    while index < len(words):
        cue = next((c for c in CUES if _starts_at(words, index, c)), None)
        if cue:
            found.add(cue)
        index += len(cue) if cue else 1
    count = len(found) + ("?" in clause)
    if all(w in GENERIC for w in words):
        return 0
    if _opens_with_lead_in(clause):
        count += LEAD_IN_WEIGHT
    content = [w for w in words if w not in PARTICLES]
    if content and content[-1] in QUESTION_ENDS:
        count += 1
    return count


def request_clause(text: str, min_words: int = MIN_WORDS) -> str:
    """The part of the message that carries the request (the whole of a short message)."""
    if len(lemmas(text)) < min_words:
        return text
    parts = clauses(text)
    if not parts:
        return text
    scores = [cue_count(part) for part in parts]
    best = max(range(len(parts)), key=lambda i: (scores[i], i))
    start, end = best, best + 1
    if best > 0 and len(lemmas(parts[best])) < SHORT_CLAUSE:
        start = best - 1
    if _opens_with_lead_in(parts[best]) and end < len(parts) and scores[end] > 0:
        end += 1  # "cho tui hỏi mua máy lạnh | nên chọn mấy sao"
    return " ".join(parts[start:end])
