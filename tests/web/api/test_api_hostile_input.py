"""Hostile bodies on the audience API get a 4xx JSON naming the problem, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, sqlite_url
from newswire.store.models import Recipient

DEEP = "[" * 20_000 + "]" * 20_000


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """These are about behaviour, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


def _count(client: TestClient) -> int:
    with client.app.state.db.session() as s:
        return s.query(Recipient).count()


def _signup(email: str, **overrides: object) -> dict[str, object]:
    return {
        "name": "Mia",
        "email": email,
        "languages": ["en"],
        "subscriptions": [{"industries": ["energy"]}],
        **overrides,
    }


def test_an_empty_country_in_a_sign_up_is_a_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/api/v1/signup", json=_signup("mia@x.example", countries=[""]))
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_failed"
    assert [e["field"] for e in response.json()["errors"]] == ["countries.0"]
    assert _count(client) == 0


def test_json_nested_too_deeply_is_a_400_on_import_as_on_releases(
    client: TestClient, world: World
) -> None:
    headers = {**world.headers("editor"), "Content-Type": "application/json"}
    response = client.post(
        "/api/v1/recipients/import?format=json", content=DEEP.encode(), headers=headers
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "bad_request"
    assert "nested too deeply" in response.json()["message"]
    assert _count(client) == 0
    releases = client.post(
        "/api/v1/releases", content=DEEP.encode(), headers={**world.headers("issuer"),
        "Content-Type": "application/json"},
    )  # fmt: skip
    assert releases.status_code == 400 and releases.json()["error"] == "bad_request"
