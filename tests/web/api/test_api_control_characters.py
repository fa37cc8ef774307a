"""Control characters (NUL and the other C0 codes but tab and line breaks) are refused with a 422
naming the field, on SQLite and on PostgreSQL alike (PostgreSQL cannot store NUL in text at all,
so accepting it on one store and failing with a 500 on the other is not an option); nothing of a
refused input is stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from builders import World, release_payload
from newswire.actions.editions import translate_due
from newswire.store.models import Recipient, Release
from newswire.translate.engines import EngineRegistry


def _count(client: TestClient, model: type) -> int:
    with client.app.state.db.session() as s:
        return s.query(model).count()


def _fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_failed", body
    return {e["field"]: e["rule"] for e in body["errors"]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"headline": "Acme opens\x00 a wind farm"}, "headline"),
        ({"body": "The farm\x00 opens in May.\n\nIt has 40 turbines."}, "body"),
        ({"body": "<p>The farm\x07 opens</p>", "body_format": "html"}, "body"),
        ({"dateline": {"city": "Ham\x1bburg", "country": "DE"}}, "dateline.city"),
        ({"keywords": ["wind", "tur\x00bines"]}, "keywords"),
        (
            {"contacts": [{"name": "Jana\x0b Berg", "email": "jana@acme.example"}]},
            "contacts.0.name",
        ),
    ],
)
def test_a_release_with_a_control_character_is_refused_naming_the_field(
    client: TestClient, world: World, overrides: dict[str, object], field: str
) -> None:
    response = client.post(
        "/api/v1/releases", json=release_payload(**overrides), headers=world.headers("issuer")
    )
    assert _fields(response) == {field: "control_character"}
    assert "U+00" in response.json()["errors"][0]["message"]
    assert _count(client, Release) == 0


def test_tabs_and_line_breaks_are_text_and_are_kept(client: TestClient, world: World) -> None:
    body = "Line one,\r\nline two.\n\n\tAn indented line."
    response = client.post(
        "/api/v1/releases", json=release_payload(body=body), headers=world.headers("issuer")
    )
    assert response.status_code == 201, response.text
    assert response.json()["content"]["body_markdown"] == body


def test_a_recipient_with_a_control_character_is_refused_naming_the_field(
    client: TestClient, world: World
) -> None:
    response = client.post(
        "/api/v1/recipients",
        json={"kind": "journalist", "name": "Anna\x00 Schmidt", "email": "anna@zeitung.example"},
        headers=world.headers("editor"),
    )
    assert _fields(response) == {"name": "control_character"}
    assert _count(client, Recipient) == 0


@pytest.mark.parametrize(
    ("fmt", "raw", "field"),
    [
        (
            "csv",
            "kind,name,email,outlet\n"
            "journalist,Anna Schmidt,anna@zeitung.example,Zeitung\n"
            "journalist,Li\x00 Wei,li@tech.example,Tech Daily\n",
            "name",
        ),
        (
            "csv",
            "kind,name,email,outlet\njournalist,Li Wei,li@tech.example,Tech\x01 Daily\n",
            "outlet.name",
        ),
        (
            "json",
            json.dumps(
                [
                    {
                        "kind": "journalist",
                        "name": "Li Wei",
                        "email": "li@tech.example",
                        "subscriptions": [{"name": "Tech", "query": "battery\x00"}],
                    }
                ]
            ),
            "subscriptions.0.query",
        ),
    ],
)
def test_an_import_row_with_a_control_character_is_reported_and_nothing_imported(
    client: TestClient, world: World, fmt: str, raw: str, field: str
) -> None:
    response = client.post(
        f"/api/v1/recipients/import?format={fmt}",
        content=raw.encode(),
        headers=world.headers("editor"),
    )
    assert response.status_code == 422, response.text
    report = response.json()
    assert report["imported"] == 0
    assert [(p["field"], p["rule"]) for p in report["problems"]] == [(field, "control_character")]
    assert _count(client, Recipient) == 0


def test_an_edition_post_edit_with_a_control_character_is_refused_and_the_edition_kept(
    client: TestClient, world: World
) -> None:
    payload = release_payload(target_languages=["th"])
    rid = client.post(
        "/api/v1/releases?submit=true", json=payload, headers=world.headers("issuer")
    ).json()["id"]
    approved = client.post(
        f"/api/v1/releases/{rid}/approve",
        json={"override_reason": "test"},
        headers=world.headers("editor"),
    )
    assert approved.status_code == 200, approved.text
    translate_due(client.app.state.db, EngineRegistry(), now=datetime.now(UTC))
    edition = f"/api/v1/releases/{rid}/editions/th"
    before = client.get(edition, headers=world.headers("editor")).json()["content"]
    response = client.patch(
        edition,
        json={"headline": "Acme\x00 เปิดโรงงาน", "body": "โรงงานจะจ้างงาน\x1f 300 คน"},
        headers=world.headers("editor"),
    )
    assert _fields(response) == {"headline": "control_character", "body": "control_character"}
    assert client.get(edition, headers=world.headers("editor")).json()["content"] == before
