"""Language-aware term extraction (domain rules, pure): one normalization and one tokenizer
for text and queries, shared by targeting and the public search.

Normalization (`normalize_text`): Unicode NFKC (full-width Latin and half-width katakana
become ordinary forms), Unicode case folding (``ß`` -> ``ss``), then folding that makes
matching accent-insensitive where a reader expects it: Latin letters lose their diacritics
(``é`` -> ``e``, ``ư`` -> ``u``, ``ø`` -> ``o``), Arabic loses its optional vowel marks and
tatweel and unifies the alef forms, and invisible characters (soft hyphen, zero-width
space/joiners, BOM) disappear. Cyrillic, Greek, Thai and CJK letters are left as they are.

Tokens (`tokenize`): text is read as a sequence of tokens, ignoring spaces and punctuation.
Scripts written with spaces between words (Latin, Cyrillic, Arabic, ...) give one token per
word (a maximal run of letters and digits); scripts written without spaces (Han, hiragana,
katakana, Hangul, Thai, Lao, Khmer, Myanmar; "dense" scripts) give one token per character.
Mixed-script text works: ``"iPhone用の充電器"`` -> ``iphone 用 の 充 電 器``.

A query term is tokenized the same way, and matches where its tokens occur consecutively in
the text. For a plain word that is whole-word matching; for a quoted phrase, consecutive
words; for CJK or Thai it is substring matching on the normalized text (which is what
matching consecutive character bigrams amounts to).

Index keys (`Doc.keys`, `term_keys`): every token, plus every pair of consecutive tokens
within a field (word bigrams; character bigrams in CJK and Thai). A term that matches a
text has all of its keys in the text's keys, which is what the index's anchors rely on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from functools import lru_cache
from itertools import compress, pairwise

# Scripts written without spaces between words: one token per character.
_DENSE_RANGES = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul Jamo
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3005-\u3007"  # 々 〆 〇
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"  # Hangul Jamo extended A
    "\uac00-\ud7ff"  # Hangul syllables, Jamo extended B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003ffff"  # CJK extensions B and later
)
_TOKEN = re.compile(f"[{_DENSE_RANGES}]|[^\\W_{_DENSE_RANGES}]+")
_DENSE = re.compile(f"[{_DENSE_RANGES}]")

BOUNDARY = "\x1e"
"""A token that separates fields (headline | body): no term can match across it."""

SEP = "\x1f"
"""Joins tokens in `Doc.joined`; never part of a token."""


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for start, end in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for cp in range(start, end):
            decomposed = unicodedata.normalize("NFD", chr(cp))
            base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
            if base and base != chr(cp):
                table[cp] = base
    table.update({ord("ø"): "o", ord("đ"): "d", ord("ł"): "l", ord("ı"): "i", ord("ħ"): "h"})
    for cp in range(0x0300, 0x0370):  # combining diacritical marks left after case folding
        table[cp] = None
    for cp in (*range(0x064B, 0x0660), 0x0670, 0x0640):  # Arabic harakat, superscript alef, tatweel
        table[cp] = None
    for cp in (0x0622, 0x0623, 0x0625, 0x0671):  # alef with madda / hamza above / below, wasla
        table[cp] = "\u0627"
    for cp in (0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):  # invisible characters
        table[cp] = None
    return table


_FOLD = _fold_table()
_FOLD_STR = {chr(cp): value or "" for cp, value in _FOLD.items()}
_FOLDABLE = re.compile("[" + "".join(re.escape(ch) for ch in sorted(_FOLD_STR)) + "]")
_SIMPLE_TOKEN = re.compile(r"[^\W_]+")


def _fold(match: re.Match[str]) -> str:
    return _FOLD_STR[match.group()]


def normalize_text(text: str) -> str:
    """NFKC, case folding, and accent folding as described in the module docstring."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    return _FOLDABLE.sub(_fold, text)  # faster than str.translate when few characters fold


def _tokens(normalized: str) -> list[str]:
    if normalized.isascii() or _DENSE.search(normalized) is None:
        return _SIMPLE_TOKEN.findall(normalized)  # the same, faster, without dense scripts
    return _TOKEN.findall(normalized)


def is_dense(token: str) -> bool:
    """True for a token of a script written without spaces (one character)."""
    return len(token) == 1 and _DENSE.match(token) is not None


def tokenize(text: str) -> list[str]:
    """The token sequence of `text` (see the module docstring)."""
    return _tokens(normalize_text(text))


@lru_cache(maxsize=65536)
def term_tokens(term: str) -> tuple[str, ...]:
    """The tokens a query term must match consecutively."""
    return tuple(tokenize(term))


def pair_key(first: str, second: str) -> str:
    """The index key of two consecutive tokens."""
    return first + SEP + second


def term_keys(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Index keys that a text must contain when `tokens` occur in it consecutively.

    A one-token term has the token as its key; a longer one has the pairs of consecutive
    tokens (word bigrams; character bigrams in CJK and Thai). Presence of the keys is
    necessary; for terms of one or two tokens it is also sufficient.
    """
    if len(tokens) == 1:
        return tokens
    return tuple(dict.fromkeys(pair_key(a, b) for a, b in pairwise(tokens)))


@lru_cache(maxsize=65536)
def key_cost(key: str) -> float:
    """A guess at how common a key is in releases (higher = more common).

    The index anchors a query on its cheapest keys, so that few queries are looked at for a
    release. Without document frequencies at hand, length is the best cheap guess: short
    words and single CJK characters are common, long words and token pairs rare.
    """
    if SEP in key:
        first, second = key.split(SEP)
        if is_dense(first) and is_dense(second):
            return 6.0  # a character bigram
        return max(1.0, min(key_cost(first), key_cost(second)) / 4)
    if key in _COMMON_WORDS:
        return 100.0
    if len(key) == 1:
        return 60.0 if is_dense(key) else 80.0
    if key.isdigit():
        return 30.0
    return max(1.0, 16.0 - 2.0 * len(key))


_COMMON_TEXT = """
    a an and are as at be by for from has have in is it its of on or that the this to was
    were will with we our new
    der die das und ist im in den dem des mit für von zu auf ein eine einen sich wir
    le la les et des du un une pour dans sur par est au aux avec
    el los las y del en un una por para con es al
    o os as e do da dos das em um uma para com no na
    dan yang di ke dari untuk dengan ini itu pada dalam
    và của là các có cho được trong những với một
"""
_COMMON_WORDS = frozenset(normalize_text(word) for word in _COMMON_TEXT.split())


class Doc:
    """A release's text, tokenized once for all the queries that look at it.

    `tokens` runs headline then body with a BOUNDARY token between; `token_set` holds them;
    `joined` is SEP + tokens joined by SEP + SEP, so that a phrase is a substring search;
    `keys` are the index keys present (tokens, and pairs of consecutive tokens within a
    field).
    """

    __slots__ = ("joined", "keys", "token_set", "tokens")

    def __init__(self, tokens: tuple[str, ...], keys: frozenset[str]) -> None:
        self.tokens = tokens
        self.token_set = frozenset(tokens)
        self.keys = keys
        self.joined = SEP + SEP.join(tokens) + SEP

    def has(self, tokens: tuple[str, ...]) -> bool:
        """True when `tokens` occur consecutively."""
        if len(tokens) == 1:
            return tokens[0] in self.token_set
        return SEP + SEP.join(tokens) + SEP in self.joined


def analyze(*fields: str, pair_heads: Container[str] | None = None) -> Doc:
    """Tokenize fields (headline, body) into one Doc; no term matches across two fields.

    With `pair_heads`, `Doc.keys` holds only the pairs whose first token is in it (the index
    passes the first tokens of the pair keys it has, to save building the others).
    """
    tokens: list[str] = []
    keys: set[str] = set()
    for n, text in enumerate(fields):
        if n:
            tokens.append(BOUNDARY)
        field_tokens = _tokens(normalize_text(text))
        tokens.extend(field_tokens)
        keys.update(field_tokens)
        pairs = pairwise(field_tokens)
        if pair_heads is not None:
            pairs = compress(pairs, map(pair_heads.__contains__, field_tokens))
        keys.update(map(SEP.join, pairs))
    return Doc(tuple(tokens), frozenset(keys))
