"""Human-readable reasons why a subscription matches a release, or why not."""

from __future__ import annotations

from newswire.domain.query import parse_query
from newswire.domain.tokens import analyze
from newswire.target.criteria import (
    Criteria,
    ReleaseFacts,
    industry_lineage,
    release_countries,
    release_industries,
    release_languages,
    subscribed_countries,
    subscribed_industries,
    subscribed_languages,
    subscribed_regions,
)
from newswire.taxonomy import expand_region


def _list(values: object) -> str:
    items = sorted(str(v) for v in values)  # type: ignore[attr-defined]
    return ", ".join(items) if items else "(none)"


def _industry_reasons(subscribed: frozenset[str], facts: ReleaseFacts) -> list[str]:
    reasons = []
    for code in sorted(facts.industries):
        lineage = industry_lineage(code)
        for ancestor in lineage:
            if ancestor in subscribed:
                if ancestor == lineage[0]:
                    reasons.append(f"the release is tagged {ancestor}")
                else:
                    reasons.append(f"the release's {lineage[0]} falls under {ancestor}")
                break
    return reasons


def _region_reasons(subscribed: frozenset[str], facts: ReleaseFacts) -> list[str]:
    countries = release_countries(facts.regions)
    reasons = []
    for code in sorted(subscribed):
        shared = expand_region(code) & countries
        if not shared:
            continue
        if shared == {code}:
            reasons.append(f"the release covers {code}")
        else:
            reasons.append(f"{code} shares {_list(shared)} with the release")
    return reasons


def explain_match(criteria: Criteria, facts: ReleaseFacts) -> list[str]:
    """A verdict line ("matches" / "does not match: <parts>") and one line per part."""
    lines: list[str] = []
    failed: list[str] = []

    def part(name: str, ok: bool, detail: str) -> None:
        words = ("clear", "hit") if name.startswith("excluded") else ("yes", "no")
        word = words[0] if ok else words[1]
        lines.append(f"{name}: {word} - {detail}")
        if not ok:
            failed.append(name)

    if criteria.industries:
        wanted = subscribed_industries(criteria.industries)
        reasons = _industry_reasons(wanted, facts)
        part(
            "industries",
            bool(reasons),
            "; ".join(reasons)
            or f"wants {_list(wanted)}; the release has {_list(facts.industries)} "
            f"(with parents: {_list(release_industries(facts.industries))})",
        )
    else:
        lines.append("industries: any")
    if criteria.regions:
        wanted = subscribed_regions(criteria.regions)
        reasons = _region_reasons(wanted, facts)
        if not facts.regions:
            detail = f"wants {_list(wanted)}; the release names no region"
        else:
            detail = "; ".join(reasons) or f"wants {_list(wanted)}; the release covers " + _list(
                release_countries(facts.regions)
            )
        part("regions", bool(reasons), detail)
    else:
        lines.append("regions: any")
    if criteria.languages:
        wanted = subscribed_languages(criteria.languages)
        have = release_languages(facts.languages, facts.language)
        shared = wanted & have
        part(
            "languages",
            bool(shared),
            f"both have {_list(shared)}"
            if shared
            else f"wants {_list(wanted)}; the release has {_list(have)}",
        )
    else:
        lines.append("languages: any")
    if criteria.issuers:
        ok = facts.issuer_id in criteria.issuers
        part(
            "issuers",
            ok,
            f"issuer {facts.issuer_id} is subscribed"
            if ok
            else f"issuer {facts.issuer_id} is not among {_list(criteria.issuers)}",
        )
    else:
        lines.append("issuers: any")

    if criteria.exclude_industries:
        excluded = subscribed_industries(criteria.exclude_industries, "exclude_industries")
        reasons = _industry_reasons(excluded, facts)
        part(
            "excluded industries",
            not reasons,
            "; ".join(reasons) if reasons else f"none of {_list(excluded)} applies",
        )
    if criteria.exclude_regions:
        excluded = subscribed_regions(criteria.exclude_regions, "exclude_regions")
        hit = subscribed_countries(criteria.exclude_regions, "exclude_regions") & (
            release_countries(facts.regions)
        )
        reasons = _region_reasons(excluded, facts)
        part(
            "excluded regions",
            not hit,
            "; ".join(reasons) if hit else f"none of {_list(excluded)} applies",
        )
    if criteria.exclude_issuers:
        hit = facts.issuer_id in criteria.exclude_issuers
        part(
            "excluded issuers",
            not hit,
            f"issuer {facts.issuer_id} is {'' if hit else 'not '}excluded",
        )

    if criteria.query is not None:
        query = parse_query(criteria.query)
        doc = analyze(facts.headline, facts.body_text)
        ok = query.evaluate(doc)
        part("query", ok, f"{query} is {'true' if ok else 'false'}")
        seen: set[str] = set()
        for term in query.terms():
            shown = str(term)
            if shown in seen:
                continue
            seen.add(shown)
            lines.append(f"  term {shown}: {'found' if doc.has(term.tokens) else 'not found'}")
    else:
        lines.append("query: none")

    verdict = "matches" if not failed else "does not match: " + ", ".join(failed)
    return [verdict, *lines]
