"""Every published version and approved edition is signed once, when it is frozen, and verifies
with the wire's public keys alone; any change to what was signed fails with the reason."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient

from builders import World, file_and_approve, release_payload
from newswire.actions.editions import translate_due
from newswire.actions.scheduler import run_once
from newswire.provenance.keys import key_ring
from newswire.provenance.verify import Outcome, verify_document
from newswire.translate.engines import EngineRegistry
from standards import validate_newsml, validate_ninjs


def publish(client: TestClient, world: World, **overrides: Any) -> str:
    rid = file_and_approve(client, world, **overrides)
    assert run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1)) == [rid]
    return rid


def check(client: TestClient, path: str, document: bytes | None = None):
    resource = client.get(f"{path}.sig")
    assert resource.status_code == 200, resource.text
    keys = client.get("/.well-known/newswire-keys.json").json()
    signed = client.get(f"{path}.json").content
    return verify_document(
        signed if document is None else document, resource.json(), keys, signed_document=signed
    )


def test_a_published_version_verifies_with_the_public_keys(
    client: TestClient, world: World
) -> None:
    rid = publish(client, world)
    verdict = check(client, f"/releases/{rid}/v1")
    assert verdict.outcome is Outcome.VERIFIED, verdict.message
    assert verdict.message.startswith(f"verified: release {rid} version 1")
    statement = verdict.statement
    assert statement["issuer"]["name"] == "Acme Renewables AG"
    assert statement["language"] == "en" and statement["amends"] is None

    xml = client.get(f"/releases/{rid}/v1.xml").content
    assert check(client, f"/releases/{rid}/v1", xml).outcome is Outcome.VERIFIED
    # the documents say where their signature is, and stay valid against their standards
    doc = client.get(f"/releases/{rid}/v1.json").json()
    validate_ninjs(doc)
    validate_newsml(xml)
    assert {t["href"] for t in doc["trustindicators"]} >= {
        f"http://testserver/releases/{rid}/v1.sig".replace("testserver", "127.0.0.1:8000")
    } or any(t["href"].endswith(f"/releases/{rid}/v1.sig") for t in doc["trustindicators"])
    headers = client.get(f"/releases/{rid}.json").headers
    assert (
        headers["newswire-signature"] == client.get(f"/releases/{rid}/v1.sig").json()["signature"]
    )
    assert f'/releases/{rid}/v1.sig>; rel="urn:newswire:rel:signature"' in headers["link"]


@pytest.mark.parametrize(
    ("tamper", "part"),
    [
        (
            lambda d: d["bodies"][0].__setitem__("value", d["bodies"][0]["value"][:-5] + "x</p>"),
            "text",
        ),
        (lambda d: d["headlines"][0].__setitem__("value", "Acme Renewables goes bankrupt"), "text"),
        (lambda d: d.__setitem__("versioncreated", "2020-01-01T00:00:00Z"), "time"),
        (lambda d: d.__setitem__("by", "Walmart Inc."), "issuer"),
        (lambda d: d.__setitem__("language", "de"), "language"),
    ],
    ids=["one character of the body", "headline", "time", "issuer", "language"],
)
def test_a_changed_document_fails_naming_what_changed(
    client: TestClient, world: World, tamper: Any, part: str
) -> None:
    rid = publish(client, world)
    doc = client.get(f"/releases/{rid}/v1.json").json()
    tamper(doc)
    verdict = check(client, f"/releases/{rid}/v1", json.dumps(doc).encode())
    assert verdict.outcome is Outcome.CHANGED
    assert part in verdict.changed
    assert "is not what Newswire signed" in verdict.message


def test_reformatting_a_document_does_not_count_as_a_change(
    client: TestClient, world: World
) -> None:
    rid = publish(client, world)
    doc = client.get(f"/releases/{rid}/v1.json").json()
    pretty = json.dumps(doc, indent=4, ensure_ascii=True).encode()
    assert check(client, f"/releases/{rid}/v1", pretty).outcome is Outcome.VERIFIED


def test_a_rotated_key_still_verifies_what_it_signed(
    client: TestClient, world: World, settings: Any
) -> None:
    first = publish(client, world)
    old = client.get(f"/releases/{first}/v1.sig").json()["kid"]
    ring = key_ring(settings.data_dir)
    new = ring.rotate()
    second = publish(client, world, headline="Acme Renewables Opens a Second Wind Farm")
    assert client.get(f"/releases/{second}/v1.sig").json()["kid"] == new.kid != old
    keys = client.get("/.well-known/newswire-keys.json").json()["keys"]
    assert [k["status"] for k in keys] == ["retired", "active"]
    assert "d" not in keys[0] and "d" not in keys[1]  # public keys only
    assert check(client, f"/releases/{first}/v1").outcome is Outcome.VERIFIED
    assert check(client, f"/releases/{second}/v1").outcome is Outcome.VERIFIED


def test_an_unknown_key_and_a_forged_signature_are_refused(
    client: TestClient, world: World
) -> None:
    rid = publish(client, world)
    resource = client.get(f"/releases/{rid}/v1.sig").json()
    document = client.get(f"/releases/{rid}/v1.json").content
    verdict = verify_document(document, resource, {"keys": []})
    assert verdict.outcome is Outcome.BAD_SIGNATURE
    assert "which the wire does not publish" in verdict.message
    keys = client.get("/.well-known/newswire-keys.json").json()
    forged = dict(
        resource, statement={**resource["statement"], "published_at": "2019-01-01T00:00:00.000Z"}
    )
    assert verify_document(document, forged, keys).outcome is Outcome.BAD_SIGNATURE


def test_a_correction_supersedes_and_a_retraction_retracts(
    client: TestClient, world: World
) -> None:
    rid = publish(client, world)
    corrected = client.post(
        f"/api/v1/releases/{rid}/corrections",
        json={
            "release": release_payload(subheadline="About 690,000 households"),
            "reason": "Figure",
        },
        headers=world.headers("editor"),
    )
    assert corrected.status_code == 201, corrected.text
    v1 = check(client, f"/releases/{rid}/v1")
    assert v1.outcome is Outcome.SUPERSEDED and "version 2 (correction)" in v1.message
    v2 = check(client, f"/releases/{rid}/v2")
    assert v2.outcome is Outcome.VERIFIED
    v1_digest = client.get(f"/releases/{rid}/v1.sig").json()["statement"]["documents"]["ninjs"]
    assert v2.statement["amends"] == {"version": 1, "ninjs_sha256": v1_digest["sha256"]}
    retracted = client.post(
        f"/api/v1/releases/{rid}/retraction",
        json={"reason": "Issued in error"},
        headers=world.headers("editor"),
    )
    assert retracted.status_code == 201, retracted.text
    assert check(client, f"/releases/{rid}/v1").outcome is Outcome.RETRACTED
    assert check(client, f"/releases/{rid}/v3").outcome is Outcome.RETRACTED


def test_an_approved_edition_is_signed_and_served_as_signed(
    client: TestClient, world: World
) -> None:
    rid = publish(client, world, target_languages=["de"])
    translate_due(client.app.state.db, EngineRegistry(), now=datetime.now(UTC))  # no engine
    assert client.get(f"/releases/{rid}/de/v1.sig").status_code == 404  # not approved yet
    edited = client.patch(
        f"/api/v1/releases/{rid}/editions/de",
        json={
            "headline": "Acme nimmt Windpark in Betrieb",
            "body": "Acme hat heute den Windpark Nordlicht II in Betrieb genommen.",
        },
        headers=world.headers("editor"),
    )
    assert edited.status_code == 200, edited.text
    approved = client.post(
        f"/api/v1/releases/{rid}/editions/de/approve", headers=world.headers("editor")
    )
    assert approved.status_code == 200, approved.text
    verdict = check(client, f"/releases/{rid}/de/v1")
    assert verdict.outcome is Outcome.VERIFIED, verdict.message
    assert verdict.statement["edition"] is True and verdict.statement["language"] == "de"
    v1 = client.get(f"/releases/{rid}/v1.sig").json()["statement"]["documents"]["ninjs"]
    assert verdict.statement["original"] == {"version": 1, "ninjs_sha256": v1["sha256"]}
    ninjs = client.get(f"/releases/{rid}/de/v1.json").json()
    validate_ninjs(ninjs)
    assert ninjs["headlines"][0]["value"] == "Acme nimmt Windpark in Betrieb"
    validate_newsml(client.get(f"/releases/{rid}/de/v1.xml").content)
    # the page shows who signed it and links to the check
    page = client.get(f"/releases/{rid}/de").text
    assert "Verifiziert: veröffentlicht von Newswire für Acme Renewables AG" in page
    assert f"/releases/{rid}/de/v1.sig" in page


def test_webhooks_carry_an_asymmetric_signature_a_partner_checks_with_the_public_key(
    settings: Any,
) -> None:
    from newswire.channels.webhook import sign

    ring = key_ring(settings.data_dir)
    header = sign("msg_1", 1700000000, b'{"a":1}', [], ring.active().key.private_key)
    scheme, value = header.split(",")
    assert scheme == "v1a"
    jwk = ring.jwks()["keys"][-1]
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    public.verify(base64.b64decode(value), b'msg_1.1700000000.{"a":1}')  # raises if wrong


def test_an_upgraded_wire_signs_what_it_published_before_it_signed(
    client: TestClient, world: World
) -> None:
    from newswire.publish.sign import sign_backlog
    from newswire.store.models import Signature

    db = client.app.state.db
    if not db.settings.is_sqlite:
        pytest.skip("the same code on both stores; the trigger is dropped here on SQLite only")
    rid = publish(client, world)
    with db.engine.begin() as connection:  # as a wire from before signatures left it
        for table in ("tree_heads", "log_entries", "signatures"):
            connection.exec_driver_sql(f"DROP TRIGGER {table}_no_delete")
            connection.exec_driver_sql(f"DELETE FROM {table}")
    assert client.get(f"/releases/{rid}/v1.sig").status_code == 404
    with db.session() as s:
        assert sign_backlog(s, db.settings) == 1
    with db.session() as s:
        assert sign_backlog(s, db.settings) == 0
        assert s.query(Signature).count() == 1
    assert check(client, f"/releases/{rid}/v1").outcome is Outcome.VERIFIED


def test_signatures_never_change(client: TestClient, world: World) -> None:
    import sqlalchemy.exc

    publish(client, world)
    db = client.app.state.db
    for statement in ("UPDATE signatures SET kid = 'forged'", "DELETE FROM signatures"):
        with (
            pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
            db.engine.begin() as connection,
        ):
            connection.exec_driver_sql(statement)
