"""Round trip: a second opinion where a reverse engine exists (the translate stage's QA gate).

The pipeline (`newswire.translate.pipeline.translate_document(..., reverse_engine=...)`)
translates every engine-translated sentence back into the source language, all in one
batch, and hands the back-translations here. Each is compared with its source sentence on
the facts a translation must keep: numbers and amounts, dates, weekdays and times
(`newswire.translate.facts`), and names (`newswire.translate.names`). A disagreement is a
`round_trip` flag naming the back-translation; how either side writes its figures is not
checked (the forward gate does that). The round trip only adds flags: it never clears one
the forward gate raised, and a reverse engine that fails gives no second opinion at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newswire.translate.names.match import find_counterpart
from newswire.translate.names.recognize import known_names, source_names
from newswire.translate.qa.numbers import date_problems, number_problems
from newswire.translate.qa.rule import SentencePair
from newswire.translate.qa.text import listing

__all__ = ["KIND", "RoundTripFinding", "round_trip_findings", "round_trip_reason"]

KIND = "round_trip"


@dataclass(frozen=True, slots=True)
class RoundTripFinding:
    """One source sentence whose back-translation disagrees with it."""

    position: int  # in the sequence given to `round_trip_findings`
    reason: str


def round_trip_reason(
    source: str,
    back: str,
    src: str,
    *,
    known: frozenset[str] = frozenset(),
    tgt: str | None = None,
    target: str = "",
) -> str | None:
    """Why the back-translation `back` (in `src`) disagrees with `source`, or None.

    The reverse engine makes mistakes of its own, which are not the edition's: a figure it
    leaves in the target language's format ("709.000 units" back in English) is read in
    either language's format, and a name the target keeps as written (`target`, in `tgt`) is
    the edition's even if the back-translation translates it ("VerdeMilk" -> "GreenMilk")."""
    if not back.strip():
        return None  # nothing came back: no opinion (the forward gate saw the target)
    pair = SentencePair(source, back, src, src, known=known)
    s_facts, b_facts = pair.source_facts, pair.target_facts
    problems = number_problems(s_facts, b_facts, source, back, src, src, formats=False)
    if problems and tgt is not None:
        as_target = SentencePair(source, back, src, tgt, known=known).target_facts
        if not number_problems(s_facts, as_target, source, back, src, tgt, formats=False):
            problems = []
    problems += date_problems(s_facts, b_facts)
    lost = [
        name.text
        for name in source_names(source, known=known, src=src)
        if not find_counterpart(name, back, src) and not (target and name.text in target)
    ]
    if lost:
        problems.append(f"{listing(repr(n) for n in lost)} has no counterpart")
    if not problems:
        return None
    return f"translated back into {src} it reads {back!r}: " + "; ".join(
        p.replace("the target", "the back-translation") for p in problems
    )


def round_trip_findings(
    sources: Sequence[str],
    backs: Sequence[str],
    src: str,
    *,
    context: Sequence[str] | None = None,
    tgt: str | None = None,
    targets: Sequence[str] | None = None,
) -> list[RoundTripFinding]:
    """Compare plain-text source sentences with their back-translations, pair by pair.
    `context` is the whole source document's sentences (for telling names apart); `tgt` and
    `targets` the forward translations (see `round_trip_reason`)."""
    if len(sources) != len(backs):
        raise ValueError(f"{len(sources)} sources but {len(backs)} back-translations")
    known = known_names(context if context is not None else sources)
    findings = []
    for n, (source, back) in enumerate(zip(sources, backs, strict=True)):
        target = targets[n] if targets is not None else ""
        reason = round_trip_reason(source, back, src, known=known, tgt=tgt, target=target)
        if reason:
            findings.append(RoundTripFinding(n, reason))
    return findings
