"""Honest readership figures: each read of a public page or document is counted once per
client per UTC day, without storing an address; crawlers, prefetches and HEAD requests are
not counted; the issuer (and the desk) see the figures, no one else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from newswire.actions.scheduler import run_once

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
OTHER_BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(client: TestClient) -> Clock:
    clock = Clock()
    client.app.state.readership_clock = clock
    return clock


def published(client: TestClient, world: World) -> str:
    rid = client.post(
        "/api/v1/releases?submit=true", json=release_payload(), headers=world.headers("issuer")
    ).json()["id"]
    client.post(
        f"/api/v1/releases/{rid}/approve",
        json={"override_reason": "test"},
        headers=world.headers("editor"),
    )
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    return rid


def figures(client: TestClient, world: World, rid: str) -> dict:
    got = client.get(f"/api/v1/releases/{rid}/readership", headers=world.headers("issuer"))
    assert got.status_code == 200, got.text
    return got.json()


def test_a_page_view_is_counted_once_a_day_per_client_and_again_the_next_day(
    client: TestClient, world: World, clock: Clock
) -> None:
    rid = published(client, world)
    for _ in range(3):
        assert client.get(f"/releases/{rid}", headers={"User-Agent": BROWSER}).status_code == 200
    assert figures(client, world, rid)["by_channel"] == {"page": 1}

    client.get(f"/releases/{rid}", headers={"User-Agent": OTHER_BROWSER})  # a second client
    assert figures(client, world, rid)["by_channel"] == {"page": 2}

    clock.now += timedelta(days=1)
    client.get(f"/releases/{rid}", headers={"User-Agent": BROWSER})
    found = figures(client, world, rid)
    assert found["by_channel"] == {"page": 3} and found["total"] == 3
    assert found["daily"] == [
        {"day": "2026-12-03", "page": 2},
        {"day": "2026-12-04", "page": 1},
    ]
    assert found["by_country"] == {"unknown": 3} and found["by_language"] == {"en": 3}


def test_bots_prefetches_and_head_requests_are_not_counted(
    client: TestClient, world: World, clock: Clock
) -> None:
    rid = published(client, world)
    assert client.get(f"/releases/{rid}", headers={"User-Agent": BOT}).status_code == 200
    for header in ({"Sec-Purpose": "prefetch"}, {"Purpose": "prefetch"}, {"X-Moz": "prefetch"}):
        assert client.get(f"/releases/{rid}", headers={"User-Agent": BROWSER, **header}).is_success
    client.head(f"/releases/{rid}", headers={"User-Agent": BROWSER})
    assert figures(client, world, rid)["total"] == 0


def test_each_channel_is_counted_apart_and_no_address_is_stored(
    client: TestClient, world: World, clock: Clock
) -> None:
    rid = published(client, world)
    headers = {"User-Agent": BROWSER}
    client.get(f"/releases/{rid}/v1", headers=headers)
    client.get(f"/releases/{rid}.json", headers=headers)
    client.get(f"/releases/{rid}/v1.xml", headers=headers)
    assert client.get(f"/embed/{rid}", headers=headers).status_code == 200
    found = figures(client, world, rid)
    # its ninjs and its NewsML-G2, fetched by one client on one day: one document read
    assert found["by_channel"] == {"page": 1, "document": 1, "embed": 1}

    engine = client.app.state.db.engine
    with engine.connect() as c:
        stored = [
            repr(row)
            for table in ("readership_counts", "readership_marks")
            for row in c.execute(sa.text(f"SELECT * FROM {table}"))
        ]
    assert stored and not any("testclient" in r or BROWSER in r for r in stored)
    assert not any("127.0.0.1" in r for r in stored)


def test_marks_older_than_two_days_are_deleted(
    client: TestClient, world: World, clock: Clock
) -> None:
    rid = published(client, world)
    client.get(f"/releases/{rid}", headers={"User-Agent": BROWSER})
    clock.now += timedelta(days=3)
    client.get(f"/releases/{rid}", headers={"User-Agent": BROWSER})
    with client.app.state.db.engine.connect() as c:
        days = [d for (d,) in c.execute(sa.text("SELECT day FROM readership_marks"))]
    assert [str(d) for d in days] == ["2026-12-06"]


def test_the_country_comes_from_a_trusted_header_only_when_configured(
    tmp_path: Path, database_url: str, world: World
) -> None:
    from newswire.config import load_settings
    from newswire.web.app import create_app

    settings = load_settings(
        tmp_path, database_url=database_url, base_url="http://testserver",
        country_header="CF-IPCountry",
    )  # fmt: skip
    with TestClient(create_app(settings, run_scheduler=False)) as web:
        rid = published(web, world)
        web.get(f"/releases/{rid}", headers={"User-Agent": BROWSER, "CF-IPCountry": "de"})
        web.get(f"/releases/{rid}", headers={"User-Agent": OTHER_BROWSER, "CF-IPCountry": "XX"})
        assert figures(web, world, rid)["by_country"] == {"DE": 1, "unknown": 1}


def test_only_the_issuer_and_the_desk_see_the_figures(
    client: TestClient, world: World, clock: Clock
) -> None:
    rid = published(client, world)
    url = f"/api/v1/releases/{rid}/readership"
    assert client.get(url, headers=world.headers("other_issuer")).status_code == 404
    assert client.get(url, headers=world.headers("editor")).status_code == 200
    assert client.get(url).status_code == 401


def test_the_distribution_report_shows_the_reads_beside_the_deliveries(
    tmp_path: Path, database_url: str, world: World
) -> None:
    from newswire.config import load_settings
    from newswire.web.app import create_app
    from web_pages import login

    settings = load_settings(
        tmp_path, database_url=database_url, base_url="http://testserver",
        country_header="CF-IPCountry",
    )  # fmt: skip
    with TestClient(create_app(settings, run_scheduler=False)) as web:
        rid = published(web, world)
        assert login(web, "issuer").status_code == 303
        empty = web.get(f"/portal/releases/{rid}/report").text
        assert "Readership</h2>" in empty and "No reads counted yet." in empty
        assert "no potential audience is estimated" in empty

        web.get(f"/releases/{rid}", headers={"User-Agent": BROWSER, "CF-IPCountry": "PT"})
        web.get(f"/embed/{rid}", headers={"User-Agent": BROWSER, "CF-IPCountry": "PT"})
        web.get(f"/releases/{rid}", headers={"User-Agent": OTHER_BROWSER})
        html = web.get(f"/portal/releases/{rid}/report").text
        assert 'id="chart-readership" role="img"' in html
        assert "Counted reads, by day and channel</title>" in html
        assert "Counted reads by country</title>" in html
        table = html[
            html.index('id="readership-caption"') : html.index(
                "</table>", html.index('id="readership-caption"')
            )
        ]
        assert "Portugal" in table and "Unknown" in table
        assert "Release page" in table and "Embeds" in table
        assert '<td class="num">3</td></tr></tfoot>' in table

        german = web.get(f"/portal/releases/{rid}/report?ui=de", headers={"Accept-Language": "de"})
        assert "Leserschaft" in german.text


def test_an_edition_page_and_its_document_count_in_the_editions_language(
    client: TestClient, world: World, clock: Clock
) -> None:
    from browser.newsroom_seed import EDITIONS
    from newswire.publish.sign import signed_edition
    from newswire.store.models import Edition, Release, ReleaseVersion

    rid = published(client, world)
    now = datetime.now(UTC)
    with client.app.state.db.session() as s:
        edition = s.query(Edition).filter_by(release_id=rid, language="de").one()
        edition.status, edition.content = "approved", dict(EDITIONS["de"])
        edition.approved_by, edition.approved_at, edition.updated_at = "desk", now, now
        release = s.get(Release, rid)
        version = s.query(ReleaseVersion).filter_by(release_id=rid, number=1).one()
        signed_edition(s, client.app.state.settings, release, version, edition)  # as approval does
    headers = {"User-Agent": BROWSER}
    assert client.get(f"/releases/{rid}/de", headers=headers).status_code == 200
    assert client.get(f"/releases/{rid}/de/v1.json", headers=headers).status_code == 200
    assert client.get(f"/releases/{rid}/fr", headers=headers).status_code == 404  # not counted
    found = figures(client, world, rid)
    assert found["by_channel"] == {"edition": 1, "document": 1}
    assert found["by_language"] == {"de": 2}
