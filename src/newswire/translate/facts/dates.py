"""Dates and weekdays in a sentence: month and day names from Babel's locale data in the
language, numeric and ISO dates, CJK "2025年3月3日", Thai Buddhist-era years."""

from __future__ import annotations

import re
from functools import cache

from newswire.translate.base import base_lang
from newswire.translate.facts.record import (
    BUDDHIST_ERA,
    THAI_YEARS,
    Facts,
    babel_locale,
    blank,
)

__all__ = ["read_dates"]


_CJK_DATE = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월](?:\s*(\d{1,2})\s*[日일号號])?")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_NUM_DATE = re.compile(r"(?<![\d.,/])(\d{1,2})([./])(\d{1,2})\2(\d{4}|\d{2})(?![\d.,/]*\d)")
_CASED_MONTHS = frozenset({"en", "de"})  # month and day names start with a capital


@cache
def _month_names(lang: str) -> tuple[re.Pattern[str] | None, dict[str, int], frozenset[str]]:
    """A regex of month names, name -> month, and the names that need a number nearby."""
    base = base_lang(lang)
    loc = babel_locale(lang)
    if loc is None or base in ("ja", "zh", "ko"):
        return None, {}, frozenset()
    names: dict[str, int] = {}
    needs_number: set[str] = set()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for month, name in loc.months[context][width].items():
                name = name.strip()
                key = name.lower().rstrip(".")
                if len(key) < 3:
                    continue
                names.setdefault(key, month)
                if width == "abbreviated" and key not in {
                    n.lower() for n in loc.months[context]["wide"].values()
                }:
                    needs_number.add(key)
    if base == "en":
        needs_number.add("may")
    alternation = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    flags = 0 if base in _CASED_MONTHS else re.IGNORECASE
    if base in _CASED_MONTHS:
        alternation = "|".join(
            sorted((re.escape(n[:1].upper() + n[1:]) for n in names), key=len, reverse=True)
        )
    pattern = re.compile(rf"(?<!\w)(?:{alternation})\.?(?!\w)", flags)
    return pattern, names, frozenset(needs_number)


@cache
def _weekday_names(lang: str) -> tuple[re.Pattern[str] | None, dict[str, int]]:
    loc = babel_locale(lang)
    if loc is None:
        return None, {}
    base = base_lang(lang)
    names: dict[str, int] = {}
    widths = ("wide", "abbreviated") if base in ("zh", "ja", "ko") else ("wide",)
    for context in ("format", "stand-alone"):
        for width in widths:
            for day, name in loc.days[context][width].items():
                if len(name) >= 2:
                    names.setdefault(name.lower(), day)
    alternation = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    if base in _CASED_MONTHS:
        alternation = "|".join(
            sorted((re.escape(n[:1].upper() + n[1:]) for n in names), key=len, reverse=True)
        )
        return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), names
    boundary_l = "" if base in ("zh", "ja", "ko", "th") else r"(?<!\w)"
    boundary_r = "" if base in ("zh", "ja", "ko", "th") else r"(?!\w)"
    return re.compile(rf"{boundary_l}(?:{alternation}){boundary_r}", re.IGNORECASE), names


# Japanese and Korean dates name the weekday by one character in brackets: 3月4日（火）.
_SHORT_WEEKDAYS = {"ja": "月火水木金土日", "ko": "월화수목금토일"}
_DAY_BEFORE = re.compile(r"(?<!\d)(\d{1,2})(?:\.|er|º|ª|st|nd|rd|th)?\s*(?:de\s+|of\s+)?$", re.I)
_DAY_AFTER = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th|\.)?(?!\d)", re.I)
_YEAR_AFTER = re.compile(
    r"^(?:\s*\d{1,2}(?:st|nd|rd|th)?)?,?\s*(?:de\s+|del\s+|năm\s+|года?\s+)?(\d{4})(?!\d)", re.I
)
# Thai writes years in the Buddhist era (2568 BE = 2025 CE), with or without "พ.ศ.".


def read_dates(text: str, lang: str, facts: Facts, has_digit: bool = True) -> str:
    """Record the dates and weekdays in `text`; return the text with dates blanked out.
    `has_digit`: False when `text` has no digit (no numeric date can be in it)."""
    spans: list[tuple[int, int]] = []
    for m in _ISO_DATE.finditer(text) if has_digit else ():
        facts.dates.append((int(m.group(2)), int(m.group(3)), int(m.group(1))))
        facts.date_texts.append(m.group())
        spans.append(m.span())
    for m in _NUM_DATE.finditer(text) if has_digit else ():
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        year = y + 2000 if y < 100 else y
        if m.group(2) == "/" and base_lang(lang) == "en" and a <= 12:
            facts.dates.append((a, b, year))  # US style m/d/y
        elif b <= 12:
            facts.dates.append((b, a, year))
        else:
            continue
        facts.date_texts.append(m.group())
        spans.append(m.span())
    if has_digit and base_lang(lang) in ("ja", "zh", "ko"):
        for m in _CJK_DATE.finditer(text):
            month = int(m.group(2))
            if 1 <= month <= 12:
                day = int(m.group(3)) if m.group(3) else None
                year = int(m.group(1)) if m.group(1) else None
                facts.dates.append((month, day, year))
                facts.date_texts.append(m.group())
                spans.append(m.span())
    named = _may_name(text, lang)
    pattern, names, needs_number = _month_names(lang)
    if pattern is not None and named:
        for m in pattern.finditer(text):
            key = m.group().lower().rstrip(".")
            before = text[max(0, m.start() - 12) : m.start()]
            after = text[m.end() : m.end() + 14]
            day_b = _DAY_BEFORE.search(before)
            day_a = _DAY_AFTER.match(after)
            year = _YEAR_AFTER.match(after)
            if key in needs_number and not (day_b or day_a or year):
                continue
            day = None
            start, end = m.start(), m.end()
            if day_a and not (year and year.group(1) == day_a.group(1)):
                day = int(day_a.group(1))
                end = m.end() + day_a.end()
            elif day_b:
                day = int(day_b.group(1))
                start = m.start() - (len(before) - day_b.start())
            if year:
                end = max(end, m.end() + year.end())
            if day is not None and not 1 <= day <= 31:
                day = None
            facts.dates.append(
                (names[key], day, _common_era(year.group(1), lang) if year else None)
            )
            facts.date_texts.append(text[start:end].strip())
            spans.append((start, end))
    wpattern, wnames = _weekday_names(lang)
    if wpattern is not None and named:
        for m in wpattern.finditer(text):
            facts.weekdays.append(wnames[m.group().lower()])
    short = _SHORT_WEEKDAYS.get(base_lang(lang))
    if short:
        for m in re.finditer(r"[（(]\s*([^\W\d_])\s*[）)]", text):
            if m.group(1) in short:
                facts.weekdays.append(short.index(m.group(1)))
    return blank(text, spans)


# Scripts written without spaces between words: a name is not a word of its own there.
_UNSPACED = frozenset({"th", "ja", "zh", "ko"})
_WORD_RE = re.compile(r"\w+")


@cache
def _name_words(lang: str) -> frozenset[str]:
    """The first words of the month and day names of `lang`, lower case."""
    names = [*_month_names(lang)[1], *_weekday_names(lang)[1]]
    return frozenset(found.group() for name in names if (found := _WORD_RE.match(name)))


def _may_name(text: str, lang: str) -> bool:
    """Whether `text` may hold a month or day name of `lang`: most sentences have none, and
    one set test of their words tells (not in scripts written without spaces)."""
    if base_lang(lang) in _UNSPACED:
        return True
    return not _name_words(lang).isdisjoint(_WORD_RE.findall(text.lower()))


def _common_era(year: str, lang: str) -> int:
    value = int(year)
    if base_lang(lang) == "th" and value in THAI_YEARS:
        return value - BUDDHIST_ERA
    return value
