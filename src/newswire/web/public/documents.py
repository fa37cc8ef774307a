"""A version's documents, as partner systems and the API fetch them:

    /releases/{id}.json|.xml        the current version's ninjs | NewsML-G2 (Content-Location
                                    names the version's own URL)
    /releases/{id}/v{n}.json|.xml   each version's

Each fetch is a `document` read for the readership figures. Included before the newsroom's
routes, whose ``/releases/{id}`` and ``/releases/{id}/{lang}`` would otherwise take these paths.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from newswire.config import Settings
from newswire.store import public
from newswire.store.models import ReleaseVersion
from newswire.web.deps import DB, Config
from newswire.web.params import Int64
from newswire.web.public import provenance, readership
from newswire.web.public.newsroom import _find, _versions

router = APIRouter(include_in_schema=False)


@router.get("/releases/{release_id}.json")
def latest_ninjs(release_id: str, request: Request, db: DB, settings: Config) -> Response:
    """The current version's ninjs (what a partner guesses first); each version keeps its
    own URL, given in Content-Location."""
    v = _versions(db, release_id)[-1]
    headers = _latest_headers(v, "json") | _signed_by(db, settings, v)
    response = Response(v.ninjs, media_type="application/json", headers=headers)
    return _document_read(response, request, v)


@router.get("/releases/{release_id}.xml")
def latest_newsml(release_id: str, request: Request, db: DB, settings: Config) -> Response:
    v = _versions(db, release_id)[-1]
    headers = _latest_headers(v, "xml") | _signed_by(db, settings, v)
    response = Response(v.newsml, media_type=provenance.NEWSML_TYPE, headers=headers)
    return _document_read(response, request, v)


def _document_read(response: Response, request: Request, v: ReleaseVersion) -> Response:
    return readership.counted(response, request, v.release_id, v.content["language"], "document")


def _latest_headers(v: ReleaseVersion, ext: str) -> dict[str, str]:
    return {
        "Content-Location": f"/releases/{v.release_id}/v{v.number}.{ext}",
        "Cache-Control": "public, max-age=60",
    }


def _signed_by(db: DB, settings: Settings, v: ReleaseVersion) -> dict[str, str]:
    with db.session() as s:
        signature = public.public_signature(s, v.release_id, v.number)
        s.expunge_all()
    return provenance.signature_headers(settings, signature)


@router.get("/releases/{release_id}/v{number:int}.json")
def version_ninjs(
    release_id: str, number: Int64, request: Request, db: DB, settings: Config
) -> Response:
    v = _find(_versions(db, release_id), release_id, number)
    headers = _signed_by(db, settings, v)
    return _document_read(Response(v.ninjs, media_type="application/json", headers=headers),
                          request, v)  # fmt: skip


@router.get("/releases/{release_id}/v{number:int}.xml")
def version_newsml(
    release_id: str, number: Int64, request: Request, db: DB, settings: Config
) -> Response:
    v = _find(_versions(db, release_id), release_id, number)
    response = Response(
        v.newsml, media_type=provenance.NEWSML_TYPE, headers=_signed_by(db, settings, v)
    )
    return _document_read(response, request, v)
