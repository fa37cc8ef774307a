"""What the wire's signature says about a document, and the exact bytes it covers.

A signature does not cover a file's bytes, which a partner's tools may re-indent: it covers a
*statement* that names the release, version, language, issuer (with the domains and tickers
it proved), publication time, the version it amends, and the hashes of the document's canonical
forms: the ninjs document canonicalized by RFC 8785 (JCS, the ``rfc8785`` package) and the
NewsML-G2 document by W3C Canonical XML 1.0 (libxml2's, through lxml). The
statement itself is signed in its JCS form, so a verifier rebuilds the same bytes from JSON.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import lxml.etree
import rfc8785

STATEMENT_TYPE = "newswire.signed-document/1"


class NotADocument(ValueError):
    """The bytes are not a JSON (ninjs) or XML (NewsML-G2) document."""


def canonical_json(value: Any) -> bytes:
    return rfc8785.dumps(value)


def ninjs_digest(ninjs: str | bytes | dict[str, Any]) -> str:
    """SHA-256 of a ninjs document's RFC 8785 form."""
    if not isinstance(ninjs, dict):
        try:
            ninjs = json.loads(ninjs)
        except ValueError as exc:
            raise NotADocument(f"not a JSON document: {exc}") from exc
    try:
        return hashlib.sha256(canonical_json(ninjs)).hexdigest()
    except rfc8785.CanonicalizationError as exc:
        raise NotADocument(f"a JSON document JCS cannot canonicalize: {exc}") from exc


_XML = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def newsml_digest(newsml: str | bytes) -> str:
    """SHA-256 of a NewsML-G2 document's Canonical XML 1.0 form (W3C, libxml2's through lxml)."""
    data = newsml.encode("utf-8") if isinstance(newsml, str) else newsml
    try:
        root = lxml.etree.fromstring(data, _XML)
    except lxml.etree.XMLSyntaxError as exc:
        raise NotADocument(f"not an XML document: {exc}") from exc
    return hashlib.sha256(lxml.etree.tostring(root, method="c14n")).hexdigest()


def build_statement(
    *,
    wire_name: str,
    wire_url: str,
    release_id: str,
    uri: str,
    version: int,
    kind: str,
    language: str,
    edition: bool,
    url: str,
    issuer: dict[str, Any],
    published_at: str,
    signed_at: str,
    amends: dict[str, Any] | None,
    original: dict[str, Any] | None,
    ninjs: str | bytes,
    newsml: str | bytes,
) -> dict[str, Any]:
    """The statement for one frozen document. `amends`: the amended version's number and ninjs
    hash; `original`: for an edition, the same of the version it translates."""
    return {
        "type": STATEMENT_TYPE,
        "wire": {"name": wire_name, "url": wire_url},
        "release": release_id,
        "uri": uri,
        "version": version,
        "kind": kind,
        "language": language,
        "edition": edition,
        "url": url,
        "issuer": issuer,
        "published_at": published_at,
        "signed_at": signed_at,
        "amends": amends,
        "original": original,
        "documents": {
            "ninjs": {"canonicalization": "RFC 8785", "sha256": ninjs_digest(ninjs)},
            "newsml": {"canonicalization": "C14N 1.0", "sha256": newsml_digest(newsml)},
        },
    }
