"""Anyone can check a release: /verify and POST /api/v1/verify answer from the wire's own records
(a URL of this wire, a text, a document); `newswire verify` checks a file or URL over HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from lxml import html
from typer.testing import CliRunner

from builders import World, file_and_approve, make_world
from live_server import LiveServer, free_port
from newswire.actions.scheduler import run_once
from newswire.cli import app as cli
from newswire.config import Settings
from newswire.provenance.log import integrate
from newswire.store.db import Database
from newswire.web.app import create_app

BODY = (
    "Russia's top diplomat said on Tuesday that talks with Kyiv would resume next week.\n\n"
    "The meeting will take place in Istanbul, the ministry said in a statement."
)


def published(client: TestClient, world: World, **overrides: Any) -> str:
    rid = file_and_approve(client, world, **overrides)
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    return rid


def verdict_on_page(response: httpx.Response) -> str:
    page = html.fromstring(response.text)
    return page.cssselect("section.verdict h2")[0].text_content()


def test_the_link_a_document_carries_shows_it_genuine(client: TestClient, world: World) -> None:
    rid = published(client, world)
    link = next(
        t["href"]
        for t in client.get(f"/releases/{rid}/v1.json").json()["trustindicators"]
        if t["role"].endswith("verify")
    )
    page = client.get(link)
    assert page.status_code == 200
    assert verdict_on_page(page) == "Genuine"
    assert f"verified: release {rid} version 1" in page.text
    assert "published by Newswire for Acme Renewables AG" in page.text


def test_a_partners_republication_matches_and_a_changed_one_shows_its_differences(
    client: TestClient, world: World
) -> None:
    rid = published(client, world, headline="Talks with Kyiv to resume next week", body=BODY)
    republished = (
        "Talks with Kyiv to resume next week\n"
        "Original-Meldung: Acme Renewables AG via Newswire\n\n"
        "Russia\u2019s top diplomat said on Tuesday that talks with Kyiv would resume next\n"
        "week.\n\nThe meeting will take place in Istanbul, the ministry said in a statement.\n\n"
        "Disclaimer: the content of this release is the responsibility of the issuer."
    )
    answer = client.post("/api/v1/verify", json={"text": republished})
    assert answer.status_code == 200
    assert answer.json()["outcome"] == "verified"
    assert answer.json()["statement"]["release"] == rid

    dropped = republished.replace("Russia\u2019s top diplomat said", "Said")
    answer = client.post("/api/v1/verify", json={"text": dropped}).json()
    assert answer["outcome"] == "changed" and not answer["genuine"]
    [difference] = answer["differences"]
    assert difference["op"] == "replace"
    assert (difference["signed"], difference["found"]) == ("Russia's top diplomat said", "Said")
    assert difference["after"] == "on Tuesday that talks"
    page = client.post("/verify", data={"text": dropped})
    assert verdict_on_page(page) == "Could not be verified"
    cells = [td.text_content() for td in html.fromstring(page.text).cssselect("table td")]
    assert [" ".join(c.split()) for c in cells[:2]] == [
        "Russia's top diplomat said on Tuesday that talks",
        "Said on Tuesday that talks",
    ]


def test_a_pasted_document_is_checked_against_what_was_signed(
    client: TestClient, world: World
) -> None:
    rid = published(client, world)
    document = client.get(f"/releases/{rid}/v1.json").json()
    answer = client.post("/api/v1/verify", json={"text": json.dumps(document)}).json()
    assert answer["outcome"] == "verified", answer
    document["versioncreated"] = "2019-05-01T09:00:00Z"
    answer = client.post("/api/v1/verify", json={"text": json.dumps(document)}).json()
    assert answer["outcome"] == "changed" and answer["changed"] == ["time"]


def test_bad_input_gets_a_clear_answer(client: TestClient, world: World) -> None:
    published(client, world)
    cases = [
        ({"url": "https://evil.example/releases/abc"}, 422, "checks only"),
        ({"url": "http://testserver/about"}, 422, "not the address of a release"),
        ({"url": "javascript:alert(1)"}, 422, "not an http(s) URL"),
        ({}, 422, "give either a URL"),
        ({"url": "http://testserver/releases/abc", "text": "x"}, 422, "not both"),
        ({"text": "x" * 200_001}, 422, "200000"),
    ]
    for body, status, words in cases:
        answer = client.post("/api/v1/verify", json=body)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.text, (body, answer.text)
    garbage = client.post(
        "/api/v1/verify", content=b"{garbage", headers={"content-type": "application/json"}
    )
    assert garbage.status_code in (400, 422) and "json" in garbage.text.lower()
    unknown = client.post("/api/v1/verify", json={"url": "http://testserver/releases/nope"})
    assert unknown.json()["outcome"] == "not_signed"
    nothing = client.post("/api/v1/verify", json={"text": "Lorem ipsum dolor sit amet."})
    assert nothing.json()["outcome"] == "not_signed"
    page = client.post("/verify", data={"url": "https://evil.example/x"})
    assert page.status_code == 422 and "checks only" in page.text


def test_the_command_line_verifies_a_url_a_file_and_refuses_a_forgery(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    live = replace(settings, base_url=f"http://127.0.0.1:{port}")
    db = Database(live)
    db.upgrade()
    world = make_world(db)
    app = create_app(live, run_scheduler=False)
    runner = CliRunner()
    with LiveServer(app, port=port) as server, httpx.Client(base_url=server.base) as http:
        rid = file_and_approve(http, world)
        run_once(app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
        url = f"{server.base}/releases/{rid}/v1.json"
        result = runner.invoke(cli, ["verify", url])
        assert result.exit_code == 0, result.output
        assert f"verified: release {rid} version 1, published by Newswire" in result.output

        page = runner.invoke(cli, ["verify", f"{server.base}/releases/{rid}"])
        assert page.exit_code == 0, page.output

        forged = http.get(url).json()
        forged["bodies"][0]["value"] = forged["bodies"][0]["value"].replace("640", "940")
        file = tmp_path / "forged.json"
        file.write_text(json.dumps(forged))
        result = runner.invoke(cli, ["verify", str(file), "--json"])
        assert result.exit_code == 4, result.output
        assert json.loads(result.output)["changed"] == ["text"]

        # the transparency log proves it, and proves it only grew since this reader last looked
        with app.state.db.session() as s:
            integrate(s, live)
        state = tmp_path / "heads.json"
        logged = runner.invoke(cli, ["verify", url, "--log", "--log-state", str(state), "--json"])
        assert logged.exit_code == 0, logged.output
        assert json.loads(logged.output)["logged"] is True
        first_head = json.loads(state.read_text())[live.base_url]
        second = file_and_approve(
            http, world, headline="Acme Renewables Opens Its Second Wind Farm"
        )
        run_once(app.state.db, now=datetime.now(UTC) + timedelta(seconds=2))
        with app.state.db.session() as s:
            integrate(s, live)
        again = runner.invoke(cli, ["verify", url, "--log", "--log-state", str(state)])
        assert again.exit_code == 0, again.output
        assert json.loads(state.read_text())[live.base_url]["size"] > first_head["size"]
        assert second
        rewritten = {live.base_url: {**first_head, "root_hash": "00" * 32}}
        state.write_text(json.dumps(rewritten))
        caught = runner.invoke(cli, ["verify", url, "--log", "--log-state", str(state)])
        assert caught.exit_code == 6, caught.output
        assert "transparency log does not prove it" in caught.output

        other_keys = tmp_path / "keys.json"
        other_keys.write_text('{"keys": []}')
        result = runner.invoke(cli, ["verify", url, "--keys", f"{server.base}/nothing-here"])
        assert result.exit_code == 7, result.output
    missing = runner.invoke(cli, ["verify", str(tmp_path / "missing.json")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\x01 not a document")
    result = runner.invoke(cli, ["verify", str(garbage)])
    assert result.exit_code == 8 and "not a ninjs" in result.output
