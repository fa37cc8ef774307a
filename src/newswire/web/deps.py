"""Request dependencies: the database, the settings and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from newswire.actions.accounts import authenticate_api_key
from newswire.actions.actor import Actor
from newswire.config import Settings
from newswire.domain.errors import NotAuthenticated
from newswire.store.db import Database

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
    with db.session() as session:
        return authenticate_api_key(session, key)


DB = Annotated[Database, Depends(database)]
Config = Annotated[Settings, Depends(settings)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
