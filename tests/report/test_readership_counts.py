"""The readership counters on SQLite and PostgreSQL: one mark per client and day, one counter
row per release, language, channel, country and day, and nothing that names the client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from builders import World, release_payload
from newswire.report import readership

SECRET = b"test-secret"


def test_reads_are_counted_once_per_client_and_day_on_each_database(
    client: TestClient, world: World
) -> None:
    rid = client.post(
        "/api/v1/releases", json=release_payload(), headers=world.headers("issuer")
    ).json()["id"]
    db = client.app.state.db
    day = datetime(2026, 12, 3, 23, 59, tzinfo=UTC)
    read = {"release_id": rid, "language": "en", "channel": "page", "agent": "Firefox"}
    with db.session() as s:
        assert readership.count(s, SECRET, client="192.0.2.7", now=day, **read)
        assert not readership.count(s, SECRET, client="192.0.2.7", now=day, **read)
        assert readership.count(s, SECRET, client="192.0.2.8", country="pt", now=day, **read)
        assert readership.count(s, SECRET, client="192.0.2.7", now=day + timedelta(minutes=1),
                                **read)  # fmt: skip
    with db.session() as s:
        found = readership.figures(s, rid)
    assert found["by_channel"] == {"page": 3}
    assert found["by_country"] == {"unknown": 2, "PT": 1}
    assert found["daily"] == [{"day": "2026-12-03", "page": 2}, {"day": "2026-12-04", "page": 1}]
    with db.engine.connect() as c:
        rows = [*c.execute(sa.text("SELECT * FROM readership_marks")),
                *c.execute(sa.text("SELECT * FROM readership_counts"))]  # fmt: skip
    assert rows and not any("192.0.2" in repr(r) or "Firefox" in repr(r) for r in rows)


def test_a_mark_differs_from_day_to_day() -> None:
    one = datetime(2026, 12, 3, tzinfo=UTC).date()
    args = ("192.0.2.7", "Firefox", "r1", "en", "page")
    assert readership.mark(SECRET, one, *args) == readership.mark(SECRET, one, *args)
    assert readership.mark(SECRET, one, *args) != readership.mark(
        SECRET, one + timedelta(days=1), *args
    )
