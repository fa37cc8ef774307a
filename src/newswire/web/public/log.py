"""The transparency log's public, read-only JSON API (in the manner of RFC 9162 section 4):

    GET /log/v1/tree-head                          the latest signed tree head
    GET /log/v1/tree-heads/{size}                  the signed tree head of one size
    GET /log/v1/entries?start=&end=                leaves start..end (inclusive, at most 1000)
    GET /log/v1/proof/inclusion?index=&size=       an audit path (size: default the latest)
    GET /log/v1/proof/inclusion?release=&version=&language=    the same, found by document
    GET /log/v1/proof/consistency?first=&second=   a consistency proof (second: default latest)

A tree head's signature is a detached JWS over the RFC 8785 form of its ``type``, ``wire``,
``size``, ``root_hash`` and ``timestamp``, checkable with the keys at
``/.well-known/newswire-keys.json``; `newswire.provenance.log_check` verifies all of it.
Mounted with ``app.include_router(log.router)``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.config import Settings
from newswire.domain.errors import NotFound
from newswire.provenance import log
from newswire.provenance.terms import KEYS_PATH, iso_ms
from newswire.store.models import LogEntry, Signature, TreeHead
from newswire.web.deps import DB, Config
from newswire.web.errors import ERROR_ANSWERS
from newswire.web.params import Int64

router = APIRouter(prefix="/log/v1", tags=["transparency log"], responses=ERROR_ANSWERS)

LATEST = {"Cache-Control": "no-cache"}
FIXED = {"Cache-Control": "public, max-age=86400"}  # a signed size never changes

Size = Annotated[Int64 | None, Query(description="a signed tree head's size; default: latest")]


def tree_head_json(head: TreeHead, settings: Settings) -> dict[str, Any]:
    return {
        "type": log.TREE_HEAD_TYPE,
        "wire": settings.base_url,
        "size": head.size,
        "root_hash": head.root_hash,
        "timestamp": iso_ms(head.timestamp),
        "signature": head.jws,
        "kid": head.kid,
        "keys": settings.base_url + KEYS_PATH,
    }


@router.get("/tree-head")
def latest_tree_head(db: DB, settings: Config) -> JSONResponse:
    with db.session() as s:
        head = log.tree_head(s)
        if head is None:
            raise NotFound("the log is empty: no tree head has been signed yet")
        return JSONResponse(tree_head_json(head, settings), headers=LATEST)


@router.get("/tree-heads/{size}")
def tree_head_of_size(size: Int64, db: DB, settings: Config) -> JSONResponse:
    with db.session() as s:
        head = log.tree_head(s, size)
        if head is None:
            raise NotFound(f"size: the log has no signed tree head of size {size}")
        return JSONResponse(tree_head_json(head, settings), headers=FIXED)


@router.get("/entries")
def entries(
    db: DB,
    start: Annotated[Int64, Query(ge=0, description="the first leaf index")],
    end: Annotated[Int64, Query(ge=0, description="the last leaf index (inclusive)")],
) -> JSONResponse:
    if end < start:
        raise log.InvalidLogQuery("end", f"must be at least start ({start})")
    with db.session() as s:
        found = log.entries(s, start, end + 1)
    return JSONResponse(
        {
            "entries": [
                {
                    "index": e.index,
                    "leaf_hash": e.leaf_hash,
                    "appended_at": iso_ms(e.appended_at),
                    "statement": e.statement,
                    "signature": e.signature,
                }
                for e in found
            ],
            "max_page": log.MAX_PAGE,
        }
    )


def _document_entry(s: Session, release: str, version: int | None, language: str | None) -> int:
    if version is None:
        raise log.InvalidLogQuery("version", "is required with release")
    if language is None:  # the version itself, in its own language
        language = s.scalar(
            select(Signature.language).where(
                Signature.release_id == release,
                Signature.version_number == version,
                Signature.edition.is_(False),
            )
        )
    entry = log.entry_for(s, release, version, language) if language else None
    if entry is None:
        raise NotFound(
            f"release: no logged signature of release {release} version {version}"
            + (f" in {language}" if language else "")
        )
    return entry.index


@router.get("/proof/inclusion")
def inclusion(
    db: DB,
    settings: Config,
    size: Size = None,
    index: Annotated[Int64 | None, Query(ge=0, description="the leaf index")] = None,
    release: Annotated[str | None, Query(max_length=64)] = None,
    version: Annotated[Int64 | None, Query(ge=1)] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
) -> JSONResponse:
    with db.session() as s:
        if index is None:
            if release is None:
                raise log.InvalidLogQuery("index", "give index, or release and version")
            index = _document_entry(s, release, version, language)
        head, path = log.inclusion_proof(s, index, size)
        entry = s.get(LogEntry, index)
        assert entry is not None  # below the size of a signed head
        signature = s.get(Signature, entry.signature_id)
        assert signature is not None
        return JSONResponse(
            {
                "index": index,
                "size": head.size,
                "leaf_hash": entry.leaf_hash,
                "audit_path": path,
                "tree_head": tree_head_json(head, settings),
                "statement": signature.statement,
                "signature": signature.jws,
            },
            headers=LATEST if size is None else FIXED,
        )


@router.get("/proof/consistency")
def consistency(
    db: DB,
    settings: Config,
    first: Annotated[Int64, Query(description="the older tree head's size")],
    second: Size = None,
) -> JSONResponse:
    with db.session() as s:
        older, newer, proof = log.consistency_proof(s, first, second)
        return JSONResponse(
            {
                "first": older.size,
                "second": newer.size,
                "proof": proof,
                "first_tree_head": tree_head_json(older, settings),
                "second_tree_head": tree_head_json(newer, settings),
            },
            headers=LATEST if second is None else FIXED,
        )
