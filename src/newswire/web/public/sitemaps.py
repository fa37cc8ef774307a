"""Sitemaps for search engines: every public release and edition, and a Google News sitemap.

    /sitemap.xml        every public release URL with <lastmod>, and every approved edition's
                        URL; each lists all language versions as xhtml:link hreflang alternates
    /sitemap-news.xml   releases first published in the last two days, each with
                        news:publication (name, language), news:publication_date and news:title

Built from `newswire.store.public`, which reads published versions only: nothing scheduled or
embargoed can appear. Mounted with ``app.include_router(sitemaps.router)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import Response
from lxml import etree

from newswire.store import public
from newswire.web.deps import DB, Config

router = APIRouter(include_in_schema=False)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_WINDOW = timedelta(days=2)
MAX_URLS = 50_000  # the sitemap protocol's limit for one file
XML = "application/xml; charset=utf-8"
HEADERS = {"Cache-Control": "public, max-age=300"}


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _w3c(value: datetime) -> str:
    return _utc(value).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def news_language(tag: str) -> str:
    """Google News wants ISO 639 codes, and zh-cn / zh-tw for Chinese."""
    return {"zh-Hans": "zh-cn", "zh-Hant": "zh-tw"}.get(tag, tag.split("-")[0].lower())


@dataclass(frozen=True)
class _Page:
    """One public page of a release: the release itself or one of its approved editions."""

    language: str
    loc: str
    title: str
    modified: datetime


def _pages(entry: public.SitemapEntry, base_url: str) -> list[_Page]:
    """The release's page first, then its editions' pages (both sitemaps list them all)."""
    base = f"{base_url}/releases/{entry.release_id}"
    first = _Page(entry.language, base, entry.headline, entry.modified_at)
    return [
        first,
        *(_Page(lang, f"{base}/{lang}", title, at) for lang, title, at in entry.editions),
    ]


def _sub(parent: etree._Element, ns: str, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@router.get("/sitemap.xml")
def sitemap(db: DB, settings: Config) -> Response:
    with db.session() as s:
        entries = public.sitemap_entries(s)
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    count = 0
    for e in entries:
        pages = _pages(e, settings.base_url)
        for page in pages:
            if count >= MAX_URLS:
                break
            url = _sub(root, SITEMAP_NS, "url")
            _sub(url, SITEMAP_NS, "loc", page.loc)
            _sub(url, SITEMAP_NS, "lastmod", _w3c(page.modified))
            if len(pages) > 1:
                for alternate in pages:
                    link = _sub(url, XHTML_NS, "link")
                    link.set("rel", "alternate")
                    link.set("hreflang", alternate.language)
                    link.set("href", alternate.loc)
            count += 1
    return Response(_bytes(root), media_type=XML, headers=HEADERS)


@router.get("/sitemap-news.xml")
def news_sitemap(db: DB, settings: Config) -> Response:
    since = datetime.now(UTC) - NEWS_WINDOW
    with db.session() as s:
        entries = public.sitemap_entries(s, since=since)
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "news": NEWS_NS})
    count = 0
    for e in entries:
        for page in _pages(e, settings.base_url):
            if count >= 1000:  # Google News reads at most 1,000 URLs a sitemap
                break
            url = _sub(root, SITEMAP_NS, "url")
            _sub(url, SITEMAP_NS, "loc", page.loc)
            news = _sub(url, NEWS_NS, "news")
            publication = _sub(news, NEWS_NS, "publication")
            _sub(publication, NEWS_NS, "name", settings.wire_name)
            _sub(publication, NEWS_NS, "language", news_language(page.language))
            _sub(news, NEWS_NS, "publication_date", _w3c(e.first_published_at))
            _sub(news, NEWS_NS, "title", page.title)
            count += 1
    return Response(_bytes(root), media_type=XML, headers=HEADERS)
