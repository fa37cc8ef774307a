"""Public pages: the newsroom and the release pages, served from the versions frozen at publish.

    /  and  /releases/        latest releases; ?q= full-text search, ?industry= ?region=
                              ?lang= ?issuer= filters (the feeds' rules), ?page=N
    /newsroom/{issuer-slug}   one issuer's newsroom (the same filters apply)
    /releases/{id}            the current version; /releases/{id}/v{n} an earlier one
    /releases/{id}.json|.xml  the current version's ninjs | NewsML-G2 (`documents`)
    /releases/{id}/{lang}     an approved edition in another language

Only published versions are public (`newswire.store.public`): nothing scheduled, embargoed or
in review has a version, so nothing of it can appear here. Bad filter values give a 422 page
naming the parameter (404 for an issuer that does not exist), never a 500.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from newswire import i18n, taxonomy
from newswire.config import Settings
from newswire.domain.errors import FieldError, NotFound
from newswire.domain.issuer_claims import display_domain
from newswire.domain.query import QueryError, parse_query
from newswire.publish.freeze import edition_version, provenance_links
from newswire.publish.sign import issuer_claims
from newswire.render.html import render_article, render_page, translation_note
from newswire.store import public
from newswire.store.feed_query import FeedQuery, FeedQueryError
from newswire.store.feeds import MAX_PAGE
from newswire.store.models import Edition, Release, ReleaseVersion
from newswire.web.deps import DB, Config
from newswire.web.params import Int64
from newswire.web.public import front, readership
from newswire.web.session import preferred_language, remember_language

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
MAX_QUERY_CHARS = 500
_FILTER_PARAMS = {"industry": "industry", "region": "region", "lang": "language"}
_FILTER_PARAMS |= {"language": "language", "issuer": "issuer"}


# --- the newsroom ---------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
@router.get("/releases/", response_class=HTMLResponse)
def newsroom(request: Request, db: DB, settings: Config) -> HTMLResponse:
    return _newsroom(request, db, settings, issuer_slug=None)


@router.get("/newsroom/{issuer_slug}", response_class=HTMLResponse)
def issuer_newsroom(issuer_slug: str, request: Request, db: DB, settings: Config) -> HTMLResponse:
    return _newsroom(request, db, settings, issuer_slug=issuer_slug)


def _newsroom(
    request: Request, db: DB, settings: Config, *, issuer_slug: str | None
) -> HTMLResponse:
    params = request.query_params
    lang = reader_language(request)
    errors: list[FieldError] = []
    raw = {
        dim: value
        for name, dim in _FILTER_PARAMS.items()
        if (value := (params.get(name) or "").strip())
    }
    if issuer_slug is not None:
        raw["issuer"] = issuer_slug
    filters = FeedQuery()
    try:
        filters = FeedQuery.parse(raw, status=404 if issuer_slug else 422)
    except FeedQueryError as exc:
        if exc.status == 404:
            return _error_page(settings, 404, exc.errors, lang)
        errors += exc.errors
    page = 1
    page_raw = params.get("page")
    if page_raw is not None:
        if page_raw.isascii() and page_raw.isdigit() and 1 <= int(page_raw) <= MAX_PAGE:
            page = int(page_raw)
        else:
            message = f"'{page_raw}': the page is a whole number from 1 to {MAX_PAGE}"
            errors.append(FieldError("page", "invalid_page", message))
    q = (params.get("q") or "").strip()
    text = None
    if len(q) > MAX_QUERY_CHARS:
        message = f"the search is at most {MAX_QUERY_CHARS} characters"
        errors.append(FieldError("q", "too_long", message))
    elif q:
        try:
            text = parse_query(q)
        except QueryError as exc:
            errors.append(FieldError("q", "invalid_query", exc.message))
    if errors:
        return _error_page(settings, 422, errors, lang)
    with db.session() as s:
        issuer = None
        if filters.issuer is not None:
            issuer = public.issuer_by_slug(s, filters.issuer)
            if issuer is None:
                what = FieldError("issuer", "unknown_issuer", f"no issuer '{filters.issuer}'")
                return _error_page(settings, 404, [what], lang)
        found, has_next = public.newsroom_page(s, filters, text, page=page, size=PAGE_SIZE)
        items = [front.item_view(f) for f in found]
        plain = bool(q or filters.dimensions()) or page > 1 or issuer_slug is not None
        placed = {"lead": None, "sections": []} if plain else front.front_page(s, lang)
        issuer_options = [(o.slug, o.name) for o in public.issuers(s)]
        issuer_name = issuer.name if issuer else None
        domains, tickers = issuer_claims(s, issuer.id) if issuer else ([], [])
    keep = [(k, v) for k, v in _kept(filters, q) if not (issuer_slug and k == "issuer")]
    path = request.url.path

    def page_url(n: int) -> str:
        query = keep + ([("page", str(n))] if n > 1 else [])
        return path + ("?" + urlencode(query) if query else "")

    feed = FeedQuery(issuer=filters.issuer) if filters.issuer else FeedQuery()
    html = render_page(
        "newsroom.html",
        lang=lang,
        wire=settings.wire_name,
        items=items,
        lead=placed["lead"],
        sections=placed["sections"],
        page=page,
        has_next=has_next,
        prev_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if has_next else None,
        issuer=filters.issuer,
        issuer_name=issuer_name,
        issuer_domains=[display_domain(d) for d in domains],
        issuer_tickers=tickers,
        issuer_path=issuer_slug is not None,
        q=q,
        filters=filters,
        filtered=bool(q or filters.dimensions()),
        options=_options(lang, issuer_options),
        base_url=settings.base_url,
        canonical=settings.base_url + page_url(page),
        feed_url=feed.path("atom"),
        path=path,
        reader_languages=[(t, i18n.language_name(t, t)) for t in taxonomy.LANGUAGES],
        kept=keep,
    )
    response = HTMLResponse(html, headers={"Vary": "Accept-Language, Cookie"})
    remember_language(request, response, lang)
    return response


def reader_language(request: Request) -> str:
    """The newsroom's language: the language it is filtered by, else the reader's choice
    (``?ui=``, remembered), else the browser's; any of the wire's 15 languages."""
    filtered = taxonomy.wire_language((request.query_params.get("lang") or "").strip())
    return filtered or preferred_language(request, taxonomy.LANGUAGES)


def _kept(filters: FeedQuery, q: str) -> list[tuple[str, str]]:
    out = [("q", q)] if q else []
    return out + [(FeedQuery.PARAMS[d], v) for d, v in filters.dimensions()]


def _options(lang: str, issuers: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    industries: list[tuple[str, str]] = []

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for node in nodes:
            industries.append((node["code"], ("— " if depth else "") + node["label"]))
            walk(node["children"], depth + 1)

    walk(taxonomy.industry_tree(lang), 0)
    groups = [(g, g) for g in sorted(taxonomy.REGION_GROUPS)]
    languages = [(t, i18n.language_name(t, lang)) for t in taxonomy.LANGUAGES]
    return {
        "industry": industries,
        "region": groups + list(taxonomy.countries_by_name(lang)),
        "lang": languages,
        "issuer": issuers,
    }


def _error_page(
    settings: Settings, status: int, errors: list[FieldError], lang: str = "en"
) -> HTMLResponse:
    html = render_page(
        "error.html",
        lang=lang,
        wire=settings.wire_name,
        status=status,
        errors=errors,
        base_url=settings.base_url,
    )
    return HTMLResponse(html, status_code=status)


# --- release pages -----------------------------------------------------------------------------


def _versions(db: DB, release_id: str) -> list[ReleaseVersion]:
    with db.session() as s:
        versions = public.public_versions(s, release_id)
    if not versions:
        raise NotFound(f"no published release '{release_id}'")
    return versions


def _release(db: DB, release_id: str) -> tuple[Release, list[Edition]]:
    with db.session() as s:
        release = public.public_release(s, release_id)
        if release is None:
            raise NotFound(f"no published release '{release_id}'")
        editions = [
            e for e in public.approved_editions(s, release_id) if e.language != release.language
        ]
        s.expunge_all()
    return release, editions


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _alternates(
    settings: Settings, release: Release, editions: list[Edition]
) -> list[dict[str, str]]:
    base = f"{settings.base_url}/releases/{release.id}"
    out = [
        {
            "lang": release.language,
            "url": base,
            "name": i18n.language_name(release.language, release.language),
        }
    ]
    out += [
        {
            "lang": e.language,
            "url": f"{base}/{e.language}",
            "name": i18n.language_name(e.language, e.language),
        }
        for e in editions
    ]
    return out


def json_ld(
    settings: Settings,
    release: Release,
    *,
    headline: str,
    description: str,
    language: str,
    published: datetime,
    modified: datetime,
    url: str,
    attachments: list[dict[str, Any]] | None = None,
) -> Markup:
    """schema.org NewsArticle, safe to put inside a <script> element: with the release's
    images (`image`) and the wire's logo (`publisher.logo`), as search engines ask."""
    org = release.organization
    author: dict[str, Any] = {"@type": "Organization", "name": org.name}
    author["url"] = org.website or f"{settings.base_url}/newsroom/{org.slug}"
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": headline[:110],
        "description": description,
        "datePublished": _utc(published).isoformat(timespec="seconds"),
        "dateModified": _utc(modified).isoformat(timespec="seconds"),
        "inLanguage": language,
        "url": url,
        "mainEntityOfPage": url,
        "author": author,
        "publisher": {
            "@type": "Organization",
            "name": settings.wire_name,
            "url": settings.wire_url,
            "logo": {"@type": "ImageObject", "url": f"{settings.base_url}/static/logo.svg"},
        },
    }
    images = [
        a["url"]
        for a in attachments or []
        if str(a.get("media_type", "image/")).startswith("image/") and a.get("url")
    ]
    if images:
        data["image"] = images
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _verified(
    db: DB, settings: Settings, release: Release, number: int, language: str | None
) -> dict[str, Any] | None:
    """The page's "Verified" block: who the wire says published this, when, and where to check."""
    with db.session() as s:
        signature = public.public_signature(s, release.id, number, language)
        s.expunge_all()
    if signature is None:
        return None
    links = provenance_links(settings, release.id, number, language)
    issuer = signature.statement["issuer"]
    return {
        "wire": signature.statement["wire"]["name"],
        "issuer": issuer["name"],
        "domains": issuer.get("domains") or [],
        "time": signature.signed_at,
        **links,
    }


def _page(
    versions: list[ReleaseVersion], shown: ReleaseVersion, settings: Config, db: DB
) -> HTMLResponse:
    latest = versions[-1]
    content = shown.content
    release, editions = _release(db, shown.release_id)
    url = f"{settings.base_url}/releases/{shown.release_id}"
    if shown.number != latest.number:
        url += f"/v{shown.number}"
    description = content.get("subheadline") or content["headline"]
    html = render_page(
        "release.html",
        lang=content["language"],
        wire=settings.wire_name,
        article=Markup(shown.article_html),
        shown=shown,
        latest=latest,
        versions=versions,
        headline=content["headline"],
        description=description,
        canonical=url,
        base_url=settings.base_url,
        alternates=_alternates(settings, release, editions),
        current_language=release.language,
        edition=None,
        verified=_verified(db, settings, release, shown.number, None),
        issuer_slug=release.organization.slug,
        issuer_name=release.organization.name,
        json_ld=json_ld(
            settings,
            release,
            headline=content["headline"],
            description=description,
            language=content["language"],
            published=release.first_published_at or versions[0].published_at,
            modified=shown.published_at,
            url=url,
            attachments=list(content.get("attachments") or []),
        ),
    )
    return HTMLResponse(html, headers={"Cache-Control": "public, max-age=60"})


@router.get("/releases/{release_id}", response_class=HTMLResponse)
def release_page(release_id: str, request: Request, db: DB, settings: Config) -> HTMLResponse:
    versions = _versions(db, release_id)
    return _page_read(_page(versions, versions[-1], settings, db), request, versions[-1])


def _page_read(response: HTMLResponse, request: Request, v: ReleaseVersion) -> HTMLResponse:
    return readership.counted(response, request, v.release_id, v.content["language"], "page")


@router.get("/releases/{release_id}/v{number:int}", response_class=HTMLResponse)
def version_page(
    release_id: str, number: Int64, request: Request, db: DB, settings: Config
) -> HTMLResponse:
    versions = _versions(db, release_id)
    shown = _find(versions, release_id, number)
    return _page_read(_page(versions, shown, settings, db), request, shown)


def _find(versions: list[ReleaseVersion], release_id: str, number: int) -> ReleaseVersion:
    for v in versions:
        if v.number == number:
            return v
    raise NotFound(f"release '{release_id}' has no version {number}")


@router.get("/releases/{release_id}/{language}", response_class=HTMLResponse, response_model=None)
def edition_page(
    release_id: str, language: str, request: Request, db: DB, settings: Config
) -> HTMLResponse | RedirectResponse:
    """An approved edition in its language, rendered with the article template around the
    current version (its attribution, disclaimer, tags, correction or retraction notice)."""
    lang = taxonomy.wire_language(language)
    if lang is None:
        raise NotFound(f"'{language}' is not one of the wire's languages")
    versions = _versions(db, release_id)
    release, editions = _release(db, release_id)
    if lang == release.language:
        return RedirectResponse(f"/releases/{release_id}", status_code=301)
    if lang != language:
        return RedirectResponse(f"/releases/{release_id}/{lang}", status_code=301)
    edition = next((e for e in editions if e.language == lang), None)
    if edition is None:
        raise NotFound(f"release '{release_id}' has no approved edition in '{lang}'")
    latest = versions[-1]
    frozen = edition_version(settings, release, latest, edition)
    url = f"{settings.base_url}/releases/{release_id}/{lang}"
    modified = max(_utc(latest.published_at), _utc(edition.approved_at or edition.updated_at))
    note = translation_note(
        lang, release.language, machine_only=edition.machine_translated and not edition.post_edited
    )
    description = frozen.content.subheadline or frozen.content.headline
    html = render_page(
        "release.html",
        lang=lang,
        wire=settings.wire_name,
        article=Markup(render_article(frozen)),
        shown=latest,
        latest=latest,
        versions=versions,
        headline=frozen.content.headline,
        description=description,
        canonical=url,
        base_url=settings.base_url,
        alternates=_alternates(settings, release, editions),
        current_language=lang,
        edition={"note": note, "source_url": f"/releases/{release_id}"},
        verified=_verified(db, settings, release, latest.number, lang),
        issuer_slug=release.organization.slug,
        issuer_name=release.organization.name,
        json_ld=json_ld(
            settings,
            release,
            headline=frozen.content.headline,
            description=description,
            language=lang,
            published=release.first_published_at or versions[0].published_at,
            modified=modified,
            url=url,
            attachments=[asdict(a) for a in frozen.content.attachments],
        ),
    )
    response = HTMLResponse(html, headers={"Cache-Control": "public, max-age=60"})
    return readership.counted(response, request, release_id, lang, "edition")


@router.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok"}
