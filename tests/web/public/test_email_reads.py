"""Email opens and clicks are counted only where the issuer turned measurement on and the
recipient consented; the click redirect goes only where the wire's email pointed."""

from __future__ import annotations

import asyncio
import email
import re
from email import policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from newswire.actions.readership import set_measure_consent
from newswire.actions.scheduler import run_once
from newswire.audience.inputs import RecipientInput
from newswire.audience.recipients import create_recipient
from newswire.channels.mailfolder import list_messages
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.store.models import Delivery

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SWITCH = "/api/v1/organization/email-measurement"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


def journalist(client: TestClient, address: str, *, consents: bool) -> None:
    db = client.app.state.db
    data = RecipientInput.model_validate(
        {
            "name": "Jana Becker",
            "email": address,
            "languages": ["en"],
            "countries": ["DE"],
            "subscriptions": [{"industries": ["wind-power"]}],
        }
    )
    with db.session() as s:
        recipient = create_recipient(s, data, source="test", confirmed=True)[0]
        rid = recipient.id
    if consents:
        with db.session() as s:
            set_measure_consent(s, rid, True)


def mailed(client: TestClient, world: World) -> tuple[str, dict[str, str]]:
    """Publish a release, deliver it, and return its id and each recipient's HTML part."""
    rid = client.post(
        "/api/v1/releases?submit=true", json=release_payload(), headers=world.headers("issuer")
    ).json()["id"]
    client.post(
        f"/api/v1/releases/{rid}/approve",
        json={"override_reason": "test"},
        headers=world.headers("editor"),
    )
    db = client.app.state.db
    assert run_once(db) == [rid]
    asyncio.run(DeliveryWorker(db, make_channels(db.settings), name="w").drain())
    parts = {}
    for path in list_messages(db.settings.mail_dir):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(("html",))
        assert body is not None
        parts[str(message["To"]).rpartition("<")[2].rstrip(">")] = body.get_content()
    return rid, parts


def readership(client: TestClient, world: World, rid: str) -> dict:
    return client.get(f"/api/v1/releases/{rid}/readership", headers=world.headers("issuer")).json()


def test_the_issuer_switch_is_off_by_default_and_only_the_issuer_sets_it(
    client: TestClient, world: World
) -> None:
    got = client.get(SWITCH, headers=world.headers("issuer"))
    assert got.json() == {"measure_email_opens_and_clicks": False}
    on = {"measure_email_opens_and_clicks": True}
    assert client.put(SWITCH, json=on, headers=world.headers("issuer")).json() == on
    assert client.get(SWITCH, headers=world.headers("issuer")).json() == on
    theirs = client.get(SWITCH, headers=world.headers("other_issuer")).json()
    assert theirs == {"measure_email_opens_and_clicks": False}
    refused = client.put(SWITCH, json=on, headers=world.headers("editor"))
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    bad = client.put(SWITCH, json={"measure": "yes"}, headers=world.headers("issuer"))
    assert bad.status_code == 422


def test_opens_and_clicks_are_counted_only_with_both_consents(
    client: TestClient, world: World
) -> None:
    client.put(
        SWITCH, json={"measure_email_opens_and_clicks": True}, headers=world.headers("issuer")
    )
    journalist(client, "jana@example.org", consents=True)
    journalist(client, "ann@example.org", consents=False)
    rid, parts = mailed(client, world)
    measured, plain = parts["jana@example.org"], parts["ann@example.org"]
    assert "Opens and clicks of this email are counted" in measured
    assert "Opens and clicks of this email are not counted." in plain
    assert "/r/o/" not in plain and "/r/c/" not in plain
    assert 'href="https://acme.example/nordlicht"' in plain

    pixel = re.search(r'<img src="http://testserver(/r/o/[^"]+\.gif)"', measured)
    link = re.search(r'href="http://testserver(/r/c/[^"]+)"', measured)
    assert pixel and link and 'href="https://acme.example/nordlicht"' not in measured
    got = client.get(pixel.group(1), headers={"User-Agent": BROWSER})
    assert got.status_code == 200 and got.headers["content-type"] == "image/gif"
    click = client.get(link.group(1).replace("&amp;", "&"), follow_redirects=False,
                       headers={"User-Agent": BROWSER})  # fmt: skip
    assert click.status_code == 302
    assert click.headers["location"] == "https://acme.example/nordlicht"

    with client.app.state.db.session() as s:
        ann = s.query(Delivery).filter_by(address="ann@example.org").one().id
    client.get(f"/r/o/{ann}.gif")  # a guessed pixel of an unmeasured email counts nothing
    found = readership(client, world, rid)
    assert found["by_channel"] == {"email_open": 1, "email_click": 1}
    assert found["by_country"] == {"DE": 2}


def test_without_the_issuers_switch_nothing_is_measured(client: TestClient, world: World) -> None:
    journalist(client, "jana@example.org", consents=True)
    rid, parts = mailed(client, world)
    html = parts["jana@example.org"]
    assert "/r/o/" not in html and "not counted" in html
    with client.app.state.db.session() as s:
        jana = s.query(Delivery).filter_by(address="jana@example.org").one().id
    client.get(f"/r/o/{jana}.gif")
    assert readership(client, world, rid)["total"] == 0


def test_the_click_redirect_refuses_a_changed_url(client: TestClient, world: World) -> None:
    client.put(
        SWITCH, json={"measure_email_opens_and_clicks": True}, headers=world.headers("issuer")
    )
    journalist(client, "jana@example.org", consents=True)
    rid, parts = mailed(client, world)
    link = re.search(r'href="http://testserver(/r/c/[^"]+)"', parts["jana@example.org"])
    assert link
    good = link.group(1).replace("&amp;", "&")
    forged = good.replace("acme.example", "evil.example")
    for url in (forged, good.split("&s=")[0], good.replace("/r/c/", "/r/c/x")):
        got = client.get(url, follow_redirects=False)
        assert got.status_code == 400 and "location" not in got.headers, url
        assert got.json()["error"] == "invalid_link"
    assert readership(client, world, rid)["total"] == 0


def test_a_journalist_consents_on_the_preferences_page_and_can_take_it_back(
    client: TestClient, world: World
) -> None:
    from newswire.store.models import Recipient
    from web_pages import csrf

    journalist(client, "jana@example.org", consents=False)
    page = client.get("/account/login")
    client.post("/account/login", data={"email": "jana@example.org", "csrf_token": csrf(page.text)})
    mails = list_messages(client.app.state.db.settings.mail_dir)
    text = email.message_from_bytes(mails[-1].read_bytes(), policy=policy.default)
    body = text.get_body(("plain",))
    assert body is not None
    link = re.search(r"http://testserver(/account/enter/\S+)", body.get_content())
    assert link
    button = client.get(link.group(1))
    client.post(link.group(1), data={"csrf_token": csrf(button.text)})

    def consent() -> bool:
        with client.app.state.db.session() as s:
            jana = s.query(Recipient).filter_by(email="jana@example.org").one()
            return jana.measure_consent_at is not None

    preferences = client.get("/account")
    assert "Email opens and clicks" in preferences.text
    assert 'name="measure" value="1">' in preferences.text  # off by default
    token = csrf(preferences.text)
    saved = client.post(
        "/account/measurement", data={"csrf_token": token, "measure": "1"}, follow_redirects=False
    )
    assert saved.status_code == 303 and consent()
    assert 'name="measure" value="1" checked>' in client.get("/account").text
    client.post("/account/measurement", data={"csrf_token": token})
    assert not consent()
    refused = client.post("/account/measurement", data={"measure": "1"})
    assert refused.status_code in (400, 403) and not consent()
