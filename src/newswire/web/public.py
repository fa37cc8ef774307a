"""Public pages: the newsroom and the release pages, served from the versions frozen at publish."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from newswire.domain.errors import NotFound
from newswire.render.html import render_page
from newswire.store import public
from newswire.store.models import ReleaseVersion
from newswire.web.deps import DB, Config

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


@router.get("/", response_class=HTMLResponse)
@router.get("/releases/", response_class=HTMLResponse)
def newsroom(
    request: Request,
    db: DB,
    settings: Config,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    issuer: str | None = None,
) -> HTMLResponse:
    with db.session() as s:
        rows = public.latest_versions(
            s, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, issuer=issuer
        )
        items = [
            {
                "id": r.id,
                "headline": r.headline,
                "issuer": r.organization.name,
                "language": r.language,
                "published_at": r.first_published_at,
                "state": r.state,
                "summary": (v.content.get("subheadline") or ""),
            }
            for r, v in rows[:PAGE_SIZE]
        ]
    html = render_page(
        "newsroom.html",
        lang="en",
        wire=settings.wire_name,
        items=items,
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        issuer=issuer,
        base_url=settings.base_url,
        path=request.url.path,
    )
    return HTMLResponse(html)


def _versions(db: DB, release_id: str) -> list[ReleaseVersion]:
    with db.session() as s:
        versions = public.public_versions(s, release_id)
    if not versions:
        raise NotFound(f"no published release '{release_id}'")
    return versions


def _page(versions: list[ReleaseVersion], shown: ReleaseVersion, settings: Config) -> HTMLResponse:
    latest = versions[-1]
    content = shown.content
    html = render_page(
        "release.html",
        lang=content["language"],
        wire=settings.wire_name,
        article=Markup(shown.article_html),
        shown=shown,
        latest=latest,
        versions=versions,
        headline=content["headline"],
        description=content.get("subheadline") or content["headline"],
        canonical=f"{settings.base_url}/releases/{shown.release_id}",
        base_url=settings.base_url,
    )
    return HTMLResponse(html, headers={"Cache-Control": "public, max-age=60"})


@router.get("/releases/{release_id}", response_class=HTMLResponse)
def release_page(release_id: str, db: DB, settings: Config) -> HTMLResponse:
    versions = _versions(db, release_id)
    return _page(versions, versions[-1], settings)


@router.get("/releases/{release_id}/v{number:int}", response_class=HTMLResponse)
def version_page(release_id: str, number: int, db: DB, settings: Config) -> HTMLResponse:
    versions = _versions(db, release_id)
    return _page(versions, _find(versions, release_id, number), settings)


@router.get("/releases/{release_id}/v{number:int}.json")
def version_ninjs(release_id: str, number: int, db: DB) -> Response:
    v = _find(_versions(db, release_id), release_id, number)
    return Response(v.ninjs, media_type="application/json")


@router.get("/releases/{release_id}/v{number:int}.xml")
def version_newsml(release_id: str, number: int, db: DB) -> Response:
    v = _find(_versions(db, release_id), release_id, number)
    return Response(v.newsml, media_type="application/vnd.iptc.g2.newsitem+xml")


def _find(versions: list[ReleaseVersion], release_id: str, number: int) -> ReleaseVersion:
    for v in versions:
        if v.number == number:
            return v
    raise NotFound(f"release '{release_id}' has no version {number}")


@router.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok"}
