"""Partner sites embed a release: attribution before the body, disclaimer after it, canonical
link; nothing unpublished can be embedded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from newswire.actions.scheduler import run_once


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


def test_a_published_release_embeds_with_attribution_disclaimer_and_canonical_link(
    client: TestClient, world: World
) -> None:
    payload = release_payload(
        language="de",
        headline="Acme nimmt Windpark Nordlicht II in Betrieb",
        body="Die Acme Renewables AG hat heute den Windpark in Betrieb genommen.",
    )
    rid = client.post(
        "/api/v1/releases?submit=true", json=payload, headers=world.headers("issuer")
    ).json()["id"]
    assert client.get(f"/embed/{rid}").status_code == 404  # not before publication
    client.post(
        f"/api/v1/releases/{rid}/approve",
        json={"override_reason": "test"},
        headers=world.headers("editor"),
    )
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))

    snippet = client.get(f"/embed/{rid}")
    assert snippet.status_code == 200 and snippet.headers["access-control-allow-origin"] == "*"
    html = snippet.text
    assert (
        html.index('class="attribution"')
        < html.index("Die Acme Renewables AG")
        < html.index("Drittanbieter")
    )
    assert f'href="http://testserver/releases/{rid}"' in html and 'lang="de"' in html
    script = client.get("/embed.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert '"http://testserver"' in script.text and "data-newswire-release" in script.text
