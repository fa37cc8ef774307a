"""Builders shared by the tests: accounts with API keys, and valid release payloads."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newswire.actions import accounts
from newswire.actions.actor import Actor
from newswire.domain.lifecycle import Role
from newswire.store.db import Database


def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated SQLite database for one test (a copy of the session's template)."""
    target = tmp_path / "newswire.db"
    if not target.exists():
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
    return f"sqlite:///{target}"


@dataclass
class World:
    """Two issuers, an editor and an admin, each with an actor and an API key."""

    issuer: Actor
    other_issuer: Actor
    editor: Actor
    admin: Actor
    keys: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}


def make_world(db: Database) -> World:
    with db.session() as s:
        wire = accounts.create_organization(s, slug="newswire-desk", name="Desk", kind="wire")
        acme = accounts.create_organization(
            s, slug="acme", name="Acme Renewables AG", website="https://acme.example"
        )
        globex = accounts.create_organization(s, slug="globex", name="Globex Corp")
        people = {
            "issuer": ("press@acme.example", Role.ISSUER, acme),
            "other_issuer": ("press@globex.example", Role.ISSUER, globex),
            "editor": ("editor@newswire.example", Role.EDITOR, wire),
            "admin": ("admin@newswire.example", Role.ADMIN, wire),
        }
        actors, keys = {}, {}
        for who, (email, role, org) in people.items():
            user = accounts.create_user(
                s, email=email, name=who, role=role, organization=org, password="correct-horse"
            )
            actors[who] = accounts.actor_for(user)
            keys[who] = accounts.create_api_key(s, name=who, user=user)[1]
    return World(keys=keys, **actors)


def release_payload(**overrides: Any) -> dict[str, Any]:
    """A complete, valid release as JSON, with fields replaced by `overrides`."""
    payload: dict[str, Any] = {
        "headline": "Acme Renewables Commissions 640 MW North Sea Wind Farm",
        "subheadline": "Nordlicht II will power about 680,000 households",
        "dateline": {"city": "Hamburg", "country": "DE"},
        "body": (
            "Acme Renewables AG today commissioned **Nordlicht II**, a 640-megawatt offshore "
            "wind farm in the German North Sea, three months ahead of schedule.\n\n"
            "The 43 turbines will generate about 2.6 terawatt-hours of electricity a year, "
            "enough for the homes of a large city. Details at "
            "[acme.example](https://acme.example/nordlicht)."
        ),
        "boilerplate": "Acme Renewables AG builds and operates wind and solar farms in Europe.",
        "contacts": [{"name": "Jana Becker", "email": "press@acme.example"}],
        "industries": ["wind-power"],
        "regions": ["DE", "EU"],
        "language": "en",
        "keywords": ["offshore wind"],
        "tickers": ["XETRA:ACR"],
        "target_languages": ["de"],
    }
    payload.update(overrides)
    return payload


def in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def file_and_approve(client: Any, world: World, **overrides: Any) -> str:
    """A release filed by the issuer and approved by the desk over the API (a TestClient or an
    httpx client of a live server); the scheduler publishes it when its time comes."""
    created = client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(**overrides),
        headers=world.headers("issuer"),
    )
    assert created.status_code == 201, created.text
    rid = str(created.json()["id"])
    approved = client.post(f"/api/v1/releases/{rid}/approve", headers=world.headers("editor"))
    assert approved.status_code == 200, approved.text
    return rid
