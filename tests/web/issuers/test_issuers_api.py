"""The verified-issuer API: domains and tickers of an organization, roles, clear errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from builders import World
from proof_servers import ProofServers


def _domains(world: World) -> str:
    return f"/api/v1/organizations/{world.issuer.organization_id}/domains"


def test_an_issuer_claims_a_domain_sees_what_to_publish_and_checks_it(
    client: TestClient, world: World, proofs: ProofServers
) -> None:
    created = client.post(
        _domains(world), json={"domain": "Acme.Example"}, headers=world.headers("issuer")
    )
    assert created.status_code == 201, created.text
    domain = created.json()
    assert domain["status"] == "pending"
    assert domain["txt_record"].startswith("newswire-verification=nwv-")
    assert domain["file_url"].endswith("/acme.example/.well-known/newswire-verification.txt")
    proofs.zone.txt["acme.example"] = [domain["txt_record"]]
    checked = client.post(
        f"{_domains(world)}/{domain['id']}/check", headers=world.headers("issuer")
    )
    assert checked.status_code == 200, checked.text
    assert (checked.json()["status"], checked.json()["method"]) == ("verified", "dns")
    listed = client.get(_domains(world), headers=world.headers("editor")).json()
    assert [d["domain"] for d in listed] == ["acme.example"]


def test_bad_input_and_other_organizations_get_4xx_naming_the_problem(
    client: TestClient, world: World
) -> None:
    bad = client.post(
        _domains(world), json={"domain": "not a domain"}, headers=world.headers("issuer")
    )
    assert bad.status_code == 422 and "not a valid domain" in bad.json()["message"]
    foreign = client.post(
        _domains(world), json={"domain": "x.example"}, headers=world.headers("other_issuer")
    )
    assert foreign.status_code == 404
    missing = client.post(f"{_domains(world)}/999/check", headers=world.headers("issuer"))
    assert missing.status_code == 404
    created = client.post(
        _domains(world), json={"domain": "acme.example"}, headers=world.headers("issuer")
    ).json()
    again = client.post(
        _domains(world), json={"domain": "ACME.example"}, headers=world.headers("issuer")
    )
    assert (
        again.status_code == 409 and "already one of this organization" in again.json()["message"]
    )
    by_editor = client.post(
        f"{_domains(world)}/{created['id']}/verify",
        json={"reason": "phoned"},
        headers=world.headers("editor"),
    )
    assert by_editor.status_code == 403
    by_admin = client.post(
        f"{_domains(world)}/{created['id']}/verify",
        json={"reason": "Signed letter from the registrant"},
        headers=world.headers("admin"),
    )
    assert by_admin.status_code == 200 and by_admin.json()["method"] == "manual"


def test_the_desk_confirms_a_ticker_the_issuer_claimed(client: TestClient, world: World) -> None:
    path = f"/api/v1/organizations/{world.issuer.organization_id}/tickers"
    claimed = client.post(path, json={"symbol": "xetra:acr"}, headers=world.headers("issuer"))
    assert claimed.status_code == 201 and claimed.json()["symbol"] == "XETRA:ACR"
    ticker_id = claimed.json()["id"]
    assert (
        client.post(
            f"/api/v1/tickers/{ticker_id}/confirm", headers=world.headers("issuer")
        ).status_code
        == 403
    )
    confirmed = client.post(f"/api/v1/tickers/{ticker_id}/confirm", headers=world.headers("editor"))
    assert confirmed.json()["status"] == "confirmed"
    bad = client.post(path, json={"symbol": "ACR"}, headers=world.headers("issuer"))
    assert bad.status_code == 422 and "EXCHANGE:SYMBOL" in bad.json()["message"]


def test_the_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/organizations/{organization_id}/domains" in paths
    assert "/api/v1/tickers/{ticker_id}/confirm" in paths
