"""An API key's last use is noted at most once a minute, and a request never fails (nor waits
long) because that note could not get the database's write lock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from builders import World, sqlite_url
from newswire.actions.accounts import KEY_USE_RECORDED_EVERY, create_api_key, record_key_use
from newswire.store.db import Database
from newswire.store.models import ApiKey, User


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The lock contention is SQLite's (one writer for the whole database)."""
    return sqlite_url(request, tmp_path)


def _new_key(db: Database, email: str = "press@globex.example") -> str:
    with db.session() as s:
        user = s.scalar(select(User).where(User.email == email))
        assert user is not None
        return create_api_key(s, name="fresh", user=user)[1]


def _last_used(db: Database, key: str) -> datetime | None:
    with db.session() as s:
        return s.scalar(select(ApiKey.last_used_at).where(ApiKey.prefix == key[3:13]))


def test_a_keys_use_is_noted_once_not_on_every_request(
    client: TestClient, db: Database, world: World
) -> None:
    key = _new_key(db)
    assert _last_used(db, key) is None
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    first = _last_used(db, key)
    assert first is not None
    for _ in range(3):
        assert client.get("/api/v1/releases", headers=headers).status_code == 200
    assert _last_used(db, key) == first  # no write per request

    with db.session() as s:  # a minute later the next use is noted again
        later = first.replace(tzinfo=UTC) + KEY_USE_RECORDED_EVERY + timedelta(seconds=1)
        assert not record_key_use(s, key, now=later - timedelta(seconds=2))
        assert record_key_use(s, key, now=later)
    noted = _last_used(db, key)
    assert noted is not None and noted.replace(tzinfo=UTC) == later


def test_a_request_succeeds_while_another_writer_holds_the_lock(
    client: TestClient, db: Database, world: World, tmp_path: Path
) -> None:
    key = _new_key(db)
    other = sqlite3.connect(tmp_path / "newswire.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer (the scheduler, a worker) holds it
        answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["role"] == "issuer"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _last_used(db, key) is None  # dropped, not forced: noted on a later use
