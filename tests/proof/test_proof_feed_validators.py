"""Suite 9 (issue 15), feeds: every kind of feed the wire serves, in RSS and Atom through the
W3C Feed Validation Service's own code (shared/tools/feedvalidator), and in JSON Feed against
a JSON Schema of JSON Feed 1.1. No errors anywhere; the validator's warnings are printed.

The feeds are those of `newswire.web.feeds`' routes: everything (first and second page), each
industry, region (a country and a group), language (every wire language, the editions among
them) and issuer, and a combination of filters, over a wire that holds originals in four
languages and scripts (right-to-left and CJK among them), a human translation, a correction
and a retraction."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from newswire import taxonomy
from newswire.actions import editions
from newswire.actions import releases as actions
from newswire.actions.scheduler import run_once
from newswire.config import Settings
from newswire.intake.validate import ReleaseInput, content_from_input
from newswire.store import feeds as store_feeds
from newswire.store.db import Database
from newswire.translate.engines import EngineRegistry
from newswire.web import feeds as web_feeds
from newswire.web.app import create_app
from proof_scale import proof_scale
from standards import feed_findings, jsonfeed_errors

# Feed pages of 5 in CI (the real 20 under --full), and enough fillers for a second page
PAGE_SIZE = proof_scale(5, store_feeds.PAGE_SIZE)
FILLERS = proof_scale(PAGE_SIZE + 1, 3 * PAGE_SIZE)

JAPANESE = {
    "headline": "アクメ、北海に洋上風力発電所を稼働",
    "subheadline": "六十八万世帯分の電力を供給",
    "dateline": {"city": "Tokyo", "country": "JP"},
    "body": "アクメは本日、北海で洋上風力発電所の運転を開始しました。\n\n四十三基の風車が稼働します。",
    "boilerplate": "アクメは風力発電所を運営しています。",
    "language": "ja",
    "industries": ["oil-gas"],
    "regions": ["JP"],
    "keywords": [],
    "tickers": [],
    "target_languages": [],
}
ARABIC = {
    "headline": "أكمي تفتتح مزرعة رياح بحرية في بحر الشمال",
    "subheadline": "ستزود نحو ستمئة ألف منزل بالكهرباء",
    "dateline": {"city": "Dubai", "country": "AE"},
    "body": "أعلنت شركة أكمي اليوم عن تشغيل مزرعة رياح بحرية جديدة.\n\nتضم المزرعة ثلاثة وأربعين توربيناً.",
    "boilerplate": "أكمي شركة تبني مزارع الرياح وتشغلها.",
    "language": "ar",
    "industries": ["banking"],
    "regions": ["AE"],
    "keywords": [],
    "tickers": [],
    "target_languages": [],
}
GERMAN = {
    "headline": "Acme Speicher nimmt Batteriepark in Brandenburg in Betrieb",
    "subheadline": None,
    "dateline": {"city": "Berlin", "country": "DE"},
    "body": "Die Acme Renewables AG hat heute ihren größten Batteriespeicher in Betrieb genommen.",
    "boilerplate": "Die Acme Renewables AG baut Wind- und Solarparks in Europa.",
    "language": "de",
    "industries": ["solar-power"],
    "regions": ["EU"],
    "keywords": [],
    "tickers": [],
    "target_languages": [],
}
GERMAN_EDITION = {
    "headline": "Acme nimmt Windpark Nordlicht II in der Nordsee in Betrieb",
    "body": "Acme hat heute den Windpark Nordlicht II in Betrieb genommen. Er hat 43 Turbinen.",
}


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """About what the documents say, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


@pytest.fixture
def client(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setattr(store_feeds, "PAGE_SIZE", PAGE_SIZE)  # read at each page's query
    app = create_app(settings, run_scheduler=False)
    web_feeds.install(app)
    with TestClient(app) as test_client:
        yield test_client


def _publish(db: Database, world: World, who: str, now: datetime, **overrides: Any) -> str:
    """Filed, approved (checks overridden: this is not about review) and published."""
    payload = ReleaseInput.model_validate(release_payload(**overrides))
    content = content_from_input(payload, now=now)
    with db.session() as s:
        release = actions.create_release(s, getattr(world, who), content, submit=True, now=now)
        actions.approve(s, world.editor, release.id, override_reason="validator suite", now=now)
        rid = release.id
    assert rid in run_once(db, now=now + timedelta(seconds=1))
    return rid


@pytest.fixture
def wire(client: TestClient, world: World) -> dict[str, str]:
    """Originals in en, de, ja and ar from two issuers, a German edition approved by hand, a
    correction, a retraction, and enough fillers for a second page."""
    db = client.app.state.db
    start = datetime.now(UTC) - timedelta(hours=2)
    at = iter(start + timedelta(seconds=10 * n) for n in range(FILLERS + 10))
    for n in range(FILLERS):
        _publish(db, world, "other_issuer", next(at),
                 headline=f"Globex files quarterly report number {n}", target_languages=[],
                 industries=["banking"], regions=["US"])  # fmt: skip
    rids = {
        "english": _publish(db, world, "issuer", next(at)),  # wind-power, DE+EU, target de
        "german": _publish(db, world, "issuer", next(at), **GERMAN),
        "japanese": _publish(db, world, "other_issuer", next(at), **JAPANESE),
        "arabic": _publish(db, world, "other_issuer", next(at), **ARABIC),
        "corrected": _publish(
            db, world, "issuer", next(at), headline="Acme hires 300 people", target_languages=[]
        ),
        "retracted": _publish(
            db, world, "issuer", next(at), headline="Acme buys Initech", target_languages=[]
        ),
    }
    now = datetime.now(UTC)
    editions.translate_due(db, EngineRegistry(), now=now)  # no engine knows en->de here
    with db.session() as s:
        editions.post_edit(s, world.editor, rids["english"], "de", GERMAN_EDITION, now=now)
    with db.session() as s:
        editions.approve_edition(s, world.editor, rids["english"], "de", now=now)
    corrected = client.post(
        f"/api/v1/releases/{rids['corrected']}/corrections",
        json={
            "release": release_payload(headline="Acme hires 320 people", target_languages=[]),
            "reason": "Head count",
        },
        headers=world.headers("editor"),
    )
    assert corrected.status_code == 201, corrected.text
    retracted = client.post(
        f"/api/v1/releases/{rids['retracted']}/retraction",
        json={"reason": "Published in error"},
        headers=world.headers("editor"),
    )
    assert retracted.status_code == 201, retracted.text
    return rids


def feed_paths() -> list[str]:
    """Every route of `newswire.web.feeds` with the values the wire above fills (and a
    language feed for each wire language, most of them empty)."""
    paths = [
        "/feeds/releases.{fmt}",
        "/feeds/releases.{fmt}?page=2",
        "/feeds/industry/energy.{fmt}",
        "/feeds/industry/wind-power.{fmt}",
        "/feeds/industry/medtop:20000256.{fmt}",
        "/feeds/region/DE.{fmt}",
        "/feeds/region/EU.{fmt}",
        "/feeds/region/JP.{fmt}",
        "/feeds/issuer/acme.{fmt}",
        "/feeds/issuer/globex.{fmt}",
        "/feeds/issuer/globex.{fmt}?page=2",
        "/feeds/releases.{fmt}?industry=energy&region=EU&lang=de&issuer=acme",
        "/feeds/language/en.{fmt}?industry=wind-power",
    ]
    paths += [f"/feeds/language/{lang}.{{fmt}}" for lang in taxonomy.LANGUAGES]
    return paths


def _get(client: TestClient, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text)
    return response.content


def test_every_feed_passes_the_w3c_feed_validator_or_json_feed_1_1(
    client: TestClient, wire: dict[str, str], proof_figures: Callable[[str], None]
) -> None:
    """One test, so the wire is built once for both checks."""
    german = json.loads(_get(client, "/feeds/language/de.json"))["items"]
    assert f"urn:newswire:release:{wire['english']}:de" in {i["id"] for i in german}  # edition
    assert {i["language"] for i in german} == {"de"}
    _rss_and_atom_pass_the_w3c_feed_validator(client, proof_figures)
    _json_feeds_are_json_feed_1_1(client, proof_figures)


def _rss_and_atom_pass_the_w3c_feed_validator(
    client: TestClient, proof_figures: Callable[[str], None]
) -> None:
    checked, entries = 0, 0
    failures, warnings_seen = [], defaultdict(list)
    for path in feed_paths():
        for fmt, kind in (("rss", "rss2"), ("atom", "atom")):
            url = path.format(fmt=fmt)
            body = _get(client, url)
            seen, errors, warnings = feed_findings(body, f"http://testserver{url}")
            assert seen == kind, (url, seen)
            failures += [f"{url}: {e}" for e in errors]
            for warning in dict.fromkeys(w.split(": ", 1)[-1] for w in warnings):
                warnings_seen[warning].append(url)
            checked += 1
            entries += body.count(b"<item>" if fmt == "rss" else b"<entry")
    assert entries > 0
    assert not failures, "\n".join(failures)
    proof_figures(
        f"{checked} RSS/Atom feeds ({entries} entries) through the W3C feed validator: "
        f"0 errors, {len(warnings_seen)} distinct warnings"
        + "".join(
            f"\n    warning in {len(urls)} feeds ({', '.join(urls[:3])}, ...): {w}"
            for w, urls in sorted(warnings_seen.items())
        )
    )


def _json_feeds_are_json_feed_1_1(client: TestClient, proof_figures: Callable[[str], None]) -> None:
    checked, items = 0, 0
    failures = []
    for path in feed_paths():
        url = path.format(fmt="json")
        doc = json.loads(_get(client, url))
        failures += [f"{url}: {e}" for e in jsonfeed_errors(doc)]
        checked += 1
        items += len(doc["items"])
    assert not failures, "\n".join(failures)
    proof_figures(f"{checked} JSON feeds ({items} items) valid JSON Feed 1.1: 0 errors")


def test_the_json_feed_schema_catches_what_the_spec_forbids() -> None:
    """The schema is not a rubber stamp: each of these breaks a rule of the 1.1 spec."""
    valid = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "items": [{"id": "1", "content_text": "x", "date_published": "2026-01-02T03:04:05Z"}],
    }
    assert jsonfeed_errors(valid) == []
    item = valid["items"][0]
    broken = [
        {**valid, "version": "https://jsonfeed.org/version/1"},
        {k: v for k, v in valid.items() if k != "title"},
        {**valid, "items": [{"id": "1"}]},  # neither content_html nor content_text
        {**valid, "items": [{**item, "date_published": "2 Jan 2026"}]},
        {**valid, "items": [{**item, "id": 1}]},
        {**valid, "authors": [{}]},
        {**valid, "hubs": [{"type": "WebSub"}]},
        {**valid, "feed_url": "not a url"},
        {**valid, "items": [{**item, "tag": ["typo"]}]},
        {**valid, "_ext": "an extension must be an object"},
    ]
    for doc in broken:
        assert jsonfeed_errors(doc), doc


def test_the_feed_validator_reports_what_atom_requires() -> None:
    """The validator is not a rubber stamp: an Atom feed without ids, dates and authors."""
    bare = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>x</title><entry><title>a</title></entry></feed>"
    )
    kind, errors, _ = feed_findings(bare, "http://testserver/feeds/releases.atom")
    assert kind == "atom"
    assert any("Missing feed element: id" in e for e in errors), errors
    assert any("Missing entry element: author" in e for e in errors), errors
