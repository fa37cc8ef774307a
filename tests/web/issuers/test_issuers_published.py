"""What readers see of a verified issuer: its domains and confirmed tickers on its newsroom page
and in the ninjs of its releases (valid ninjs 2.2); the desk sees the impersonation check."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from builders import World, release_payload
from newswire.actions.scheduler import run_once
from standards import validate_ninjs


def _verify(client: TestClient, world: World) -> None:
    org = world.issuer.organization_id
    created = client.post(
        f"/api/v1/organizations/{org}/domains",
        json={"domain": "acme.example"},
        headers=world.headers("issuer"),
    ).json()
    verified = client.post(
        f"/api/v1/organizations/{org}/domains/{created['id']}/verify",
        json={"reason": "Registrant confirmed by phone"},
        headers=world.headers("admin"),
    )
    assert verified.status_code == 200, verified.text
    ticker = client.post(
        f"/api/v1/organizations/{org}/tickers",
        json={"symbol": "XETRA:ACR"},
        headers=world.headers("issuer"),
    ).json()
    assert (
        client.post(
            f"/api/v1/tickers/{ticker['id']}/confirm", headers=world.headers("editor")
        ).status_code
        == 200
    )


def test_a_verified_issuers_domains_and_tickers_are_on_its_page_and_in_ninjs(
    client: TestClient, world: World
) -> None:
    _verify(client, world)
    page = client.get("/newsroom/acme")
    assert page.status_code == 200
    assert '<span class="verified-domain">acme.example</span>' in page.text
    assert '<span class="confirmed-ticker">XETRA:ACR</span>' in page.text

    created = client.post(
        "/api/v1/releases?submit=true", json=release_payload(), headers=world.headers("issuer")
    ).json()
    checks = {r["name"]: r for r in created["checks"]["results"]}
    assert checks["impersonation"]["passed"], checks["impersonation"]["message"]
    approved = client.post(
        f"/api/v1/releases/{created['id']}/approve", headers=world.headers("editor")
    )
    assert approved.status_code == 200, approved.text
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    doc = client.get(f"/releases/{created['id']}.json").json()
    validate_ninjs(doc)
    issuer = doc["organisations"][0]
    assert issuer["contactinfo"] == [
        {
            "type": "domain",
            "role": "urn:newswire:trust:verified-domain",
            "name": "Verified domain",
            "value": "acme.example",
        }
    ]
    assert [s["symbol"] for s in issuer["symbols"]] == ["XETRA:ACR"]
    assert json.dumps(doc)  # the document as served is the one signed


def test_the_desk_sees_why_an_impersonating_release_is_blocked(
    client: TestClient, world: World
) -> None:
    _verify(client, world)
    created = client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(
            headline="Acme Renewables AG Announces Record Results",
            body="Acme Renewables AG today reported record results for the year.",
        ),
        headers=world.headers("other_issuer"),
    ).json()
    checks = {r["name"]: r for r in created["checks"]["results"]}
    found = checks["impersonation"]
    assert found["severity"] == "error"
    assert (
        "which belongs to Acme Renewables AG; the issuer Globex Corp has not verified it"
        in (found["message"])
    )
    refused = client.post(
        f"/api/v1/releases/{created['id']}/approve", headers=world.headers("editor")
    )
    assert refused.status_code in (409, 422), refused.text
