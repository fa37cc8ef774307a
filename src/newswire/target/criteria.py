"""What a subscription asks for (Criteria), what a release offers (ReleaseFacts), and the
taxonomy expansions both sides go through.

Subscription codes are strict: an unknown industry, region or language tag raises
ValueError naming the field and the code. Release codes are lenient: an unknown industry is
matched as itself (no ancestors), an unknown region as itself, an unknown language tag in
lower case, so that a taxonomy change never stops a release from going out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from newswire.domain.query import parse_query
from newswire.taxonomy import (
    REGION_GROUPS,
    expand_region,
    get_industry,
    normalize_language,
    normalize_region,
    wire_language,
)

EMPTY: frozenset = frozenset()


def _frozen(value: object) -> frozenset:
    if isinstance(value, frozenset):
        return value
    if value is None:
        return EMPTY
    if isinstance(value, str | int):
        return frozenset((value,))
    if isinstance(value, Iterable):
        return frozenset(value)
    raise TypeError(f"expected a set of values, got {type(value).__name__}")


_CRITERIA_SETS = (
    "industries",
    "regions",
    "languages",
    "issuers",
    "exclude_industries",
    "exclude_regions",
    "exclude_issuers",
)


@dataclass(frozen=True, slots=True)
class Criteria:
    """One subscription's interest profile. Empty sets mean "any"; see the package docstring.

    Sets may be given as any iterable (or a single string or int); they are stored as
    frozensets.
    """

    industries: frozenset[str] = EMPTY
    regions: frozenset[str] = EMPTY
    languages: frozenset[str] = EMPTY
    issuers: frozenset[int] = EMPTY
    query: str | None = None
    exclude_industries: frozenset[str] = EMPTY
    exclude_regions: frozenset[str] = EMPTY
    exclude_issuers: frozenset[int] = EMPTY

    def __post_init__(self) -> None:
        for name in _CRITERIA_SETS:
            value = getattr(self, name)
            if value.__class__ is not frozenset:
                object.__setattr__(self, name, _frozen(value))
        if self.query is not None and not self.query.strip():
            object.__setattr__(self, "query", None)

    def validate(self) -> None:
        """Raise ValueError (or QueryError, a ValueError) naming the first bad field."""
        subscribed_industries(self.industries, "industries")
        subscribed_industries(self.exclude_industries, "exclude_industries")
        subscribed_countries(self.regions, "regions")
        subscribed_countries(self.exclude_regions, "exclude_regions")
        subscribed_languages(self.languages)
        for name in ("issuers", "exclude_issuers"):
            for issuer in getattr(self, name):
                if not isinstance(issuer, int) or isinstance(issuer, bool):
                    raise ValueError(f"{name}: issuer ids are integers, got {issuer!r}")
        if self.query is not None:
            parse_query(self.query)


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """What matching needs to know about one release version.

    `languages` holds the original's language plus the edition languages; `language` is the
    language of `headline` and `body_text` (plain text) and counts as one of the languages.
    """

    industries: frozenset[str] = EMPTY
    regions: frozenset[str] = EMPTY
    languages: frozenset[str] = EMPTY
    issuer_id: int = 0
    headline: str = ""
    body_text: str = ""
    language: str = "en"

    def __post_init__(self) -> None:
        for name in ("industries", "regions", "languages"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, _frozen(value))


# --- subscription side (strict) -------------------------------------------------------------


@lru_cache(maxsize=65536)
def subscribed_industries(codes: frozenset[str], field: str = "industries") -> frozenset[str]:
    """Canonical slugs of subscribed industries (not expanded: a release's ancestors are)."""
    out = set()
    for code in codes:
        try:
            out.add(get_industry(code).code)
        except KeyError:
            raise ValueError(f"{field}: unknown industry {code!r}") from None
    return frozenset(out)


@lru_cache(maxsize=65536)
def subscribed_regions(codes: frozenset[str], field: str = "regions") -> frozenset[str]:
    """Canonical region codes (countries and groups, not expanded)."""
    out = set()
    for code in codes:
        try:
            out.add(normalize_region(code))
        except ValueError as exc:
            raise ValueError(f"{field}: {exc}") from None
    return frozenset(out)


@lru_cache(maxsize=65536)
def subscribed_countries(codes: frozenset[str], field: str = "regions") -> frozenset[str]:
    """Subscribed regions expanded to countries (groups replaced by their members)."""
    out: set[str] = set()
    for code in subscribed_regions(codes, field):
        out |= expand_region(code)
    return frozenset(out)


def language_key(tag: str) -> str:
    """The form languages are compared in: the wire language of a tag (pt-BR -> pt,
    zh-TW -> zh-Hant), else its canonical BCP 47 form. ValueError if invalid."""
    return wire_language(tag) or normalize_language(tag)


@lru_cache(maxsize=4096)
def subscribed_languages(tags: frozenset[str]) -> frozenset[str]:
    out = set()
    for tag in tags:
        try:
            out.add(language_key(tag))
        except ValueError as exc:
            raise ValueError(f"languages: {exc}") from None
    return frozenset(out)


# --- release side (lenient) -----------------------------------------------------------------


@lru_cache(maxsize=4096)
def industry_lineage(code: str) -> tuple[str, ...]:
    """The industry and all its ancestors, nearest first; an unknown code stands alone."""
    try:
        industry = get_industry(code)
    except KeyError:
        return (code.strip().lower(),)
    chain = [industry.code]
    while industry.parent is not None:
        industry = get_industry(industry.parent)
        chain.append(industry.code)
    return tuple(chain)


@lru_cache(maxsize=4096)
def release_industries(codes: frozenset[str]) -> frozenset[str]:
    """A release's industries plus all their ancestors."""
    return frozenset(a for code in codes for a in industry_lineage(code))


@lru_cache(maxsize=4096)
def release_countries(codes: frozenset[str]) -> frozenset[str]:
    """A release's regions expanded to countries; an unknown code stands for itself."""
    out: set[str] = set()
    for code in codes:
        try:
            out |= expand_region(code)
        except ValueError:
            out.add(code.strip().upper())
    return frozenset(out)


@lru_cache(maxsize=4096)
def release_region_keys(codes: frozenset[str]) -> frozenset[str]:
    """The release's countries plus every group that has one of them as a member: a
    subscription (stored unexpanded) matches when one of its codes is among these."""
    countries = release_countries(codes)
    groups = {name for name, members in REGION_GROUPS.items() if members & countries}
    return countries | groups


@lru_cache(maxsize=4096)
def release_languages(tags: frozenset[str], language: str) -> frozenset[str]:
    out = set()
    for tag in (*tags, language):
        if not tag:
            continue
        try:
            out.add(language_key(tag))
        except ValueError:
            out.add(tag.strip().lower())
    return frozenset(out)
