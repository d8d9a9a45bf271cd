"""Numbers as Vietnamese households write them, and what they count.

"350 số", "ba trăm rưỡi số" (350 kWh), "ba trăm lẻ bảy" (307), "2 nghìn 1" (2100), "500k", "1tr2",
"nửa triệu", "2 củ", "1.500", "1 500", "tầm 300-350 số": `find_quantities` reads every figure of
a message into a `Quantity` (value, unit implied by the words around it, approximation and range
flags); `parse_money` and `parse_whole_number` are the narrow readers the forms used before.

Words are read with their accents when the household typed accents ("tầm" is "about", "tám" is
eight) and by their plain form in a message typed without any ("tam tram" is 800, "tam 300"
is "about 300").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from components.text import nfc, strip_diacritics

Unit = Literal["kwh", "money"]


@dataclass(frozen=True)
class Quantity:
    """A figure read from a message.

    value: the number (the low end of a range); unit: "kwh" or "money" when the words say so,
    None when nothing does; approximate: "tầm", "khoảng", "hơn", "gần", "mấy"…; range: (low, high)
    for "300-350" or "hai ba trăm"; hint: what the verbs before it suggest ("dùng 350" → "kwh",
    "trả 420" → "money") when the unit itself is missing."""

    value: float
    unit: Unit | None = None
    approximate: bool = False
    range: tuple[float, float] | None = None
    hint: Unit | None = None

    @property
    def whole(self) -> int | None:
        return int(self.value) if float(self.value).is_integer() else None


# --- the lexicon ------------------------------------------------------------------------------

DIGIT, TEN, TENS, HUNDRED, CHUC, SCALE, LE, RUOI, NUA, NUM, ZERO = (
    "digit",
    "ten",
    "tens",
    "hundred",
    "chuc",
    "scale",
    "le",
    "ruoi",
    "nua",
    "num",
    "zero",
)
# special unit forms: only ever a unit after a ten ("hai mươi mốt", "hai lăm")
_UNIT_FORMS = {"mốt", "tư", "lăm", "nhăm", "nham", "lam"}

_WORDS: dict[str, tuple[str, int]] = {
    "một": (DIGIT, 1),
    "mốt": (DIGIT, 1),
    "hai": (DIGIT, 2),
    "ba": (DIGIT, 3),
    "bốn": (DIGIT, 4),
    "tư": (DIGIT, 4),
    "năm": (DIGIT, 5),
    "lăm": (DIGIT, 5),
    "nhăm": (DIGIT, 5),
    "sáu": (DIGIT, 6),
    "bảy": (DIGIT, 7),
    "bẩy": (DIGIT, 7),
    "tám": (DIGIT, 8),
    "chín": (DIGIT, 9),
    "không": (ZERO, 0),
    "mười": (TEN, 10),
    "mươi": (TENS, 10),
    "trăm": (HUNDRED, 100),
    "chục": (CHUC, 10),
    "nghìn": (SCALE, 1000),
    "ngàn": (SCALE, 1000),
    "triệu": (SCALE, 1_000_000),
    "tỷ": (SCALE, 1_000_000_000),
    "tỉ": (SCALE, 1_000_000_000),
    "lẻ": (LE, 0),
    "linh": (LE, 0),
    "rưỡi": (RUOI, 0),
    "rưởi": (RUOI, 0),
    "nửa": (NUA, 0),
}
_PLAIN_WORDS: dict[str, tuple[str, int]] = {
    "mot": (DIGIT, 1),
    "hai": (DIGIT, 2),
    "ba": (DIGIT, 3),
    "bon": (DIGIT, 4),
    "tu": (DIGIT, 4),
    "nam": (DIGIT, 5),
    "lam": (DIGIT, 5),
    "nham": (DIGIT, 5),
    "sau": (DIGIT, 6),
    "bay": (DIGIT, 7),
    "tam": (DIGIT, 8),
    "chin": (DIGIT, 9),
    "khong": (ZERO, 0),
    "muoi": (TEN, 10),  # "mươi" after a digit: decided in _classify
    "tram": (HUNDRED, 100),
    "chuc": (CHUC, 10),
    "nghin": (SCALE, 1000),
    "ngan": (SCALE, 1000),
    "trieu": (SCALE, 1_000_000),
    "ty": (SCALE, 1_000_000_000),
    "ti": (SCALE, 1_000_000_000),
    "le": (LE, 0),
    "linh": (LE, 0),
    "ruoi": (RUOI, 0),
    "nua": (NUA, 0),
}
# shorthand scales: only right after a number ("500k", "1tr2", "2 củ", "3m")
_AFTER_NUMBER_SCALES = {
    "k": 1000,
    "ng": 1000,
    "tr": 1_000_000,
    "củ": 1_000_000,
    "cu": 1_000_000,
    "m": 1_000_000,
}
_KWH_UNITS = {
    "số",
    "so",
    "chữ",
    "chu",
    "kí",
    "ký",
    "ki",
    "ky",
    "kwh",
    "kw",
    "độ",
    "do",
    "kwh/tháng",
}
_MONEY_UNITS = {"đ", "d", "đồng", "dong", "vnđ", "vnd", "tiền", "tien"}
# what a number followed by these counts is not a figure of kWh or money
_COUNT_WORDS = {
    "hộ", "ho", "nhà", "nha", "người", "nguoi", "ng", "tháng", "thang", "ngày", "ngay", "tuần",
    "tuan", "năm", "nam", "lần", "lan", "công", "cong", "cái", "cai", "chiếc", "chiec", "phòng",
    "phong", "bậc", "bac", "giờ", "gio", "h", "tiếng", "tieng", "phút", "phut", "%", "w", "người,",
    "con", "đứa", "dua", "tầng", "tang", "kỳ", "lít", "lit", "m2", "khẩu", "khau", "mét", "met",
    "cm", "tuổi", "tuoi", "sao", "kg", "giây", "giay",
}  # fmt: skip
# words before a number that make it a date, an index or a rank, not a quantity
_NOT_A_FIGURE_BEFORE = {
    "tháng", "thang", "ngày", "ngay", "năm", "nam", "bậc", "bac", "lúc", "luc", "thứ",
    "phòng", "phong", "lần", "lan", "tầng", "tang", "hẻm", "hem", "ngõ", "ngo", "đường", "duong",
}  # fmt: skip
_NOT_A_FIGURE_BEFORE_PLAIN = {
    "thang", "ngay", "bac", "luc", "phong", "lan", "tang", "hem", "ngo", "duong",
}  # fmt: skip
_APPROX_BEFORE = {
    "tầm", "khoảng", "khoản", "độ", "cỡ", "chừng", "hơn", "gần", "xấp", "xỉ", "trên", "dưới",
    "ngót", "ước", "~", "hàng", "vài",
}  # fmt: skip
# typed without accents ("co" is far more often "có" than "cỡ", "chung" is "chung", "do" "do")
_APPROX_BEFORE_PLAIN = {
    "tam", "khoang", "khoan", "hon", "gan", "xap", "xi", "tren", "duoi", "ngot", "uoc", "vai",
}  # fmt: skip
# scale words that make a figure money wherever they stand ("1 triệu 200", "1tr2", "2k5");
# "nghìn" only when the number ends with it ("300 nghìn"; "một nghìn hai trăm" may be kWh)
_MONEY_SCALES = {"k", "tr", "củ", "cu", "m", "triệu", "trieu", "tỷ", "tỉ", "ty", "ti"}
_APPROX_AFTER = {"mấy", "may", "hơn", "hon", "ngoài", "ngoai", "lẻ", "le", "gì", "gi", "chút"}
_RANGE_JOINERS = {"-", "–", "—", "~", "đến", "den", "tới", "toi", "hoặc", "hoac", "->"}
_KWH_CUES = {"dùng", "dung", "xài", "xai", "sử", "su", "tiêu", "tieu", "chạy", "chay", "ăn"}
_MONEY_CUES = {"trả", "tra", "đóng", "dong", "mất", "mat", "tốn", "ton", "sách", "sach", "thu"}

_NUMBER = re.compile(
    r"\d{1,3}(?:\.\d{3})+(?![\d,.])"  # 1.500.000
    r"|\d{1,3}(?:,\d{3})+(?![\d,.])"  # 1,500,000
    r"|\d{1,3}(?: \d{3})+(?![\d.,])"  # 1 500 000
    r"|\d+(?:[.,]\d+)?"  # 350, 1,5, 1.5
)
_TOKEN = re.compile(
    rf"(?P<num>{_NUMBER.pattern})|(?P<word>[^\W\d_]+(?:/[^\W\d_]+)?)|(?P<sym>[-–—~%]|->)"
)


@dataclass
class _Token:
    text: str  # lower case, as typed (accents kept)
    plain: str  # no accents
    kind: str | None = None
    value: float = 0.0
    digits: int = 0  # how many digits a NUM literal was written with
    special: bool = False  # mốt / tư / lăm / nhăm: never the first word of a number
    unit_form: bool = False  # may follow a digit as its unit: "hai mốt" 21, "ba tư" 34, "ba tu"


def _literal(raw: str) -> tuple[float, int]:
    """'1.500' → 1500, '1,5' → 1.5, '1 500' → 1500, '350' → 350 (and the digits written)."""
    if re.fullmatch(r"\d{1,3}(?:([., ])\d{3})+", raw):
        digits = re.sub(r"\D", "", raw)
        return float(digits), len(digits)
    if re.fullmatch(r"\d+", raw):
        return float(raw), len(raw)
    return float(raw.replace(",", ".")), 0


def _tokens(text: str) -> list[_Token]:
    lowered = nfc(text).lower()
    accented = strip_diacritics(lowered) != lowered
    out: list[_Token] = []
    for match in _TOKEN.finditer(lowered):
        raw = match.group(0)
        token = _Token(raw, strip_diacritics(raw))
        if match.group("num"):
            token.kind = NUM
            token.value, token.digits = _literal(raw)
        else:
            entry = _WORDS.get(raw) if accented else _PLAIN_WORDS.get(token.plain)
            if entry is None and not accented:
                entry = _WORDS.get(raw)
            if entry is not None:
                token.kind, token.value = entry[0], float(entry[1])
                token.special = raw in _UNIT_FORMS or (not accented and raw in {"lam", "nham"})
                token.unit_form = token.special or (
                    not accented and raw in {"mot", "tu", "lam", "nham"}
                )
        out.append(token)
    for index, token in enumerate(out):  # shorthand scales count only after a number
        before = out[index - 1] if index else None
        if (
            token.kind is None
            and token.text in _AFTER_NUMBER_SCALES
            and before is not None
            and before.kind in (NUM, DIGIT, TEN, TENS, HUNDRED, CHUC, NUA)
        ):
            token.kind, token.value = SCALE, float(_AFTER_NUMBER_SCALES[token.text])
        # plain "muoi" is "mươi" after a digit from two up, "mười" elsewhere
        if (
            token.kind == TEN
            and not accented
            and before is not None
            and before.kind == DIGIT
            and before.value >= 2
        ):
            token.kind = TENS
    return out


def _is_noun(tok: _Token) -> bool:
    return tok.kind is None and (
        tok.text in _KWH_UNITS
        or tok.plain in _KWH_UNITS
        or tok.text in _COUNT_WORDS
        or tok.plain in _COUNT_WORDS
    )


# --- reading one number -----------------------------------------------------------------------


@dataclass
class _Reading:
    value: float
    end: int  # index after the last token read
    words_only_digit: bool  # a lone digit word ("hai", "năm"): not a figure without a unit
    scaled: int  # the largest scale word read (1000, 10**6, 10**9), 0 if none
    money: bool  # money words: "k", "tr", "củ", "triệu"
    ends_with_thousand: bool  # "300 nghìn": money unless a unit says otherwise


def _read(tokens: list[_Token], start: int) -> _Reading | None:
    """The number that starts at tokens[start], or None."""
    total = 0.0
    group = 0.0
    pos = 0  # places written in the current group: 1 a digit, 2 tens, 3 hundreds
    place = ""  # where the last digit went: "unit" or "ten"
    last_digit = 0.0
    hundreds = False
    direct = False  # after "lẻ"/"linh": the group adds as written
    last_scale = 0
    largest = 0
    shorthand = False
    prev: str | None = None
    literal_digits = 0
    i = start
    n = len(tokens)
    words_seen = 0
    ended_with_ruoi = False
    while i < n:
        tok = tokens[i]
        kind = tok.kind
        nxt = tokens[i + 1].kind if i + 1 < n else None
        if kind == NUM:
            if prev is None or (prev == SCALE and not direct):
                if prev is None and tok.digits == 0 and nxt != SCALE:
                    group, pos = tok.value, 1
                else:
                    group, pos = tok.value, max(tok.digits, 1)
                literal_digits = tok.digits
            elif prev == LE:
                group += tok.value
                pos = 3
            elif prev == HUNDRED and tok.value < 100:
                group += tok.value * (10 if tok.digits == 1 else 1)
            else:
                break
            place = "unit"
        elif kind == DIGIT:
            d = tok.value
            if prev is None or prev == SCALE:
                if tok.special and prev is None:
                    break
                if prev == SCALE and d == 1 and i + 1 < n and _is_noun(tokens[i + 1]):
                    break  # "4 nghìn một số", "800 nghìn một tháng": "a", not "and 100"
                group, pos, place = d, 1, "unit"
                literal_digits = 0
            elif prev in (LE, TEN, TENS):
                group += d
                place = "unit"
            elif prev == HUNDRED:
                group += d * 10
                place = "ten"
            elif prev == DIGIT and place == "ten":
                group += d
                place = "unit"
            elif (
                prev == DIGIT
                and place == "unit"
                and tok.unit_form
                and not hundreds
                and (tok.special or nxt not in (HUNDRED, SCALE, TENS, CHUC))
            ):  # plain "tam mot nghin" is "tầm một nghìn", not 81.000
                group = group - last_digit + last_digit * 10 + d  # "hai lăm" = 25
                pos = 2
            else:
                break
            last_digit = d
            words_seen += 1
        elif kind == ZERO:
            if nxt != HUNDRED or prev not in (None, SCALE):
                break
            group, pos, last_digit, place = 0.0, 1, 0.0, "unit"
        elif kind == TEN:
            if prev in (None, SCALE):
                group, pos = 10.0, 2
            elif prev in (HUNDRED, LE):
                group += 10
            else:
                break
            place = "ten"
            words_seen += 1
        elif kind == TENS:
            if prev != DIGIT or last_digit < 2:
                break
            if place == "unit":
                group = group - last_digit + last_digit * 10
            pos = max(pos, 2)
            place = "ten"
        elif kind == HUNDRED:
            if prev == DIGIT and place == "unit" and group < 10:
                group = group * 100
            elif prev == ZERO:
                group = 0.0
            elif prev == NUM and group < 10 and float(group).is_integer():
                group = group * 100
            else:
                break
            hundreds, pos = True, 3
            words_seen += 1
        elif kind == CHUC:
            if prev in (DIGIT, NUM) and group < 10:
                group *= 10
            elif prev is None:
                group = 10.0
            else:
                break
            pos, place = 2, "ten"
            words_seen += 1
        elif kind == SCALE:
            scale = int(tok.value)
            if prev == NUA:
                group = 0.5
            elif prev == SCALE:
                if scale <= last_scale:
                    break
                total *= scale
                last_scale = largest = max(largest, scale * last_scale)
                prev = SCALE
                i += 1
                continue
            elif prev not in (DIGIT, NUM, TEN, TENS, HUNDRED, CHUC):
                break
            if last_scale and scale >= last_scale:
                total = (total + group) * scale
            else:
                total += group * scale
            group, pos, place, hundreds, direct = 0.0, 0, "", False, False
            last_scale = scale
            largest = max(largest, scale)
            shorthand = shorthand or tok.text in _MONEY_SCALES
            literal_digits = 0
        elif kind == LE:
            if prev not in (HUNDRED, SCALE) or nxt not in (DIGIT, NUM, TEN):
                break
            direct = True
            hundreds = hundreds or prev == HUNDRED
        elif kind == RUOI:
            if prev == SCALE:
                total += last_scale / 2
            elif prev == HUNDRED:
                group += 50
            elif prev in (TEN, TENS, CHUC):
                group += 5
            else:
                break
            prev = RUOI
            i += 1
            ended_with_ruoi = True
            break
        elif kind == NUA:
            if prev is not None or nxt != SCALE:
                break
        else:
            break
        prev = kind
        i += 1
    if i == start or prev in (LE, NUA, ZERO):
        return None
    if ended_with_ruoi:
        value = total + group
    elif last_scale and group and not direct and not hundreds:
        places = literal_digits if literal_digits else (1 if pos == 1 else 0)
        if places and 10**places < last_scale:
            value = total + group * last_scale / 10**places  # "2 nghìn 1", "1tr2", "1 triệu 200"
        else:
            value = total + group
    else:
        value = total + group
    lone = words_seen == 1 and tokens[start].kind == DIGIT and i == start + 1
    ends = prev == SCALE or (ended_with_ruoi and last_scale >= 1000 and not group)
    return _Reading(value, i, lone, largest, shorthand, ends and not shorthand)


# --- figures in a message ---------------------------------------------------------------------


def _unit_after(tokens: list[_Token], end: int) -> tuple[Unit | None, bool, bool]:
    """(unit, approximate, is a count) from the words right after a number."""
    approximate = False
    for offset in range(3):
        if end + offset >= len(tokens):
            break
        tok = tokens[end + offset]
        word = tok.text
        if word in _APPROX_AFTER or tok.plain in _APPROX_AFTER:
            approximate = True
            continue
        if word in _KWH_UNITS or tok.plain in _KWH_UNITS:
            if tok.plain == "do" and word not in {"độ", "do"}:
                break
            return "kwh", approximate, False
        if word in _MONEY_UNITS or tok.plain in _MONEY_UNITS:
            return "money", approximate, False
        if word in _COUNT_WORDS or tok.plain in _COUNT_WORDS:
            following = tokens[end + offset + 1].plain if end + offset + 1 < len(tokens) else ""
            if tok.plain == "cong" and following != "to":
                break
            if word == "kỳ" or tok.plain not in {"ky"}:
                return None, approximate, True
        break
    return None, approximate, False


def _context_before(
    tokens: list[_Token], start: int, indexes: bool = False
) -> tuple[bool, bool, Unit | None]:
    """(approximate, not a figure, hint) from the words before a number."""
    approximate = False
    hint: Unit | None = None
    before = tokens[start - 1] if start else None
    if (
        before is not None
        and (before.text in _NOT_A_FIGURE_BEFORE or before.plain in _NOT_A_FIGURE_BEFORE_PLAIN)
        and (before.kind != DIGIT or before.text == "năm")
    ):
        return False, True, None
    pair = (tokens[start - 2].plain, tokens[start - 1].plain) if start >= 2 else ("", "")
    if not indexes and pair == ("chi", "so"):
        return False, True, None
    approximating = True  # "tầm 300", "tầm khoảng 300": only right before the number
    for back in range(1, 4):
        if start - back < 0:
            break
        tok = tokens[start - back]
        approximator = tok.text in _APPROX_BEFORE or (
            tok.text == tok.plain and tok.plain in _APPROX_BEFORE_PLAIN
        )
        if not (tok.text in {"từ", "là", "tu", "la"} and back == 1):
            # "tầm từ 500 đến 550", "khoảng là 300": the word before "từ"/"là" counts
            approximating = approximating and approximator
            approximate = approximate or approximating
        if hint is None and (tok.text in _KWH_CUES or tok.plain in _KWH_CUES):
            hint = "kwh"
        if hint is None and (tok.text in _MONEY_CUES or tok.plain in _MONEY_CUES):
            hint = "money"
    return approximate, False, hint


def _adjacent_range(tokens: list[_Token], start: int) -> tuple[list[_Token], list[_Token]] | None:
    """Two consecutive digit words before a multiplier: "hai ba trăm" = 200–300.

    Not from a plain "tam": "tam chin tram" is "tầm chín trăm" far more often than "tám chín"."""
    if start + 2 >= len(tokens):
        return None
    first, second, third = tokens[start], tokens[start + 1], tokens[start + 2]
    if (
        first.kind == DIGIT
        and second.kind == DIGIT
        and not second.unit_form
        and first.text != "tam"
        and second.value == first.value + 1
        and third.kind in (HUNDRED, SCALE, CHUC, TENS)
    ):
        low = tokens[: start + 1] + tokens[start + 2 :]
        high = tokens[:start] + tokens[start + 1 :]
        return low, high
    return None


def _joined_range(
    tokens: list[_Token], reading: _Reading, end: int
) -> tuple[_Reading, tuple[float, float]] | None:
    """A range written "300-350", "300 đến 350k", "1-2 triệu": the second number's scale is the
    first's too when the first has none."""
    if not (
        end + 1 < len(tokens)
        and tokens[end].text in _RANGE_JOINERS
        and _starts_number(tokens, end + 1)
    ):
        return None
    other = _read(tokens, end + 1)
    if other is None or other.value < reading.value * 0.5:
        return None
    low = reading.value
    if other.scaled and not reading.scaled and low < other.scaled:
        low *= other.scaled
    if low >= other.value:
        return None
    joined = _Reading(low, other.end, False, other.scaled, other.money, other.ends_with_thousand)
    return joined, (low, other.value)


def _starts_number(tokens: list[_Token], index: int) -> bool:
    tok = tokens[index]
    if tok.kind in (NUM, DIGIT, TEN) and not (tok.kind == DIGIT and tok.special):
        return True
    if tok.kind == NUA and index + 1 < len(tokens) and tokens[index + 1].kind == SCALE:
        return True
    if tok.kind == ZERO and index + 1 < len(tokens) and tokens[index + 1].kind == HUNDRED:
        return True
    return tok.kind == CHUC and index + 1 < len(tokens) and tokens[index + 1].kind == SCALE


def find_quantities(text: str | None, indexes: bool = False) -> list[Quantity]:
    """Every figure of kWh or money (or unit-less figure) in the text, in order.

    Numbers that count something else ("hai hộ", "tháng 11", "một công tơ", "chỉ số 12345") and
    lone digit words without a unit ("năm nay", "ba") are left out; a meter index ("chỉ số
    12345") only when `indexes` is true."""
    if not text:
        return []
    tokens = _tokens(text)
    found: list[Quantity] = []
    i = 0
    while i < len(tokens):
        if not _starts_number(tokens, i):
            i += 1
            continue
        span = _adjacent_range(tokens, i)
        if span:
            low_tokens, high_tokens = span
            low, high = _read(low_tokens, i), _read(high_tokens, i)
            if low is None or high is None:
                i += 1
                continue
            reading: _Reading = low
            end = high.end + 1
            value_range: tuple[float, float] | None = (low.value, high.value)
        else:
            read = _read(tokens, i)
            if read is None:
                i += 1
                continue
            reading, end, value_range = read, read.end, None
        approx, not_figure, hint = _context_before(tokens, i, indexes)
        unit, approx_after, is_count = _unit_after(tokens, end)
        # a range written "300-350", "300 đến 350k", "1-2 triệu"
        if value_range is None:
            joined = _joined_range(tokens, reading, end)
            if joined is not None:
                reading, value_range = joined
                end = reading.end
                unit, approx_after, is_count = _unit_after(tokens, end)
        if not_figure or is_count:
            i = end
            continue
        if unit is None and reading.money:
            unit = "money"
        if unit is None and reading.ends_with_thousand:
            hint = "money"  # "500 nghìn" is money, but "một nghìn" after "bao nhiêu số?" is kWh
        if reading.words_only_digit and unit is None:
            i = end
            continue
        found.append(
            Quantity(
                value=value_range[0] if value_range else reading.value,
                unit=unit,
                approximate=approx or approx_after,
                range=value_range,
                hint=hint,
            )
        )
        i = end
    return found


def parse_quantity(
    text: str | None, prefer: Unit | None = None, indexes: bool = False
) -> Quantity | None:
    """The figure of the message that matters: the first one of the preferred unit, else the
    first one without a unit whose words suggest it, else the first one with any unit, else the
    first one."""
    quantities = find_quantities(text, indexes)
    if not quantities:
        return None
    for quantity in quantities:
        if prefer is not None and quantity.unit == prefer:
            return quantity
    for quantity in quantities:
        if prefer is not None and quantity.unit is None and quantity.hint == prefer:
            return quantity
    for quantity in quantities:
        if quantity.unit is not None:
            return quantity
    return quantities[0]


# --- the narrow readers -----------------------------------------------------------------------


def parse_money(text: str | float | int | None) -> int | None:
    """Amount in đồng, or None when the text holds no amount."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return int(text) if text >= 0 else None
    quantity = parse_quantity(text, prefer="money")
    if quantity is None or quantity.unit == "kwh":
        return None
    if quantity.unit is None and quantity.value < 1000:
        return None  # "500" alone is not an amount of money
    return round(quantity.value)


def parse_whole_number(text: str | float | int | None) -> int | None:
    """A whole non-negative number (kWh or a meter index) in the text; None when absent/invalid."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return int(text) if text >= 0 and float(text).is_integer() else None
    if re.search(r"(?:^|\s)-\s*\d", strip_diacritics(text)):
        return None
    quantity = parse_quantity(text, prefer="kwh", indexes=True)
    if quantity is None or quantity.unit == "money":
        return None
    return quantity.whole


def find_households(text: str | None) -> int | None:
    """How many households share the meter: "hai hộ dùng chung", "3 gia đình", "2 nhà chung"."""
    if not text:
        return None
    tokens = _tokens(text)
    shared = any(tok.plain == "chung" for tok in tokens)
    for i in range(len(tokens)):
        if not _starts_number(tokens, i):
            continue
        read = _read(tokens, i)
        if read is None or read.end >= len(tokens) or not float(read.value).is_integer():
            continue
        after = tokens[read.end].plain
        following = tokens[read.end + 1].plain if read.end + 1 < len(tokens) else ""
        if after == "ho" or (after == "gia" and following == "dinh") or (after == "nha" and shared):
            return int(read.value)
    return None


def find_people(text: str | None) -> int | None:
    """How many people live there: "3 người", "ba người ở"."""
    if not text:
        return None
    tokens = _tokens(text)
    for i in range(len(tokens)):
        if not _starts_number(tokens, i):
            continue
        read = _read(tokens, i)
        if read is None or read.end >= len(tokens) or not float(read.value).is_integer():
            continue
        if tokens[read.end].plain in {"nguoi", "ng"} or tokens[read.end].text == "đứa":
            return int(read.value)
    return None
