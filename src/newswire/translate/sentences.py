"""Sentence boundaries, language by language (the translate stage's segmentation).

* Latin, Cyrillic, Greek, Vietnamese: ". ! ? ..." followed by a space and an upper-case
  letter, digit or opening quote; known abbreviations ("Dr.", "Inc.", "z.B.", "Sr.") and
  initials ("J. Smith") do not end a sentence, nor does a German ordinal ("am 3. März").
* Japanese and Chinese: "。！？" (and their half-width forms before a space), no space
  needed after them.
* Arabic: ". ؟ !" followed by a space.
* Korean: ". ! ?" followed by a space (Korean has no letter case).
* Thai has no sentence punctuation: a space between two Thai characters or a line break
  ends a sentence. (pythainlp's sentence splitter was not used: it needs a 20 MB package
  and a CRF model; the space rule is what Thai writers use to end a sentence.)

A line break with its continuation prefix (`blocks.CONTINUATION`) is read as spaces, so a
sentence may span lines (except in Thai).
"""

from __future__ import annotations

import re
import unicodedata

from newswire.translate.base import base_lang
from newswire.translate.blocks import CONTINUATION

__all__ = ["sentence_spans", "sentences"]

_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "mr",
            "mrs",
            "ms",
            "dr",
            "prof",
            "sr",
            "jr",
            "st",
            "dept",
            "est",
            "fig",
            "gen",
            "gov",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
            "mon",
            "tue",
            "wed",
            "thu",
            "fri",
            "sat",
            "sun",
            "no",
            "nos",
            "vol",
            "vs",
            "etc",
            "approx",
            "e.g",
            "i.e",
            "a.m",
            "p.m",
            "u.s",
            "u.k",
            "u.n",
            "e.u",
            "ave",
            "blvd",
            "rd",
            "mt",
            "ft",
            "lt",
            "col",
            "capt",
            "sgt",
            "rep",
            "sen",
            "hon",
            "rev",
            "eds",
            "al",
            "cf",
            "ca",
        ]
    ),
    "de": frozenset(
        [
            "dr",
            "prof",
            "hr",
            "fr",
            "nr",
            "bzw",
            "ca",
            "usw",
            "z.b",
            "u.a",
            "d.h",
            "s.o",
            "s.u",
            "vgl",
            "ggf",
            "evtl",
            "inkl",
            "zzgl",
            "mio",
            "mrd",
            "tsd",
            "jan",
            "feb",
            "mär",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "okt",
            "nov",
            "dez",
            "str",
            "abs",
            "art",
            "bd",
            "dipl",
            "ing",
            "e.v",
            "u.ä",
            "o.ä",
            "i.d.r",
            "v.a",
            "z.t",
        ]
    ),
    "fr": frozenset(
        [
            "m",
            "mm",
            "mme",
            "mmes",
            "mlle",
            "dr",
            "pr",
            "st",
            "ste",
            "etc",
            "p",
            "ex",
            "av",
            "bd",
            "n°",
            "no",
            "janv",
            "févr",
            "avr",
            "juil",
            "sept",
            "oct",
            "nov",
            "déc",
            "env",
        ]
    ),
    "es": frozenset(
        [
            "sr",
            "sra",
            "srta",
            "dr",
            "dra",
            "d",
            "dña",
            "ud",
            "uds",
            "pág",
            "núm",
            "no",
            "etc",
            "ej",
            "av",
            "avda",
            "ene",
            "feb",
            "mar",
            "abr",
            "jun",
            "jul",
            "ago",
            "sept",
            "oct",
            "nov",
            "dic",
        ]
    ),
    "pt": frozenset(
        [
            "sr",
            "sra",
            "srta",
            "dr",
            "dra",
            "prof",
            "av",
            "nº",
            "n",
            "no",
            "etc",
            "ex",
            "pág",
            "jan",
            "fev",
            "mar",
            "abr",
            "jun",
            "jul",
            "ago",
            "set",
            "out",
            "nov",
            "dez",
        ]
    ),
    "ru": frozenset(
        ["г", "гг", "т.е", "т.д", "т.п", "им", "ул", "д", "стр", "млн", "млрд", "тыс", "руб"]
    ),
}
_GENERIC_ABBREVIATIONS = frozenset(
    ["e.g", "i.e", "etc", "vs", "no", "nr", "dr", "prof", "mr", "mrs", "ms", "st"]
)

_TERMINATORS = ".!?…"
_CJK_TERMINATORS = "。！？｡"
_CLOSERS = "\"'”’»)]}」』】〉》）*_"
_OPENERS = "\"'“‘«([{「『【〈《（¿¡*_`<!„‚"
_SENTENCE_END = re.compile(rf"[{re.escape(_TERMINATORS)}؟]+[{re.escape(_CLOSERS)}]*(?=\s)")
_CJK_END = re.compile(rf"[{re.escape(_CJK_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*")
# Where a sentence may end before the end of the text: without one, the text is one sentence.
_ANY_END = re.compile(
    rf"{_SENTENCE_END.pattern}|[{re.escape(_CJK_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*(?=.)",
    re.DOTALL,
)


def _is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def _is_cased(ch: str) -> bool:
    return ch.lower() != ch.upper()


def _word_before(text: str, end: int) -> str:
    """The token (letters, digits, dots, apostrophes) that ends at `end`."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in ".'’°"):
        start -= 1
    return text[start:end]


def _is_abbreviation(text: str, dot: int, lang: str) -> bool:
    """True when the '.' at index `dot` ends an abbreviation, an initial or an ordinal."""
    word = _word_before(text, dot).strip(".")
    if not word:
        return False
    low = word.lower()
    table = _ABBREVIATIONS.get(lang, _GENERIC_ABBREVIATIONS)
    if low in table or low in _GENERIC_ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "J. Smith", "U. S."
    if "." in word and any(c.isalpha() for c in word) and all(len(p) <= 2 for p in word.split(".")):
        return True  # dotted abbreviation: "U.S", "z.B", "a.m"
    return lang == "de" and word.isdigit() and len(word) <= 2  # "am 3. März"


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a block of text, whitespace trimmed."""
    base = base_lang(lang)
    view = CONTINUATION.sub(lambda m: " " * len(m.group()), text) if "\n" in text else text
    if base != "th" and _ANY_END.search(view) is None:  # one sentence, or none (most texts)
        stripped = view.strip()
        if not stripped:
            return []
        lead = len(view) - len(view.lstrip())
        return [(lead, lead + len(stripped))]
    cuts: list[int] = []
    for m in _SENTENCE_END.finditer(view):
        end = m.end()
        nxt = end
        while nxt < len(view) and view[nxt].isspace():
            nxt += 1
        if nxt >= len(view):
            continue
        ch = view[nxt]
        punct = m.group().rstrip(_CLOSERS)
        plain_dot = punct.endswith(".") and not punct.endswith("..") and m.group() == punct
        if plain_dot and _is_abbreviation(view, m.start() + len(punct) - 1, base):
            continue
        if _is_cased(ch):
            if not ch.isupper() and not ch.istitle():
                continue  # a lower-case word goes on the sentence
        elif ch.isdigit():
            pass
        elif ch not in _OPENERS and not ch.isalnum() and unicodedata.category(ch)[0] == "P":
            continue
        cuts.append(end)
    for m in _CJK_END.finditer(view):
        if m.end() < len(view):
            cuts.append(m.end())
    if base == "th":
        for m in re.finditer(r"[ \t]+|\n[ \t>]*", view):
            before = view[m.start() - 1] if m.start() > 0 else ""
            after = view[m.end()] if m.end() < len(view) else ""
            if "\n" in text[m.start() : m.end()] or (_is_thai(before) and _is_thai(after)):
                cuts.append(m.start())
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*sorted(set(cuts)), len(view)]:
        piece = view[start:cut]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            spans.append((start + lead, cut - trail))
        start = cut
    return spans


def sentences(text: str, lang: str) -> list[str]:
    """The sentences of a block of plain text."""
    return [text[a:b] for a, b in sentence_spans(text, lang)]
