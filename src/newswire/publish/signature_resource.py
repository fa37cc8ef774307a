"""What the wire publishes about each signed document: the signature resource (``.sig``) and
the headers that point a document's reader to it."""

from __future__ import annotations

from typing import Any

from newswire.config import Settings
from newswire.provenance.terms import KEYS_PATH, SIGNATURE_REL
from newswire.publish.freeze import document_path
from newswire.store.models import ReleaseVersion, Signature

NEWSML_TYPE = "application/vnd.iptc.g2.newsitem+xml"


def signature_headers(settings: Settings, signature: Signature | None) -> dict[str, str]:
    """Headers that point a document's reader to its signature."""
    if signature is None:
        return {}
    path = document_path(
        signature.release_id,
        signature.version_number,
        signature.language if signature.edition else None,
    )
    return {
        "Link": f'<{settings.base_url}{path}.sig>; rel="{SIGNATURE_REL}"',
        "Newswire-Signature": signature.jws,
    }


def status_of(versions: list[ReleaseVersion], number: int) -> dict[str, Any]:
    """Whether a later version supersedes version `number` (not signed: it changes)."""
    latest = versions[-1]
    later = [v for v in versions if v.number > number]
    retraction = next((v for v in later if v.kind == "retraction"), None)
    superseding = retraction or (later[-1] if later else None)
    return {
        "current_version": latest.number,
        "retracted": retraction is not None or (latest.kind == "retraction"),
        "superseded_by": None
        if superseding is None
        else {
            "version": superseding.number,
            "kind": superseding.kind,
            "url": f"/releases/{superseding.release_id}/v{superseding.number}",
        },
    }


def signature_resource(
    settings: Settings, signature: Signature, versions: list[ReleaseVersion]
) -> dict[str, Any]:
    path = document_path(
        signature.release_id,
        signature.version_number,
        signature.language if signature.edition else None,
    )
    base = settings.base_url
    return {
        "statement": signature.statement,
        "signature": signature.jws,
        "kid": signature.kid,
        "keys": base + KEYS_PATH,
        "documents": {"ninjs": f"{base}{path}.json", "newsml": f"{base}{path}.xml"},
        "log": {
            "inclusion": f"{base}/log/v1/proof/inclusion?release={signature.release_id}"
            f"&version={signature.version_number}&language={signature.language}",
            "tree_head": f"{base}/log/v1/tree-head",
        },
        "status": status_of(versions, signature.version_number),
    }
