"""Numbers in a sentence, with their locale's decimal and grouping symbols (Babel) and
scale words, each kept as the set of values it may stand for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_decimal_symbol, get_group_symbol

from newswire.translate.base import base_lang
from newswire.translate.facts.record import (
    BUDDHIST_ERA,
    THAI_YEARS,
    Facts,
    Number,
    babel_locale,
)
from newswire.translate.scales import SCALES as _SCALES

__all__ = ["read_numbers"]


_ATTACHED_SCALES = frozenset({"ja", "zh", "ko", "th"})
_SPACE_GROUPING = frozenset({"fr", "ru", "uk", "pl", "cs", "sk", "sv", "nb", "fi"})
_SPACES = "\u00a0\u202f\u2009"


@cache
def _number_regex(lang: str) -> re.Pattern[str]:
    sep = rf"[.,'’{_SPACES}]"
    if base_lang(lang) in _SPACE_GROUPING:
        sep = rf"(?:[.,'’{_SPACES}]|\s(?=\d{{3}}(?!\d)))"
    return re.compile(rf"(?<![\d.,])\d+(?:{sep}\d+)*(?!\d)")


@cache
def _scale_regex(lang: str) -> re.Pattern[str] | None:
    """A scale word after a number, matched at the number's end (`pattern.match(text, end)`)."""
    scales = _SCALES.get(base_lang(lang))
    if not scales:
        return None
    words = sorted(scales, key=lambda s: len(s[0]), reverse=True)
    alternation = "|".join(re.escape(w) for w, _ in words)
    if base_lang(lang) in _ATTACHED_SCALES:
        return re.compile(rf"\s*({alternation})", re.I)
    return re.compile(rf"\s*({alternation})\.?(?!\w)", re.I)


@cache
def _symbols(lang: str) -> tuple[str, str]:
    loc = babel_locale(lang)
    if loc is None:
        return ".", ","
    decimal = get_decimal_symbol(loc)
    group = get_group_symbol(loc)
    if group in _SPACES or group == " ":
        group = " "
    if decimal not in ".,":
        decimal = "."
    return decimal, group


@cache
def _number_forms(
    decimal: str, group: str
) -> tuple[list[tuple[str, re.Pattern[str]]], re.Pattern[str]]:
    """The grouped forms (each group mark and its pattern) and the plain form of a number
    under one convention."""
    groups = [group] if group != "'" else ["'"]
    if group == " ":
        groups.append("'")
    grouped = [
        (g, re.compile(rf"\d{{1,3}}(?:{re.escape(g)}\d{{3}})+(?:{re.escape(decimal)}\d+)?"))
        for g in groups
    ]
    return grouped, re.compile(rf"\d+(?:{re.escape(decimal)}\d+)?")


def _parse(token: str, decimal: str, group: str) -> Decimal | None:
    """The value of `token` under one convention, or None if it does not fit it."""
    t = token
    if not t.isascii():
        for space in _SPACES:
            t = t.replace(space, " ")
        t = t.replace("’", "'")
    grouped, plain = _number_forms(decimal, group)
    for g, pattern in grouped:
        if pattern.fullmatch(t):
            return Decimal(t.replace(g, "").replace(decimal, "."))
    if plain.fullmatch(t):
        return Decimal(t.replace(decimal, "."))
    return None


@dataclass(frozen=True, slots=True)
class _NumberReading:
    """How numbers are written in one language, for `read_numbers`."""

    pattern: re.Pattern[str]
    decimal: str
    group: str
    other_decimal: str
    other_group: str
    scale_re: re.Pattern[str] | None
    scales: dict[str, int]
    thai: bool


@cache
def _number_reading(lang: str) -> _NumberReading:
    decimal, group = _symbols(lang)
    other_decimal = "," if decimal == "." else "."
    other_group = "," if other_decimal == "." else "."
    return _NumberReading(
        _number_regex(lang),
        decimal,
        group,
        other_decimal,
        other_group,
        _scale_regex(lang),
        dict(_SCALES.get(base_lang(lang), [])),
        base_lang(lang) == "th",
    )


def read_numbers(text: str, lang: str, facts: Facts) -> None:
    r = _number_reading(lang)
    for m in r.pattern.finditer(text):
        token = m.group().rstrip(".,")
        if not token:
            continue
        value = _parse(token, r.decimal, r.group)
        misformatted = False
        if value is None:
            value = _parse(token, r.other_decimal, r.other_group)
            misformatted = value is not None
        if value is None:
            digits = re.sub(r"\D", "", token)
            if not digits:
                continue
            value = Decimal(digits)
        values = {value}
        scaled = None
        if r.scale_re is not None:
            s = r.scale_re.match(text, m.end())
            if s:
                exponent = r.scales.get(s.group(1).lower(), r.scales.get(s.group(1), 0))
                if exponent:
                    scaled = value * (Decimal(10) ** exponent)
                    values.add(scaled)
        if r.thai and value == value.to_integral_value() and value in THAI_YEARS:
            values.add(value - BUDDHIST_ERA)  # a Buddhist-era year
        try:
            facts.numbers.append(
                Number(
                    token,
                    frozenset(v.normalize() for v in values),
                    misformatted,
                    scaled.normalize() if scaled is not None else None,
                )
            )
        except InvalidOperation:
            continue
