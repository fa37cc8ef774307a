"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when reachable;
under CI=true an unreachable PostgreSQL fails the run instead of skipping), accounts, and an
API client."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from builders import World, make_world, sqlite_url
from newswire.config import Settings, load_settings
from newswire.store.db import Database
from proof_servers import proof_servers, proofs  # noqa: F401  (one DNS and HTTP server a session)

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


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str) -> Iterator[str]:
    """A migrated database that each test's database is copied from (much faster than
    migrating every time)."""
    name = f"newswire_template_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    template = Database(
        load_settings(
            Path("/nonexistent"), database_url=postgres_server.rsplit("/", 1)[0] + "/" + name
        )
    )
    template.upgrade()
    template.dispose()
    yield name
    with admin.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_url(postgres_server: str, postgres_template: str) -> Iterator[str]:
    """A fresh, migrated database for one test, dropped afterwards."""
    name = f"newswire_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    yield postgres_server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test's database is copied from."""
    folder = tmp_path_factory.mktemp("template")
    template = Database(load_settings(folder, database_url=f"sqlite:///{folder / 'newswire.db'}"))
    template.upgrade()
    with template.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    template.dispose()
    return folder / "newswire.db"


@pytest.fixture
def nats_url() -> str:
    """NATS (JetStream) at 127.0.0.1:4222; skipped when unreachable, failed under CI=true."""
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=2).close()
    except OSError as exc:
        problem = f"NATS at 127.0.0.1:4222 is unreachable: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(problem + " (CI=true: NATS is required)")
        pytest.skip(problem)
    return "nats://127.0.0.1:4222"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(request, tmp_path)
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Argon2 at its production cost takes ~0.4 s a hash on a small machine; tests use IETF's
    cheapest profile (the same code path, far fewer rounds)."""
    from argon2 import PasswordHasher, profiles

    from newswire.actions import accounts

    production = accounts._hasher
    accounts._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    accounts._hasher = production


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
