"""The store on SQLite and PostgreSQL: migrations, WAL, and versions that never change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from builders import World, release_payload
from newswire.actions import releases as actions
from newswire.config import Settings, load_settings, normalize_database_url
from newswire.intake import validate_release
from newswire.store.db import Database
from newswire.store.migrate import downgrade, upgrade
from newswire.store.models import ReleaseVersion


def _published(db: Database, world: World) -> str:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    with db.session() as s:
        content = validate_release(release_payload(), now=now)
        release = actions.create_release(s, world.issuer, content, submit=True, now=now)
        actions.approve(s, world.editor, release.id, now=now)
        actions.publish(s, db.settings, world.editor, release.id, now=now)
        return release.id


def test_migrations_create_every_table_and_downgrade_cleanly(db: Database) -> None:
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {
        "organizations",
        "users",
        "api_keys",
        "releases",
        "release_versions",
        "transitions",
    } <= tables
    downgrade(db.engine, "base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(db.engine)
    assert "releases" in sa.inspect(db.engine).get_table_names()


def test_a_published_version_cannot_be_updated_or_deleted(db: Database, world: World) -> None:
    release_id = _published(db, world)
    for statement in (
        sa.update(ReleaseVersion)
        .where(ReleaseVersion.release_id == release_id)
        .values(article_html="x"),
        sa.delete(ReleaseVersion).where(ReleaseVersion.release_id == release_id),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="immutable"), db.session() as s:
            s.execute(statement)
    with db.session() as s:
        version = s.scalars(sa.select(ReleaseVersion)).one()
        assert version.article_html != "x"


def test_times_come_back_timezone_aware_in_utc(db: Database, world: World) -> None:
    release_id = _published(db, world)
    with db.session() as s:
        version = s.scalars(
            sa.select(ReleaseVersion).where(ReleaseVersion.release_id == release_id)
        ).one()
        assert version.published_at.utcoffset().total_seconds() == 0


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_settings: Settings) -> None:
    db = Database(sqlite_settings)
    db.upgrade()
    with db.engine.connect() as c:
        assert c.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_database_url_picks_the_adapter(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_settings(tmp_path).database_url == f"sqlite:///{tmp_path / 'newswire.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert load_settings(tmp_path).database_url == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
