"""Request dependencies: the database, the settings and the authenticated actor."""

from __future__ import annotations

import logging
import math
import time
from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError
from starlette.requests import HTTPConnection

from newswire.actions.accounts import (
    KEY_USE_RECORDED_EVERY,
    authenticate_api_key,
    record_key_use,
)
from newswire.actions.actor import Actor
from newswire.config import Settings
from newswire.domain.errors import NotAuthenticated
from newswire.store.db import Database

log = logging.getLogger(__name__)
_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer nw_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Or the key in X-API-Key")


def database(request: HTTPConnection) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def settings(request: HTTPConnection) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def current_actor(
    db: Annotated[Database, Depends(database)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> Actor:
    key = bearer.credentials if bearer else header
    if not key:
        raise NotAuthenticated("an API key is required (Authorization: Bearer nw_... or X-API-Key)")
    return actor_for_key(db, key)


_KEY_USE_WAIT_MS = 200  # how long noting a key's use may wait for the write lock
_recorded: dict[str, float] = {}  # key prefix -> when (monotonic) this process last noted it


def actor_for_key(db: Database, key: str) -> Actor:
    """The actor an API key acts as (NotAuthenticated if none), its use noted at most once a
    minute per key; a request never fails, nor waits long, for that note. Blocking: from
    async code, call it on a thread (`asyncio.to_thread`)."""
    with db.session() as session:
        actor = authenticate_api_key(session, key)
    prefix = key.strip()[3:13]
    now = time.monotonic()
    if now - _recorded.get(prefix, -math.inf) >= KEY_USE_RECORDED_EVERY.total_seconds():
        _recorded[prefix] = now
        try:
            with db.session(lock_wait_ms=_KEY_USE_WAIT_MS) as session:
                record_key_use(session, key)
        except OperationalError as exc:  # the lock was busy: the note waits for a later use
            log.info("API key %s: last use not recorded (%s)", prefix, exc.orig)
    return actor


DB = Annotated[Database, Depends(database)]
Config = Annotated[Settings, Depends(settings)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
