"""The automated checks the editorial desk sees next to each release in the review queue.

`run_checks` runs every check, in the order of CHECKS, and returns one result per check,
passed or not. Each check is a small function of a prepared `Context`; all are pure (no
database, no network). Failed ERROR results block approval unless an editor overrides them
(`blocking`).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from newswire.domain.release import ReleaseContent
from newswire.domain.translation_way import TranslationWay
from newswire.intake.language import (
    WIRE_LANGUAGES,
    detect_language,
    language_name,
    same_language,
    split_tag,
)
from newswire.intake.text import plain_text
from newswire.review import duplicates, links, spam
from newswire.review.impersonation import IssuerRegistry, check_impersonation
from newswire.review.result import CheckResult, Severity, blocking, worst

__all__ = [
    "CHECKS",
    "CheckResult",
    "Context",
    "Severity",
    "blocking",
    "headline_size",
    "run_checks",
]

# Headline limits, in width units (see `headline_size`).
HEADLINE_MIN = 10
HEADLINE_MAX = 200
HEADLINE_WARN = 110
CLOCK_SKEW = timedelta(minutes=1)
MAX_AHEAD = timedelta(days=365)
MIN_EMBARGO_LEAD = timedelta(minutes=10)
DUPLICATE_WARN = 0.6
DUPLICATE_ERROR = 0.9
_WIRE_BASES = frozenset(split_tag(tag)[0] for tag in WIRE_LANGUAGES)


@dataclass(frozen=True)
class Context:
    """What the checks look at; derived values are computed once, on first use."""

    content: ReleaseContent
    now: datetime
    recent: Sequence[ReleaseContent] = ()
    translation_ways: Mapping[str, TranslationWay] = dataclasses.field(default_factory=dict)
    issuers: IssuerRegistry | None = None

    @cached_property
    def body_text(self) -> str:
        return plain_text(self.content.body_markdown)

    @cached_property
    def found_links(self) -> tuple[list[links.Link], list[links.LinkProblem]]:
        return links.collect(self.content)


def _passed(name: str, message: str, field: str | None = None) -> CheckResult:
    return CheckResult(name, Severity.INFO, True, message, field)


def _failed(name: str, severity: Severity, message: str, field: str | None) -> CheckResult:
    return CheckResult(name, severity, False, message, field)


def _utc(moment: datetime) -> str:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- required_fields -------------------------------------------------------------------


def check_required_fields(ctx: Context) -> CheckResult:
    c = ctx.content
    errors = [
        (field, label)
        for field, label, value in (
            ("headline", "headline", c.headline),
            ("body_markdown", "body", c.body_markdown),
            ("language", "language", c.language),
            ("dateline", "dateline city", c.dateline.city),
            ("dateline", "dateline country", c.dateline.country),
        )
        if not (value or "").strip()
    ]
    if errors:
        listed = ", ".join(label for _, label in errors)
        return _failed(
            "required_fields", Severity.ERROR, f"Required fields are empty: {listed}.", errors[0][0]
        )
    missing: list[tuple[str, str]] = []
    if not (c.boilerplate or "").strip():
        missing.append(("boilerplate", "boilerplate (the “About the company” paragraph)"))
    if not c.contacts:
        missing.append(("contacts", "media contacts"))
    elif not any((k.email or "").strip() or (k.phone or "").strip() for k in c.contacts):
        missing.append(("contacts", "an e-mail address or phone number for the media contacts"))
    if not c.industries:
        missing.append(("industries", "industries (readers subscribe by industry)"))
    if missing:
        listed = "; ".join(label for _, label in missing)
        return _failed("required_fields", Severity.WARNING, f"Missing: {listed}.", missing[0][0])
    return _passed(
        "required_fields",
        "Headline, body, dateline, language, boilerplate, media contacts and industries "
        "are all present.",
    )


# --- headline_length -------------------------------------------------------------------

_ZWJ = "\u200d"


def _is_extender(ch: str) -> bool:
    """Code points that join the preceding character into one visible character."""
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin tones
        or ch == _ZWJ
    )


def headline_size(headline: str) -> tuple[int, int]:
    """(visible characters, width units) of a headline, whitespace runs counting as one.

    Visible characters approximate grapheme clusters: combining marks (accents, Thai and
    Arabic vowel signs), variation selectors and emoji modifiers or ZWJ sequences do not add
    to the count, and a flag's two regional indicators count once.

    Width units count full-width characters (Han, kana, Hangul, per Unicode East Asian
    Width) as two, everything else as one, so the limits for a CJK headline are about half
    the Latin ones. That is fair because a full-width character takes the room of about two
    Latin letters in a headline slot and carries about as much meaning as two or three (a
    typical Chinese word is two characters; an English one is five letters and a space);
    the same convention weighs CJK text double in SMS and in X's (Twitter's) limits.
    """
    text = unicodedata.normalize("NFC", " ".join(headline.split()))
    chars = width = 0
    after_zwj = pending_flag = False
    for ch in text:
        if _is_extender(ch):
            after_zwj = ch == _ZWJ
            continue
        if after_zwj:  # the next emoji of a ZWJ sequence
            after_zwj = False
            continue
        if 0x1F1E6 <= ord(ch) <= 0x1F1FF:  # regional indicators pair into one flag
            pending_flag = not pending_flag
            if not pending_flag:
                continue
        else:
            pending_flag = False
        chars += 1
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return chars, width


def check_headline_length(ctx: Context) -> CheckResult:
    chars, width = headline_size(ctx.content.headline)
    size = f"{chars} characters" + (
        f" ({width} with CJK characters counted double)" if width != chars else ""
    )
    name, field = "headline_length", "headline"
    if width < HEADLINE_MIN:
        return _failed(
            name,
            Severity.ERROR,
            f"Headline is too short: {size}; it needs at least {HEADLINE_MIN}.",
            field,
        )
    if width > HEADLINE_MAX:
        return _failed(
            name,
            Severity.ERROR,
            f"Headline is too long: {size}; the limit is {HEADLINE_MAX}.",
            field,
        )
    if width > HEADLINE_WARN:
        return _failed(
            name,
            Severity.WARNING,
            f"Headline is {size}, longer than the {HEADLINE_WARN} that fit most headline slots; "
            "consider moving detail to the subheadline.",
            field,
        )
    return _passed(name, f"Headline length is fine: {size}.", field)


# --- links -----------------------------------------------------------------------------

MAX_LISTED = 6


def check_links(ctx: Context) -> CheckResult:
    found, syntax_problems = ctx.found_links
    problems = [*syntax_problems, *(p for link in found for p in links.problems_of(link))]
    if not problems:
        if not found:
            return _passed("links", "There are no links in the body or boilerplate.")
        where = sorted({links.FIELD_LABELS[link.field].lower() for link in found})
        if len(found) == 1:
            return _passed("links", f"The one link in the {where[0]} looks fine.")
        return _passed("links", f"All {len(found)} links in the {' and '.join(where)} look fine.")
    severity = worst(p.severity for p in problems)
    problems.sort(key=lambda p: p.severity is not Severity.ERROR)  # errors first, stable
    listed = "; ".join(p.message for p in problems[:MAX_LISTED])
    more = f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    return _failed("links", severity, f"{listed}{more}.", problems[0].field)


# --- spam_signals ----------------------------------------------------------------------


def check_spam_signals(ctx: Context) -> CheckResult:
    body_links = sum(1 for link in ctx.found_links[0] if link.field == "body_markdown")
    signals = spam.find_signals(ctx.content, ctx.body_text, body_links)
    if not signals:
        return _passed("spam_signals", "No signs of promotional spam in the headline or body.")
    strong = [s for s in signals if s.strong]
    severity = Severity.ERROR if strong or len(signals) >= 3 else Severity.WARNING
    listed = "; ".join(s.detail for s in signals)
    lead = "Reads as promotional spam" if severity is Severity.ERROR else "Promotional language"
    return _failed("spam_signals", severity, f"{lead}: {listed}.", (strong or signals)[0].field)


# --- schedule --------------------------------------------------------------------------


def check_schedule(ctx: Context) -> CheckResult:
    c = ctx.content
    now = ctx.now if ctx.now.tzinfo else ctx.now.replace(tzinfo=UTC)
    problems: list[tuple[Severity, str, str]] = []
    times = {"publish_at": c.publish_at, "embargo_until": c.embargo_until}
    labels = {"publish_at": "Publish time", "embargo_until": "Embargo"}
    if c.publish_at and c.embargo_until:
        problems.append(
            (
                Severity.ERROR,
                "publish_at",
                f"Both a publish time ({_utc(c.publish_at)}) and an embargo "
                f"({_utc(c.embargo_until)}) are set; set one or the other",
            )
        )
    for field, moment in times.items():
        if moment is None:
            continue
        label = labels[field]
        if moment.tzinfo is None:
            problems.append(
                (Severity.ERROR, field, f"{label} {moment:%Y-%m-%d %H:%M} has no time zone")
            )
            continue
        if moment < now - CLOCK_SKEW:
            problems.append((Severity.ERROR, field, f"{label} {_utc(moment)} is in the past"))
        elif moment - now > MAX_AHEAD:
            problems.append(
                (Severity.WARNING, field, f"{label} {_utc(moment)} is more than a year ahead")
            )
        elif field == "embargo_until" and moment - now < MIN_EMBARGO_LEAD:
            problems.append(
                (
                    Severity.WARNING,
                    field,
                    f"Embargo lifts at {_utc(moment)}, less than "
                    f"{MIN_EMBARGO_LEAD.seconds // 60} minutes from now: too little time to "
                    "reach accredited journalists first",
                )
            )
    if problems:
        severity = worst(s for s, _, _ in problems)
        problems.sort(key=lambda p: p[0] is not Severity.ERROR)
        return _failed(
            "schedule", severity, "; ".join(m for _, _, m in problems) + ".", problems[0][1]
        )
    if c.embargo_until:
        return _passed("schedule", f"Embargoed until {_utc(c.embargo_until)}.", "embargo_until")
    if c.publish_at:
        return _passed("schedule", f"Scheduled to publish at {_utc(c.publish_at)}.", "publish_at")
    return _passed("schedule", "No publish time or embargo: publishes as soon as it is approved.")


# --- near_duplicate --------------------------------------------------------------------


def check_near_duplicate(ctx: Context) -> CheckResult:
    if not ctx.recent:
        return _passed(
            "near_duplicate", "No recent releases from this organization to compare with."
        )
    match = duplicates.most_similar(ctx.content, ctx.recent, ctx.body_text)
    other = f"“{match.release.headline}”" if match.release else "none"
    detail = f"the recent release {other} (similarity {match.score:.2f}, {match.method})"
    if match.score > DUPLICATE_ERROR:
        return _failed(
            "near_duplicate",
            Severity.ERROR,
            f"Headline and body are almost identical to {detail}.",
            "body_markdown",
        )
    if match.score > DUPLICATE_WARN:
        return _failed(
            "near_duplicate",
            Severity.WARNING,
            f"Headline and body are very similar to {detail}.",
            "body_markdown",
        )
    count = len(ctx.recent)
    releases = "the recent release" if count == 1 else f"any of the {count} recent releases"
    return _passed(
        "near_duplicate",
        f"Not similar to {releases} (closest: {other}, similarity {match.score:.2f} "
        f"by {match.method}).",
    )


# --- language_match --------------------------------------------------------------------


def check_language_match(ctx: Context) -> CheckResult:
    c = ctx.content
    text = "\n".join(filter(None, (c.headline, c.subheadline, ctx.body_text)))
    detected = detect_language(text)
    declared = language_name(c.language)
    if detected is None:
        return _passed(
            "language_match",
            f"Could not determine the language of the headline and body; declared {declared}.",
            "language",
        )
    if not same_language(c.language, detected):
        return _failed(
            "language_match",
            Severity.WARNING,
            f"Declared language is {declared}, but the headline and body read as "
            f"{language_name(detected)}.",
            "language",
        )
    return _passed(
        "language_match", f"Headline and body are in the declared language, {declared}.", "language"
    )


# --- target_languages ------------------------------------------------------------------


def check_target_languages(ctx: Context) -> CheckResult:
    c = ctx.content
    problems: list[str] = []
    seen: set[str] = set()
    for target in c.target_languages:
        base, script = split_tag(target)
        if base == "zh" and script is None:
            problems.append(f"{target} does not say which script; use zh-Hans or zh-Hant")
        elif base not in _WIRE_BASES:
            problems.append(f"{target} is not one of the wire's languages")
        elif same_language(c.language, target):
            problems.append(f"{language_name(target)} is the release's own language")
        if target.casefold() in seen:
            problems.append(f"{language_name(target)} is listed twice")
        seen.add(target.casefold())
    if problems:
        return _failed(
            "target_languages",
            Severity.WARNING,
            f"Target languages: {'; '.join(problems)}.",
            "target_languages",
        )
    if not c.target_languages:
        return _passed("target_languages", "No translations requested.", "target_languages")
    if not ctx.translation_ways:
        listed = ", ".join(language_name(t) for t in c.target_languages)
        return _passed("target_languages", f"Will be translated into {listed}.", "target_languages")
    ways = [_way_in_words(ctx.translation_ways.get(t), t) for t in c.target_languages]
    return _passed("target_languages", f"Translations: {'; '.join(ways)}.", "target_languages")


def _way_in_words(way: TranslationWay | None, target: str) -> str:
    name = language_name(target)
    if way is None or way.kind == "translator":
        return f"{name}, a translator will translate it (no engine for it here)"
    if way.kind == "pivot":
        return f"{name}, machine translation via English ({way.engine})"
    if way.kind == "draft":
        return f"{name}, a machine draft ({way.engine}) that the desk post-edits"
    return f"{name}, machine translation with {way.engine}"


def _check_impersonation(ctx: Context) -> CheckResult:
    return check_impersonation(ctx.content, ctx.body_text, ctx.issuers)


CHECKS: tuple[tuple[str, Callable[[Context], CheckResult]], ...] = (
    ("required_fields", check_required_fields),
    ("headline_length", check_headline_length),
    ("links", check_links),
    ("spam_signals", check_spam_signals),
    ("schedule", check_schedule),
    ("near_duplicate", check_near_duplicate),
    ("language_match", check_language_match),
    ("target_languages", check_target_languages),
    ("impersonation", _check_impersonation),
)


def run_checks(
    content: ReleaseContent,
    *,
    now: datetime,
    recent: Sequence[ReleaseContent] = (),
    translation_ways: Mapping[str, TranslationWay] | None = None,
    issuers: IssuerRegistry | None = None,
) -> list[CheckResult]:
    """Every check on one release, in CHECKS order, one result each.

    `now` is the reference time for the schedule (timezone-aware; naive means UTC);
    `recent` are the same organization's releases of the last 30 days, not including this one;
    `translation_ways` says how each target language will be translated (the translate stage's
    routes), for the desk to read in the target-languages check; `issuers` the release's issuer
    and the other verified organizations, for the impersonation check.
    """
    ctx = Context(content, now, recent, dict(translation_ways or {}), issuers)
    return [check(ctx) for _, check in CHECKS]
