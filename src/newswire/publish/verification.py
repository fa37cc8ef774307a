"""The wire answers "is this ours?" from its own records, fetching nothing from anywhere else.

- a URL of this wire (a release's page, an edition's page, a version's ``.json``/``.xml``/
  ``.sig``): the signed document behind it, its signature checked with the wire's keys, and
  whether a correction or a retraction supersedes it. A URL of another host is refused.
- a ninjs or NewsML-G2 document: checked as `newswire verify` checks it, with the signature
  and keys read from the database instead of fetched.
- a text: the published version or edition it carries (normalised, see
  `newswire.provenance.text_match`), found by scanning the signatures newest first; when the
  closest one does not match, the differences.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from newswire import taxonomy
from newswire.config import Settings
from newswire.domain.errors import NewswireError
from newswire.provenance.checker import FetchFailed, check
from newswire.provenance.keys import key_ring
from newswire.provenance.statement import NotADocument
from newswire.provenance.terms import KEYS_PATH
from newswire.provenance.text_match import SignedText, compare, resemblance, signed_text
from newswire.provenance.verify import Outcome, Verdict, check_signature, document_kind, standing
from newswire.publish.freeze import document_path
from newswire.publish.signature_resource import signature_resource, status_of
from newswire.store import public
from newswire.store.models import ReleaseVersion, Signature

MAX_TEXT_CHARS = 200_000
SCAN_LIMIT = 5_000  # signatures a text is compared with, newest first
SCAN_BATCH = 200
CANDIDATE_SCORE = 0.6  # share of the headline and first paragraph a text must carry
_PATH = re.compile(
    r"^/releases/(?P<id>[A-Za-z0-9_-]{1,32})"
    r"(?:/(?P<lang>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*))?"
    r"(?:/v(?P<number>[0-9]{1,9}))?(?P<ext>\.json|\.xml|\.sig)?/?$"
)


class VerifyRefused(NewswireError):
    """The input cannot be checked here; the message says why."""

    status = 422
    code = "unverifiable"


def _target(settings: Settings, url: str) -> tuple[str, int | None, str | None]:
    parts = urlsplit(url.strip())
    own = urlsplit(settings.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise VerifyRefused(f"'{url[:200]}' is not an http(s) URL")
    if (parts.scheme, parts.netloc.lower()) != (own.scheme, own.netloc.lower()):
        raise VerifyRefused(
            f"this page checks only {settings.base_url}'s own URLs; for another site's page, "
            "paste its text"
        )
    found = _PATH.match(unquote(parts.path))
    if found is None:
        raise VerifyRefused(f"{parts.path} is not the address of a release on this wire")
    lang = found["lang"]
    if lang is not None:
        lang = taxonomy.wire_language(lang)
        if lang is None:
            raise VerifyRefused(f"'{found['lang']}' is not one of the wire's languages")
    number = int(found["number"]) if found["number"] else None
    return found["id"], number, lang


def verify_url(db: Session, settings: Settings, url: str) -> Verdict:
    release_id, number, language = _target(settings, url)
    versions = public.public_versions(db, release_id)
    if not versions:
        return Verdict(Outcome.NOT_SIGNED, f"this wire has published no release '{release_id}'")
    release = public.public_release(db, release_id)
    if release is not None and language == release.language:
        language = None
    number = number or versions[-1].number
    signature = public.public_signature(db, release_id, number, language)
    if signature is None:
        what = f"a {language} edition of version {number}" if language else f"version {number}"
        return Verdict(Outcome.NOT_SIGNED, f"release {release_id} has no signed {what}")
    return _signed_verdict(settings, signature, versions)


def _signed_verdict(
    settings: Settings, signature: Signature, versions: list[ReleaseVersion]
) -> Verdict:
    resource = {"statement": signature.statement, "signature": signature.jws}
    failed = check_signature(resource, key_ring(settings.data_dir).jwks())
    if failed is not None:
        return failed
    return standing(signature.statement, status_of(versions, signature.version_number))


def verify_document(db: Session, settings: Settings, document: bytes) -> Verdict:
    """A pasted ninjs or NewsML-G2 document, checked against this wire's own records."""

    def fetch(url: str) -> bytes:
        return _local(db, settings, url)

    return check(document, fetch, origin=settings.base_url)


def _local(db: Session, settings: Settings, url: str) -> bytes:
    if url == settings.base_url + KEYS_PATH:
        return json.dumps(key_ring(settings.data_dir).jwks()).encode()
    try:
        release_id, number, language = _target(settings, url)
    except VerifyRefused as exc:
        raise FetchFailed(str(exc)) from exc
    versions = public.public_versions(db, release_id)
    signature = (
        public.public_signature(db, release_id, number, language)
        if versions and number is not None
        else None
    )
    if signature is None:
        raise FetchFailed(f"this wire has no signed document at {url}")
    if url.endswith(".sig"):
        return json.dumps(signature_resource(settings, signature, versions)).encode()
    if url.endswith(".xml"):
        return signature.newsml.encode()
    return signature.ninjs.encode()


@lru_cache(maxsize=4096)
def _signed_text_of(signature_id: int, ninjs: str) -> SignedText:
    del signature_id  # the cache key: a signature's text never changes
    return signed_text(json.loads(ninjs))


def verify_text(db: Session, settings: Settings, text: str) -> Verdict:
    if len(text) > MAX_TEXT_CHARS:
        raise VerifyRefused(f"the text is longer than {MAX_TEXT_CHARS} characters")
    if not text.strip():
        raise VerifyRefused("the text is empty")
    if text.lstrip().startswith(("{", "<")):
        try:
            document_kind(text.encode())
        except NotADocument:
            pass
        else:
            return verify_document(db, settings, text.encode())
    best: tuple[float, Signature, Any] | None = None
    for offset in range(0, SCAN_LIMIT, SCAN_BATCH):
        batch = public.signatures_newest_first(db, offset=offset, limit=SCAN_BATCH)
        for signature in batch:
            signed = _signed_text_of(signature.id, signature.ninjs)
            score = resemblance(text, signed)
            if score < CANDIDATE_SCORE:
                continue
            match = compare(text, signed)
            if match.matches:
                versions = public.public_versions(db, signature.release_id)
                return _signed_verdict(settings, signature, versions)
            if best is None or match.similarity > best[0]:
                best = (match.similarity, signature, match)
        if len(batch) < SCAN_BATCH:
            break
    if best is None:
        return Verdict(Outcome.NOT_SIGNED, "the text matches none of this wire's releases")
    _, signature, match = best
    path = document_path(
        signature.release_id,
        signature.version_number,
        signature.language if signature.edition else None,
    )
    return Verdict(
        Outcome.CHANGED,
        f"the text resembles release {signature.release_id} version "
        f"{signature.version_number} ({signature.language}) but differs from what "
        f"{signature.statement['wire']['name']} signed",
        signature.statement,
        ("text",),
        {
            "differences": [d.__dict__ for d in match.differences],
            "similarity": match.similarity,
            "closest": settings.base_url + path,
        },
    )
