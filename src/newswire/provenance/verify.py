"""Check a document against the wire's signature and public keys (no I/O: the caller fetches).

The answer names exactly why a document does not verify, and each reason has its exit code
(`newswire verify`): a document can be genuine yet superseded by a later correction, or
retracted; or changed after signing (which parts: text, time, issuer, language, version); or
signed with a key the wire does not publish, or not signed at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

from newswire.provenance.signing import verify
from newswire.provenance.statement import (
    NotADocument,
    canonical_json,
    newsml_digest,
    ninjs_digest,
)


class Outcome(IntEnum):
    """What a check found; the value is `newswire verify`'s exit code (2 is a usage error)."""

    VERIFIED = 0
    SUPERSEDED = 1  # genuine, but a later correction exists
    RETRACTED = 3  # genuine, and the release was retracted
    CHANGED = 4  # not what the wire signed
    BAD_SIGNATURE = 5  # unknown key, invalid signature, key not valid then
    LOG_FAILED = 6  # the transparency log does not prove the signature's inclusion
    UNREACHABLE = 7  # the document, signature or keys could not be fetched
    NOT_SIGNED = 8  # no signature of this wire for the document


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    message: str
    statement: dict[str, Any] | None = None
    changed: tuple[str, ...] = ()  # which parts differ from the signed document
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def genuine(self) -> bool:
        return self.outcome in (Outcome.VERIFIED, Outcome.SUPERSEDED, Outcome.RETRACTED)

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.name.lower(),
            "genuine": self.genuine,
            "message": self.message,
            "statement": self.statement,
            "changed": list(self.changed),
            **self.details,
        }


# which ninjs properties make up which part a reader understands
_PARTS = {
    "text": ("headlines", "bodies", "descriptions", "ednote", "subjects", "associations"),
    "time": ("versioncreated", "firstcreated", "embargoed"),
    "issuer": ("by", "copyrightholder", "infosources", "organisations", "located"),
    "language": ("language",),
    "version": ("version", "uri", "pubstatus", "altids"),
}


def document_kind(document: bytes) -> str:
    """'ninjs', 'newsml' or 'html', from the document's first bytes."""
    head = document.lstrip()[:512].lower()
    if head.startswith((b"{", b"[")):
        return "ninjs"
    if head.startswith(b"<?xml") or b"<newsitem" in head:
        return "newsml"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "html"
    raise NotADocument("not a ninjs (JSON), NewsML-G2 (XML) or HTML document")


def changed_parts(given: dict[str, Any], signed: dict[str, Any]) -> tuple[str, ...]:
    found = []
    for part, keys in _PARTS.items():
        if any(given.get(k) != signed.get(k) for k in keys):
            found.append(part)
    known = {k for keys in _PARTS.values() for k in keys}
    if not found and any(given.get(k) != signed.get(k) for k in set(given) | set(signed) - known):
        found.append("other properties")
    return tuple(found)


def check_signature(resource: dict[str, Any], jwks: dict[str, Any]) -> Verdict | None:
    """None when the resource's signature over its statement is valid with one of `jwks`'
    keys, valid at the time of signing; else the verdict saying why not."""
    statement = resource.get("statement")
    signature = resource.get("signature")
    if not isinstance(statement, dict) or not isinstance(signature, str):
        return Verdict(Outcome.NOT_SIGNED, "the signature resource has no statement or signature")
    try:
        signed_at = datetime.fromisoformat(str(statement.get("signed_at")).replace("Z", "+00:00"))
    except ValueError:
        signed_at = None
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        return Verdict(Outcome.BAD_SIGNATURE, "the wire's key set is not a JWK Set")
    checked = verify(canonical_json(statement), signature, keys, signed_at=signed_at)
    if not checked.ok:
        return Verdict(Outcome.BAD_SIGNATURE, checked.reason, statement)
    return None


def verify_document(
    document: bytes,
    resource: dict[str, Any],
    jwks: dict[str, Any],
    *,
    signed_document: bytes | None = None,
) -> Verdict:
    """Check a ninjs or NewsML-G2 `document` against its signature resource (what
    ``/releases/.../v{n}.sig`` serves) and the wire's JWK Set. `signed_document`: the document
    as the wire signed it, to name what changed."""
    failed = check_signature(resource, jwks)
    if failed is not None:
        return failed
    statement: dict[str, Any] = resource["statement"]
    kind = document_kind(document)
    if kind == "html":
        raise NotADocument("an HTML page: check it with `verify_page`")
    wanted = statement.get("documents", {}).get(kind, {}).get("sha256")
    actual = ninjs_digest(document) if kind == "ninjs" else newsml_digest(document)
    if actual != wanted:
        changed: tuple[str, ...] = ()
        if kind == "ninjs" and signed_document is not None:
            try:
                changed = changed_parts(json.loads(document), json.loads(signed_document))
            except ValueError:
                changed = ()
        what = f" ({', '.join(changed)} changed)" if changed else ""
        return Verdict(
            Outcome.CHANGED,
            f"this {'ninjs' if kind == 'ninjs' else 'NewsML-G2'} document is not what "
            f"{statement['wire']['name']} signed{what}",
            statement,
            changed,
        )
    return standing(statement, resource.get("status") or {})


def standing(statement: dict[str, Any], status: dict[str, Any]) -> Verdict:
    """A genuine document's verdict: current, superseded by a correction, or retracted."""
    who = (
        f"published by {statement['wire']['name']} for {statement['issuer']['name']} "
        f"on {statement['published_at']}"
    )
    what = f"release {statement['release']} version {statement['version']}"
    if statement.get("edition"):
        what += f", {statement['language']} edition"
    later = status.get("superseded_by") or None
    if status.get("retracted"):
        return Verdict(
            Outcome.RETRACTED,
            f"genuine ({what}, {who}), but the release was retracted"
            + (f" in version {later['version']}" if later else ""),
            statement,
            details={"status": status},
        )
    if later:
        return Verdict(
            Outcome.SUPERSEDED,
            f"genuine ({what}, {who}), but version {later['version']} ({later['kind']}) "
            "supersedes it",
            statement,
            details={"status": status},
        )
    return Verdict(
        Outcome.VERIFIED, f"verified: {what}, {who}", statement, details={"status": status}
    )
