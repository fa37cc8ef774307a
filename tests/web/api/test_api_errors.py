"""Bad input gets a 4xx JSON error naming the field and the rule; nothing is half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, in_hours, release_payload, sqlite_url
from newswire.store.models import Release, Transition


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """These are about behaviour, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


def _post(client: TestClient, world: World, payload: object, **kwargs: object):
    return client.post("/api/v1/releases", json=payload, headers=world.headers("issuer"), **kwargs)


def _errors(response) -> dict[str, str]:
    body = response.json()
    assert body["error"] == "validation_failed", body
    return {e["field"]: e["rule"] for e in body["errors"]}


def _count(client: TestClient, model: type) -> int:
    with client.app.state.db.session() as s:
        return s.query(model).count()


def test_every_missing_required_field_is_named(client: TestClient, world: World) -> None:
    response = _post(client, world, {"subheadline": "only this"})
    assert response.status_code == 422
    assert _errors(response) == {
        "headline": "missing",
        "dateline": "missing",
        "body": "missing",
        "language": "missing",
    }


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        (
            {"industries": ["wind-power", "underwater-basket-weaving"]},
            "industries.1",
            "unknown_industry",
        ),
        ({"regions": ["XX"]}, "regions.0", "unknown_region"),
        ({"dateline": {"city": "Hamburg", "country": "EU"}}, "dateline.country", "not_a_country"),
        (
            {"dateline": {"city": "Hamburg", "country": "DE", "date": "2026-13-45"}},
            "dateline.date",
            "date_from_datetime_parsing",
        ),
        ({"language": "klingon"}, "language", "invalid_language"),
        ({"language": "sv"}, "language", "unsupported_language"),
        ({"publish_at": "next tuesday"}, "publish_at", "datetime_from_date_parsing"),
        ({"publish_at": "2030-01-01T09:00:00"}, "publish_at", "timezone_required"),
        ({"embargo_until": "2020-01-01T09:00:00Z"}, "embargo_until", "in_past"),
        ({"tickers": ["ACME"]}, "tickers.0", "invalid_ticker"),
        (
            {"contacts": [{"name": "Jana", "email": "not-an-email"}]},
            "contacts.0.email",
            "value_error",
        ),
        ({"contacts": [{"name": "Jana"}]}, "contacts.0", "contact_unreachable"),
        (
            {"attachments": [{"url": "https://acme.example/a.jpg", "alt": ""}]},
            "attachments.0.alt",
            "string_too_short",
        ),
        (
            {"attachments": [{"url": "javascript:alert(1)", "alt": "x"}]},
            "attachments.0.url",
            "url_scheme",
        ),
        ({"body": "x" * 100_001}, "body", "string_too_long"),
        ({"headline": ""}, "headline", "string_too_short"),
        ({"colour": "blue"}, "colour", "unknown_field"),
    ],
)
def test_a_bad_field_is_named_with_its_rule(
    client: TestClient, world: World, overrides: dict, field: str, rule: str
) -> None:
    response = _post(client, world, release_payload(**overrides))
    assert response.status_code == 422, response.text
    errors = _errors(response)
    assert errors.get(field) == rule, errors
    assert _count(client, Release) == 0 and _count(client, Transition) == 0


def test_publish_time_and_embargo_together_are_refused(client: TestClient, world: World) -> None:
    response = _post(
        client, world, release_payload(publish_at=in_hours(1), embargo_until=in_hours(2))
    )
    assert response.status_code == 422
    assert _errors(response) == {"release": "publish_and_embargo"}


def test_a_body_that_is_not_json_or_not_utf8_is_refused(client: TestClient, world: World) -> None:
    headers = {**world.headers("issuer"), "Content-Type": "application/json"}
    not_utf8 = client.post("/api/v1/releases", content=b'{"headline": "caf\xe9"}', headers=headers)
    assert not_utf8.status_code == 400
    assert not_utf8.json() == {
        "error": "bad_request",
        "message": "the request body is not valid UTF-8 JSON",
    }
    not_json = client.post("/api/v1/releases", content=b"{not json", headers=headers)
    assert not_json.status_code == 422
    assert _errors(not_json) == {"1": "json_invalid"}
    assert _count(client, Release) == 0


def test_an_oversize_request_is_refused_before_it_is_read(client: TestClient, world: World) -> None:
    response = _post(client, world, release_payload(body="x" * 3_000_000))
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_requests_without_a_valid_api_key_are_refused(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/releases").status_code == 401
    bad = client.get(
        "/api/v1/releases", headers={"Authorization": "Bearer nw_0000000000_" + "a" * 43}
    )
    assert bad.status_code == 401 and bad.json()["message"] == "unknown API key"
    malformed = client.get("/api/v1/releases", headers={"X-API-Key": "letmein"})
    assert malformed.status_code == 401 and "malformed" in malformed.json()["message"]


def test_a_move_from_the_wrong_state_is_a_conflict_that_names_the_states(
    client: TestClient, world: World
) -> None:
    rid = _post(client, world, release_payload()).json()["id"]
    response = client.post(f"/api/v1/releases/{rid}/approve", headers=world.headers("editor"))
    assert response.status_code == 409
    assert response.json() == {
        "error": "illegal_transition",
        "message": "cannot approve a release that is draft (only from: submitted)",
    }


def test_a_move_by_the_wrong_role_is_forbidden(client: TestClient, world: World) -> None:
    rid = client.post(
        "/api/v1/releases?submit=true", json=release_payload(), headers=world.headers("issuer")
    ).json()["id"]
    response = client.post(f"/api/v1/releases/{rid}/approve", headers=world.headers("issuer"))
    assert response.status_code == 403
    assert "role 'issuer' may not approve" in response.json()["message"]
    assert (
        client.get(f"/api/v1/releases/{rid}", headers=world.headers("issuer")).json()["state"]
        == "submitted"
    )


def test_rejection_needs_a_reason(client: TestClient, world: World) -> None:
    rid = client.post(
        "/api/v1/releases?submit=true", json=release_payload(), headers=world.headers("issuer")
    ).json()["id"]
    response = client.post(
        f"/api/v1/releases/{rid}/reject", json={"reason": ""}, headers=world.headers("editor")
    )
    assert response.status_code == 422
    assert _errors(response) == {"reason": "string_too_short"}


def test_failing_blocking_checks_stop_approval_unless_overridden(
    client: TestClient, world: World
) -> None:
    payload = release_payload(
        body="Read more at [our site](javascript:alert(1)) today, it is great news."
    )
    rid = client.post(
        "/api/v1/releases?submit=true", json=payload, headers=world.headers("issuer")
    ).json()["id"]
    refused = client.post(f"/api/v1/releases/{rid}/approve", headers=world.headers("editor"))
    assert refused.status_code == 409 and "links" in refused.json()["message"]
    forced = client.post(
        f"/api/v1/releases/{rid}/approve",
        json={"override_reason": "link removed on the page"},
        headers=world.headers("editor"),
    )
    assert forced.status_code == 200


def test_unknown_releases_and_versions_are_404_json(client: TestClient, world: World) -> None:
    assert (
        client.get("/api/v1/releases/nope", headers=world.headers("editor")).json()["error"]
        == "not_found"
    )
    assert client.get("/releases/nope").status_code == 404
    assert client.get("/releases/nope/v1.json").status_code == 404
