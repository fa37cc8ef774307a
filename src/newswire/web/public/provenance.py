"""The wire's signatures, in public: its keys and each signed document with its signature.

    /.well-known/newswire-keys.json          the public keys (a JWK Set) with validity periods
    /releases/{id}/v{n}.sig                  a version's signature, statement and status
    /releases/{id}/{lang}/v{n}.json|.xml     an edition of version n, exactly as signed
    /releases/{id}/{lang}/v{n}.sig           its signature

A signature resource (`signature_resource`) says what the wire signed (the statement), the
detached JWS, where the keys are, and, not signed because it changes, whether a later
correction or a retraction now supersedes the version.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from newswire import taxonomy
from newswire.domain.errors import NotFound
from newswire.provenance.keys import key_ring
from newswire.provenance.terms import KEYS_PATH
from newswire.publish.signature_resource import (
    NEWSML_TYPE,
    signature_headers,
    signature_resource,
)
from newswire.store import public
from newswire.store.models import ReleaseVersion, Signature
from newswire.web.deps import DB, Config
from newswire.web.params import Int64
from newswire.web.public import readership

router = APIRouter(include_in_schema=False)
__all__ = ["NEWSML_TYPE", "router", "signature_headers"]


@router.get(KEYS_PATH)
def keys(settings: Config) -> JSONResponse:
    return JSONResponse(
        key_ring(settings.data_dir).jwks(),
        media_type="application/jwk-set+json",
        headers={"Cache-Control": "public, max-age=300"},
    )


def _signed(
    db: DB, release_id: str, number: int, language: str | None
) -> tuple[Signature, list[ReleaseVersion]]:
    with db.session() as s:
        versions = public.public_versions(s, release_id)
        signature = public.public_signature(s, release_id, number, language) if versions else None
        s.expunge_all()
    if not versions:
        raise NotFound(f"no published release '{release_id}'")
    if signature is None:
        what = f"its {language} edition of version {number}" if language else f"version {number}"
        raise NotFound(f"release '{release_id}' has no signed {what}")
    return signature, versions


def _edition_language(language: str) -> str:
    lang = taxonomy.wire_language(language)
    if lang is None:
        raise NotFound(f"'{language}' is not one of the wire's languages")
    return lang


@router.get("/releases/{release_id}/v{number:int}.sig")
def version_signature(release_id: str, number: Int64, db: DB, settings: Config) -> JSONResponse:
    signature, versions = _signed(db, release_id, number, None)
    return JSONResponse(signature_resource(settings, signature, versions))


@router.get("/releases/{release_id}/{language}/v{number:int}.sig")
def edition_signature(
    release_id: str, language: str, number: Int64, db: DB, settings: Config
) -> JSONResponse:
    signature, versions = _signed(db, release_id, number, _edition_language(language))
    return JSONResponse(signature_resource(settings, signature, versions))


@router.get("/releases/{release_id}/{language}/v{number:int}.json")
def edition_ninjs(
    release_id: str, language: str, number: Int64, request: Request, db: DB, settings: Config
) -> Response:
    signature, _ = _signed(db, release_id, number, _edition_language(language))
    response = Response(
        signature.ninjs,
        media_type="application/json",
        headers=signature_headers(settings, signature),
    )
    return readership.counted(response, request, release_id, signature.language, "document")


@router.get("/releases/{release_id}/{language}/v{number:int}.xml")
def edition_newsml(
    release_id: str, language: str, number: Int64, request: Request, db: DB, settings: Config
) -> Response:
    signature, _ = _signed(db, release_id, number, _edition_language(language))
    response = Response(
        signature.newsml, media_type=NEWSML_TYPE, headers=signature_headers(settings, signature)
    )
    return readership.counted(response, request, release_id, signature.language, "document")
