"""A name's counterpart in a translation (the translate stage's name checks).

A name has a counterpart in the target when any of its distinctive words does:

* the same word, or a compound holding it ("nordkoreanischen" holds "korean");
* a cross-lingual spelling variant: both folded (accents, case, "w"->"v", "c"->"k", "j"->"y",
  doubled letters squeezed) and sharing a 4-letter prefix or ~75% of their letters
  ("Moscow"/"Moskau", "Lavrov"/"Lawrow", "Pyongyang"/"Pjöngjang", "Russia"/"Rusia");
* for country and language names, the target language's own name from Babel's CLDR data
  (`exonyms`: "Russia" -> "Russland", "ロシア", "روسيا"; "German" -> "Deutsch");
* a glossary term (checked by the glossary rule instead).

Into scripts other than Latin (Japanese, Chinese, Korean, Arabic, Thai, and Cyrillic too, where
"Jane Doe" becomes "Джейн Доу") only what stays recognizable is required: country and language
names (via Babel) and words written in capitals or with digits (tickers, product codes).
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache

from newswire.translate.facts import fold
from newswire.translate.names.exonyms import local_names
from newswire.translate.names.recognize import WORD, Name, core_of

__all__ = ["find_counterpart", "similar_spelling"]

_PHONETIC = [
    ("ph", "f"),
    ("th", "t"),
    ("kh", "h"),
    ("ck", "k"),
    ("ch", "k"),
    ("sch", "sh"),
    ("w", "v"),
    ("c", "k"),
    ("q", "k"),
    ("j", "y"),
    ("ou", "u"),
    ("ie", "i"),
    ("x", "ks"),
    ("z", "s"),
]


@lru_cache(maxsize=1 << 14)
def _phonetic(word: str) -> str:
    word = re.sub(r"c(?=[eiy])", "s", fold(word))  # soft c: "Cingapura" ~ "Singapore"
    for a, b in _PHONETIC:
        word = word.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", word)


@lru_cache(maxsize=1 << 16)
def similar_spelling(key: str, token: str) -> bool:
    """Whether `token` may be `key` spelled the way another language spells it (cached: the
    same names meet the same words all through a release)."""
    k, t = fold(key), fold(token)
    if not k or not t:
        return False
    if k == t:
        return True
    if len(k) >= 4 and k in t:
        return True
    if len(k) >= 3 and t.startswith(k):
        return True
    if len(t) >= 5 and k.startswith(t):
        return True
    pk, pt = _phonetic(key), _phonetic(token)
    prefix = 0
    for a, b in zip(pk, pt, strict=False):
        if a != b:
            break
        prefix += 1
    if prefix >= 4 or (prefix >= 3 and prefix == min(len(pk), len(pt))):
        return True
    return len(pk) >= 4 and _alike(pk, pt, 0.75)


def _alike(a: str, b: str, ratio: float) -> bool:
    """difflib's ratio of `a` and `b` reaches `ratio`; its two upper bounds (the lengths,
    then the letters in common) rule out most pairs before the matching itself."""
    total = len(a) + len(b)
    if 2 * min(len(a), len(b)) < ratio * total:
        return False
    if 2 * (Counter(a) & Counter(b)).total() < ratio * total:
        return False
    return SequenceMatcher(None, a, b).ratio() >= ratio


def _cased_script(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    cased = sum(1 for ch in letters if ch.lower() != ch.upper())
    return cased / len(letters) > 0.6


_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")


def _latin_script(text: str) -> bool:
    """Mostly Latin letters: a script that writes a name the way an English source does."""
    if text.isascii():
        return _ASCII_LETTER.search(text) is not None
    letters = len(_LETTER.findall(text))
    return letters > 0 and len(_LATIN_LETTER.findall(text)) / letters > 0.6


def _stems_in(local: str, folded_target: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_]+", fold(local)) if len(w) >= 2]
    return bool(words) and all(w[: max(4, len(w) - 2)] in folded_target for w in words)


def find_counterpart(name: Name, target: str, tgt: str) -> bool:
    """True when the target sentence has something standing for `name`."""
    folded_target = fold(target)
    latin_target = _latin_script(target)
    countries: list[str] = []
    languages: list[str] = []
    for candidate in [name.text, *name.keys]:
        c, lang = local_names(core_of(candidate), tgt, name.src)
        countries += c
        languages += lang
    for local in countries + languages:
        if _stems_in(local, folded_target) if _cased_script(local) else local in target:
            return True
    if not latin_target or not _latin_script(name.text):
        if countries:
            return False  # a country keeps a recognizable name in every script
        # Only what survives into another script is required (names are transliterated).
        required = [
            k for k in name.keys if (k.isupper() and len(k) >= 4) or any(c.isdigit() for c in k)
        ]
        return all(fold(k) in folded_target for k in required)
    target_words = WORD.findall(target)
    return any(similar_spelling(key, word) for key in name.match_words() for word in target_words)
