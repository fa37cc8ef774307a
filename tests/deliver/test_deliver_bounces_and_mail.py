"""Hard bounces become suppressions; the embedded default's mail folder can be listed and read
over the API."""

from __future__ import annotations

import asyncio
from email import message_from_bytes
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_deliver_engine import Clock, add_journalist, deliveries, publish, worker
from typer.testing import CliRunner

from builders import World, sqlite_url
from newswire.cli import app
from newswire.store.db import Database
from newswire.store.models import Suppression


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


def dsn(return_path: str, *, action: str, status: str) -> bytes:
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.outlet.example"
    report["To"] = return_path
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(
        MIMEText("I'm sorry to have to inform you that your message could not be delivered.\n")
    )
    status_part = Message()
    status_part.set_type("message/delivery-status")
    per_message, per_recipient = Message(), Message()
    per_message["Reporting-MTA"] = "dns; mx.outlet.example"
    per_recipient["Final-Recipient"] = "rfc822; jana@example.org"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    return report.as_bytes()


def test_a_hard_bounce_suppresses_the_address_and_fails_the_delivery(
    db: Database, world: World, client: TestClient
) -> None:
    clock = Clock()
    add_journalist(db, "Jana", "jana@example.org")
    rid = publish(db, world, clock)
    asyncio.run(worker(db, clock).drain())
    [delivery] = deliveries(db, rid)
    [sent] = sorted(db.settings.mail_dir.glob("*.eml"))
    return_path = message_from_bytes(sent.read_bytes())["Return-Path"].strip("<>")

    soft = client.post(
        "/api/v1/bounces",
        content=dsn(return_path, action="delayed", status="4.2.2"),
        headers=world.headers("editor"),
    )
    assert soft.json()["hard"] is False and soft.json()["suppressed"] is False

    hard = client.post(
        "/api/v1/bounces",
        content=dsn(return_path, action="failed", status="5.1.1"),
        headers=world.headers("editor"),
    )
    assert hard.status_code == 200, hard.text
    assert hard.json() | {"reason": ""} == {
        "delivery_id": delivery.id,
        "address": "jana@example.org",
        "hard": True,
        "suppressed": True,
        "reason": "",
    }
    with db.session() as s:
        assert (
            s.query(Suppression).filter_by(address="jana@example.org").one().reason == "hard_bounce"
        )
    assert deliveries(db, rid)[0].state == "failed"
    assert deliveries(db, publish(db, world, clock)) == []  # never targeted again


def test_the_cli_ingests_bounce_files(
    db: Database, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    add_journalist(db, "Jana", "jana@example.org")
    rid = publish(db, world, clock)
    asyncio.run(worker(db, clock).drain())
    [delivery] = deliveries(db, rid)
    bounce = tmp_path / "bounce.eml"
    bounce.write_bytes(
        dsn(f"bounces+{delivery.id}@newswire.local", action="failed", status="5.1.1")
    )
    monkeypatch.setenv("DATABASE_URL", db.settings.database_url)
    result = CliRunner().invoke(
        app, ["bounces", "ingest", str(bounce), "--data", str(db.settings.data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert f"hard bounce for {delivery.id} (jana@example.org)" in result.output


def test_the_mail_folder_is_listed_and_shown_to_the_desk(
    db: Database, world: World, client: TestClient
) -> None:
    clock = Clock()
    add_journalist(db, "Jana", "jana@example.org")
    publish(db, world, clock)
    asyncio.run(worker(db, clock).drain())
    listed = client.get("/api/v1/mail", headers=world.headers("editor")).json()
    assert [m["to"] for m in listed] == ["Jana <jana@example.org>"]
    shown = client.get(f"/api/v1/mail/{listed[0]['name']}", headers=world.headers("editor"))
    assert shown.headers["content-type"] == "message/rfc822"
    assert message_from_bytes(shown.content)["Subject"].startswith("Acme Renewables")
    assert (
        client.get("/api/v1/mail/../secret.key", headers=world.headers("editor")).status_code == 404
    )
    assert client.get("/api/v1/mail", headers=world.headers("issuer")).status_code == 403
