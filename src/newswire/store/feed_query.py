"""What a feed asks for and what a version offers (store stage, no database access).

A `FeedQuery` is industry, region, language and issuer, each optional, in any combination,
parsed from query parameters or a path into canonical codes (`FeedQuery.parse`, which names
every bad value in a `FeedQueryError`). `facts_of` reads what matching needs from a version's
content (`EntryFacts`); `FeedQuery.matches` is the one definition of a match, used by the pull
feeds (`newswire.store.feeds`), WebSub and the public search:

- industry: the release has the industry or one below it (`industry_descendants`);
- region: a country, or a group (EU, ASEAN...) expanded to its members, shares a country with
  the release's regions (a release for "EU" is in the feed for "DE" and the other way round);
- language: the release's language, compared as wire languages (pt-BR is pt, zh-TW zh-Hant);
- issuer: the organization's slug.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from newswire import taxonomy
from newswire.domain.errors import FieldError, NewswireError


class FeedQueryError(NewswireError):
    """A feed parameter names nothing we know: 422 from a query string, 404 from a path."""

    code = "validation_failed"

    def __init__(self, errors: list[FieldError], *, status: int = 422) -> None:
        self.errors = errors
        self.status = status
        if status == 404:
            self.code = "not_found"
        listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"{len(errors)} invalid parameter(s): {listed}")

    def as_dict(self) -> dict[str, object]:
        return {
            "error": self.code,
            "message": self.message,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass(frozen=True)
class FeedQuery:
    """Which releases a feed shows; every field holds a canonical code, or None for any."""

    industry: str | None = None  # our industry slug
    region: str | None = None  # ISO 3166-1 alpha-2 country or group name
    language: str | None = None  # one of the wire languages
    issuer: str | None = None  # organization slug

    DIMENSIONS: ClassVar[tuple[str, ...]] = ("industry", "region", "language", "issuer")
    PARAMS: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"industry": "industry", "region": "region", "language": "lang", "issuer": "issuer"}
    )

    @classmethod
    def parse(cls, values: Mapping[str, str | None], *, status: int = 422) -> FeedQuery:
        """Canonical codes from raw values keyed by dimension; every bad one is named, with
        its query parameter. The issuer's existence is checked against the database apart
        (`issuer_name`)."""
        errors: list[FieldError] = []
        out: dict[str, str | None] = {}
        for dim in cls.DIMENSIONS:
            raw = values.get(dim)
            if raw is None:
                out[dim] = None
                continue
            try:
                out[dim] = _CANONICAL[dim](raw.strip())
            except ValueError as exc:
                rule, message = exc.args
                errors.append(FieldError(cls.PARAMS[dim], rule, message))
        if errors:
            raise FeedQueryError(errors, status=status)
        return cls(**out)

    def dimensions(self) -> list[tuple[str, str]]:
        return [(d, v) for d in self.DIMENSIONS if (v := getattr(self, d)) is not None]

    def path(self, fmt: str, page: int = 1) -> str:
        """The canonical path of this feed: /feeds/<dimension>/<code>.<fmt> when it is filtered
        by one dimension, else /feeds/releases.<fmt>?industry=..&region=..&lang=..&issuer=.."""
        dims = self.dimensions()
        params = [] if page == 1 else [("page", str(page))]
        if len(dims) == 1:
            dim, value = dims[0]
            base = f"/feeds/{dim}/{quote(value, safe=':')}.{fmt}"
        else:
            base = f"/feeds/releases.{fmt}"
            params = [(self.PARAMS[d], v) for d, v in dims] + params
        return base + ("?" + urlencode(params) if params else "")

    def matches(self, facts: EntryFacts) -> bool:
        if self.issuer is not None and facts.issuer != self.issuer:
            return False
        if self.language is not None and facts.language != self.language:
            return False
        if self.industry is not None and not (
            facts.industries & taxonomy.industry_descendants(self.industry)
        ):
            return False
        return self.region is None or bool(facts.countries & taxonomy.expand_region(self.region))


def _industry(raw: str) -> str:
    try:
        return taxonomy.get_industry(raw).code
    except KeyError:
        raise ValueError(
            "unknown_industry",
            f"unknown industry '{raw}': use an industry code such as 'energy' or a Media Topic "
            "QCode such as 'medtop:20000256' (see /api/v1/taxonomy/industries)",
        ) from None


def _region(raw: str) -> str:
    try:
        return taxonomy.normalize_region(raw)
    except ValueError:
        raise ValueError(
            "unknown_region",
            f"unknown region '{raw}': use an ISO 3166-1 alpha-2 country code or one of the "
            f"groups {', '.join(sorted(taxonomy.REGION_GROUPS))}",
        ) from None


def _language(raw: str) -> str:
    wire = taxonomy.wire_language(raw)
    if wire is not None:
        return wire
    try:
        taxonomy.normalize_language(raw)
    except ValueError:
        raise ValueError("invalid_language", f"'{raw}' is not a BCP 47 language tag") from None
    raise ValueError(
        "unsupported_language",
        f"'{raw}' is not one of the wire's languages ({', '.join(taxonomy.LANGUAGES)})",
    )


def _issuer(raw: str) -> str:
    slug = raw.lower()
    if not slug or len(slug) > 80 or not all(c.isalnum() or c in "-_." for c in slug):
        raise ValueError("unknown_issuer", f"'{raw}' is not an issuer's slug")
    return slug


_CANONICAL = {
    "industry": _industry,
    "region": _region,
    "language": _language,
    "issuer": _issuer,
}


@dataclass(frozen=True)
class EntryFacts:
    """What matching needs to know of a version: its industries as tagged, its regions
    expanded to countries, its wire language and its issuer's slug."""

    industries: frozenset[str]
    countries: frozenset[str]
    language: str
    issuer: str


def facts_of(content: Mapping[str, Any], issuer: str) -> EntryFacts:
    """Lenient, as the release side of targeting is: a code the taxonomy no longer knows
    stands for itself, so that a taxonomy change never takes a release out of every feed."""
    industries = set()
    for code in content.get("industries", ()):
        try:
            industries.add(taxonomy.get_industry(code).code)
        except KeyError:
            industries.add(str(code).strip().lower())
    countries: set[str] = set()
    for code in content.get("regions", ()):
        try:
            countries |= taxonomy.expand_region(code)
        except ValueError:
            countries.add(str(code).strip().upper())
    lang = str(content.get("language", ""))
    return EntryFacts(
        industries=frozenset(industries),
        countries=frozenset(countries),
        language=taxonomy.wire_language(lang) or lang,
        issuer=issuer,
    )


__all__ = ["EntryFacts", "FeedQuery", "FeedQueryError", "facts_of"]
