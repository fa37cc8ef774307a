"""Engine and sessions. SQLite runs in WAL mode with foreign keys on; PostgreSQL via psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from newswire.config import Settings
from newswire.store.hooks import run_after_commit

BUSY_TIMEOUT_MS = 10_000  # how long a SQLite write waits for the lock


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings.database_url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(settings.database_url, pool_pre_ping=True)


class Database:
    """One engine and its session factory; `session()` commits on success, rolls back on error."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        # the settings ride along in each session's info (`publish.events` renders with them)
        self._sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"settings": settings}
        )

    @contextmanager
    def session(self, *, lock_wait_ms: int | None = None) -> Iterator[Session]:
        """`lock_wait_ms`: how long this session's writes wait for a lock before they fail
        (by default SQLite's busy timeout, PostgreSQL's no limit); for writes that may be
        dropped rather than hold up a request."""
        with self._sessions() as session:
            with session.begin():
                if lock_wait_ms is None:
                    yield session
                else:
                    with self._lock_wait(session, lock_wait_ms):
                        yield session
            run_after_commit(session)

    @contextmanager
    def _lock_wait(self, session: Session, ms: int) -> Iterator[None]:
        connection = session.connection()
        if not self.settings.is_sqlite:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(ms)}ms'")
            yield
            return
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(ms)}")
        try:
            yield
            session.flush()  # the writes happen here, under the short wait
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    def upgrade(self) -> None:
        from newswire.store.migrate import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
