"""Hostile bodies on the audience API get a 4xx JSON naming the problem, never a 500."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, sqlite_url
from newswire.channels.mailfolder import list_messages
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


def test_sign_up_answers_the_same_for_an_address_already_on_the_lists(
    client: TestClient, world: World
) -> None:
    """Nobody learns who is a recipient: the known address is mailed a sign-in link instead."""
    settings = client.app.state.settings
    added = client.post(
        "/api/v1/recipients",
        json={**_signup("known@x.example"), "kind": "journalist"},
        headers=world.headers("editor"),
    )
    assert added.status_code == 201, added.text
    new = client.post("/api/v1/signup", json=_signup("new@x.example"))
    known = client.post("/api/v1/signup", json=_signup("KNOWN@x.example"))
    assert new.status_code == known.status_code == 202
    assert (
        new.json()
        == known.json()
        == {
            "status": "pending",
            "message": "check your inbox to confirm",
        }
    )
    assert _count(client) == 2  # no second record for the known address
    mails = {}
    for path in list_messages(settings.mail_dir):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        mails[message["To"]] = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "/confirm/" in mails["new@x.example"]
    assert "/account/enter/" in mails["known@x.example"]
    assert "/confirm/" not in mails["known@x.example"]


def test_a_control_character_in_a_sign_up_is_a_422_naming_the_field(client: TestClient) -> None:
    body = {
        "name": "Ana\x00Silva",
        "email": "ana@jornal.example",
        "subscriptions": [{"industries": ["energy"]}],
    }
    answer = client.post("/api/v1/signup", json=body)
    assert answer.status_code == 422, answer.text
    assert "name" in answer.text and "control character" in answer.text
