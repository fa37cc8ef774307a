"""The names in a source sentence (the translate stage's name checks).

In a source sentence written in a cased script, a name is a run of capitalized words
("Sergei Lavrov", "North Korean", "Acme Energy GmbH") holding at least one word that is not a
common capitalized word (titles, weekdays, "North", "The", ...). The first word of a sentence
counts only when it is clearly a name: possessive ("Russia's"), followed by another
capitalized word, written in capitals or CamelCase, a country or language name, or seen
capitalized inside a sentence elsewhere in the document (`known_names`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from newswire.translate.base import base_lang
from newswire.translate.facts import babel_locale
from newswire.translate.names.exonyms import (
    countries_in_unspaced_scripts,
    country_code,
    language_code,
)

__all__ = [
    "WORD",
    "Name",
    "clearly_a_name",
    "core_of",
    "is_capitalized",
    "known_names",
    "source_names",
    "strip_lead_in",
    "word_set",
]


def word_set(words: str) -> frozenset[str]:
    """The words of a table written as text, one space (or line break) between them."""
    return frozenset(words.split())


WORD = re.compile(r"[^\W\d_](?:[\w'’.&-]*\w)?")
_LEAD_IN = re.compile(
    r"^\s*(?:\([^)]{1,40}\)\s*)?(?:[A-ZÀ-Ý][\w .,/-]{0,60}?\s[–—-]{1,2}\s+|[–—-]\s+)"
)

# Capitalized words that are not names on their own (English).
_COMMON = word_set(
    """
    a an the this that these those there here it its he she they we i you his her their our my
    your who what when where why how which while after before since during following according
    about also and but or nor so yet for in on at by with from to of as if into over under per
    via today yesterday tomorrow now meanwhile however moreover furthermore additionally earlier
    later last next first second third new old all any each every both some many most more other
    such no not yes mr mrs ms dr prof sir madam chief executive officer ceo cfo coo cto cio
    president vice minister ministry foreign prime secretary general director manager head
    senior junior chairman chairwoman chair founder co-founder partner managing board member
    spokesperson spokesman spokeswoman leader deputy ambassador governor mayor senator
    representative professor doctor company group holding holdings inc ltd corp corporation co
    llc plc gmbh ag sa se kg nv bv north south east west northern southern eastern western
    central upper lower united federal national international global world annual general
    republic kingdom states union department council commission agency office committee
    authority press release news media investor investors relations contact contacts note notes
    editor editors street avenue road square building floor suite january february march april
    may june july august september october november december monday tuesday wednesday thursday
    friday saturday sunday q1 q2 q3 q4 h1 h2 fy am pm ai eu un us usa uk uae gdp ipo esg it hr
    pr ev r&d b2b b2c nato opec who imf top daily story breaking update live latest
    """
)


@dataclass(frozen=True, slots=True)
class Name:
    text: str  # as written in the source ("Russia's", "North Korean")
    keys: tuple[str, ...]  # its distinctive words, possessive dropped ("Russia",)
    words: tuple[str, ...] = ()  # every word of 4+ letters, any of which may be the match
    src: str = "en"  # the language of the source it was found in

    def match_words(self) -> list[str]:
        """Words that count as a counterpart when found: the name's words, and the country
        behind a demonym ("Korean" -> "Korea", "Japanese" -> "Japan")."""
        out = list(dict.fromkeys([*self.keys, *self.words]))
        for key in self.keys:
            if key.endswith("an") and len(key) >= 6:
                out.append(key[:-1])
            elif key.endswith(("ese", "ish")) and len(key) >= 7:
                out.append(key[:-3])
        return out


def core_of(word: str) -> str:
    word = re.sub(r"['’]s?$", "", word)
    return word.rstrip(".")


def is_capitalized(word: str) -> bool:
    return word[:1].isupper()


def _distinctive(word: str, src: str = "en") -> bool:
    core = core_of(word)
    if len(core) < 2 or core.lower() in _COMMON or core.lower() in _calendar_words(src):
        return False
    # "EU", "CEO", "US": usually translated or spelled out
    return not (core.isupper() and len(core) <= 3)


@cache
def _calendar_words(src: str) -> frozenset[str]:
    """Month and weekday names in `src` (CLDR), and their words: capitalized in some languages
    ("Selasa", "Maret", "thứ Ba"), never names."""
    loc = babel_locale(src)
    if loc is None:
        return frozenset()
    names = [
        name
        for table in (loc.months, loc.days)
        for context in ("format", "stand-alone")
        for width in ("wide", "abbreviated")
        for name in table[context][width].values()
    ]
    return frozenset(w.lower() for name in names for w in WORD.findall(name))


# German capitalizes every noun: a single capitalized word is no sign of a name there, and
# these open a capitalized group without being part of a name.
_GERMAN_FUNCTION_WORDS = word_set(
    """
    der die das dem den des ein eine einem einen einer eines am im an in auf aus bei beim mit
    nach von vom vor zu zum zur für über unter um wie als und oder sie er es wir ihr ihre ihren
    sein seine seinen unser unsere dieser diese dieses jeder jede alle weitere weiteren
    """
)


def clearly_a_name(word: str, src: str = "en") -> bool:
    """Clearly a name even at the start of a sentence (or in a title-case headline)."""
    core = core_of(word)
    return (
        (word != core and word[len(core) :].startswith(("'", "’")))  # possessive
        or (core.isupper() and len(core) >= 4)
        or any(ch.isdigit() for ch in core)
        or any(ch.isupper() for ch in core[1:])  # CamelCase
        or country_code(core, src) is not None
        or language_code(core, src) is not None
    )


def known_names(texts: Iterable[str]) -> frozenset[str]:
    """Words seen capitalized inside a sentence (not first) in the document."""
    found: set[str] = set()
    for text in texts:
        words = WORD.findall(strip_lead_in(text))
        for word in words[1:]:
            if is_capitalized(word) and _distinctive(word):
                found.add(core_of(word))
    return frozenset(found)


def strip_lead_in(text: str) -> str:
    m = _LEAD_IN.match(text)
    return text[m.end() :] if m else text


# Where a CJK, kana, Hangul or Thai run meets a Latin word ("Acme Energyは2025年"): a word
# boundary, though both sides are letters to a regex.
_UNSPACED = "\u0e00-\u0e7f\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_SCRIPT_BREAK = re.compile(
    rf"(?<=[{_UNSPACED}])(?=[^\s{_UNSPACED}])|(?<=[^\s{_UNSPACED}])(?=[{_UNSPACED}])"
)


def source_names(
    sentence: str, *, known: frozenset[str] = frozenset(), src: str = "en"
) -> list[Name]:
    """The names in a source sentence (see `_source_names`); cached, as several QA rules ask
    about the same sentence."""
    return list(_source_names(sentence, known, src))


@lru_cache(maxsize=4096)
def _source_names(sentence: str, known: frozenset[str], src: str) -> tuple[Name, ...]:
    """The names in a source sentence in a cased script (in a CJK or Thai sentence: its
    Latin words). German capitalizes every noun: there a name is a run of two or more
    capitalized words (articles and prepositions aside) or a word that is clearly one."""
    german = base_lang(src) == "de"
    if german:
        known = frozenset()  # every noun is seen capitalized inside a sentence
    body = _SCRIPT_BREAK.sub(" ", strip_lead_in(sentence))
    names: list[Name] = []
    group: list[tuple[str, bool]] = []  # (word, sentence-initial)
    last_end = -1

    def german_name() -> None:
        while group and (
            group[0][0].lower() in _GERMAN_FUNCTION_WORDS
            or (group[0][1] and not clearly_a_name(group[0][0], src))
        ):
            group.pop(0)
        if len(group) == 1 and not clearly_a_name(group[0][0], src):
            group.clear()

    def close() -> None:
        if german:
            german_name()
        if not group:
            return
        words = [w for w, _ in group]
        keys = []
        for i, (word, initial) in enumerate(group):
            if not _distinctive(word, src):
                continue
            if initial and not (
                clearly_a_name(word, src) or core_of(word) in known or (len(group) > 1 and i == 0)
            ):
                continue
            keys.append(core_of(word))
        if keys:
            every = tuple(core_of(w) for w in words if len(core_of(w)) >= 4 and w.lower() != "with")
            names.append(Name(" ".join(words), tuple(keys), every, src))
        group.clear()

    for index, m in enumerate(WORD.finditer(body)):
        word = m.group()
        between = body[last_end : m.start()] if last_end >= 0 else ""
        initial = index == 0 or bool(re.search(r"[:;\"“„«(]\s*$|[.!?]\s+$", between))
        if is_capitalized(word):
            if group and between not in (" ", "-", "\u00a0"):
                close()
            group.append((word, initial))
        else:
            close()
        last_end = m.end()
    close()
    if base_lang(src) in _UNCASED_SOURCES:
        names += _uncased_countries(sentence, src)
    return tuple(names)


# Sources in scripts without capitals: their country names are found by CLDR's spelling.
_UNCASED_SOURCES = frozenset({"ja", "zh", "ko", "th", "ar"})


def _uncased_countries(sentence: str, src: str) -> list[Name]:
    found: list[Name] = []
    rest = sentence
    for name, _ in countries_in_unspaced_scripts(src):
        if name in rest:
            found.append(Name(name, (name,), (), src))
            rest = rest.replace(name, " ")
    return found
