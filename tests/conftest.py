"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when reachable;
under CI=true an unreachable PostgreSQL fails the run instead of skipping), accounts, and an
API client."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from builders import World, make_world
from newswire.config import Settings, load_settings
from newswire.store.db import Database

POSTGRES_ADMIN_URL = os.environ.get(
    "NEWSWIRE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _postgres_unreachable() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no server for these tests
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {exc.__class__.__name__}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    problem = _postgres_unreachable()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem + " (CI=true: PostgreSQL is required)")
        pytest.skip(problem)
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"newswire_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield postgres_server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'newswire.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return load_settings(
        tmp_path,
        database_url=database_url,
        base_url="http://testserver",
        wire_url="https://newswire.example/",
    )


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """For tests that are about behaviour, not the database: SQLite only, fast."""
    return load_settings(
        tmp_path,
        database_url=f"sqlite:///{tmp_path / 'newswire.db'}",
        base_url="http://testserver",
        wire_url="https://newswire.example/",
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def world(db: Database) -> World:
    return make_world(db)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    from newswire.web.app import create_app

    with TestClient(create_app(settings, run_scheduler=False)) as test_client:
        yield test_client
