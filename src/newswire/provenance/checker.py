"""Check a document, a page or a URL against the wire that signed it, fetching what it needs
(the signature, the keys, the signed document) through a function the caller gives: the CLI
fetches over HTTP, the wire's own /verify page reads its own database, tests use the app.

The keys come from the wire the signature is on (``/.well-known/newswire-keys.json`` of its
host), or from `keys_url` when the reader names the wire they trust.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from newswire.provenance.log_check import (
    check_consistency,
    check_inclusion_answer,
    check_tree_head,
)
from newswire.provenance.statement import NotADocument
from newswire.provenance.terms import KEYS_PATH, SIGNATURE_ROLE
from newswire.provenance.text_match import compare, signed_text
from newswire.provenance.verify import Outcome, Verdict, document_kind, verify_document

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
            if str(link.get("rel", "")).endswith(":signature"):  # the wire's QCode nwrel:signature
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
    log: bool = False,
    remembered: dict[str, dict[str, Any]] | None = None,
) -> Verdict:
    """The verdict on `document` (ninjs, NewsML-G2 or an HTML page), fetched from `origin` if
    it was. `signature`: the signature resource's URL when the document does not say it.
    With `log`, a genuine document must also be proved by the transparency log (`check_log`);
    the latest tree head verified is then in ``details["tree_head"]``. `remembered`: tree heads
    verified before, by wire URL."""
    verdict, resource, keys = _check(document, fetch, origin, keys_url, signature)
    if not log or not verdict.genuine or resource is None or keys is None:
        return verdict
    failed, latest = check_log(resource, keys, fetch, remembered=remembered)
    if failed is not None:
        return failed
    return replace(verdict, details={**verdict.details, "tree_head": latest, "logged": True})


def _check(
    document: bytes,
    fetch: Fetch,
    origin: str | None,
    keys_url: str | None,
    signature: str | None,
) -> tuple[Verdict, dict[str, Any] | None, dict[str, Any] | None]:
    try:
        kind = document_kind(document)
        sig_url = signature or signature_url(document, origin)
    except NotADocument as exc:
        return Verdict(Outcome.NOT_SIGNED, str(exc)), None, None
    if sig_url is None:
        return (
            Verdict(Outcome.NOT_SIGNED, f"this {kind} document names no wire signature"),
            None,
            None,
        )
    keys_at = keys_url or urljoin(sig_url, KEYS_PATH)
    try:
        resource = _json(fetch, sig_url, "the signature")
        keys = _json(fetch, keys_at, "the key set")
        signed_ninjs = _fetch_signed(fetch, resource)
    except FetchFailed as exc:
        return Verdict(Outcome.UNREACHABLE, str(exc)), None, None
    claimed = str((resource.get("statement") or {}).get("wire", {}).get("url", ""))
    if urlsplit(claimed).netloc and urlsplit(claimed).netloc != urlsplit(keys_at).netloc:
        return (
            Verdict(
                Outcome.BAD_SIGNATURE,
                f"the signature says it is by the wire at {claimed}, but the keys are from "
                f"{keys_at}",
                resource.get("statement"),
            ),
            None,
            None,
        )
    if kind != "html":
        verdict = verify_document(document, resource, keys, signed_document=signed_ninjs)
        return verdict, resource, keys
    if signed_ninjs is None:
        return Verdict(Outcome.UNREACHABLE, "the signed document could not be fetched"), None, None
    verdict = verify_document(signed_ninjs, resource, keys)
    if not verdict.genuine:
        return verdict, None, None
    match = compare(page_text(document), signed_text(json.loads(signed_ninjs)))
    if not match.matches:
        changed = Verdict(
            Outcome.CHANGED,
            f"the page's text differs from what {resource['statement']['wire']['name']} signed",
            verdict.statement,
            ("text",),
            {"differences": [d.__dict__ for d in match.differences]},
        )
        return changed, None, None
    return verdict, resource, keys


def _fetch_signed(fetch: Fetch, resource: dict[str, Any]) -> bytes | None:
    url = (resource.get("documents") or {}).get("ninjs")
    if not isinstance(url, str):
        return None
    try:
        return fetch(url)
    except FetchFailed:
        return None


def check_log(
    resource: dict[str, Any],
    keys: dict[str, Any],
    fetch: Fetch,
    *,
    remembered: dict[str, dict[str, Any]] | None = None,
) -> tuple[Verdict | None, dict[str, Any] | None]:
    """Whether the wire's transparency log proves the signature: its inclusion in a signed tree
    head, that the latest tree head extends that one, and (with `remembered`, the tree heads this
    reader verified before, by wire URL) that the log was not rewritten since. Returns (None,
    the latest tree head) when all holds, else the LOG_FAILED verdict saying why."""
    statement = resource.get("statement")

    def failed(reason: str) -> tuple[Verdict, None]:
        return Verdict(
            Outcome.LOG_FAILED, f"the transparency log does not prove it: {reason}", statement
        ), None

    urls = resource.get("log") or {}
    try:
        answer = _json(fetch, str(urls.get("inclusion")), "the inclusion proof")
        latest = _json(fetch, str(urls.get("tree_head")), "the latest tree head")
    except FetchFailed as exc:
        return failed(str(exc))
    if answer.get("statement") != statement or answer.get("signature") != resource.get("signature"):
        return failed("the log's leaf is not this signature")
    included = check_inclusion_answer(answer, keys)
    if not included.ok:
        return failed(included.reason)
    head = answer["tree_head"]
    signed = check_tree_head(latest, keys)
    if not signed.ok:
        return failed(f"the latest tree head: {signed.reason}")
    before = (remembered or {}).get(str(latest.get("wire")))
    for older in (head, before):
        if older is None or int(older["size"]) == int(latest["size"]):
            if older is not None and older["root_hash"] != latest["root_hash"]:
                return failed(
                    f"two different roots for size {older['size']}: the log was rewritten"
                )
            continue
        if int(older["size"]) > int(latest["size"]):
            return failed(f"the log shrank from {older['size']} to {latest['size']} leaves")
        url = urljoin(
            str(urls.get("tree_head")),
            f"/log/v1/proof/consistency?first={older['size']}&second={latest['size']}",
        )
        try:
            proof = _json(fetch, url, "the consistency proof")
        except FetchFailed as exc:
            return failed(str(exc))
        consistent = check_consistency(
            int(older["size"]), int(latest["size"]), older["root_hash"], latest["root_hash"],
            proof.get("proof") or [],
        )  # fmt: skip
        if not consistent.ok:
            return failed(consistent.reason)
    return None, latest
