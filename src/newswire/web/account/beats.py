"""A journalist's beats as a form: what the sign-up and preferences pages post (industries,
regions, languages, keywords, issuers, frequency), the choices they offer, and the profile as
labelled rows for the data page."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import i18n, taxonomy
from newswire.store.models import (
    Organization,
    Recipient,
    Subscription,
)
from newswire.web.account.common import (
    FIELD_OF,
    FIELD_PROBLEMS,
    FREQUENCIES,
    Many,
    Text,
    _lang,
    gettext,
)
from newswire.web.session import LANG_COOKIE, UI_PARAM

_QUOTES = str.maketrans("", "", '"“”„«»「」()（）')


_KEYWORDS_QUERY = re.compile(r'"[^"]+"(?: OR "[^"]+")*')


@dataclass
class Beats:
    """What the forms show and send back (the same for sign-up and preferences)."""

    industries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    keywords: str = ""
    frequency: str = "realtime"


def _posted_beats(
    industries: Many = [],  # noqa: B006 (FastAPI copies form defaults)
    regions: Many = [],  # noqa: B006
    languages: Many = [],  # noqa: B006
    keywords: Text = "",
    frequency: Text = "realtime",
) -> Beats:
    """The beats as the sign-up and the preferences forms post them."""
    return Beats(industries, regions, languages, keywords, frequency)


PostedBeats = Annotated[Beats, Depends(_posted_beats)]


@cache
def _choices(request: Request) -> dict[str, Any]:
    lang = _lang(request)
    return {
        "industry_tree": taxonomy.industry_tree(lang),
        "groups": sorted(
            ((code, taxonomy.region_name(code, lang)) for code in taxonomy.REGION_GROUPS),
            key=lambda pair: pair[1].casefold(),
        ),
        "countries": taxonomy.countries_by_name(lang),
        "wire_languages": [(tag, i18n.language_name(tag, lang)) for tag in i18n.LANGUAGES],
        "frequencies": [(value, gettext(lang, label)) for value, label in FREQUENCIES],
    }


def keywords_query(text: str) -> str | None:
    """Comma-separated keywords as a keyword query: any of them, each as a phrase."""
    words = [w.translate(_QUOTES).strip() for w in re.split(r"[,;\n、，；]", text)]
    unique = list(dict.fromkeys(w for w in words if w))
    return " OR ".join(f'"{w}"' for w in unique) or None


def query_keywords(query: str | None) -> str:
    """The keywords a query made by `keywords_query` holds; another query as it is."""
    if not query:
        return ""
    if _KEYWORDS_QUERY.fullmatch(query):
        return ", ".join(re.findall(r'"([^"]+)"', query))
    return query


def _subscription(
    beats: Beats, languages: list[str], query: str | None = None, **more: object
) -> dict[str, object]:
    """The beats as a subscription (the API's input): the keywords as a query unless the
    query it was made from is kept, ``more`` (name, issuers, exclusions) as given."""
    return {
        "industries": beats.industries,
        "regions": beats.regions,
        "languages": languages,
        "query": query or keywords_query(beats.keywords),
        "frequency": beats.frequency,
        **more,
    }


def _languages_of_reader(request: Request) -> list[str]:
    """The languages a person on the sign-up form reads first, best first: the one they chose
    for the page (``?ui=``, remembered in a cookie), then their browser's, each as a wire
    language. The boxes on the form have no order of their own, so these go ahead of the others
    (`_ordered_languages`); no fallback to English is added here."""
    asked = [request.query_params.get(UI_PARAM), request.cookies.get(LANG_COOKIE)]
    asked += i18n.accepted_languages(request.headers.get("accept-language", ""))
    found: list[str] = []
    for tag in filter(None, asked):
        lang = i18n.resolve_language(tag)
        if lang != i18n.DEFAULT_LANGUAGE or tag.lower().startswith(i18n.DEFAULT_LANGUAGE):
            found.append(lang)  # not English only because the tag is unknown
    return list(dict.fromkeys(found))


def _ordered_languages(chosen: list[str], first: list[str]) -> list[str]:
    """The chosen languages, those of `first` (in its order) before the others."""
    ahead = [tag for tag in first if tag in chosen]
    return list(dict.fromkeys(ahead + chosen))


def _problems(request: Request, exc: ValidationError) -> dict[str, str]:
    """Pydantic's errors as one sentence per form field, in the interface language."""
    found: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        names = [p for p in error["loc"] if isinstance(p, str) and p != "subscriptions"]
        name = FIELD_OF.get(names[0] if names else "", "keywords")
        if name not in found:
            detail = str(error["msg"]).removeprefix("Value error, ")
            found[name] = gettext(_lang(request), FIELD_PROBLEMS[name], problem=detail)
    return found


def _subscriptions(s: Session, recipient_id: int) -> list[Subscription]:
    return list(
        s.scalars(
            select(Subscription)
            .where(Subscription.recipient_id == recipient_id, Subscription.active.is_(True))
            .order_by(Subscription.id)
        )
    )


def _chosen(subs: list[Subscription], wanted: int | None) -> Subscription | None:
    return next((x for x in subs if x.id == wanted), subs[0] if subs else None)


def _beats_of(recipient: Recipient, sub: Subscription | None) -> Beats:
    criteria = sub.criteria if sub else {}
    return Beats(
        industries=list(criteria.get("industries", [])),
        regions=list(criteria.get("regions", [])),
        languages=list((recipient.profile or {}).get("languages") or []),
        keywords=query_keywords(criteria.get("query")),
        frequency=sub.frequency if sub else "realtime",
    )


def _slugs(s: Session, ids: list[int]) -> list[str]:
    if not ids:
        return []
    return list(s.scalars(select(Organization.slug).where(Organization.id.in_(ids))))


def _labels(lang: str, criteria: dict[str, Any], issuers: dict[int, str]) -> list[tuple[str, str]]:
    """A subscription's criteria as (label, values) lines in the interface language."""

    def industry(code: str) -> str:
        return taxonomy.get_industry(code).label(lang) if taxonomy.is_industry(code) else code

    def region(code: str) -> str:
        return taxonomy.region_name(code, lang) if taxonomy.is_region(code) else code

    lines = [
        ("Industries", [industry(c) for c in criteria.get("industries", [])]),
        ("Regions and countries", [region(c) for c in criteria.get("regions", [])]),
        ("Languages", [i18n.language_name(c, lang) for c in criteria.get("languages", [])]),
        ("Issuers", [issuers.get(i, str(i)) for i in criteria.get("issuers", [])]),
        ("Keywords", [criteria["query"]] if criteria.get("query") else []),
        ("Except industries", [industry(c) for c in criteria.get("exclude_industries", [])]),
        ("Except regions", [region(c) for c in criteria.get("exclude_regions", [])]),
        ("Except issuers", [issuers.get(i, str(i)) for i in criteria.get("exclude_issuers", [])]),
    ]
    return [(gettext(lang, label), ", ".join(v)) for label, v in lines if v]


LABELS = (
    i18n.N_("Industries"),
    i18n.N_("Regions and countries"),
    i18n.N_("Languages"),
    i18n.N_("Issuers"),
    i18n.N_("Keywords"),
    i18n.N_("Except industries"),
    i18n.N_("Except regions"),
    i18n.N_("Except issuers"),
)


def _profile_rows(lang: str, profile: dict[str, Any]) -> list[tuple[str, str]]:
    """The recipient's profile as (label, value) lines; unknown keys as JSON."""
    rows = []
    for key, value in profile.items():
        if key == "languages":
            shown = ", ".join(i18n.language_name(tag, lang) for tag in value)
            rows.append((gettext(lang, "Languages you read"), shown))
        elif key == "countries":
            shown = ", ".join(taxonomy.region_name(c, lang) for c in value if taxonomy.is_region(c))
            rows.append((gettext(lang, "Country you work from"), shown))
        elif key == "last_sign_in" and isinstance(value, str):
            shown = i18n.format_datetime(datetime.fromisoformat(value), lang)
            rows.append((gettext(lang, "Last sign-in"), shown))
        else:
            rows.append((key, json.dumps(value, ensure_ascii=False)))
    return [(label, shown or "–") for label, shown in rows]
