"""Check a document, a page or a URL against the wire that signed it, fetching what it needs
(the signature, the keys, the signed document) through a function the caller gives: the CLI
fetches over HTTP, the wire's own /verify page reads its own database, tests use the app.

The keys come from the wire the signature is on (``/.well-known/newswire-keys.json`` of its
host), or from `keys_url` when the reader names the wire they trust.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from newswire.provenance.statement import NotADocument
from newswire.provenance.text_match import compare, normalize, signed_text
from newswire.provenance.verify import Outcome, Verdict, document_kind, verify_document

KEYS_PATH = "/.well-known/newswire-keys.json"
SIGNATURE_ROLE = "urn:newswire:trust:signature"
SIGNATURE_REL = "signature"  # the last part of the rel (ninjs role, NewsML-G2 QCode, page class)
Fetch = Callable[[str], bytes]


class FetchFailed(Exception):
    """A URL could not be fetched; the message says which and why."""


def signature_url(document: bytes, origin: str | None) -> str | None:
    """Where the document says the wire's signature over it is."""
    kind = document_kind(document)
    href: str | None = None
    if kind == "ninjs":
        try:
            doc = json.loads(document)
        except ValueError as exc:
            raise NotADocument(f"not a JSON document: {exc}") from exc
        for item in doc.get("trustindicators", []) if isinstance(doc, dict) else []:
            if isinstance(item, dict) and item.get("role") == SIGNATURE_ROLE:
                href = item.get("href")
    elif kind == "newsml":
        try:
            root = lxml.etree.fromstring(document, lxml.etree.XMLParser(resolve_entities=False))
        except lxml.etree.XMLSyntaxError as exc:
            raise NotADocument(f"not an XML document: {exc}") from exc
        for link in root.iter("{*}link"):
            if str(link.get("rel", "")).endswith(":" + SIGNATURE_REL):
                href = link.get("href")
    else:
        page = lxml.html.fromstring(document)
        found = page.cssselect("a.signature[href]")
        href = found[0].get("href") if found else None
    if not href:
        return None
    return urljoin(origin, href) if origin else href


def _json(fetch: Fetch, url: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(fetch(url))
    except FetchFailed:
        raise
    except ValueError as exc:
        raise FetchFailed(f"{what} at {url} is not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise FetchFailed(f"{what} at {url} is not a JSON object")
    return data


def page_text(document: bytes) -> str:
    """What a reader reads on a page: its article (or its body), without scripts and styles."""
    page = lxml.html.fromstring(document)
    for junk in page.xpath("//script|//style|//noscript"):
        junk.drop_tree()
    found = page.xpath("//article") or page.xpath("//body") or [page]
    parts = []
    for block in found[0].iter():
        if block.tag in ("p", "h1", "h2", "h3", "li", "blockquote", "div") and block.text_content():
            parts.append(block.text_content())
    return "\n".join(parts) if parts else found[0].text_content()


def check(
    document: bytes,
    fetch: Fetch,
    *,
    origin: str | None = None,
    keys_url: str | None = None,
    signature: str | None = None,
) -> Verdict:
    """The verdict on `document` (ninjs, NewsML-G2 or an HTML page), fetched from `origin` if
    it was. `signature`: the signature resource's URL when the document does not say it."""
    try:
        kind = document_kind(document)
        sig_url = signature or signature_url(document, origin)
    except NotADocument as exc:
        return Verdict(Outcome.NOT_SIGNED, str(exc))
    if sig_url is None:
        return Verdict(Outcome.NOT_SIGNED, f"this {kind} document names no wire signature")
    keys_at = keys_url or urljoin(sig_url, KEYS_PATH)
    try:
        resource = _json(fetch, sig_url, "the signature")
        keys = _json(fetch, keys_at, "the key set")
        signed_ninjs = _fetch_signed(fetch, resource)
    except FetchFailed as exc:
        return Verdict(Outcome.UNREACHABLE, str(exc))
    claimed = str((resource.get("statement") or {}).get("wire", {}).get("url", ""))
    if urlsplit(claimed).netloc and urlsplit(claimed).netloc != urlsplit(keys_at).netloc:
        return Verdict(
            Outcome.BAD_SIGNATURE,
            f"the signature says it is by the wire at {claimed}, but the keys are from {keys_at}",
            resource.get("statement"),
        )
    if kind != "html":
        return verify_document(document, resource, keys, signed_document=signed_ninjs)
    if signed_ninjs is None:
        return Verdict(Outcome.UNREACHABLE, "the signed document could not be fetched")
    verdict = verify_document(signed_ninjs, resource, keys)
    if not verdict.genuine:
        return verdict
    match = compare(page_text(document), signed_text(json.loads(signed_ninjs)))
    if not match.matches:
        return Verdict(
            Outcome.CHANGED,
            f"the page's text differs from what {resource['statement']['wire']['name']} signed",
            verdict.statement,
            ("text",),
            {"differences": [d.__dict__ for d in match.differences]},
        )
    return verdict


def _fetch_signed(fetch: Fetch, resource: dict[str, Any]) -> bytes | None:
    url = (resource.get("documents") or {}).get("ninjs")
    if not isinstance(url, str):
        return None
    try:
        return fetch(url)
    except FetchFailed:
        return None


__all__ = ["FetchFailed", "check", "normalize", "page_text", "signature_url"]
