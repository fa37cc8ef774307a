"""The QA gate: what a desk editor should look at in a translation, with a reason for each.

`check_pair(source_text, target_text, src, tgt)` checks two whole texts (Markdown or plain):
both are cut into sentences (`newswire.translate.segment`), the sentences are aligned
(within each block when both texts have the same blocks, else over the whole text) by a
length-and-anchor dynamic programme that allows a sentence to be dropped, added, merged or
split, and every aligned pair goes through the sentence checks. `check_segments(pairs, ...)`
checks pairs whose alignment is already known (the pipeline's segments).

Flag kinds, one flag per kind and sentence, each with the segment and a reason:

| kind            | what                                                                 |
| --------------- | -------------------------------------------------------------------- |
| numbers         | a number or amount missing, added, changed, or in the wrong locale format |
|                 | (Babel: 6,500 en = 6.500 de; 2.6 = 2,6; 6.5 billion = 6,5 Milliarden)   |
| dates           | a date, weekday or time of day missing or changed                    |
| urls            | a URL missing, changed or added                                      |
| emails          | an e-mail address missing, changed or added                          |
| glossary        | a glossary term not in its agreed form                               |
| quotes          | quotation marks lost or added (a quote became indirect speech)      |
| sentence_count  | a sentence dropped, added, merged or split                           |
| entity_missing  | a name in the source sentence with no counterpart in its translation |
| missing_subject | the target sentence has a verb and an object but no subject          |
| untranslated    | the target is still in the source language                           |
| length_ratio    | the target is far shorter or longer than such translations are       |
| markup          | (pipeline only) the engine lost a placeholder: protected text is gone |
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from babel.numbers import format_decimal

from newswire.intake.language import detect_language, same_language
from newswire.translate.facts import (
    EMAIL_RE,
    URL_RE,
    Facts,
    babel_locale,
    extract,
    fold,
    normalize_url,
    quote_marks,
)
from newswire.translate.glossary import Glossary
from newswire.translate.names import (
    find_counterpart,
    known_names,
    missing_subject,
    source_names,
    source_subject,
)
from newswire.translate.segment import (
    link_targets,
    plain_text,
    segment,
    sentence_spans,
    translatable,
)

__all__ = ["KINDS", "QAFlag", "check_pair", "check_segments", "check_sentence"]

KINDS = (
    "numbers",
    "dates",
    "urls",
    "emails",
    "glossary",
    "quotes",
    "sentence_count",
    "entity_missing",
    "missing_subject",
    "untranslated",
    "length_ratio",
    "markup",
)


@dataclass(frozen=True, slots=True)
class QAFlag:
    """One doubt about one segment. `segment_index` counts source sentences (segments) from
    0; a target sentence with no source counterpart gets the index of the source sentence
    before it, and an empty `source`."""

    kind: str
    segment_index: int
    source: str
    target: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "segment": self.segment_index,
            "source": self.source,
            "target": self.target,
            "reason": self.reason,
        }


def _base(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


# Characters per English character in a typical translation (news prose).
_CHAR_RATIO = {
    "en": 1.0,
    "de": 1.2,
    "fr": 1.2,
    "es": 1.15,
    "pt": 1.15,
    "ru": 1.1,
    "ar": 0.95,
    "ja": 0.45,
    "zh": 0.32,
    "ko": 0.5,
    "th": 1.0,
    "vi": 1.15,
    "id": 1.15,
    "ms": 1.15,
}
MIN_LENGTH_FOR_RATIO = 40
RATIO_BOUNDS = (0.5, 2.0)

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
    base = _base(lang)
    found: set[int] = set()
    if base in ("ja", "zh", "ko"):
        found.update(v for ch, v in _CJK_NUMERALS.items() if ch in text)
    table = _NUMBER_WORDS.get(base, {})
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        if word in table:
            found.add(table[word])
    return found


def _fmt(values: Sequence[str]) -> str:
    return ", ".join(values)


def _check_numbers(s: Facts, t: Facts, source: str, target: str, src: str, tgt: str) -> list[str]:
    problems: list[str] = []
    unmatched_t = list(range(len(t.numbers)))
    missing = []
    for number in s.numbers:
        hit = next((j for j in unmatched_t if number.values & t.numbers[j].values), None)
        if hit is None:
            missing.append(number)
        else:
            unmatched_t.remove(hit)
    target_words = _number_words(target, tgt)
    source_words = _number_words(source, src)
    # "1 billion" -> "mil milhões", "2 plants" -> "zwei Werke": small numbers may be words
    missing = [n for n in missing if not (n.small and {int(v) for v in n.values} & target_words)]
    extra = [
        t.numbers[j]
        for j in unmatched_t
        if not (t.numbers[j].small and {int(v) for v in t.numbers[j].values} & source_words)
    ]
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
        problems.append(f"{_fmt([n.text for n in missing])} in the source not found in the target")
    if extra:
        problems.append(f"{_fmt([n.text for n in extra])} in the target not in the source")
    wrong = [n.text for n in t.numbers if n.misformatted]
    if wrong:
        problems.append(f"{_fmt(wrong)} is not written the {tgt} way (decimal/grouping symbols)")
    return problems


def _check_dates(s: Facts, t: Facts) -> list[str]:
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


def _check_set(kind: str, source: list[str], target: list[str]) -> list[str]:
    problems = []
    missing = [x for x in source if x not in target]
    extra = [x for x in target if x not in source]
    if missing:
        problems.append(f"{_fmt(missing)} missing from the target")
    if extra:
        problems.append(f"{_fmt(extra)} in the target is not in the source")
    return problems


def _check_glossary(
    glossary: Glossary | None, source: str, target: str, src: str, tgt: str
) -> list[str]:
    if not glossary:
        return []
    problems = []
    seen: set[str] = set()
    for _, _, entry in glossary.find(source, src):
        form = entry.target_for(tgt)
        if form in seen:
            continue
        seen.add(form)
        if not Glossary.contains(target, form, case_sensitive=entry.case_sensitive):
            how = "kept as is" if form == entry.term else f"translated as {form!r}"
            problems.append(f"{entry.term!r} must be {how}")
    return problems


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{3,}", text)


MIN_WORDS_FOR_DETECTION = 5


def _untranslated(source: str, target: str, src: str, tgt: str) -> str | None:
    """Why the target is not (all) in the target language, or None.

    A target identical to its source is untranslated. Otherwise the target sentence's
    language is identified (`newswire.intake.language.detect_language`) on its own words
    (without the names and figures it shares with the source) once it has
    MIN_WORDS_FOR_DETECTION of them: reading as the source language is untranslated; reading
    confidently as a third language is the wrong language (Indonesian and Malay, too close
    to tell apart on one sentence, are not told apart here).
    """
    if same_language(src, tgt):
        return None
    lower_source = [w.lower() for w in _words(source) if w.islower()]
    if len(lower_source) >= 3 and fold(" ".join(source.split())) == fold(" ".join(target.split())):
        return "the target is the source, unchanged"
    target_set = {w.lower() for w in _words(target)}
    overlap = sum(1 for w in lower_source if w in target_set) / max(1, len(lower_source))
    if len(lower_source) >= 3 and overlap >= 0.5:  # most of the source's words are still there
        detected = detect_language(target)
        if detected and same_language(src, detected) and not same_language(tgt, detected):
            return (
                f"the target reads as {src}, not {tgt} ({overlap:.0%} of the source's words kept)"
            )
    # names and figures copied from the source say nothing about the target's language
    _, own = _translatable_part(source, target)
    if len(_words(own)) < MIN_WORDS_FOR_DETECTION:
        return None
    detected = detect_language(own)
    if detected is None or same_language(tgt, detected):
        return None
    if same_language(src, detected):
        return f"the target reads as {src}, not {tgt} ({overlap:.0%} of the source's words kept)"
    if {_base(detected), _base(tgt)} == {"id", "ms"}:
        return None
    return f"the target reads as {detected}, not {tgt}"


def _translatable_part(source: str, target: str) -> tuple[str, str]:
    """Both texts without URLs, addresses and the words they share (kept names, numbers)."""
    for pattern in (URL_RE, EMAIL_RE):
        source, target = pattern.sub("", source), pattern.sub("", target)
    token = r"[A-Za-z0-9](?:[A-Za-z0-9.,%&'-]*[A-Za-z0-9%])?"
    shared = set(re.findall(token, source)) & set(re.findall(token, target))
    for word in sorted(shared, key=len, reverse=True):
        if len(word) >= 2:
            source = source.replace(word, "")
            target = target.replace(word, "")
    return " ".join(source.split()), " ".join(target.split())


def _length_ratio(source: str, target: str, src: str, tgt: str) -> str | None:
    if len(source) < MIN_LENGTH_FOR_RATIO or not target.strip():
        return None
    source, target = _translatable_part(source, target)
    if len(source) < MIN_LENGTH_FOR_RATIO / 2:
        return None
    expected = _CHAR_RATIO.get(_base(tgt), 1.0) / _CHAR_RATIO.get(_base(src), 1.0)
    ratio = len(target) / len(source) / expected
    low, high = RATIO_BOUNDS
    if ratio < low:
        return f"the target is {ratio:.0%} of the expected length: something is missing"
    if ratio > high:
        return f"the target is {ratio:.0%} of the expected length: something was added"
    return None


def check_sentence(
    source: str,
    target: str,
    src: str,
    tgt: str,
    *,
    index: int = 0,
    glossary: Glossary | None = None,
    known: frozenset[str] = frozenset(),
    count_sentences: bool = True,
    links: tuple[list[str], list[str]] = ([], []),
) -> list[QAFlag]:
    """Every check on one aligned pair of plain-text sentences (or short passages).

    `links` holds the link destinations of the source and the target when they were
    Markdown (plain text has lost them); they are checked with the URLs.
    """
    flags: list[QAFlag] = []

    def flag(kind: str, reason: str) -> None:
        flags.append(QAFlag(kind, index, source, target, reason))

    if not target.strip():
        flag("sentence_count", "the sentence has no translation")
        return flags
    s_facts, t_facts = extract(source, src), extract(target, tgt)
    problems = _check_numbers(s_facts, t_facts, source, target, src, tgt)
    if s_facts.phones != t_facts.phones:
        problems += [
            f"phone number {p} changed or missing"
            for p in s_facts.phones
            if p not in t_facts.phones
        ]
    if problems:
        flag("numbers", "; ".join(problems))
    if problems := _check_dates(s_facts, t_facts):
        flag("dates", "; ".join(problems))
    s_urls = s_facts.urls + [normalize_url(u) for u in links[0] if not u.startswith("#")]
    t_urls = t_facts.urls + [normalize_url(u) for u in links[1] if not u.startswith("#")]
    if problems := _check_set("urls", list(dict.fromkeys(s_urls)), list(dict.fromkeys(t_urls))):
        flag("urls", "; ".join(problems))
    if problems := _check_set("emails", s_facts.emails, t_facts.emails):
        flag("emails", "; ".join(problems))
    if problems := _check_glossary(glossary, source, target, src, tgt):
        flag("glossary", "; ".join(problems))
    qs, qt = quote_marks(source), quote_marks(target)
    if qs != qt:
        if qs and not qt:
            flag("quotes", "the quoted passage lost its quotation marks")
        else:
            flag("quotes", f"{qs} quotation marks in the source, {qt} in the target")
    if count_sentences:
        ns, nt = len(sentence_spans(source, src)), len(sentence_spans(target, tgt))
        if ns != nt:
            what = "dropped" if nt < ns else "added (or split)"
            flag("sentence_count", f"{ns} sentences in the source, {nt} in the target: {what}")
    reason = _untranslated(source, target, src, tgt)
    if reason:
        flag("untranslated", reason)
        return flags  # name and subject checks mean nothing on an untranslated sentence
    glossary_spans = [(a, b) for a, b, _ in glossary.find(source, src)] if glossary else []
    missing = []
    for name in source_names(source, known=known):
        at = source.find(name.text)
        if any(a <= at < b for a, b in glossary_spans):
            continue  # the glossary rule checks it
        if not find_counterpart(name, target, tgt):
            missing.append(name.text)
    if missing:
        flag(
            "entity_missing",
            f"{_fmt(repr(m) for m in missing)} in the source has no counterpart in the target",
        )
    opening = missing_subject(source, target, tgt)
    if opening:
        subject = source_subject(source)
        tail = f"; the source's subject is {subject!r}" if subject else ""
        flag(
            "missing_subject",
            f"{opening!r} …: adverbial, verb and object with no subject{tail}",
        )
    if reason := _length_ratio(source, target, src, tgt):
        flag("length_ratio", reason)
    return flags


def check_segments(
    pairs: Sequence[tuple[str, str]],
    src: str,
    tgt: str,
    *,
    glossary: Glossary | None = None,
    indices: Sequence[int] | None = None,
    context: Sequence[str] | None = None,
) -> list[QAFlag]:
    """Check aligned (source, target) pairs; `indices` numbers them (default 0, 1, ...).

    Pairs may hold inline Markdown; it is read as plain text. `context` is the whole
    source document's sentences, for telling names from ordinary capitalized words (by
    default, the sources of `pairs`).
    """
    plain = [(plain_text(s), plain_text(t)) for s, t in pairs]
    known = known_names(context if context is not None else [s for s, _ in plain])
    flags: list[QAFlag] = []
    for n, (source, target) in enumerate(plain):
        index = indices[n] if indices is not None else n
        links = (link_targets(pairs[n][0]), link_targets(pairs[n][1]))
        flags += check_sentence(
            source, target, src, tgt, index=index, glossary=glossary, known=known, links=links
        )
    return flags


# --- alignment -------------------------------------------------------------------------

DROP_COST = 1.4
MERGE_COST = 1.2


def _anchors(text: str, lang: str) -> set[str]:
    facts = extract(text, lang)
    out = {str(max(n.values)) for n in facts.numbers}
    out.update(facts.urls)
    out.update(facts.emails)
    out.update(re.findall(r"(?<![A-Za-z])[A-Z][A-Za-z]{3,}(?![a-z])", text))
    return out


def _align(
    source: list[str], target: list[str], src: str, tgt: str
) -> list[tuple[list[int], list[int]]]:
    """Alignment beads (source indices, target indices), in order."""
    ratio = _CHAR_RATIO.get(_base(tgt), 1.0) / _CHAR_RATIO.get(_base(src), 1.0)
    sa = [_anchors(s, src) for s in source]
    ta = [_anchors(t, tgt) for t in target]

    def cost(si: list[int], ti: list[int]) -> float:
        s_text, t_text = _translatable_part(
            " ".join(source[i] for i in si), " ".join(target[j] for j in ti)
        )
        ls, lt = len(s_text) + 10, len(t_text) + 10
        c = abs(math.log(lt / (ls * ratio)))
        a = set().union(*(sa[i] for i in si))
        b = set().union(*(ta[j] for j in ti))
        if a or b:
            c += 0.8 * (1 - len(a & b) / len(a | b))
        return c

    n, m = len(source), len(target)
    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    moves = [(1, 1), (1, 0), (0, 1), (2, 1), (1, 2)]
    band = 8 + abs(n - m)  # alignments far off the diagonal are never the cheapest
    for i in range(n + 1):
        centre = round(i * m / n) if n else 0
        for j in range(max(0, centre - band), min(m, centre + band) + 1):
            if best[i][j] == inf:
                continue
            for di, dj in moves:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                si, ti = list(range(i, ni)), list(range(j, nj))
                if di == 0 or dj == 0:
                    c = DROP_COST
                elif di + dj == 2:
                    c = cost(si, ti)
                else:
                    c = MERGE_COST + cost(si, ti)
                if best[i][j] + c < best[ni][nj]:
                    best[ni][nj] = best[i][j] + c
                    back[ni][nj] = (i, j)
    beads: list[tuple[list[int], list[int]]] = []
    i, j = n, m
    while (i, j) != (0, 0):
        prev = back[i][j]
        assert prev is not None
        pi, pj = prev
        beads.append((list(range(pi, i)), list(range(pj, j))))
        i, j = pi, pj
    beads.reverse()
    return beads


def check_pair(
    source_text: str,
    target_text: str,
    src: str,
    tgt: str,
    *,
    glossary: Glossary | None = None,
) -> list[QAFlag]:
    """Check a whole translation against its source; see the module docstring."""
    s_segs = translatable(segment(source_text, src))
    t_segs = translatable(segment(target_text, tgt))
    s_plain = [s.plain for s in s_segs]
    t_plain = [t.plain for t in t_segs]
    known = known_names(s_plain)
    s_blocks = [s.block for s in s_segs]
    t_blocks = [t.block for t in t_segs]
    groups: list[tuple[list[int], list[int]]]
    if sorted(set(s_blocks)) == sorted(set(t_blocks)):
        groups = [
            (
                [i for i, b in enumerate(s_blocks) if b == block],
                [j for j, b in enumerate(t_blocks) if b == block],
            )
            for block in sorted(set(s_blocks))
        ]
    else:
        groups = [(list(range(len(s_plain))), list(range(len(t_plain))))]
    flags: list[QAFlag] = []
    for s_idx, t_idx in groups:
        beads = _align([s_plain[i] for i in s_idx], [t_plain[j] for j in t_idx], src, tgt)
        last = s_idx[0] if s_idx else max(0, len(s_plain) - 1)
        for bs, bt in beads:
            si = [s_idx[i] for i in bs]
            ti = [t_idx[j] for j in bt]
            source = " ".join(s_plain[i] for i in si)
            target = " ".join(t_plain[j] for j in ti)
            if not si:
                flags.append(
                    QAFlag(
                        "sentence_count",
                        last,
                        "",
                        target,
                        "this target sentence has no source: it was added",
                    )
                )
                continue
            last = si[0]
            if not ti:
                flags.append(
                    QAFlag(
                        "sentence_count",
                        last,
                        source,
                        "",
                        "this source sentence has no translation: it was dropped",
                    )
                )
                continue
            if len(si) != len(ti):
                flags.append(
                    QAFlag(
                        "sentence_count",
                        last,
                        source,
                        target,
                        f"{len(si)} source sentences became {len(ti)} in the target "
                        "(merged, split, or one dropped)",
                    )
                )
            flags += check_sentence(
                source,
                target,
                src,
                tgt,
                index=last,
                glossary=glossary,
                known=known,
                count_sentences=False,
                links=(
                    [u for i in si for u in link_targets(s_segs[i].text)],
                    [u for j in ti for u in link_targets(t_segs[j].text)],
                ),
            )
    return flags
