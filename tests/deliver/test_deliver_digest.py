"""Daily-digest subscribers get one email a day per language with that day's matches."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from test_deliver_engine import Clock, deliveries, publish

from builders import World, sqlite_url
from newswire.audience.inputs import RecipientInput
from newswire.audience.recipients import create_recipient
from newswire.channels.mailfolder import list_messages
from newswire.deliver.digest import cutoff, send_due
from newswire.store.db import Database


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


def add_digest_reader(db: Database, email: str) -> None:
    data = RecipientInput.model_validate(
        {
            "name": "Dana Digest",
            "email": email,
            "languages": ["en"],
            "subscriptions": [{"industries": ["energy"], "frequency": "digest"}],
        }
    )
    with db.session() as s:
        create_recipient(s, data, source="test", confirmed=True)


def test_a_days_matches_arrive_in_one_email_at_the_digest_hour(db: Database, world: World) -> None:
    clock = Clock()
    clock.now = clock.now.replace(hour=9, minute=0)
    add_digest_reader(db, "dana@example.org")
    first = publish(db, world, clock)
    clock.advance(hours=3)
    second = publish(
        db, world, clock, headline="Acme Renewables Opens a Second Wind Farm in the Baltic Sea"
    )
    assert deliveries(db, first) == [] and deliveries(db, second) == []  # no real-time mail

    assert send_due(db, now=clock(), hour=7) == 0  # today's 07:00 digest came before these
    assert list_messages(db.settings.mail_dir) == []
    tomorrow = cutoff(clock() + timedelta(days=1), 7)
    assert send_due(db, now=tomorrow, hour=7) == 1
    [mail] = list_messages(db.settings.mail_dir)
    message = message_from_bytes(mail.read_bytes())
    assert message["To"] == "Dana Digest <dana@example.org>"
    assert "Daily digest" in message["Subject"]
    text = mail.read_text(errors="replace")
    assert f"/releases/{first}/v1" in text and f"/releases/{second}/v1" in text
    assert message["List-Unsubscribe"]
    assert send_due(db, now=tomorrow + timedelta(minutes=5), hour=7) == 0  # once a day
