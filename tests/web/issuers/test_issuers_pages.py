"""The portal page of verified issuers: an issuer claims a domain, sees the TXT record and the
file to publish, checks it; an admin verifies by hand; the desk confirms tickers."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from builders import World
from proof_servers import ProofServers
from web_pages import csrf, login


def _post(client: TestClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf(
        client.get(
            "/portal/verification"
            + (f"?organization={data['organization']}" if data.get("organization") else "")
        ).text
    )
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_an_issuer_proves_a_domain_from_the_portal(
    client: TestClient, world: World, proofs: ProofServers
) -> None:
    login(client, "issuer")
    page = client.get("/portal/verification")
    assert page.status_code == 200 and "Verified domains and tickers" in page.text
    added = _post(client, "/portal/verification/domains", domain="acme.example")
    assert added.status_code == 303
    page = client.get("/portal/verification").text
    record = re.search(r'<code class="txt-record">([^<]+)</code>', page)
    assert record and record.group(1).startswith("newswire-verification=nwv-")
    assert "/acme.example/.well-known/newswire-verification.txt" in page
    assert "Waiting for the proof" in page
    domain_id = re.search(r'id="domain-(\d+)"', page).group(1)  # type: ignore[union-attr]
    proofs.zone.txt["acme.example"] = [record.group(1)]
    checked = _post(client, f"/portal/verification/domains/{domain_id}/check")
    assert checked.status_code == 303 and checked.headers["location"].endswith("done=checked")
    page = client.get(checked.headers["location"]).text
    assert "Checked." in page and ">Verified<" in page


def test_a_bad_domain_shows_the_page_again_with_the_reason(
    client: TestClient, world: World
) -> None:
    login(client, "issuer")
    refused = _post(client, "/portal/verification/domains", domain="not a domain")
    assert refused.status_code == 422
    assert "is not a valid domain name" in refused.text


def test_an_admin_verifies_a_domain_by_hand_with_a_reason(client: TestClient, world: World) -> None:
    login(client, "admin")
    added = _post(
        client, "/portal/verification/domains", domain="acme.example", organization="acme"
    )
    assert added.status_code == 303, added.text
    page = client.get("/portal/verification?organization=acme").text
    domain_id = re.search(r'id="domain-(\d+)"', page).group(1)  # type: ignore[union-attr]
    assert "Verify by hand" in page
    verified = _post(
        client, f"/portal/verification/domains/{domain_id}/verify",
        reason="Letter on the registrant's paper", organization="acme",
    )  # fmt: skip
    assert verified.status_code == 303
    page = client.get("/portal/verification?organization=acme").text
    assert "Letter on the registrant&#39;s paper" in page and ">Verified<" in page


def test_the_desk_confirms_a_claimed_ticker(client: TestClient, world: World) -> None:
    login(client, "issuer")
    assert _post(client, "/portal/verification/tickers", symbol="xetra:acr").status_code == 303
    assert "Waiting for the desk" in client.get("/portal/verification").text
    client.cookies.clear()
    login(client, "editor")
    queue = client.get("/desk/tickers")
    assert queue.status_code == 200 and "XETRA:ACR" in queue.text
    ticker_id = re.search(r"/desk/tickers/(\d+)/confirm", queue.text).group(1)  # type: ignore[union-attr]
    confirmed = client.post(
        f"/desk/tickers/{ticker_id}/confirm",
        data={"csrf_token": csrf(queue.text)},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert "XETRA:ACR" in client.get("/newsroom/acme").text


def test_the_operator_verifies_a_waiting_domain_by_hand(client: TestClient, world: World) -> None:
    login(client, "issuer")
    assert _post(client, "/portal/verification/domains", domain="acme.example").status_code == 303
    client.cookies.clear()
    login(client, "admin")
    page = client.get("/operator/domains")
    assert page.status_code == 200 and "acme.example" in page.text
    domain_id = re.search(r'id="domain-(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    org_id = str(world.issuer.organization_id)
    token = csrf(page.text)
    empty = client.post(
        f"/operator/domains/{domain_id}/verify",
        data={"csrf_token": token, "organization_id": org_id, "reason": ""},
        follow_redirects=False,
    )
    assert empty.status_code == 422 and "a reason is required" in empty.text
    done = client.post(
        f"/operator/domains/{domain_id}/verify",
        data={"csrf_token": token, "organization_id": org_id, "reason": "Called the registrant"},
        follow_redirects=True,
    )
    assert "Domain verified by hand." in done.text and "Called the registrant" in done.text
    assert "acme.example" in client.get("/newsroom/acme").text


def test_an_issuer_cannot_open_the_operators_domains(client: TestClient, world: World) -> None:
    login(client, "issuer")
    assert client.get("/operator/domains").status_code == 403
