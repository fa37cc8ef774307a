"""Callbacks that run after a transaction commits (events leave only once their data is
durable, as in Zulip); registered on the session, dropped on rollback."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session


def after_commit(db: Session, callback: Callable[[], None]) -> None:
    db.info.setdefault("after_commit", []).append(callback)


def run_after_commit(db: Session) -> None:
    for callback in db.info.pop("after_commit", []):
        callback()
