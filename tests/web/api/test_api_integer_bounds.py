"""Integers the database cannot hold (beyond 64 bits) get a 422 naming the parameter, on every
route of the app that takes one: the routes are read from the app itself, so a new one is
covered without editing this test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from builders import World, sqlite_url
from live_server import LiveServer
from newswire.config import Settings
from newswire.web.app import create_app
from web_pages import login

TOO_BIG = [10**20, 38505491562323429556224, -(10**20)]
INT64_MAX = 2**63 - 1


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite is the store that cannot take such an integer at all."""
    return sqlite_url(request, tmp_path)


@dataclass(frozen=True)
class IntParam:
    method: str
    path: str  # the route's path, e.g. /api/v1/recipients/{recipient_id}
    where: str  # path, query or header
    name: str  # as sent (a header's alias, e.g. Last-Event-ID)
    path_params: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.where}:{self.name}"


def _params(dependant):  # type: ignore[no-untyped-def]
    for where, found in (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("header", dependant.header_params),
    ):
        for param in found:
            yield where, param
    for sub in dependant.dependencies:
        yield from _params(sub)


def _int_params(app: FastAPI) -> list[IntParam]:
    """Every (method, route, integer parameter) of the app, API and pages."""
    found = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        params = list(_params(route.dependant))
        in_path = tuple(p.name for where, p in params if where == "path")
        for where, param in params:
            if "int" not in str(param.field_info.annotation):
                continue
            for method in sorted(route.methods):
                found.append(IntParam(method, route.path, where, param.alias, in_path))
    return found


@dataclass
class Answer:
    status_code: int
    text: str

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.text) if self.text.startswith("{") else {}


def _request(http: httpx.Client, world: World, param: IntParam, value: int) -> Answer:
    """Sent to a real server and read only when it is not a 200: a stream that wrongly opened
    is closed at once instead of being read for ever."""
    path = param.path.replace(":int}", "}")
    for name in param.path_params:
        path = path.replace("{" + name + "}", str(value) if name == param.name else "1")
    query = {param.name: str(value)} if param.where == "query" else {}
    headers = {**world.headers("admin")}
    if param.where == "header":
        headers[param.name] = str(value)
    body = {} if param.method in ("POST", "PUT", "PATCH") else None
    request = http.build_request(param.method, path, params=query, headers=headers, json=body)
    response = http.send(request, stream=True)
    try:
        text = "" if response.status_code == 200 else response.read().decode()
    finally:
        response.close()
    return Answer(response.status_code, text)


def _refused_naming(response, name: str, *, strict: bool) -> bool:  # type: ignore[no-untyped-def]
    """A 4xx JSON error; a 422 names the parameter (a header as header.<name>). `strict`: it
    must be the 422 (a negative number may instead match no route: a 404 is right then)."""
    if not 400 <= response.status_code < 500 or "error" not in response.json():
        return False
    if response.status_code != 422:
        return not strict
    named = {e["field"].lower().removeprefix("header.") for e in response.json()["errors"]}
    return name.lower() in named


def test_an_integer_beyond_64_bits_is_refused_naming_the_parameter_on_every_route(
    client: TestClient, world: World, settings: Settings
) -> None:
    params = _int_params(client.app)
    seen = {str(p) for p in params}
    for expected in (  # the walk is only as good as what it finds
        "GET /api/v1/recipients/{recipient_id} path:recipient_id",
        "DELETE /api/v1/subscriptions/{subscription_id} path:subscription_id",
        "GET /api/v1/releases query:offset",
        "GET /api/v1/releases query:limit",
        "GET /api/v1/recipients query:offset",
        "GET /api/v1/releases/{release_id}/versions/{number} path:number",
        "GET /api/v1/stream header:Last-Event-ID",
        "POST /operator/users/{user_id}/role path:user_id",
        "GET /releases/{release_id}/v{number:int} path:number",
    ):
        assert expected in seen, sorted(seen)
    wrong = []
    with (
        LiveServer(create_app(settings, run_scheduler=False)) as live,
        httpx.Client(base_url=live.base, timeout=10) as http,
    ):
        login(http, "admin")  # the pages' session beside the API key: every route is reachable
        for param, value in ((p, v) for p in params for v in TOO_BIG):
            response = _request(http, world, param, value)
            if not _refused_naming(response, param.name, strict=value > 0):
                wrong.append(f"{param} = {value}: {response.status_code} {response.text[:200]}")
    print(f"{len(params)} integer parameters x {len(TOO_BIG)} values tried, {len(wrong)} wrong")
    assert not wrong, "\n".join(wrong)


def test_the_largest_stored_integer_is_an_ordinary_answer(client: TestClient, world: World) -> None:
    headers = world.headers("editor")
    response = client.get(f"/api/v1/recipients/{INT64_MAX}", headers=headers)
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    response = client.get(f"/api/v1/releases?offset={INT64_MAX}", headers=headers)
    assert response.status_code == 200 and response.json() == []
    response = client.get(f"/api/v1/recipients?offset={INT64_MAX}", headers=headers)
    assert response.status_code == 200 and response.json() == []


def test_a_websocket_stream_resumed_beyond_64_bits_is_refused_not_dropped(
    client: TestClient, world: World
) -> None:
    key = world.keys["issuer"]
    url = f"/api/v1/stream/ws?key={key}&after={10**20}"
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as ws:
        ws.receive_text()
    assert closed.value.code == 1008  # policy violation: the request was invalid
