"""Pull feeds: RSS 2.0, Atom 1.0 (RFC 4287) and JSON Feed 1.1, rendered from a list of entries.

Pure: nothing here reads the database or the clock. `entry_for` turns the frozen parts of a
published version into an `Entry`; `render` writes one page of a feed in one format.

RSS and Atom are written with feedgen (on lxml); JSON Feed, which feedgen does not know, with
the standard library. Mapping decisions:

- id: the release's stable URN, ``urn:newswire:release:<id>`` (the ninjs ``uri`` and the
  NewsML-G2 guid), for every version: a correction or retraction updates the entry it amends
  (same id, newer ``updated`` / ``date_modified``), it never adds a second one. RSS carries it
  as ``<guid isPermaLink="false">``. An edition (translation) in a language feed has its own,
  ``urn:newswire:release:<id>:<language>``, as stable.
- dates: Atom ``published``/``updated`` and JSON Feed ``date_published``/``date_modified``
  are RFC 3339 (first publication / this version); RSS ``pubDate`` is RFC 822 (first
  publication).
- content: the version's frozen article HTML (dateline and the wire's attribution before the
  body, the third-party disclaimer and the industry tags after it, in the entry's language):
  Atom ``content type="html"``, RSS ``content:encoded``, JSON Feed ``content_html``. The summary
  is the subheadline, else the body's first paragraph; for a retraction, the retraction notice.
- industries: Atom ``<category scheme="http://cv.iptc.org/newscodes/mediatopic/"
  term="20001211" label="Wind power"/>`` (scheme + term is the Media Topic URI); RSS
  ``<category domain="http://cv.iptc.org/newscodes/mediatopic/">Wind power</category>``;
  JSON Feed ``tags`` (labels), the codes and URIs in the item's ``_newswire`` extension.
- language: Atom ``xml:lang`` on each entry, RSS ``dc:language`` on each item, JSON Feed item
  ``language``; the feed's own language when the feed is filtered to one.
- author: the issuer (Atom ``author``, RSS ``dc:creator``, JSON Feed ``authors``).
- a retraction's title starts with "Retraction:" in the entry's language.
- links: ``self``, ``hub`` (WebSub), ``alternate`` (the HTML newsroom) and the RFC 5005 paging
  links ``first``, ``next``, ``previous``: Atom ``<link>``, RSS ``<atom:link>``, JSON Feed
  ``feed_url``, ``next_url`` and ``hubs``.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import lxml.html
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from newswire import i18n, taxonomy
from newswire.provenance.terms import SIGNATURE_REL
from newswire.taxonomy.industries import MEDTOP_PREFIX, MEDTOP_URI

JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RELEASE_URN = "urn:newswire:release:"
SUMMARY_MAX = 600

FORMATS = ("rss", "atom", "json")
MEDIA_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
PAGING_RELS = ("first", "previous", "next")

# Characters XML 1.0 forbids; lxml refuses them, so they are dropped rather than fail a feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Category:
    """One industry: our code, its IPTC Media Topic (scheme + term = URI) and a label."""

    code: str
    label: str
    term: str
    scheme: str | None = None

    @property
    def uri(self) -> str | None:
        return self.scheme + self.term if self.scheme else None


@dataclass(frozen=True)
class Entry:
    """One release in a feed, as of its latest published version."""

    id: str
    release_id: str
    version: int
    kind: str  # original | correction | retraction
    url: str
    title: str
    summary: str
    content_html: str
    language: str
    published: datetime
    updated: datetime
    author_name: str
    author_url: str | None = None
    categories: tuple[Category, ...] = ()
    reason: str | None = None
    signature_url: str | None = None  # the wire's signature over the entry's document


@dataclass(frozen=True)
class Feed:
    """One page of one feed in one format: what the document says about itself."""

    id: str
    title: str
    subtitle: str
    self_url: str
    home_url: str
    hub_url: str
    updated: datetime
    language: str | None = None
    links: Mapping[str, str] = field(default_factory=dict)  # first, previous, next
    generator: str = "newswire"
    wire_name: str = "Newswire"
    wire_url: str = ""


def release_urn(release_id: str) -> str:
    return RELEASE_URN + release_id


def edition_urn(release_id: str, language: str) -> str:
    """The stable id of a release's edition in `language`: its own entry beside the original."""
    return f"{RELEASE_URN}{release_id}:{language}"


def categories_for(codes: Sequence[str], lang: str) -> tuple[Category, ...]:
    """Industries as categories, labelled in `lang`; an unknown code stands as itself."""
    out = []
    for code in codes:
        try:
            industry = taxonomy.get_industry(code)
        except KeyError:
            out.append(Category(code=code, label=code, term=code))
            continue
        out.append(
            Category(
                code=industry.code,
                label=industry.label(lang),
                term=industry.medtop.removeprefix(MEDTOP_PREFIX),
                scheme=MEDTOP_URI,
            )
        )
    return tuple(out)


def first_paragraph(body_html: str) -> str:
    """The text of the body's first paragraph (or of the whole body when it has none)."""
    if not body_html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    para = root.find(".//p")
    text = (para if para is not None else root).text_content()
    return " ".join(text.split())


def _clip(text: str, limit: int = SUMMARY_MAX) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def entry_for(
    *,
    release_id: str,
    version: int,
    kind: str,
    content: Mapping[str, Any],
    article_html: str,
    published: datetime,
    updated: datetime,
    url: str,
    issuer_name: str,
    issuer_url: str | None = None,
    reason: str | None = None,
    edition: bool = False,
    signature_url: str | None = None,
) -> Entry:
    """An entry from the frozen parts of a published version (`content` is its stored JSON);
    with `edition`, of the version's translation into `content`'s language (its own id)."""
    lang = content["language"]
    headline = content["headline"]
    if kind == "retraction":
        title = f"{i18n.gettext(lang, 'Retraction')}: {headline}"
        summary = i18n.gettext(
            lang,
            "This release was retracted on {datetime}: {reason}",
            datetime=i18n.format_datetime(updated, lang),
            reason=reason or "",
        )
    else:
        title = headline
        summary = content.get("subheadline") or first_paragraph(content.get("body_html", ""))
    return Entry(
        id=edition_urn(release_id, lang) if edition else release_urn(release_id),
        release_id=release_id,
        version=version,
        kind=kind,
        url=url,
        title=title,
        summary=_clip(summary),
        content_html=article_html,
        language=lang,
        published=published,
        updated=updated,
        author_name=issuer_name,
        author_url=issuer_url,
        categories=categories_for(content.get("industries", ()), lang),
        reason=reason,
        signature_url=signature_url,
    )


def render(fmt: str, feed: Feed, entries: Sequence[Entry]) -> bytes:
    """One page of a feed as bytes, in "rss", "atom" or "json"."""
    return RENDERERS[fmt](feed, entries)


# --- dates -----------------------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def _utc_ms(value: datetime) -> datetime:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def rfc3339(value: datetime) -> str:
    """``2026-02-03T10:00:00Z``."""
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- RSS and Atom through feedgen -------------------------------------------------------------


def _x(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


_DC = "http://purl.org/dc/elements/1.1/"

# feedgen writes RSS dates with locale.setlocale(), which is process-wide: one render at a time.
_FEEDGEN = threading.Lock()


class _FeedExtras(BaseExtension):
    """Feed-level additions feedgen lacks: in RSS, ``atom:link`` for hub and paging (feedgen
    writes only rel=self there) and the Dublin Core namespace for the items."""

    def __init__(self) -> None:
        self.rss = False
        self.links: list[tuple[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"dc": _DC} if self.rss else {}

    def extend_rss(self, feed: Any) -> Any:
        channel = feed[0]
        for rel, href in self.links:
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=href, rel=rel)
        return feed


class _EntryExtras(BaseEntryExtension):
    """Entry-level additions: Atom ``xml:lang`` and the entry link's attributes; RSS
    ``dc:creator`` and ``dc:language`` (RSS has no per-item language, and its ``author`` must
    be an email address)."""

    def __init__(self) -> None:
        self.lang = ""
        self.creator = ""
        self.signature_url: str | None = None

    def extend_atom(self, entry: Any) -> Any:
        entry.set(XML_LANG, self.lang)
        # feedgen 1.0 drops rel, type and hreflang from entry links: put them back.
        link = entry.find("link")  # feedgen builds Atom without a namespace, then declares it
        if link is not None:
            link.set("rel", "alternate")
            link.set("type", "text/html")
            link.set("hreflang", self.lang)
        if self.signature_url:  # an extension relation is an IRI (RFC 4287 4.2.7.2)
            etree.SubElement(
                entry, "link", rel=SIGNATURE_REL, type="application/json", href=self.signature_url
            )
        return entry

    def extend_rss(self, item: Any) -> Any:
        etree.SubElement(item, f"{{{_DC}}}creator").text = _x(self.creator)
        etree.SubElement(item, f"{{{_DC}}}language").text = self.lang
        if self.signature_url:
            etree.SubElement(
                item,
                f"{{{ATOM_NS}}}link",
                rel=SIGNATURE_REL,
                type="application/json",
                href=self.signature_url,
            )
        return item


def _generator(feed: Feed, entries: Sequence[Entry], *, rss: bool) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension("newswire", _FeedExtras, _EntryExtras, atom=not rss, rss=rss)
    extras: _FeedExtras = fg.newswire  # type: ignore[attr-defined]
    extras.rss = rss
    fg.id(feed.id)
    fg.title(_x(feed.title))
    fg.subtitle(_x(feed.subtitle))  # RSS: the channel's description
    fg.updated(_utc(feed.updated))  # RSS: lastBuildDate
    fg.generator(feed.generator)
    fg.author({"name": feed.wire_name, **({"uri": feed.wire_url} if feed.wire_url else {})})
    if feed.language:
        fg.language(feed.language)
    own_type = MEDIA_TYPES["rss" if rss else "atom"].split(";")[0]
    fg.link(href=feed.self_url, rel="self", type=own_type)
    if rss:
        extras.links = [("hub", feed.hub_url), *feed.links.items()]
    else:
        fg.link(href=feed.hub_url, rel="hub")
        for rel, href in feed.links.items():
            fg.link(href=href, rel=rel, type=own_type)
    fg.link(href=feed.home_url, rel="alternate", type="text/html")  # the last link: RSS <link>
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.id(e.id)  # RSS: <guid isPermaLink="false">
        fe.title(_x(e.title))
        fe.link(href=e.url, rel="alternate", type="text/html", hreflang=e.language)
        # RSS: description, which readers show as HTML: the plain-text summary goes in escaped
        # (else a "<img onerror=..>" typed into a subheadline would run in a feed reader)
        fe.summary(html.escape(_x(e.summary), quote=False) if rss else _x(e.summary))
        fe.content(_x(e.content_html), type="html")  # RSS: content:encoded
        fe.published(_utc(e.published))  # RSS: pubDate
        # Atom: to the millisecond, so entries changed in the same second stay distinct (the
        # W3C validator warns on equal atom:updated); RSS has no such element
        fe.updated(_utc(e.updated) if rss else _utc_ms(e.updated))
        author = {"name": _x(e.author_name)}
        if e.author_url:
            author["uri"] = e.author_url
        fe.author(author)  # Atom only: RSS authors need an email address
        for c in e.categories:
            category = {"term": c.term, "label": _x(c.label)}
            if c.scheme:
                category["scheme"] = c.scheme
            fe.category(category)
        entry_extras: _EntryExtras = fe.newswire  # type: ignore[attr-defined]
        entry_extras.lang = e.language
        entry_extras.creator = e.author_name
        entry_extras.signature_url = e.signature_url
    return fg


def render_rss(feed: Feed, entries: Sequence[Entry]) -> bytes:
    fg = _generator(feed, entries, rss=True)
    with _FEEDGEN:
        return bytes(fg.rss_str(pretty=False))


def render_atom(feed: Feed, entries: Sequence[Entry]) -> bytes:
    fg = _generator(feed, entries, rss=False)
    with _FEEDGEN:
        return bytes(fg.atom_str(pretty=False))


# --- JSON Feed 1.1 ----------------------------------------------------------------------------


def render_json(feed: Feed, entries: Sequence[Entry]) -> bytes:
    doc: dict[str, Any] = {
        "version": JSONFEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.links.get("first", feed.self_url),  # the feed, not this page
        "description": feed.subtitle,
        "authors": [{"name": feed.wire_name, **({"url": feed.wire_url} if feed.wire_url else {})}],
        "hubs": [{"type": "WebSub", "url": feed.hub_url}],
    }
    if feed.language:
        doc["language"] = feed.language
    if "next" in feed.links:
        doc["next_url"] = feed.links["next"]
    doc["items"] = [_json_item(e) for e in entries]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _json_item(e: Entry) -> dict[str, Any]:
    author: dict[str, str] = {"name": e.author_name}
    if e.author_url:
        author["url"] = e.author_url
    item: dict[str, Any] = {
        "id": e.id,
        "url": e.url,
        "title": e.title,
        "content_html": e.content_html,
        "summary": e.summary,
        "date_published": rfc3339(e.published),
        "date_modified": rfc3339(e.updated),
        "authors": [author],
        "language": e.language,
    }
    if e.categories:
        item["tags"] = [c.label for c in e.categories]
    item["_newswire"] = {
        "release_id": e.release_id,
        "version": e.version,
        "kind": e.kind,
        "reason": e.reason,
        "industries": [{"code": c.code, "label": c.label, "uri": c.uri} for c in e.categories],
    }
    if e.signature_url:
        item["_newswire"]["signature"] = e.signature_url
    return item


RENDERERS: dict[str, Callable[[Feed, Sequence[Entry]], bytes]] = {
    "rss": render_rss,
    "atom": render_atom,
    "json": render_json,
}
