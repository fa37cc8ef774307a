"""An organization's glossary: terms that stay as they are, or have a fixed translation.

Names, brands, product names and tickers ("Acme Energy", "WindMaster 5000", "ACME") must not
be translated by an engine, or must come out as one agreed form ("Acme Energia" in
Portuguese). The pipeline replaces each term by a placeholder before the engine and puts the
agreed form back afterwards; the QA gate checks that the agreed form is in the target.

    glossary = Glossary.from_mapping({
        "Acme Energy": None,                                  # keep as is, every language
        "WindMaster": {"de": "WindMeister"},                  # fixed in German, kept elsewhere
        "Ministry of Energy": {"de": "Energieministerium", "pt": "Ministério da Energia"},
    })

Terms match whole words (a Latin, Greek or Cyrillic letter or a digit next to a term blocks
the match, so "ACME" is not found in "ACMEX"); terms in Chinese, Japanese or Thai match
anywhere. Matching is case-sensitive unless an entry says otherwise; the longest term wins
where two overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from newswire.translate.base import base_lang

__all__ = ["Glossary", "GlossaryEntry"]

_WORDISH = "0-9A-Za-zÀ-ÖØ-öø-ɏͰ-ϿЀ-ӿ"


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """One term. `translations` maps target languages to the fixed form; a target language
    with no entry (or an entry with no translations at all) keeps the term as it is."""

    term: str
    translations: Mapping[str, str] = field(default_factory=dict)
    source_lang: str | None = None  # the language the term is written in; None: any
    case_sensitive: bool = True

    def __post_init__(self) -> None:
        if not self.term.strip():
            raise ValueError("a glossary term cannot be empty")

    @property
    def keep(self) -> bool:
        """True when no language translates this term."""
        return not self.translations

    def target_for(self, tgt: str) -> str:
        """The form the term must take in `tgt` (exact tag first, then base language)."""
        if tgt in self.translations:
            return self.translations[tgt]
        base = base_lang(tgt)
        if base in self.translations:
            return self.translations[base]
        for lang, form in self.translations.items():
            if base_lang(lang) == base:
                return form
        return self.term

    def applies_to(self, src: str) -> bool:
        return self.source_lang is None or base_lang(self.source_lang) == base_lang(src)


@dataclass(frozen=True, slots=True)
class _Needles:
    exact: tuple[str, ...]
    folded: tuple[str, ...]

    def maybe_in(self, text: str) -> bool:
        """Whether any term may match in `text` (a match needs its letters there)."""
        if any(term in text for term in self.exact):
            return True
        if self.folded:
            lowered = text.lower()
            return any(term in lowered for term in self.folded)
        return False


def _pattern(term: str, case_sensitive: bool) -> str:
    body = re.escape(term)
    if re.match(f"[{_WORDISH}]", term[0]):
        body = f"(?<![{_WORDISH}])" + body
    if re.match(f"[{_WORDISH}]", term[-1]):
        body += f"(?![{_WORDISH}])"
    return body if case_sensitive else f"(?i:{body})"


class Glossary:
    """A set of glossary entries with fast matching per source language."""

    def __init__(self, entries: Iterable[GlossaryEntry] = ()) -> None:
        self._entries: list[GlossaryEntry] = []
        self._regex: dict[str, tuple[re.Pattern[str], list[GlossaryEntry]] | None] = {}
        self._needles: dict[str, _Needles | None] = {}
        for entry in entries:
            self.add(entry)

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, str | Mapping[str, str] | None],
        *,
        source_lang: str | None = None,
    ) -> Glossary:
        """Build from {term: None | "keep" | {lang: translation}}."""
        glossary = cls()
        for term, value in data.items():
            if value is None or value == "keep":
                glossary.add(GlossaryEntry(term, {}, source_lang))
            elif isinstance(value, Mapping):
                glossary.add(GlossaryEntry(term, dict(value), source_lang))
            else:
                raise ValueError(
                    f"glossary term {term!r}: expected None, 'keep' or a mapping of "
                    f"language to translation, got {value!r}"
                )
        return glossary

    def add(self, entry: GlossaryEntry) -> None:
        self._entries.append(entry)
        self._regex.clear()
        self._needles.clear()

    def keep(self, term: str, *, source_lang: str | None = None) -> None:
        """Add a term that stays as it is in every language."""
        self.add(GlossaryEntry(term, {}, source_lang))

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[GlossaryEntry]:
        return iter(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def _compiled(self, src: str) -> tuple[re.Pattern[str], list[GlossaryEntry]] | None:
        base = base_lang(src)
        if base not in self._regex:
            entries = sorted(
                (e for e in self._entries if e.applies_to(src)),
                key=lambda e: len(e.term),
                reverse=True,
            )
            if not entries:
                self._regex[base] = None
            else:
                alternation = "|".join(
                    f"(?P<g{i}>{_pattern(e.term, e.case_sensitive)})" for i, e in enumerate(entries)
                )
                self._regex[base] = (re.compile(alternation), entries)
        return self._regex[base]

    def _needles_for(self, src: str) -> _Needles | None:
        """The terms as plain substrings (case-sensitive ones, and lower-cased ASCII ones),
        or None when a term's case-insensitive form is not a plain substring test."""
        base = base_lang(src)
        if base not in self._needles:
            entries = [e for e in self._entries if e.applies_to(src)]
            exact = tuple(e.term for e in entries if e.case_sensitive)
            folded = tuple(e.term.lower() for e in entries if not e.case_sensitive)
            ascii_only = all(term.isascii() for term in folded)
            self._needles[base] = _Needles(exact, folded) if ascii_only else None
        return self._needles[base]

    def find(self, text: str, src: str) -> list[tuple[int, int, GlossaryEntry]]:
        """Non-overlapping (start, end, entry) matches in `text`, left to right."""
        compiled = self._compiled(src)
        if compiled is None:
            return []
        needles = self._needles_for(src)
        if needles is not None and not needles.maybe_in(text):
            return []  # most sentences hold no term: substring tests tell at once
        regex, entries = compiled
        out: list[tuple[int, int, GlossaryEntry]] = []
        for m in regex.finditer(text):
            index = int(m.lastgroup[1:]) if m.lastgroup else 0
            out.append((m.start(), m.end(), entries[index]))
        return out

    def covers(self, text: str, src: str) -> GlossaryEntry | None:
        """The entry that is the whole of `text` (trimmed), if any."""
        stripped = text.strip()
        for start, end, entry in self.find(stripped, src):
            if start == 0 and end == len(stripped):
                return entry
        return None

    @staticmethod
    def contains(text: str, form: str, *, case_sensitive: bool = True) -> bool:
        """True when `form` occurs in `text` as a whole term."""
        return re.search(_pattern(form, case_sensitive), text) is not None
