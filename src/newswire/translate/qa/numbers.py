"""Numbers and dates: every amount, phone number, date, weekday and time of day in the source
must be in the translation, written its language's way (the translate stage's QA gate).

Numbers agree when the values they may stand for meet (`newswire.translate.facts`: 6,500 en =
6.500 de; 6.5 billion = 6,5 Milliarden); a small number may come back as a word ("two plants"
-> "zwei Werke"); a number copied as the source wrote it where the target reads it as another
("6,500" in German) is named, with the right way to write it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from babel.numbers import format_decimal

from newswire.translate.base import base_lang
from newswire.translate.facts import Facts, Number, babel_locale
from newswire.translate.qa.rule import Rule, SentencePair
from newswire.translate.qa.text import listing

__all__ = ["Dates", "Numbers", "date_problems", "number_problems"]

_NUMBER_WORDS: dict[str, dict[str, int]] = {
    "en": {
        "zero": 0,
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
        "eleven": 11,
        "twelve": 12,
        "first": 1,
        "second": 2,
        "third": 3,
        "fourth": 4,
        "fifth": 5,
        "a": 1,
        "an": 1,
        "half": 2,
        "dozen": 12,
        "single": 1,
        "both": 2,
        "twice": 2,
        "double": 2,
    },
    "de": {
        "null": 0,
        "ein": 1,
        "eine": 1,
        "einen": 1,
        "einem": 1,
        "zwei": 2,
        "drei": 3,
        "vier": 4,
        "fünf": 5,
        "sechs": 6,
        "sieben": 7,
        "acht": 8,
        "neun": 9,
        "zehn": 10,
        "elf": 11,
        "zwölf": 12,
        "ersten": 1,
        "zweiten": 2,
        "dritten": 3,
        "vierten": 4,
        "beiden": 2,
        "beide": 2,
        "doppelt": 2,
    },
    "fr": {
        "zéro": 0,
        "un": 1,
        "une": 1,
        "deux": 2,
        "trois": 3,
        "quatre": 4,
        "cinq": 5,
        "six": 6,
        "sept": 7,
        "huit": 8,
        "neuf": 9,
        "dix": 10,
        "onze": 11,
        "douze": 12,
        "premier": 1,
        "première": 1,
        "deuxième": 2,
        "troisième": 3,
        "quatrième": 4,
    },
    "es": {
        "cero": 0,
        "uno": 1,
        "una": 1,
        "un": 1,
        "dos": 2,
        "tres": 3,
        "cuatro": 4,
        "cinco": 5,
        "seis": 6,
        "siete": 7,
        "ocho": 8,
        "nueve": 9,
        "diez": 10,
        "once": 11,
        "doce": 12,
        "primer": 1,
        "primero": 1,
        "segundo": 2,
        "tercer": 3,
        "cuarto": 4,
    },
    "pt": {
        "zero": 0,
        "um": 1,
        "uma": 1,
        "dois": 2,
        "duas": 2,
        "três": 3,
        "quatro": 4,
        "cinco": 5,
        "seis": 6,
        "sete": 7,
        "oito": 8,
        "nove": 9,
        "dez": 10,
        "onze": 11,
        "doze": 12,
        "primeiro": 1,
        "segundo": 2,
        "terceiro": 3,
        "quarto": 4,
        "ambos": 2,
    },
}


def _words(table: str) -> dict[str, int]:
    """ "один:1 одна:1 ..." as a table."""
    return {w: int(n) for w, n in (item.split(":") for item in table.split())}


_NUMBER_WORDS.update(
    {
        "ru": _words(
            """
            один:1 одна:1 одно:1 одного:1 два:2 две:2 двух:2 оба:2 обе:2 три:3 трёх:3 трех:3
            четыре:4 четырёх:4 четырех:4 пять:5 пяти:5 шесть:6 шести:6 семь:7 семи:7
            восемь:8 восьми:8 девять:9 девяти:9 десять:10 десяти:10 первый:1 первая:1
            первое:1 второй:2 вторая:2 третий:3 третья:3
            """
        ),
        # Arabic's dual ("مصنعين", two plants) carries the number in the noun: see the rule
        "ar": _words(
            """
            واحد:1 واحدة:1 اثنان:2 اثنين:2 اثنتان:2 اثنتين:2 ثلاثة:3 ثلاث:3 أربعة:4 أربع:4
            خمسة:5 خمس:5 ستة:6 ست:6 سبعة:7 سبع:7 ثمانية:8 ثماني:8 تسعة:9 تسع:9 عشرة:10 عشر:10
            الأول:1 الأولى:1 الثاني:2 الثانية:2 الثالث:3 الثالثة:3
            """
        ),
        "vi": _words("một:1 hai:2 ba:3 bốn:4 năm:5 sáu:6 bảy:7 tám:8 chín:9 mười:10 nhất:1 nhì:2"),
        "id": _words(
            """
            satu:1 dua:2 tiga:3 empat:4 lima:5 enam:6 tujuh:7 delapan:8 sembilan:9 sepuluh:10
            pertama:1 kedua:2 ketiga:3 keempat:4 kedua-duanya:2
            """
        ),
        "ms": _words(
            """
            satu:1 dua:2 tiga:3 empat:4 lima:5 enam:6 tujuh:7 lapan:8 sembilan:9 sepuluh:10
            pertama:1 kedua:2 ketiga:3 keempat:4
            """
        ),
        "ko": _words(
            "한:1 하나:1 두:2 둘:2 세:3 셋:3 네:4 넷:4 다섯:5 여섯:6 일곱:7 여덟:8 아홉:9 열:10"
        ),
    }
)
# Thai writes words without spaces: numerals are found inside words, except in the common
# words that merely contain one ("สามารถ", can, holds "สาม", three).
_THAI_NUMERALS = _words("หนึ่ง:1 สอง:2 สาม:3 สี่:4 ห้า:5 หก:6 เจ็ด:7 แปด:8 เก้า:9 สิบ:10")
_THAI_NOT_NUMERALS = ("สามารถ", "ห้าง", "เก้าอี้", "สี่แยก")
_CJK_NUMERALS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def _number_words(text: str, lang: str) -> set[int]:
    lang_base = base_lang(lang)
    found: set[int] = set()
    if lang_base in ("ja", "zh", "ko"):
        found.update(v for ch, v in _CJK_NUMERALS.items() if ch in text)
    if lang_base == "th":
        for word in _THAI_NOT_NUMERALS:
            text = text.replace(word, " ")
        found.update(v for w, v in _THAI_NUMERALS.items() if w in text)
    table = _NUMBER_WORDS.get(lang_base, {})
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        if word in table:
            found.add(table[word])
    return found


def _agree(a: Number, b: Number) -> bool:
    """Two numbers may stand for the same value; with scale words on both sides, the
    scaled values must be equal (18.5 million is not 18.5 billion)."""
    if a.scaled is not None and b.scaled is not None:
        return a.scaled == b.scaled
    return bool(a.values & b.values)


def number_problems(
    s: Facts, t: Facts, source: str, target: str, src: str, tgt: str, *, formats: bool = True
) -> list[str]:
    """What is wrong with the target's numbers; `formats`: also a number written in the
    other locale's convention."""
    problems: list[str] = []
    unmatched_t = list(range(len(t.numbers)))
    missing = []
    for number in s.numbers:
        hit = next((j for j in unmatched_t if _agree(number, t.numbers[j])), None)
        if hit is None:
            missing.append(number)
        else:
            unmatched_t.remove(hit)
    # "1 billion" -> "mil milhões", "2 plants" -> "zwei Werke": small numbers may be words
    if any(n.small for n in missing):
        target_words = _number_words(target, tgt)
        missing = [
            n for n in missing if not (n.small and {int(v) for v in n.values} & target_words)
        ]
    extra = [t.numbers[j] for j in unmatched_t]
    if any(n.small for n in extra):
        source_words = _number_words(source, src)
        extra = [n for n in extra if not (n.small and {int(v) for v in n.values} & source_words)]
    copied = [n for n in missing if any(m.text == n.text for m in extra)]
    for n in copied:
        right = format_decimal(min(n.values), locale=babel_locale(tgt) or "en")
        problems.append(
            f"{n.text} is copied as written in {src}, where {tgt} reads it as "
            f"another number (write {right})"
        )
    missing = [n for n in missing if n not in copied]
    extra = [m for m in extra if not any(m.text == n.text for n in copied)]
    if missing:
        problems.append(
            f"{listing([n.text for n in missing])} in the source not found in the target"
        )
    if extra:
        problems.append(f"{listing([n.text for n in extra])} in the target not in the source")
    wrong = [n.text for n in t.numbers if n.misformatted] if formats else []
    if wrong:
        problems.append(f"{listing(wrong)} is not written the {tgt} way (decimal/grouping symbols)")
    return problems


def date_problems(s: Facts, t: Facts) -> list[str]:
    """The source's dates, weekdays and times the target does not have."""
    problems: list[str] = []
    for (month, day, year), text in zip(s.dates, s.date_texts, strict=True):
        ok = any(
            tm == month
            and (day is None or td is None or td == day)
            and (year is None or ty is None or ty == year)
            for tm, td, ty in t.dates
        )
        if not ok:
            problems.append(f"the date {text!r} is not in the target")
    for weekday in set(s.weekdays) - set(t.weekdays):
        names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        problems.append(f"the weekday {names[weekday]} is not in the target")
    unmatched = list(t.times)
    for values, text in zip(s.times, s.time_texts, strict=True):
        hit = next((x for x in unmatched if x & values), None)
        if hit is None:
            problems.append(f"the time {text!r} is not in the target")
        else:
            unmatched.remove(hit)
    return problems


class Numbers(Rule):
    """A number or amount missing, added, changed, or in the wrong locale format; a phone
    number changed or missing."""

    name = "numbers"
    kind = "numbers"
    partly_for: ClassVar[Mapping[str, str]] = {
        "Arabic": (
            "Arabic's dual carries a two in the noun's ending (مصنعين, two plants) with no "
            "number word: a 2 in the source with neither a figure nor a number word in the "
            "target is flagged, and the desk decides"
        ),
    }

    def check(self, pair: SentencePair) -> str | None:
        s_facts, t_facts = pair.source_facts, pair.target_facts
        problems = number_problems(s_facts, t_facts, pair.source, pair.target, pair.src, pair.tgt)
        if s_facts.phones != t_facts.phones:
            problems += [
                f"phone number {p} changed or missing"
                for p in s_facts.phones
                if p not in t_facts.phones
            ]
        return "; ".join(problems) or None


class Dates(Rule):
    """A date, weekday or time of day missing or changed."""

    name = "dates"
    kind = "dates"

    def check(self, pair: SentencePair) -> str | None:
        return "; ".join(date_problems(pair.source_facts, pair.target_facts)) or None
