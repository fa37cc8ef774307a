"""DKIM when a key is configured, and webhook secret rotation that keeps the old one valid."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from standardwebhooks import Webhook
from test_deliver_engine import Clock, add_journalist, add_partner, publish

from builders import World, sqlite_url
from newswire.channels.mailfolder import list_messages
from newswire.deliver.setup import BadConfiguration, dkim_signer, make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.store.db import Database
from newswire.store.models import Endpoint
from receivers import WebhookReceiver


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


def test_mail_is_dkim_signed_when_a_key_is_configured(
    db: Database, world: World, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "dkim.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signed_db = Database(
        replace(db.settings, dkim_key=str(pem), mail_from="releases@wire.example.com")
    )
    add_journalist(signed_db, "Jana", "jana@example.org")
    clock = Clock()
    publish(signed_db, world, clock)
    asyncio.run(
        DeliveryWorker(signed_db, make_channels(signed_db.settings), name="d", clock=clock).drain()
    )
    [mail] = list_messages(signed_db.settings.mail_dir)
    raw = (
        mail.read_bytes().split(b"\r\n", 1)[1]
        if mail.read_bytes().startswith(b"Return-Path")
        else mail.read_bytes()
    )
    record = dkim_signer(signed_db.settings).dns_record().encode()
    assert b"DKIM-Signature:" in raw and b"d=wire.example.com" in raw and b"s=newswire" in raw
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: record)


def test_a_missing_dkim_key_is_a_clear_configuration_error(db: Database) -> None:
    with pytest.raises(BadConfiguration, match=r"NEWSWIRE_DKIM_KEY '/nope\.pem'"):
        dkim_signer(replace(db.settings, dkim_key="/nope.pem"))


def test_a_rotated_webhook_secret_keeps_the_old_one_valid(
    db: Database, world: World, client: TestClient
) -> None:
    receiver = WebhookReceiver().start()
    try:
        hook_db = Database(replace(db.settings, webhook_allow=("127.0.0.0/8",)))
        old = add_partner(hook_db, "Portal", receiver.url("/hook"))
        with hook_db.session() as s:
            recipient_id = s.query(Endpoint).filter_by(channel="webhook").one().recipient_id
        new = client.post(
            f"/api/v1/recipients/{recipient_id}/webhook-secret", headers=world.headers("editor")
        ).json()["secret"]
        assert new.startswith("whsec_") and new != old
        clock = Clock()
        publish(hook_db, world, clock)
        asyncio.run(
            DeliveryWorker(hook_db, make_channels(hook_db.settings), name="r", clock=clock).drain()
        )
        [hit] = receiver.received
        for secret in (old, new):  # a receiver still on the old secret, and one already rotated
            assert (
                Webhook(secret)
                .verify(hit.body, hit.headers)["uri"]
                .startswith("urn:newswire:release:")
            )
        assert (
            client.delete(
                f"/api/v1/recipients/{recipient_id}/webhook-secret/previous",
                headers=world.headers("editor"),
            ).status_code
            == 204
        )
        assert (
            client.get(
                f"/api/v1/recipients/{recipient_id}", headers=world.headers("editor")
            ).json()["webhook_secret"]
            == new
        )
    finally:
        receiver.stop()


def test_a_partner_checks_a_webhook_with_the_wires_public_key_alone(
    db: Database, world: World, client: TestClient
) -> None:
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    receiver = WebhookReceiver().start()
    try:
        hook_db = Database(replace(db.settings, webhook_allow=("127.0.0.0/8",)))
        add_partner(hook_db, "Portal", receiver.url("/hook"))
        clock = Clock()
        publish(hook_db, world, clock)
        asyncio.run(
            DeliveryWorker(hook_db, make_channels(hook_db.settings), name="r", clock=clock).drain()
        )
        [hit] = receiver.received
        headers = {k.lower(): v for k, v in hit.headers.items()}
        signatures = dict(s.split(",", 1) for s in headers["webhook-signature"].split(" "))
        [jwk] = client.get("/.well-known/newswire-keys.json").json()["keys"]
        public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "="))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + hit.body
        public.verify(base64.b64decode(signatures["v1a"]), signed)  # raises when it does not match
        assert "v1" in signatures  # the endpoint's own HMAC is still there
    finally:
        receiver.stop()
