"""The public newsroom: filters, search in many scripts, editions with hreflang, JSON-LD,
sitemaps; nothing embargoed or scheduled appears anywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree, html

from browser.newsroom_seed import SECRET, Seeded, ensure_sitemaps, seed
from builders import World, sqlite_url
from newswire.config import Settings


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


@pytest.fixture
def client(settings: Settings, db: object) -> Iterator[TestClient]:
    from newswire.web.app import create_app

    app = create_app(settings, run_scheduler=False)
    ensure_sitemaps(app)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def news(client: TestClient, world: World) -> Seeded:
    return seed(client, world)


def _listed(client: TestClient, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    doc = html.fromstring(response.text)
    return [a.get("href") for a in doc.cssselect("ol.releases h2 a")]


def _ids(hrefs: list[str]) -> set[str]:
    return {h.split("/")[2] for h in hrefs}


def test_newsroom_lists_published_releases_newest_first(client: TestClient, news: Seeded) -> None:
    hrefs = _listed(client, "/")
    ids = news.ids
    assert hrefs == [f"/releases/{ids[k]}" for k in ("ar", "ja", "de", "en", "th")]
    assert _listed(client, "/releases/") == hrefs


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("industry=renewable-energy", {"en", "th", "ar"}),  # a parent includes its children
        ("industry=solar-power", {"th", "ar"}),
        ("industry=technology", {"de", "ja"}),
        ("region=DE", {"en", "de"}),
        ("region=EU", {"en", "de"}),  # a group expands to its countries
        ("region=ASEAN", {"th"}),
        ("region=GCC", {"ar"}),
        ("lang=ja", {"ja"}),
        ("lang=de", {"de", "en"}),  # en has an approved German edition
        ("issuer=globex", {"de"}),
        ("issuer=acme&industry=energy", {"en", "th", "ar"}),
        ("issuer=acme&region=JP&lang=ja", {"ja"}),
    ],
)
def test_filters(client: TestClient, news: Seeded, query: str, expected: set[str]) -> None:
    assert _ids(_listed(client, f"/releases/?{query}")) == {news.ids[k] for k in expected}


def test_a_language_filter_links_to_the_edition(client: TestClient, news: Seeded) -> None:
    hrefs = _listed(client, "/releases/?lang=ar")
    assert f"/releases/{news.ids['en']}/ar" in hrefs
    assert f"/releases/{news.ids['ar']}" in hrefs


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("wind farm", {"en"}),
        ('"North Sea"', {"en"}),
        ("nordsee", {"en"}),  # the German edition
        ("rechenzentrum", {"de"}),
        ("OKOSTROM", {"de"}),  # case and accents fold
        ("半導体", {"ja"}),
        ("東京", {"ja"}),
        ("พลังงานแสงอาทิตย์", {"th"}),
        ("กรุงเทพ", {"th"}),
        ('"للطاقة الشمسية"', {"ar"}),  # whole words: Arabic clitics are not split off
        ("دبي", {"ar"}),
        ("رياح", {"en"}),  # the Arabic edition
        ("Globex", {"de"}),  # the issuer's name
        ("solar OR 半導体", {"ja"}),
        ("acme NOT wind", {"ja", "th", "ar"}),
        ("nothing-like-this", set()),
    ],
)
def test_search_in_many_scripts(client: TestClient, news: Seeded, q: str, expected: set) -> None:
    assert _ids(_listed(client, "/releases/?" + _qs(q=q))) == {news.ids[k] for k in expected}


def _qs(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def test_search_combines_with_filters_and_paging_keeps_them(
    client: TestClient, news: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newswire.web.public import newsroom as public

    monkeypatch.setattr(public, "PAGE_SIZE", 1)
    page1 = client.get("/releases/?" + _qs(q="acme", industry="energy"))
    doc = html.fromstring(page1.text)
    (next_link,) = doc.cssselect("a[rel=next]")
    assert "q=acme" in next_link.get("href") and "industry=energy" in next_link.get("href")
    seen = []
    url: str | None = "/releases/?" + _qs(q="acme", industry="energy")
    while url:
        doc = html.fromstring(client.get(url).text)
        seen += [a.get("href") for a in doc.cssselect("ol.releases h2 a")]
        nxt = doc.cssselect("a[rel=next]")
        url = nxt[0].get("href") if nxt else None
    assert _ids(seen) == {news.ids[k] for k in ("en", "th", "ar")}


@pytest.mark.parametrize(
    ("query", "param", "status"),
    [
        ("industry=underwater-basket-weaving", "industry", 422),
        ("region=XX", "region", 422),
        ("lang=klingon", "lang", 422),
        ("lang=sv", "lang", 422),
        ("issuer=no/such", "issuer", 422),
        ("issuer=nobody", "issuer", 404),
        ("page=0", "page", 422),
        ("page=abc", "page", 422),
        ("q=" + "x" * 600, "q", 422),
        ("q=%28unclosed", "q", 422),
    ],
)
def test_bad_parameters_are_named(
    client: TestClient, news: Seeded, query: str, param: str, status: int
) -> None:
    response = client.get(f"/releases/?{query}")
    assert response.status_code == status
    assert f"<code>{param}</code>" in response.text


def test_issuer_newsroom(client: TestClient, news: Seeded) -> None:
    response = client.get("/newsroom/acme")
    assert "Releases from Acme Renewables AG" in response.text
    assert 'href="/feeds/issuer/acme.atom"' in response.text
    hrefs = _listed(client, "/newsroom/acme")
    assert _ids(hrefs) == {news.ids[k] for k in ("en", "ja", "th", "ar")}
    assert _ids(_listed(client, "/newsroom/acme?lang=th")) == {news.ids["th"]}
    assert _ids(_listed(client, "/releases/?issuer=globex")) == {news.ids["de"]}
    assert client.get("/newsroom/nobody").status_code == 404


def _head(text: str) -> etree._Element:
    return html.fromstring(text)


def test_release_page_links_editions_with_hreflang(client: TestClient, news: Seeded) -> None:
    rid = news.ids["en"]
    doc = _head(client.get(f"/releases/{rid}").text)
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in doc.xpath("//head/link[@rel='alternate'][@hreflang]")
    }
    base = f"http://testserver/releases/{rid}"
    assert alternates == {"en": base, "de": f"{base}/de", "ar": f"{base}/ar", "x-default": base}
    assert doc.xpath("//link[@rel='canonical']/@href") == [base]
    feeds = doc.xpath("//head/link[@type='application/atom+xml']/@href")
    assert set(feeds) == {"/feeds/releases.atom", "/feeds/issuer/acme.atom"}
    links = {a.get("hreflang"): a.get("href") for a in doc.cssselect("nav.editions a")}
    assert links == {"de": f"{base}/de", "ar": f"{base}/ar"}
    # the existing parts stay: attribution, disclaimer, tags
    text = doc.text_content()
    assert "(Newswire) –" in text and "third-party content provider" in text
    assert "Wind power" in doc.cssselect(".tags")[0].text_content()


def test_edition_pages_render_in_their_language(client: TestClient, news: Seeded) -> None:
    rid = news.ids["en"]
    de = client.get(f"/releases/{rid}/de")
    assert de.status_code == 200
    doc = _head(de.text)
    assert doc.get("lang") == "de" and doc.get("dir") == "ltr"
    assert doc.cssselect("article h1")[0].text == EDITION_DE_HEADLINE
    assert "Branchen" in doc.cssselect(".tags")[0].text_content()  # localized labels
    assert "Quelle: Acme Renewables AG" in de.text or "Acme Renewables AG" in de.text
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"http://testserver/releases/{rid}/de"]
    ar = _head(client.get(f"/releases/{rid}/ar").text)
    assert ar.get("lang") == "ar" and ar.get("dir") == "rtl"
    assert ar.cssselect("article")[0].get("dir") == "rtl"
    # the original's language redirects to the release page; no edition or no language: 404
    original = client.get(f"/releases/{rid}/en", follow_redirects=False)
    assert original.status_code == 301 and original.headers["location"] == f"/releases/{rid}"
    assert client.get(f"/releases/{rid}/ja").status_code == 404
    assert client.get(f"/releases/{rid}/xx").status_code == 404
    assert client.get(f"/releases/{rid}/v1").status_code == 200  # versions still work


EDITION_DE_HEADLINE = "Acme Renewables nimmt 640-MW-Windpark in der Nordsee in Betrieb"


def _json_ld(text: str) -> dict:
    doc = _head(text)
    (script,) = doc.xpath("//script[@type='application/ld+json']")
    return json.loads(script.text)


def test_json_ld_describes_the_news_article(client: TestClient, news: Seeded) -> None:
    rid = news.ids["en"]
    data = _json_ld(client.get(f"/releases/{rid}").text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Acme Renewables Commissions 640 MW North Sea Wind Farm"
    assert data["inLanguage"] == "en"
    assert data["url"] == f"http://testserver/releases/{rid}"
    assert data["author"]["name"] == "Acme Renewables AG"
    assert data["publisher"]["name"] == "Newswire"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", data["datePublished"])
    assert data["dateModified"] >= data["datePublished"]
    edition = _json_ld(client.get(f"/releases/{rid}/ar").text)
    assert edition["inLanguage"] == "ar" and edition["url"].endswith("/ar")
    assert "640" in edition["headline"]


def test_sitemap_lists_releases_and_editions(client: TestClient, news: Seeded) -> None:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = root.xpath("//s:url/s:loc/text()", namespaces=ns)
    base = "http://testserver/releases/"
    expected = {base + news.ids[k] for k in ("en", "de", "ja", "th", "ar")}
    expected |= {f"{base}{news.ids['en']}/de", f"{base}{news.ids['en']}/ar"}
    assert set(locs) == expected
    assert len(root.xpath("//s:url/s:lastmod", namespaces=ns)) == len(locs)
    (en,) = root.xpath(f"//s:url[s:loc='{base}{news.ids['en']}']", namespaces=ns)
    alts = {link.get("hreflang"): link.get("href") for link in en.xpath("x:link", namespaces=ns)}
    assert alts == {"en": base + news.ids["en"], "de": f"{base}{news.ids['en']}/de",
                    "ar": f"{base}{news.ids['en']}/ar"}  # fmt: skip


def test_news_sitemap_has_the_last_two_days(client: TestClient, news: Seeded) -> None:
    root = etree.fromstring(client.get("/sitemap-news.xml").content)
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "n": "http://www.google.com/schemas/sitemap-news/0.9",
    }
    urls = {u.findtext("s:loc", namespaces=ns): u for u in root.xpath("//s:url", namespaces=ns)}
    base = "http://testserver/releases/"
    assert base + news.ids["th"] not in urls  # published five days ago
    ja = urls[base + news.ids["ja"]]
    assert ja.findtext("n:news/n:publication/n:name", namespaces=ns) == "Newswire"
    assert ja.findtext("n:news/n:publication/n:language", namespaces=ns) == "ja"
    assert ja.findtext("n:news/n:title", namespaces=ns) == "アクメ、東京に新しい半導体工場を開設"
    assert ja.findtext("n:news/n:publication_date", namespaces=ns).endswith("Z")
    ar_edition = urls[f"{base}{news.ids['en']}/ar"]
    assert ar_edition.findtext("n:news/n:publication/n:language", namespaces=ns) == "ar"


def test_nothing_embargoed_or_scheduled_appears_anywhere(client: TestClient, news: Seeded) -> None:
    hidden = [news.ids["embargoed"], news.ids["scheduled"]]
    pages = [
        "/",
        "/releases/",
        "/releases/?lang=de",
        "/releases/?lang=ar",
        "/newsroom/acme",
        "/sitemap.xml",
        "/sitemap-news.xml",
    ]
    for url in pages:
        text = client.get(url).text
        assert SECRET not in text, url
        assert not any(rid in text for rid in hidden), url
    assert _listed(client, "/releases/?" + _qs(q=SECRET)) == []
    for rid in hidden:
        for path in (f"/releases/{rid}", f"/releases/{rid}/de", f"/releases/{rid}/ar"):
            assert client.get(path).status_code == 404, path


def test_the_newsroom_speaks_the_readers_language(client: TestClient, news: Seeded) -> None:
    english = client.get("/releases/")
    assert '<html lang="en"' in english.text and "Latest releases" in english.text
    assert "Accept-Language" in english.headers["vary"]
    korean = client.get("/releases/?ui=ko")
    assert '<html lang="ko"' in korean.text and "최신 보도자료" in korean.text
    assert "nw_lang=ko" in korean.headers["set-cookie"]
    assert "최신 보도자료" in client.get("/releases/").text  # remembered
    client.cookies.delete("nw_lang")
    thai = client.get("/releases/", headers={"Accept-Language": "th-TH,th;q=0.9"})
    assert '<html lang="th"' in thai.text and "ข่าวประชาสัมพันธ์ล่าสุด" in thai.text
    arabic = client.get("/releases/?ui=ar")
    assert 'dir="rtl"' in arabic.text
    client.cookies.delete("nw_lang")
    # filtered by a language, the page is in that language
    german = client.get("/releases/?lang=de")
    assert '<html lang="de"' in german.text and "Neueste Pressemitteilungen" in german.text
    # the errors too
    missing = client.get("/newsroom/nobody?ui=fr")
    assert missing.status_code == 404 and "Introuvable" in missing.text
