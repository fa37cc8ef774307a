"""Pull feeds over HTTP: every kind of feed in every format, filters, paging, links, errors."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from test_feeds_support import GERMAN, app_with_feeds, entry_ids, publish, unique

from builders import World, sqlite_url
from newswire.config import Settings
from newswire.store import feeds as store_feeds
from newswire.store.db import Database

FORMATS = ("rss", "atom", "json")


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """These are about behaviour, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The app with the feeds installed (see `app_with_feeds`)."""
    with TestClient(app_with_feeds(settings)) as test_client:
        yield test_client


@pytest.fixture
def wire(client: TestClient, world: World) -> dict[str, str]:
    """Five published releases across industries, regions, languages and issuers."""
    db = client.app.state.db
    return {
        "wind_de": publish(db, world, **unique(1, industries=["wind-power"], regions=["DE"])),
        "solar_eu_de": publish(
            db, world, **unique(2, **GERMAN, industries=["solar-power"], regions=["EU"])
        ),
        "oil_jp": publish(db, world, **unique(3, industries=["oil-gas"], regions=["JP"])),
        "bank_globex": publish(
            db,
            world,
            who="other_issuer",
            **unique(4, industries=["banking"], regions=["US"]),
        ),
        "robots_sg": publish(
            db,
            world,
            who="other_issuer",
            **unique(5, industries=["automotive"], regions=["SG"], language="en"),
        ),
    }


def _ids(client: TestClient, url: str) -> set[str]:
    return set(entry_ids(client, url))


FEEDS = (
    "/feeds/releases.{fmt}",
    "/feeds/industry/energy.{fmt}",
    "/feeds/region/EU.{fmt}",
    "/feeds/region/de.{fmt}",
    "/feeds/language/de.{fmt}",
    "/feeds/issuer/acme.{fmt}",
    "/feeds/releases.{fmt}?industry=energy&region=EU&lang=de&issuer=acme",
)
MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}


def test_every_kind_of_feed_reads_cleanly_in_every_format(
    client: TestClient, wire: dict[str, str]
) -> None:
    for path in FEEDS:
        for fmt in FORMATS:
            response = client.get(path.format(fmt=fmt))
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith(MEDIA_TYPES[fmt])
            if fmt == "json":
                doc = response.json()
                assert doc["version"] == "https://jsonfeed.org/version/1.1"
                assert doc["items"], path
                continue
            parsed = feedparser.parse(response.content)
            assert parsed.bozo is False, (path, fmt, parsed.get("bozo_exception"))
            assert parsed.entries, (path, fmt)


def test_entries_carry_the_article_with_attribution_and_disclaimer_in_their_language(
    client: TestClient, wire: dict[str, str]
) -> None:
    rid = wire["solar_eu_de"]
    atom = feedparser.parse(client.get("/feeds/language/de.atom").content)
    (entry,) = atom.entries
    assert entry.id == f"urn:newswire:release:{rid}"
    assert entry.link == f"http://testserver/releases/{rid}"
    assert entry.title == GERMAN["headline"]
    assert entry.summary.startswith("Die Acme Renewables AG hat heute")  # the first paragraph
    assert entry.author == "Acme Renewables AG"
    assert entry.tags[0].scheme == "http://cv.iptc.org/newscodes/mediatopic/"
    assert entry.tags[0].label == "Solarenergie" or entry.tags[0].label
    html = entry.content[0].value
    assert entry.content[0].language == "de"
    attribution = html.index('class="attribution"')
    body = html.index("Batteriespeicher in Brandenburg")
    disclaimer = html.index("Der Artikel wird von einem Drittanbieter bereitgestellt")
    assert attribution < body < disclaimer

    raw = client.get("/feeds/language/de.atom").text
    assert f'<entry xml:lang="de"><id>urn:newswire:release:{rid}</id>' in raw

    item = client.get("/feeds/language/de.json").json()["items"][0]
    assert item["language"] == "de" and item["authors"] == [
        {"name": "Acme Renewables AG", "url": "https://acme.example"}
    ]
    assert item["content_html"].index("attribution") < item["content_html"].index("Drittanbieter")
    assert client.get("/feeds/language/de.json").json()["language"] == "de"


def test_an_industry_feed_includes_the_industries_below_it(
    client: TestClient, wire: dict[str, str]
) -> None:
    energy = {wire["wind_de"], wire["solar_eu_de"], wire["oil_jp"]}
    assert _ids(client, "/feeds/industry/energy.rss") == energy
    assert _ids(client, "/feeds/industry/renewable-energy.atom") == {
        wire["wind_de"],
        wire["solar_eu_de"],
    }
    assert _ids(client, "/feeds/industry/wind-power.json") == {wire["wind_de"]}
    assert _ids(client, "/feeds/industry/medtop:20000256.rss") == energy  # the QCode of energy
    assert _ids(client, "/feeds/industry/business-finance.rss") == {wire["bank_globex"]}
    assert _ids(client, "/feeds/industry/health.rss") == set()


def test_a_region_group_expands_to_its_countries_and_a_country_sees_its_groups(
    client: TestClient, wire: dict[str, str]
) -> None:
    assert _ids(client, "/feeds/region/EU.rss") == {wire["wind_de"], wire["solar_eu_de"]}
    assert _ids(client, "/feeds/region/DE.atom") == {wire["wind_de"], wire["solar_eu_de"]}
    assert _ids(client, "/feeds/region/FR.json") == {wire["solar_eu_de"]}  # released for the EU
    assert _ids(client, "/feeds/region/ASEAN.rss") == {wire["robots_sg"]}
    assert _ids(client, "/feeds/region/jp.rss") == {wire["oil_jp"]}
    assert _ids(client, "/feeds/region/G7.rss") == {  # the EU shares DE, FR, IT with the G7
        wire["wind_de"],
        wire["solar_eu_de"],
        wire["oil_jp"],
        wire["bank_globex"],
    }


def test_language_issuer_and_combinations_filter(client: TestClient, wire: dict[str, str]) -> None:
    assert _ids(client, "/feeds/language/de.rss") == {wire["solar_eu_de"]}
    assert _ids(client, "/feeds/releases.rss?lang=de-AT") == {wire["solar_eu_de"]}
    assert _ids(client, "/feeds/issuer/globex.atom") == {wire["bank_globex"], wire["robots_sg"]}
    assert _ids(client, "/feeds/releases.json?issuer=acme&industry=energy&region=DE") == {
        wire["wind_de"],
        wire["solar_eu_de"],
    }
    assert _ids(client, "/feeds/releases.rss?industry=energy&region=EU&lang=de&issuer=acme") == {
        wire["solar_eu_de"]
    }
    assert _ids(client, "/feeds/industry/energy.rss?lang=en&region=JP") == {wire["oil_jp"]}
    assert _ids(client, "/feeds/issuer/globex.rss?industry=energy") == set()
    assert len(_ids(client, "/feeds/releases.rss")) == 5


def test_a_friendly_path_and_its_query_form_are_the_same_feed(
    client: TestClient, wire: dict[str, str]
) -> None:
    for fmt in FORMATS:
        friendly = client.get(f"/feeds/industry/energy.{fmt}")
        query = client.get(f"/feeds/releases.{fmt}?industry=ENERGY&utm_source=x")
        assert friendly.content == query.content
        assert friendly.headers["etag"] == query.headers["etag"]
        assert (
            f'<http://testserver/feeds/industry/energy.{fmt}>; rel="self"'
            in (query.headers["link"])
        )


def test_the_newest_change_comes_first(client: TestClient, wire: dict[str, str]) -> None:
    order = [
        wire["robots_sg"],
        wire["bank_globex"],
        wire["oil_jp"],
        wire["solar_eu_de"],
        wire["wind_de"],
    ]
    for fmt in FORMATS:
        assert entry_ids(client, f"/feeds/releases.{fmt}") == order


def test_self_and_hub_links_are_in_the_headers_and_the_documents(
    client: TestClient, wire: dict[str, str]
) -> None:
    self_url = "http://testserver/feeds/region/EU.{fmt}"
    hub = "http://testserver/websub"
    for fmt in FORMATS:
        response = client.get(f"/feeds/region/eu.{fmt}")
        links = {
            rel: url
            for url, rel in re.findall(r'<([^>]+)>; rel="([^"]+)"', response.headers["link"])
        }
        assert links["self"] == self_url.format(fmt=fmt) and links["hub"] == hub
        assert response.headers["cache-control"] == "public, max-age=60"
        if fmt == "json":
            doc = response.json()
            assert doc["feed_url"] == self_url.format(fmt=fmt)
            assert doc["hubs"] == [{"type": "WebSub", "url": hub}]
        else:
            parsed = feedparser.parse(response.content)
            doc_links = {link.rel: link.href for link in parsed.feed.links}
            assert doc_links["self"] == self_url.format(fmt=fmt) and doc_links["hub"] == hub


def test_pages_link_first_next_and_previous(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_feeds, "PAGE_SIZE", 2)
    rids = [publish(client.app.state.db, world, **unique(n)) for n in range(5)]
    newest_first = rids[::-1]

    pages = [entry_ids(client, f"/feeds/releases.atom?page={n}") for n in (1, 2, 3)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]

    base = "http://testserver/feeds/releases.atom"
    second = feedparser.parse(client.get("/feeds/releases.atom?page=2").content)
    links = {link.rel: link.href for link in second.feed.links}
    assert links["self"] == f"{base}?page=2"
    assert links["first"] == base and links["previous"] == base
    assert links["next"] == f"{base}?page=3"
    last = feedparser.parse(client.get("/feeds/releases.atom?page=3").content)
    assert "next" not in {link.rel for link in last.feed.links}

    header = client.get("/feeds/releases.rss?page=2").headers["link"]
    assert '<http://testserver/feeds/releases.rss?page=3>; rel="next"' in header
    assert '<http://testserver/feeds/releases.rss>; rel="previous"' in header

    first_json = client.get("/feeds/releases.json").json()
    assert first_json["next_url"] == "http://testserver/feeds/releases.json?page=2"
    assert "next_url" not in client.get("/feeds/releases.json?page=3").json()

    past = client.get("/feeds/releases.json?page=4")
    assert past.status_code == 404 and past.json()["error"] == "not_found"


BAD = [
    ("/feeds/industry/underwater-basket-weaving.rss", 404, "industry", "unknown_industry"),
    ("/feeds/region/XX.atom", 404, "region", "unknown_region"),
    ("/feeds/language/klingon.json", 404, "lang", "invalid_language"),
    ("/feeds/language/sv.json", 404, "lang", "unsupported_language"),
    ("/feeds/issuer/nobody.rss", 404, "issuer", "unknown_issuer"),
    ("/feeds/releases.rss?industry=nope", 422, "industry", "unknown_industry"),
    ("/feeds/releases.rss?region=Atlantis", 422, "region", "unknown_region"),
    ("/feeds/releases.rss?lang=xx-XX", 422, "lang", "invalid_language"),
    ("/feeds/releases.rss?issuer=nobody", 404, "issuer", "unknown_issuer"),
    ("/feeds/releases.rss?issuer=%3Cscript%3E", 422, "issuer", "unknown_issuer"),
    ("/feeds/releases.rss?page=0", 422, "page", "invalid_page"),
    ("/feeds/releases.rss?page=two", 422, "page", "invalid_page"),
    ("/feeds/releases.rss?page=99999999999999999999", 422, "page", "invalid_page"),
    ("/feeds/releases.xml", 404, "format", "unknown_format"),
    ("/feeds/industry/energy.rss?industry=banking", 422, "industry", "conflict"),
]


def test_bad_parameters_get_json_errors_naming_them(client: TestClient, world: World) -> None:
    for url, status, field, rule in BAD:
        response = client.get(url)
        assert response.status_code == status, (url, response.text)
        body = response.json()
        assert {e["field"]: e["rule"] for e in body["errors"]}.get(field) == rule, (url, body)
        assert field in body["message"], url


def test_every_bad_parameter_is_named_at_once(client: TestClient, world: World) -> None:
    response = client.get("/feeds/releases.atom?industry=x&region=y&lang=zz&page=-1")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["industry", "region", "lang", "page"]


def test_an_empty_feed_is_a_valid_feed(client: TestClient, world: World) -> None:
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(client.get(f"/feeds/industry/health.{fmt}").content)
        assert parsed.bozo is False and parsed.entries == []
    assert client.get("/feeds/industry/health.json").json()["items"] == []


def test_head_and_gzip(client: TestClient, wire: dict[str, str]) -> None:
    plain = client.get("/feeds/releases.atom", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain.content)

    raw = httpx.Client(transport=client._transport, base_url="http://testserver")
    zipped = raw.get("/feeds/releases.atom", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "accept-encoding"
    assert zipped.content == plain.content  # httpx decodes it
    assert zipped.headers["etag"] != plain.headers["etag"]
    refused = client.get("/feeds/releases.atom", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers

    head = client.head("/feeds/releases.atom", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == plain.headers["etag"]
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content


def test_a_retraction_shows_as_such(client: TestClient, world: World) -> None:
    rid = publish(client.app.state.db, world, **unique(1))
    retracted = client.post(
        f"/api/v1/releases/{rid}/retraction",
        json={"reason": "Published in error"},
        headers=world.headers("editor"),
    )
    assert retracted.status_code == 201, retracted.text
    item = client.get("/feeds/releases.json").json()["items"][0]
    assert item["id"] == f"urn:newswire:release:{rid}"
    assert item["title"].startswith("Retraction: ")
    assert "Published in error" in item["summary"] and "retracted" in item["content_html"]
    assert item["_newswire"]["kind"] == "retraction"
    atom = feedparser.parse(client.get("/feeds/releases.atom").content)
    assert len(atom.entries) == 1 and atom.entries[0].title.startswith("Retraction: ")
    assert json.loads(client.get("/feeds/releases.json").content)["items"][0]["date_modified"]


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["industry", "region", "lang", "language", "issuer", "page", "x"]),
    value=st.text(max_size=40),
    fmt=st.sampled_from(["rss", "atom", "json", "xml", ""]),
)
def test_no_parameter_value_makes_a_500(
    client: TestClient, world: World, name: str, value: str, fmt: str
) -> None:
    response = client.get(f"/feeds/releases.{fmt}", params={name: value})
    assert response.status_code in (200, 404, 422), response.text
    if response.status_code != 200:
        assert response.json()["error"] in ("validation_failed", "not_found")


def test_every_channel_says_its_language(client: TestClient, wire: dict[str, str]) -> None:
    everything = feedparser.parse(client.get("/feeds/releases.rss").content)
    assert everything.feed.language == "en"  # the channel's own title and description
    german = feedparser.parse(client.get("/feeds/releases.rss?lang=de").content)
    assert german.feed.language == "de"
