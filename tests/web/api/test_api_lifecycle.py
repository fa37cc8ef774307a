"""A release goes from draft to published over the HTTP API, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from builders import World, release_payload
from newswire.actions.scheduler import run_once
from standards import validate_newsml, validate_ninjs


def _publish_now(client: TestClient, world: World, **overrides: object) -> dict:
    created = client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(**overrides),
        headers=world.headers("issuer"),
    )
    assert created.status_code == 201, created.text
    release = created.json()
    approved = client.post(
        f"/api/v1/releases/{release['id']}/approve", headers=world.headers("editor")
    )
    assert approved.status_code == 200, approved.text
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    return client.get(f"/api/v1/releases/{release['id']}", headers=world.headers("issuer")).json()


def test_a_submitted_release_is_reviewed_scheduled_and_published(
    client: TestClient, world: World
) -> None:
    created = client.post(
        "/api/v1/releases", json=release_payload(), headers=world.headers("issuer")
    )
    assert created.status_code == 201
    release = created.json()
    assert release["state"] == "draft"
    assert release["organization"] == "acme"
    assert "submit" in release["allowed_actions"]

    submitted = client.post(
        f"/api/v1/releases/{release['id']}/submit", headers=world.headers("issuer")
    )
    assert submitted.json()["state"] == "submitted"
    assert {c["name"] for c in submitted.json()["checks"]["results"]} >= {
        "headline_length",
        "links",
    }

    approved = client.post(
        f"/api/v1/releases/{release['id']}/approve", headers=world.headers("editor")
    )
    assert approved.json()["state"] == "scheduled"
    assert client.get(f"/releases/{release['id']}").status_code == 404  # not public before its time

    assert run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1)) == [
        release["id"]
    ]
    published = client.get(
        f"/api/v1/releases/{release['id']}", headers=world.headers("issuer")
    ).json()
    assert published["state"] == "published"
    assert published["current_version"] == 1
    assert published["public_url"] == f"http://testserver/releases/{release['id']}"

    page = client.get(f"/releases/{release['id']}")
    assert page.status_code == 200
    assert "Acme Renewables Commissions 640 MW North Sea Wind Farm" in page.text


def test_every_move_is_recorded_with_who_when_and_why(client: TestClient, world: World) -> None:
    rid = client.post(
        "/api/v1/releases?submit=true", json=release_payload(), headers=world.headers("issuer")
    ).json()["id"]
    client.post(
        f"/api/v1/releases/{rid}/request-changes",
        json={"reason": "Add a media contact phone"},
        headers=world.headers("editor"),
    )
    client.put(
        f"/api/v1/releases/{rid}",
        json=release_payload(headline="Acme Renewables Commissions Nordlicht II Wind Farm"),
        headers=world.headers("issuer"),
    )
    client.post(f"/api/v1/releases/{rid}/submit", headers=world.headers("issuer"))
    client.post(
        f"/api/v1/releases/{rid}/reject",
        json={"reason": "Duplicate of an earlier release"},
        headers=world.headers("editor"),
    )

    moves = client.get(
        f"/api/v1/releases/{rid}/transitions", headers=world.headers("issuer")
    ).json()
    assert [(m["action"], m["from_state"], m["to_state"]) for m in moves] == [
        ("create", "draft", "draft"),
        ("submit", "draft", "submitted"),
        ("request_changes", "submitted", "changes_requested"),
        ("edit", "changes_requested", "changes_requested"),
        ("submit", "changes_requested", "submitted"),
        ("reject", "submitted", "rejected"),
    ]
    assert moves[2]["actor"] == "key:editor" and moves[2]["reason"] == "Add a media contact phone"
    assert moves[5]["role"] == "editor" and moves[5]["at"]


def test_an_embargoed_release_stays_invisible_until_its_lift_time(
    client: TestClient, world: World
) -> None:
    lift = datetime.now(UTC) + timedelta(hours=3)
    rid = client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(embargo_until=lift.isoformat()),
        headers=world.headers("issuer"),
    ).json()["id"]
    assert (
        client.post(f"/api/v1/releases/{rid}/approve", headers=world.headers("editor")).json()[
            "state"
        ]
        == "embargoed"
    )

    forced = client.post(f"/api/v1/releases/{rid}/publish", headers=world.headers("editor"))
    assert forced.status_code == 409 and "embargoed until" in forced.json()["message"]
    assert run_once(client.app.state.db, now=lift - timedelta(seconds=1)) == []
    for path in (
        "/",
        "/releases/",
        f"/releases/{rid}",
        f"/releases/{rid}/v1",
        f"/releases/{rid}/v1.json",
    ):
        response = client.get(path)
        assert "North Sea Wind Farm" not in response.text, path

    assert run_once(client.app.state.db, now=lift) == [rid]
    assert "North Sea Wind Farm" in client.get("/").text
    ninjs = client.get(f"/releases/{rid}/v1.json").json()
    assert ninjs["embargoed"].startswith(lift.strftime("%Y-%m-%dT%H:%M"))


def test_published_formats_validate_against_the_iptc_standards(
    client: TestClient, world: World
) -> None:
    release = _publish_now(client, world)
    ninjs = client.get(
        f"/api/v1/releases/{release['id']}/versions/1?format=ninjs", headers=world.headers("issuer")
    )
    validate_ninjs(ninjs.json())
    newsml = client.get(f"/releases/{release['id']}/v1.xml")
    assert newsml.headers["content-type"].startswith("application/vnd.iptc.g2.newsitem+xml")
    validate_newsml(newsml.content)


def test_the_public_page_carries_attribution_disclaimer_and_tags(
    client: TestClient, world: World
) -> None:
    created = client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(language="en"),
        headers=world.headers("issuer"),
    ).json()
    placed = client.post(
        f"/api/v1/releases/{created['id']}/placement",
        json={"sections": ["daily-news"], "top_story": True},
        headers=world.headers("editor"),
    )
    assert placed.json()["sections"] == ["top-story", "daily-news"]
    client.post(f"/api/v1/releases/{created['id']}/approve", headers=world.headers("editor"))
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))

    page = client.get(f"/releases/{created['id']}").text
    attribution = page.index('class="attribution"')
    body = page.index("Nordlicht II</strong>")
    disclaimer = page.index("provided by a third-party content provider")
    tags = page.index("Industries:")
    assert attribution < body < disclaimer < tags
    assert "Top story, Daily news, Wind power" in page or "Top story, Daily news, Wind" in page
    assert "HAMBURG, Germany" in page
    ninjs = client.get(f"/releases/{created['id']}/v1.json").json()
    assert ninjs["urgency"] < 5


def test_a_correction_is_a_new_version_and_the_first_never_changes(
    client: TestClient, world: World
) -> None:
    release = _publish_now(client, world)
    rid = release["id"]
    v1_before = client.get(f"/releases/{rid}/v1.json").content

    correction = client.post(
        f"/api/v1/releases/{rid}/corrections",
        json={
            "release": release_payload(
                subheadline="Nordlicht II will power about 690,000 households"
            ),
            "reason": "Household figure",
        },
        headers=world.headers("editor"),
    )
    assert correction.status_code == 201, correction.text
    assert correction.json()["state"] == "corrected"
    assert correction.json()["current_version"] == 2

    assert client.get(f"/releases/{rid}/v1.json").content == v1_before
    v2 = client.get(f"/releases/{rid}/v2.json").json()
    validate_ninjs(v2)
    assert v2["version"] == "2"
    # the current version also at the URL a partner guesses first, pointing at its own
    latest = client.get(f"/releases/{rid}.json")
    assert latest.status_code == 200 and latest.json() == v2
    assert latest.headers["content-location"] == f"/releases/{rid}/v2.json"
    latest_xml = client.get(f"/releases/{rid}.xml")
    assert latest_xml.content == client.get(f"/releases/{rid}/v2.xml").content
    assert latest_xml.headers["content-type"].startswith("application/vnd.iptc.g2.newsitem+xml")
    assert client.get("/releases/nosuchrelease.json").status_code == 404
    versions = client.get(
        f"/api/v1/releases/{rid}/versions", headers=world.headers("issuer")
    ).json()
    assert [(v["number"], v["kind"], v["amends"]) for v in versions] == [
        (1, "original", None),
        (2, "correction", 1),
    ]
    page = client.get(f"/releases/{rid}").text
    assert "690,000" in page and "Household figure" in page and f"/releases/{rid}/v1" in page


def test_a_retraction_withdraws_the_release_publicly_with_its_reason(
    client: TestClient, world: World
) -> None:
    rid = _publish_now(client, world)["id"]
    retracted = client.post(
        f"/api/v1/releases/{rid}/retraction",
        json={"reason": "Issued in error"},
        headers=world.headers("admin"),
    )
    assert retracted.status_code == 201 and retracted.json()["state"] == "retracted"
    page = client.get(f"/releases/{rid}").text
    assert "retracted" in page and "Issued in error" in page
    assert "Nordlicht II</strong>" not in page
    v2 = client.get(f"/releases/{rid}/v2.json").json()
    assert v2["pubstatus"] == "canceled"
    validate_ninjs(v2)
    validate_newsml(client.get(f"/releases/{rid}/v2.xml").content)


def test_a_scheduled_release_publishes_at_its_time(client: TestClient, world: World) -> None:
    at = datetime.now(UTC) + timedelta(hours=1)
    rid = client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(publish_at=at.isoformat()),
        headers=world.headers("issuer"),
    ).json()["id"]
    client.post(f"/api/v1/releases/{rid}/approve", headers=world.headers("editor"))
    assert run_once(client.app.state.db, now=at - timedelta(minutes=1)) == []
    assert client.get(f"/releases/{rid}").status_code == 404
    assert run_once(client.app.state.db, now=at) == [rid]
    assert client.get(f"/releases/{rid}").status_code == 200


def test_issuers_see_only_their_own_releases(client: TestClient, world: World) -> None:
    rid = client.post(
        "/api/v1/releases", json=release_payload(), headers=world.headers("issuer")
    ).json()["id"]
    assert (
        client.get(f"/api/v1/releases/{rid}", headers=world.headers("other_issuer")).status_code
        == 404
    )
    assert client.get("/api/v1/releases", headers=world.headers("other_issuer")).json() == []
    assert [
        r["id"] for r in client.get("/api/v1/releases", headers=world.headers("editor")).json()
    ] == [rid]
    assert (
        client.get(
            f"/api/v1/releases/{rid}/transitions", headers=world.headers("other_issuer")
        ).status_code
        == 404
    )


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/releases" in spec["paths"]
    assert "ReleaseInput" in spec["components"]["schemas"]


def test_the_release_pages_json_ld_names_its_image_and_the_wires_logo(
    client: TestClient, world: World
) -> None:
    import json

    photo = {"url": "https://acme.example/nordlicht.jpg", "alt": "Turbines at sea"}
    release = _publish_now(client, world, attachments=[photo])
    page = client.get(f"/releases/{release['id']}").text
    start = page.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    assert data["image"] == ["https://acme.example/nordlicht.jpg"]
    logo = data["publisher"]["logo"]
    assert logo["@type"] == "ImageObject" and logo["url"].endswith("/static/logo.svg")
    served = client.get("/static/logo.svg")
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/svg")


def test_an_issuer_cannot_approve_even_when_the_checks_would_block(
    client: TestClient, world: World
) -> None:
    """The role is refused before the review checks run: an issuer learns nothing from them and
    gets a 403, not the desk's "blocking checks failed" 409 (found by the authorization matrix)."""
    first = client.post(
        "/api/v1/releases?submit=true", json=release_payload(), headers=world.headers("issuer")
    )
    assert first.status_code == 201, first.text
    twin = client.post(
        "/api/v1/releases?submit=true", json=release_payload(), headers=world.headers("issuer")
    )
    assert twin.status_code == 201, twin.text
    twin_id = twin.json()["id"]
    blocked = client.post(f"/api/v1/releases/{twin_id}/approve", headers=world.headers("editor"))
    assert blocked.status_code == 409 and "blocking checks" in blocked.json()["message"]
    refused = client.post(f"/api/v1/releases/{twin_id}/approve", headers=world.headers("issuer"))
    assert refused.status_code == 403, refused.text
    assert "blocking checks" not in refused.text
