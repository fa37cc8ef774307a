"""Who gets a release: the engine's matches, minus anyone unsubscribed or suppressed, in the
recipient's language; reach for drafts; double opt-in and one-click unsubscribe."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from newswire.channels.mailfolder import list_messages


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """These are about behaviour, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


def recipient(name: str, email: str, **subscription: object) -> dict:
    languages = subscription.pop("recipient_languages", ["en"])
    return {
        "kind": "journalist",
        "name": name,
        "email": email,
        "languages": languages,
        "countries": subscription.pop("countries", ["DE"]),
        "outlet": {"name": f"{name} Times", "type": "newspaper", "country": "DE"},
        "subscriptions": [{"name": "beat", **subscription}],
    }


def _add(client: TestClient, world: World, body: dict) -> dict:
    response = client.post("/api/v1/recipients", json=body, headers=world.headers("editor"))
    assert response.status_code == 201, response.text
    return response.json()


def _release(client: TestClient, world: World, **overrides: object) -> str:
    response = client.post(
        "/api/v1/releases", json=release_payload(**overrides), headers=world.headers("issuer")
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _targets(client: TestClient, world: World, release_id: str) -> dict[str, dict]:
    response = client.get(f"/api/v1/releases/{release_id}/targets", headers=world.headers("editor"))
    assert response.status_code == 200, response.text
    return {t["address"]: t for t in response.json()}


def test_targets_follow_industries_regions_queries_and_exclusions(
    client: TestClient, world: World
) -> None:
    _add(client, world, recipient("Energy", "energy@x.example", industries=["energy"]))
    _add(
        client,
        world,
        recipient("Wind", "wind@x.example", industries=["wind-power"], regions=["EU"]),
    )
    _add(client, world, recipient("Banks", "banks@x.example", industries=["banking"]))
    _add(
        client, world, recipient("Asia", "asia@x.example", industries=["energy"], regions=["ASEAN"])
    )
    _add(client, world, recipient("Query", "query@x.example", query='"offshore wind" AND North'))
    _add(
        client,
        world,
        recipient("NoAcme", "noacme@x.example", industries=["energy"], exclude_issuers=["acme"]),
    )
    rid = _release(client, world)  # wind-power, regions DE and EU, by acme

    found = _targets(client, world, rid)
    assert set(found) == {"energy@x.example", "wind@x.example", "query@x.example"}
    reasons = " ".join(found["energy@x.example"]["reasons"])
    assert "energy" in reasons


def test_a_recipient_gets_the_first_of_their_languages_the_release_has(
    client: TestClient, world: World
) -> None:
    _add(
        client,
        world,
        recipient(
            "German", "de@x.example", industries=["energy"], recipient_languages=["de", "en"]
        ),
    )
    _add(
        client,
        world,
        recipient("Thai", "th@x.example", industries=["energy"], recipient_languages=["th"]),
    )
    rid = _release(client, world, target_languages=["de"])
    found = _targets(client, world, rid)
    assert found["de@x.example"]["language"] == "de"
    assert found["th@x.example"]["language"] == "en"  # no Thai edition: the original


def test_reach_of_a_draft_counts_without_naming_anyone(client: TestClient, world: World) -> None:
    _add(client, world, recipient("One", "one@x.example", industries=["energy"]))
    _add(client, world, recipient("Two", "two@x.example", industries=["energy"], countries=["FR"]))
    partner = {
        "kind": "partner",
        "name": "Portal",
        "webhook_url": "https://portal.example/hook",
        "subscriptions": [{"industries": ["energy"]}],
    }
    _add(client, world, partner)
    response = client.post("/api/v1/reach", json=release_payload(), headers=world.headers("issuer"))
    assert response.status_code == 200, response.text
    figures = response.json()
    assert figures["journalists"] == 2 and figures["partner_sites"] == 1 and figures["outlets"] == 2
    assert figures["by_channel"] == {"email": 2, "webhook": 1}
    assert figures["by_country"] == {"DE": 1, "FR": 1, "unknown": 1}
    assert "one@x.example" not in response.text
    assert (
        client.get(
            f"/api/v1/releases/{_release(client, world)}/targets", headers=world.headers("issuer")
        ).status_code
        == 403
    )


def test_sign_up_is_double_opt_in(client: TestClient, world: World) -> None:
    settings = client.app.state.settings
    body = {
        "name": "Mia",
        "email": "mia@x.example",
        "languages": ["en"],
        "subscriptions": [{"industries": ["energy"]}],
    }
    assert client.post("/api/v1/signup", json=body).status_code == 202
    rid = _release(client, world)
    assert "mia@x.example" not in _targets(client, world, rid)  # not before confirming

    [mail] = list_messages(settings.mail_dir)
    message = message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert message["To"] == "mia@x.example"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://testserver(/confirm/\S+)", text).group(1)
    assert client.get(link).status_code == 200
    assert "mia@x.example" not in _targets(client, world, rid)  # a GET confirms nothing
    assert client.post(link).status_code == 200
    assert "mia@x.example" in _targets(client, world, rid)
    assert client.post(link).status_code == 404  # used once


def test_one_click_unsubscribe_suppresses_for_good(client: TestClient, world: World) -> None:
    from newswire.web.api.audience import unsubscribe_url

    added = _add(client, world, recipient("Leaving", "bye@x.example", industries=["energy"]))
    rid = _release(client, world)
    assert "bye@x.example" in _targets(client, world, rid)
    url = unsubscribe_url(client.app.state.settings, added["id"]).removeprefix("http://testserver")

    assert client.get(url).status_code == 200
    assert "bye@x.example" in _targets(client, world, rid)  # a GET never unsubscribes
    response = client.post(url, data={"List-Unsubscribe": "One-Click"}, follow_redirects=False)
    assert response.status_code == 200 and "unsubscribed" in response.text
    assert "bye@x.example" not in _targets(client, world, rid)

    again = client.post(
        "/api/v1/recipients",
        json=recipient("Back", "bye@x.example", industries=["energy"]),
        headers=world.headers("editor"),
    )
    assert again.status_code == 409 and again.json()["error"] == "suppressed"
    assert client.post(url[:-3] + "xyz").status_code == 404


def test_the_index_survives_a_restart_and_catches_up(
    client: TestClient, world: World, settings
) -> None:
    from newswire.web.app import create_app

    _add(client, world, recipient("Before", "before@x.example", industries=["energy"]))
    rid = _release(client, world)
    assert set(_targets(client, world, rid)) == {"before@x.example"}
    client.app.state.audience.close()  # the snapshot is written at shutdown
    assert (settings.data_dir / "targeting.idx").exists()

    with TestClient(create_app(settings, run_scheduler=False)) as restarted:
        _add(restarted, world, recipient("After", "after@x.example", industries=["energy"]))
        assert set(_targets(restarted, world, rid)) == {"before@x.example", "after@x.example"}


def test_only_the_desk_manages_recipients(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/recipients", json=recipient("X", "x@x.example"), headers=world.headers("issuer")
    )
    assert response.status_code == 403
    assert client.get("/api/v1/recipients", headers=world.headers("issuer")).status_code == 403
