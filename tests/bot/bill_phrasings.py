"""Bill and budget questions as households write them, each with the figure it means.

Written for the misread-figure suite, independently of the NLU training generator
(bot/scripts/generate_nlu.py): numbers in digits (any separator), in words (num2words' spelling and
the informal forms: rưỡi, mốt/tư/lăm, "2 nghìn 1", "1tr2", nửa triệu, củ), every unit, with and
without diacritics, approximations and ranges, shared and prepaid meters. A phrasing whose number
carries no unit and no verb that settles it means nothing certain: `unit` is None there, and the
bot must ask instead of answering. A renter quoting the landlord's price per kWh
(`landlord_price`) must get the fair-price check with that price, never a bill or budget figure.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from components.text import strip_diacritics
from num2words import num2words

DIGIT_WORDS = ["", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
TAIL_WORDS = ["", "mốt", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín"]


@dataclass(frozen=True)
class Phrasing:
    text: str
    unit: str | None  # "kwh" | "money" | None (nothing certain: the bot must ask)
    low: int
    high: int
    approximate: bool = False
    households: int = 1
    meter: str = "postpaid"
    answer_to_question: bool = False  # a reply to "bao nhiêu số?"/"bao nhiêu tiền?"
    renter: bool = False
    people: int | None = None
    registered: bool | None = None
    landlord_price: int | None = None  # đồng per kWh the landlord charges, as the renter said


def words(n: int) -> str:
    return num2words(n, lang="vi")


def informal_kwh(n: int, rng: random.Random) -> str:
    """One way a household says n (kWh-sized numbers)."""
    options = [str(n), words(n)]
    hundreds, rest = divmod(n, 100)
    if n >= 1000:
        options.append(f"{n:,}".replace(",", rng.choice([".", " ", ","])))
    if 1 <= hundreds <= 9 and rest == 50:
        options.append(f"{DIGIT_WORDS[hundreds]} trăm rưỡi")
        options.append(f"{hundreds} trăm rưỡi")
    if 1 <= hundreds <= 9 and rest and rest % 10 == 0:
        options.append(f"{DIGIT_WORDS[hundreds]} trăm {TAIL_WORDS[rest // 10]}")
    if 1 <= hundreds <= 9 and 0 < rest < 10:
        options.append(
            f"{DIGIT_WORDS[hundreds]} trăm {rng.choice(['lẻ', 'linh'])} {DIGIT_WORDS[rest]}"
        )
    if 1000 <= n < 10_000 and n % 100 == 0 and n % 1000:
        options.append(f"{n // 1000} nghìn {(n % 1000) // 100}")
    if 1000 <= n < 10_000 and n % 1000 == 500:
        options.append(f"{DIGIT_WORDS[n // 1000]} nghìn rưỡi")
    if 20 < n < 100 and n % 10 in (1, 4, 5):
        options.append(f"{DIGIT_WORDS[n // 10]} {TAIL_WORDS[n % 10] if n % 10 != 5 else 'lăm'}")
    return rng.choice(options)


def informal_money(amount: int, rng: random.Random) -> str:
    """One way a household writes an amount of money (a multiple of 1.000 đ)."""
    thousands = amount // 1000
    options = [
        f"{thousands}k",
        f"{thousands} nghìn",
        f"{thousands} ngàn",
        f"{amount:,} đ".replace(",", "."),
        f"{amount} đồng",
        f"{amount:,} vnđ".replace(",", "."),
        f"{words(amount)} đồng",
    ]
    if thousands < 1000:
        options.append(f"{words(thousands)} nghìn")
    millions, rest = divmod(amount, 1_000_000)
    if millions and rest == 0:
        options += [f"{millions} triệu", f"{millions} củ", f"{millions}tr", f"{millions}m"]
    if millions and rest and rest % 100_000 == 0:
        options += [f"{millions}tr{rest // 100_000}", f"{millions} triệu {rest // 100_000}"]
        options.append(f"{millions},{rest // 100_000} triệu")
    if rest == 500_000:
        options.append(f"{words(millions)} triệu rưỡi" if millions else "nửa triệu")
    return rng.choice(options)


KWH_UNITS = ["số", "số điện", "chữ", "kí", "ký", "kWh", "kwh", "độ", "ký điện"]
KWH_TEMPLATES = [
    "tính tiền điện, nhà mình dùng {q}",
    "nhà dùng {q} thì hết bao nhiêu",
    "tháng này xài {q} hết nhiêu tiền",
    "{q} thì đóng bao nhiêu tiền ạ",
    "cho hỏi {q} tiền điện bao nhiêu",
    "bữa nay nhà em tính ra {q}, hết bao nhiêu tiền vậy ad",
    "em muốn biết {q} thì trả bao nhiêu",
    "nhà 4 người, tháng 11 dùng {q} thì tiền điện bao nhiêu",
]
MONEY_TEMPLATES = [
    "có {q} thì dùng được bao nhiêu số",
    "mỗi tháng muốn trả {q} thì xài bao nhiêu số điện",
    "ngân sách {q} một tháng dùng được mấy số",
    "nhà em chỉ muốn đóng {q} tiền điện thôi, được bao nhiêu kWh",
    "{q} tiền điện thì được bao nhiêu số",
]
BARE_TEMPLATES = ["tính tiền điện {q}", "tiền điện {q} là sao", "cho hỏi {q}"]
APPROX = ["tầm ", "khoảng ", "hơn ", "gần ", "cỡ ", "chừng "]
# without accents "cỡ" is "co" (mostly "có") and "chừng" is "chung": households who drop accents
# and mean "about" write these
APPROX_WITHOUT_ACCENTS = ["tầm ", "khoảng ", "hơn ", "gần "]


def phrasings(count: int = 600, seed: int = 19) -> list[Phrasing]:
    rng = random.Random(seed)
    out: list[Phrasing] = []
    while len(out) < count:
        kind = rng.choice(
            ["kwh", "kwh", "kwh", "money", "money", "range", "situation", "renter", "bare"]
        )
        approx = rng.random() < 0.25
        plain = rng.random() < 0.3
        prefix = rng.choice(APPROX_WITHOUT_ACCENTS if plain else APPROX) if approx else ""

        def _maybe_plain(text: str, rng: random.Random, plain: bool = plain) -> str:
            return strip_diacritics(text) if plain else text

        if kind == "kwh":
            n = rng.choice(
                [rng.randrange(10, 1000), rng.randrange(1, 40) * 50, rng.randrange(1000, 5000)]
            )
            q = f"{prefix}{informal_kwh(n, rng)} {rng.choice(KWH_UNITS)}"
            text = rng.choice(KWH_TEMPLATES).format(q=q)
            out.append(Phrasing(_maybe_plain(text, rng), "kwh", n, n, approx))
            out.append(
                Phrasing(
                    _maybe_plain(f"{prefix}{informal_kwh(n, rng)}", rng),
                    "kwh",
                    n,
                    n,
                    approx,
                    answer_to_question=True,
                )
            )
        elif kind == "money":
            amount = rng.choice([rng.randrange(50, 5000) * 1000, rng.randrange(1, 40) * 100_000])
            q = f"{prefix}{informal_money(amount, rng)}"
            text = rng.choice(MONEY_TEMPLATES).format(q=q)
            out.append(Phrasing(_maybe_plain(text, rng), "money", amount, amount, approx))
        elif kind == "range":
            low = rng.randrange(1, 8) * 100
            high = low + rng.choice([50, 100])
            unit = rng.choice(KWH_UNITS)
            if high - low == 100 and rng.random() < 0.5:
                q = f"{DIGIT_WORDS[low // 100]} {DIGIT_WORDS[high // 100]} trăm {unit}"
            else:
                q = rng.choice(
                    [
                        f"{low}-{high} {unit}",
                        f"từ {low} đến {high} {unit}",
                        f"{low} - {high} {unit}",
                    ]
                )
            out.append(
                Phrasing(rng.choice(KWH_TEMPLATES).format(q=prefix + q), "kwh", low, high, approx)
            )
            money_q = rng.choice([f"{low}-{high}k", f"{low} đến {high} nghìn"])
            out.append(
                Phrasing(
                    rng.choice(MONEY_TEMPLATES).format(q=money_q), "money", low * 1000, high * 1000
                )
            )
        elif kind == "situation":
            n = rng.randrange(50, 1200)
            unit = rng.choice(KWH_UNITS)
            households = rng.choice([2, 3])
            spoken = rng.choice([DIGIT_WORDS[households], str(households)])
            text = rng.choice(
                [
                    f"{spoken} hộ dùng chung một công tơ, tháng này {n} {unit}",
                    f"nhà em với nhà bên là {spoken} hộ chung đồng hồ, xài {n} {unit} thì mỗi tháng hết bao nhiêu",
                ]
            )
            out.append(Phrasing(_maybe_plain(text, rng), "kwh", n, n, households=households))
            text = rng.choice(
                [
                    f"công tơ trả trước {n} {unit}",
                    f"nhà dùng công tơ trả trước, {n} {unit} hết bao nhiêu",
                ]
            )
            out.append(Phrasing(_maybe_plain(text, rng), "kwh", n, n, meter="prepaid"))
        elif kind == "renter":
            n = rng.randrange(30, 600)
            q = f"{informal_kwh(n, rng)} {rng.choice(KWH_UNITS)}"
            people = rng.randrange(1, 9)
            spoken = rng.choice([DIGIT_WORDS[people], str(people)])
            registered = rng.choice([None, True, False])
            if registered is None:
                text = f"em ở trọ, phòng {spoken} người, tháng này {q} hết bao nhiêu"
            elif registered:
                text = f"nhà trọ đã đăng ký {spoken} người, xài {q} thì trả bao nhiêu"
            else:
                text = f"phòng trọ chưa đăng ký, {spoken} người dùng {q} hết bao nhiêu"
            out.append(
                Phrasing(
                    _maybe_plain(text, rng),
                    "kwh",
                    n,
                    n,
                    renter=True,
                    people=people,
                    registered=registered,
                )
            )
        else:
            n = rng.randrange(50, 1000)
            text = rng.choice(BARE_TEMPLATES).format(q=n)
            out.append(Phrasing(text, None, n, n))
    return out[:count] + landlord_phrasings(count // 5, seed)


def informal_price(price: int, rng: random.Random) -> str:
    """One way a renter writes the landlord's price per kWh (a multiple of 100 đ)."""
    thousands, rest = divmod(price, 1000)
    options = [f"{price:,}đ".replace(",", "."), f"{price:,} đ".replace(",", "."), f"{price} đồng"]
    if rest == 0:
        options += [f"{thousands} nghìn", f"{thousands} ngàn", f"{thousands}k"]
        options.append(f"{words(thousands)} nghìn")
    elif rest == 500:
        options += [f"{DIGIT_WORDS[thousands]} nghìn rưỡi", f"{thousands} nghìn rưỡi"]
    else:
        options.append(f"{thousands} nghìn {rest // 100}")
    return rng.choice(options)


PER_KWH_WORDS = ["một số", "1 số", "mỗi số", "/số", "một kí", "1 chữ", "mỗi chữ", "/kWh"]
LANDLORD_TEMPLATES = [
    "em ở trọ, chủ nhà thu {price} {per} có đúng không",
    "chủ trọ tính tiền điện {price} {per}, vậy có đắt không",
    "thuê phòng trọ, chủ nhà lấy {price} {per} điện",
    "bữa nay chủ trọ lên giá điện {price} {per}",
]


def landlord_phrasings(count: int, seed: int) -> list[Phrasing]:
    """Renters quoting the landlord's price per kWh inside a bill or budget question."""
    rng = random.Random(seed + 1)
    out: list[Phrasing] = []
    for _ in range(count):
        price = rng.choice([rng.randrange(25, 61) * 100, rng.randrange(3, 7) * 1000])
        text = rng.choice(LANDLORD_TEMPLATES).format(
            price=informal_price(price, rng), per=rng.choice(PER_KWH_WORDS)
        )
        if rng.random() < 0.3:
            text = strip_diacritics(text)
        out.append(Phrasing(text, None, price, price, landlord_price=price))
    return out
