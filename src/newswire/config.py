"""Settings, read once from the environment; every default is documented here and in the README."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    base_url: str = "http://127.0.0.1:8000"
    wire_name: str = "Newswire"
    wire_url: str = "http://127.0.0.1:8000/"
    scheduler_interval_s: float = 1.0
    max_request_bytes: int = 2_000_000

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'newswire.db'}"


def normalize_database_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` URLs and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings(data_dir: Path | str | None = None, **overrides: object) -> Settings:
    """Settings from the environment: NEWSWIRE_DATA (default ./var), DATABASE_URL (default SQLite
    in the data folder), NEWSWIRE_BASE_URL, NEWSWIRE_WIRE_NAME, NEWSWIRE_WIRE_URL."""
    data = Path(data_dir or os.environ.get("NEWSWIRE_DATA") or "var").resolve()
    base_url = os.environ.get("NEWSWIRE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    values: dict[str, object] = {
        "data_dir": data,
        "database_url": normalize_database_url(os.environ.get("DATABASE_URL") or sqlite_url(data)),
        "base_url": base_url,
        "wire_name": os.environ.get("NEWSWIRE_WIRE_NAME", "Newswire"),
        "wire_url": os.environ.get("NEWSWIRE_WIRE_URL", base_url + "/"),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
