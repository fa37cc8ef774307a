"""The newsroom's front page: the desk's top story leads with its image, the desk's sections
follow as headed groups, then the latest releases; filters, a search or a later page show the
plain list only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html

from browser.newsroom_seed import IMAGE_ALT, IMAGE_PATH, RELEASES, Seeded, seed
from builders import World, release_payload, sqlite_url
from newswire.actions.scheduler import run_once
from newswire.config import Settings


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


@pytest.fixture
def client(settings: Settings, db: object) -> Iterator[TestClient]:
    from newswire.web.app import create_app

    with TestClient(create_app(settings, run_scheduler=False)) as test_client:
        yield test_client


@pytest.fixture
def news(client: TestClient, world: World) -> Seeded:
    return seed(client, world)


def _doc(client: TestClient, url: str) -> html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return html.fromstring(response.text)


def _sections(doc: html.HtmlElement) -> dict[str, list[str]]:
    return {
        s.cssselect("h2")[0].text_content(): [a.get("href") for a in s.cssselect("h3 a")]
        for s in doc.cssselect("section.desk-section")
    }


def test_the_top_story_leads_with_its_image_then_the_sections_then_the_latest(
    client: TestClient, news: Seeded
) -> None:
    doc = _doc(client, "/")
    ids = news.ids
    lead = doc.cssselect("article.lead")[0]
    assert lead.cssselect("h2 a")[0].get("href") == f"/releases/{ids['en']}"
    assert "640 MW" in lead.cssselect("h2")[0].text_content()
    assert "680,000 households" in lead.cssselect(".summary")[0].text_content()
    img = lead.cssselect("figure img")[0]
    assert img.get("src") == "https://acme.example" + IMAGE_PATH
    assert img.get("alt") == IMAGE_ALT
    assert "North Sea" in lead.cssselect("figcaption")[0].text_content()
    # the desk's sections in the desk's order, newest first, the lead not repeated
    assert _sections(doc) == {
        "Daily news": [f"/releases/{ids['de']}", f"/releases/{ids['th']}"],
        "Feature": [f"/releases/{ids['ar']}"],
        "Business": [f"/releases/{ids['ja']}", f"/releases/{ids['de']}"],
    }
    # then every release, newest first, as before
    assert doc.cssselect("h2.latest")[0].text_content() == "Latest releases"
    latest = [a.get("href") for a in doc.cssselect("ol.releases h2 a")]
    assert len(latest) == len(RELEASES)
    order = [doc.cssselect(sel)[0] for sel in ("article.lead", ".desk-sections", "ol.releases")]
    body = list(doc.iter())
    assert [body.index(e) for e in order] == sorted(body.index(e) for e in order)


def test_the_front_page_speaks_the_readers_language_and_keeps_the_storys(
    client: TestClient, news: Seeded
) -> None:
    doc = _doc(client, "/?ui=ar")
    assert doc.get("dir") == "rtl"
    assert doc.cssselect(".kicker")[0].get("dir") == "rtl"
    lead = doc.cssselect("article.lead")[0]
    assert (lead.get("lang"), lead.get("dir")) == ("en", "ltr")
    headings = [h.text_content() for h in doc.cssselect("section.desk-section h2")]
    assert headings and "Feature" not in headings  # the section names in Arabic
    arabic = [li for li in doc.cssselect("section.desk-section li") if li.get("lang") == "ar"]
    assert arabic and arabic[0].get("dir") == "rtl"


@pytest.mark.parametrize(
    "url", ["/?industry=energy", "/releases/?q=wind", "/?lang=en", "/newsroom/acme"]
)
def test_filters_a_search_and_issuer_pages_show_the_plain_list(
    client: TestClient, news: Seeded, url: str
) -> None:
    doc = _doc(client, url)
    assert not doc.cssselect("article.lead, section.desk-section, h2.latest")
    assert doc.cssselect("h1")[0].text_content() != "Newsroom"
    assert doc.cssselect("ol.releases li")


def test_a_later_page_shows_the_plain_list(
    client: TestClient, news: Seeded, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newswire.web.public import newsroom

    monkeypatch.setattr(newsroom, "PAGE_SIZE", 2)
    first, second = _doc(client, "/"), _doc(client, "/?page=2")
    assert first.cssselect("article.lead") and first.cssselect("a[rel=next]")
    assert not second.cssselect("article.lead, section.desk-section")
    assert len(second.cssselect("ol.releases li")) == 2


def test_without_a_placed_story_the_newsroom_is_the_plain_list(
    client: TestClient, world: World
) -> None:
    created = client.post(
        "/api/v1/releases?submit=true", json=release_payload(), headers=world.headers("issuer")
    )
    rid = created.json()["id"]
    client.post(f"/api/v1/releases/{rid}/approve", headers=world.headers("editor"))
    run_once(client.app.state.db)
    doc = _doc(client, "/")
    assert not doc.cssselect("article.lead, section.desk-section")
    assert doc.cssselect("h1")[0].text_content() == "Latest releases"
    assert [a.get("href") for a in doc.cssselect("ol.releases h2 a")] == [f"/releases/{rid}"]
