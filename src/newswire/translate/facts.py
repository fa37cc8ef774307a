"""Facts a translation must carry over unchanged, read from one sentence in one language.

`extract(text, lang)` finds URLs, e-mail addresses, phone numbers, dates (with month names
from Babel's locale data in the language, numeric dates, CJK "2025年3月3日"), weekdays,
times of day, and numbers with their locale's decimal and grouping symbols (Babel: 6,500
in English is 6.500 in German, 2.6 is 2,6) and scale words (6.5 billion = 6,5 Milliarden =
65億). A number is kept as the set of values it may stand for ({6.5, 6500000000} for "6.5
billion"), so two numbers agree when their sets meet. A number written in the other
convention than its language's ("2.6" in German) is marked `misformatted`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol

from newswire.translate.base import base_lang
from newswire.translate.scales import SCALES as _SCALES

__all__ = [
    "EMAIL_RE",
    "URL_RE",
    "Facts",
    "Number",
    "babel_locale",
    "extract",
    "fold",
    "quote_marks",
    "without_links",
]


@cache
def babel_locale(lang: str) -> Locale | None:
    """Babel's locale for a tag ("zh-Hant" -> zh_Hant), or None."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(base_lang(lang))
        except (UnknownLocaleError, ValueError):
            return None


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case, accents stripped, "ß" -> "ss" (for comparing names across languages).
    Cached: the QA gate folds the same words of a release many times."""
    text = text.replace("ß", "ss").replace("ẞ", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


_DIGITS = {
    cp: str(unicodedata.decimal(chr(cp)))
    for cp in range(0x80, 0x20000)
    if unicodedata.category(chr(cp)) == "Nd"
}
_DIGITS.update({ord("٫"): ".", ord("٬"): ","})


def _ascii_digits(text: str) -> str:
    """Every decimal digit as 0-9 (Arabic-Indic, full-width, ...), Arabic separators as . ,"""
    return text if text.isascii() else text.translate(_DIGITS)


@dataclass(frozen=True, slots=True)
class Number:
    text: str
    values: frozenset[Decimal]
    misformatted: bool = False
    scaled: Decimal | None = None  # the value with its scale word ("18.5 million": 18500000)

    @property
    def small(self) -> bool:
        """A whole number up to 12 (before any scale word), which may be written as a word."""
        return any(v == v.to_integral_value() and 0 <= v <= 12 for v in self.values)


@dataclass(slots=True)
class Facts:
    urls: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    dates: list[tuple[int, int | None, int | None]] = field(default_factory=list)  # m, d, y
    date_texts: list[str] = field(default_factory=list)
    weekdays: list[int] = field(default_factory=list)
    times: list[frozenset[int]] = field(default_factory=list)  # minutes since midnight
    time_texts: list[str] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)


URL_RE = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*[A-Za-z0-9/_\-=#%~&]", re.I
)
EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_DIGIT = re.compile(r"\d")


def without_links(text: str, replacement: str = " ") -> str:
    """`text` with its URLs and e-mail addresses replaced (most sentences have neither, and
    two substring tests tell)."""
    if "://" in text or "www." in text.lower():
        text = URL_RE.sub(replacement, text)
    if "@" in text:
        text = EMAIL_RE.sub(replacement, text)
    return text


_PHONE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.\-/]?\(?\d{1,5}\)?){2,6}(?!\w)")


def normalize_url(url: str) -> str:
    url = url.rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.lower()
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


# --- dates and weekdays --------------------------------------------------------------

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
_BUDDHIST_ERA = 543
_THAI_YEARS = range(2400, 2700)


def _dates(text: str, lang: str, facts: Facts, has_digit: bool = True) -> str:
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
    return _blank(text, spans)


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
    if base_lang(lang) == "th" and value in _THAI_YEARS:
        return value - _BUDDHIST_ERA
    return value


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " "
    return "".join(chars)


# --- times ---------------------------------------------------------------------------

_AMPM = r"(?P<ampm>[ap]\.?\s?m\.?(?!\w))"
_TIME_PATTERNS = [
    re.compile(rf"(?<![\d.,:])(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?!\d)(?:\s*{_AMPM})?", re.I),
    re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\.(?P<m>\d{2})\s*(?=Uhr\b)", re.I),
    re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\s?h\s?(?P<m>\d{2})(?!\d)", re.I),
    re.compile(rf"(?<![\d.,:])(?P<h>\d{{1,2}})\s*{_AMPM}", re.I),
    re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\s*(?:Uhr|h|horas|hs|heures)(?!\w)", re.I),
    re.compile(
        r"(?P<pre>午前|午後|上午|下午|晚上|早上|오전|오후)?\s*(?P<h>\d{1,2})\s*[時时点點시]"
        r"(?:\s*(?P<m>\d{1,2})\s*[分분])?"
    ),
]
# What every one of them has after its hour: most sentences have no time of day.
_MAYBE_TIME = re.compile(r"\d(?:[:.]\d{2}|\s*(?:h|[ap]\.?\s?m|uhr|[時时点點시]))", re.I)


def _times(text: str, facts: Facts) -> str:
    if not _MAYBE_TIME.search(text):
        return text
    spans: list[tuple[int, int]] = []
    for pattern in _TIME_PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in spans):
                continue
            hour = int(m.group("h"))
            minute = int(m.group("m") or 0) if "m" in m.groupdict() else 0
            if hour > 24 or minute > 59:
                continue
            groups = m.groupdict()
            ampm = (groups.get("ampm") or "").lower().replace(".", "").replace(" ", "")
            pre = groups.get("pre") or ""
            if ampm == "pm" or pre in ("午後", "下午", "晚上", "오후"):
                hours = {hour % 12 + 12}
            elif ampm == "am" or pre in ("午前", "上午", "早上", "오전"):
                hours = {hour % 12}
            elif hour <= 12:
                hours = {hour, (hour + 12) % 24}
            else:
                hours = {hour}
            facts.times.append(frozenset(h * 60 + minute for h in hours))
            facts.time_texts.append(m.group().strip())
            spans.append(m.span())
    return _blank(text, spans)


# --- numbers -------------------------------------------------------------------------

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
    """How numbers are written in one language, for `_numbers`."""

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


def _numbers(text: str, lang: str, facts: Facts) -> None:
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
        if r.thai and value == value.to_integral_value() and value in _THAI_YEARS:
            values.add(value - _BUDDHIST_ERA)  # a Buddhist-era year
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


def extract(text: str, lang: str) -> Facts:
    """Every fact in `text` (plain text, one sentence or more)."""
    facts = Facts()
    text = _ascii_digits(unicodedata.normalize("NFC", text))
    # Most sentences have no link, address or figure: each pattern runs only where its
    # telltale character is (a digit, "@", "://" or "www.").
    has_digit = _DIGIT.search(text) is not None
    spans: list[tuple[int, int]] = []
    if "://" in text or "www." in text.lower():
        for m in URL_RE.finditer(text):
            facts.urls.append(normalize_url(m.group()))
            spans.append(m.span())
    rest = _blank(text, spans)
    if "@" in rest:
        for m in EMAIL_RE.finditer(rest):
            facts.emails.append(m.group().lower())
            spans.append(m.span())
        rest = _blank(text, spans)
    if "+" in rest and has_digit:
        for m in _PHONE.finditer(rest):
            facts.phones.append(re.sub(r"\D", "", m.group()))
            spans.append(m.span())
        rest = _blank(text, spans)
    rest = _dates(rest, lang, facts, has_digit)
    if has_digit:
        rest = _times(rest, facts)
        _numbers(rest, lang, facts)
    return facts


# --- quotation marks -----------------------------------------------------------------

_QUOTE_CHARS = frozenset('"“”„‟«»「」『』〝〞＂‹›')


def quote_marks(text: str) -> int:
    """How many double quotation marks (of any script) `text` has."""
    return sum(1 for ch in text if ch in _QUOTE_CHARS)
