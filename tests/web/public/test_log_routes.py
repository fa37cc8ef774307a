"""The transparency log over HTTP: a reader fetches the signed tree head, the entries and the
proofs from /log/v1, and checks them with the wire's public keys alone; bad parameters are a
4xx naming the parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from newswire.actions.scheduler import run_once
from newswire.config import Settings
from newswire.provenance.keys import key_ring
from newswire.provenance.log_check import (
    check_consistency,
    check_inclusion,
    check_inclusion_answer,
    check_tree_head,
    leaf_data,
)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


def publish(client: TestClient, world: World, headline: str) -> str:
    rid = client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(headline=headline, target_languages=[]),
        headers=world.headers("issuer"),
    ).json()["id"]
    client.post(
        f"/api/v1/releases/{rid}/approve",
        json={"override_reason": "test"},
        headers=world.headers("editor"),
    )
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    return str(rid)


@pytest.fixture
def jwks(settings: Settings) -> dict[str, object]:
    return key_ring(settings.data_dir).jwks()


def test_an_empty_log_has_no_tree_head_yet(client: TestClient) -> None:
    answer = client.get("/log/v1/tree-head")
    assert answer.status_code == 404 and "empty" in answer.json()["message"]


def test_a_reader_verifies_the_tree_head_and_a_release_s_inclusion_over_http(
    client: TestClient, world: World, jwks: dict[str, object]
) -> None:
    publish(client, world, "Acme Opens Its First Hydrogen Plant")
    rid = publish(client, world, "Acme Names a New Chief Engineer")
    publish(client, world, "Acme Reports a Record Quarter")

    head = client.get("/log/v1/tree-head").json()
    assert head["size"] == 3 and head["keys"].endswith("/.well-known/newswire-keys.json")
    assert check_tree_head(head, jwks).ok

    answer = client.get("/log/v1/proof/inclusion", params={"release": rid, "version": 1}).json()
    assert answer["index"] == 1 and answer["statement"]["release"] == rid
    checked = check_inclusion_answer(answer, jwks)
    assert checked.ok, checked.reason

    by_index = client.get("/log/v1/proof/inclusion", params={"index": 1, "size": 3}).json()
    assert by_index["audit_path"] == answer["audit_path"]
    entries = client.get("/log/v1/entries", params={"start": 0, "end": 2}).json()["entries"]
    assert [e["index"] for e in entries] == [0, 1, 2]
    leaf = leaf_data(entries[1]["statement"], entries[1]["signature"])
    assert check_inclusion(leaf, 1, 3, answer["audit_path"], head["root_hash"]).ok


def test_a_changed_statement_or_tree_head_fails_with_the_reason(
    client: TestClient, world: World, jwks: dict[str, object]
) -> None:
    rid = publish(client, world, "Acme Opens Its First Hydrogen Plant")
    publish(client, world, "Acme Names a New Chief Engineer")
    answer = client.get("/log/v1/proof/inclusion", params={"release": rid, "version": 1}).json()

    backdated = answer | {"statement": answer["statement"] | {"published_at": "2020-01-01"}}
    checked = check_inclusion_answer(backdated | {"leaf_hash": None}, jwks)
    assert not checked.ok
    checked = check_inclusion_answer(backdated, jwks)
    assert not checked.ok and "leaf hash" in checked.reason

    rerooted = answer | {"tree_head": answer["tree_head"] | {"root_hash": "ab" * 32}}
    checked = check_inclusion_answer(rerooted, jwks)
    assert not checked.ok and "signature does not match" in checked.reason

    unknown = check_tree_head(answer["tree_head"], {"keys": []})
    assert not unknown.ok and "does not publish" in unknown.reason


def test_each_later_tree_head_is_consistent_with_the_earlier_ones(
    client: TestClient, world: World, jwks: dict[str, object]
) -> None:
    publish(client, world, "Acme Opens Its First Hydrogen Plant")
    first = client.get("/log/v1/tree-head").json()
    for n in range(4):
        publish(client, world, f"Acme Reports Quarter {n + 1}")
    answer = client.get("/log/v1/proof/consistency", params={"first": first["size"]}).json()
    second = answer["second_tree_head"]
    assert second["size"] == 5 and check_tree_head(second, jwks).ok
    assert client.get("/log/v1/tree-heads/1").json() == first
    checked = check_consistency(1, 5, first["root_hash"], second["root_hash"], answer["proof"])
    assert checked.ok, checked.reason
    fixed = client.get("/log/v1/proof/consistency", params={"first": 2, "second": 4}).json()
    assert check_consistency(
        2,
        4,
        fixed["first_tree_head"]["root_hash"],
        fixed["second_tree_head"]["root_hash"],
        fixed["proof"],
    ).ok
    # a log that rewrote its past: the old head no longer fits the proof
    assert not check_consistency(
        1, 5, fixed["first_tree_head"]["root_hash"], second["root_hash"], answer["proof"]
    ).ok


BAD = [
    ("/log/v1/tree-heads/7", 404, "size"),
    ("/log/v1/tree-heads/abc", 422, "size"),
    ("/log/v1/entries?start=2&end=1", 422, "end"),
    ("/log/v1/entries?start=-1&end=1", 422, "start"),
    ("/log/v1/entries?start=0", 422, "end"),
    ("/log/v1/entries?start=0&end=99999999999999999999", 422, "end"),
    ("/log/v1/proof/inclusion", 422, "index"),
    ("/log/v1/proof/inclusion?index=5", 422, "index"),
    ("/log/v1/proof/inclusion?index=0&size=9", 404, "size"),
    ("/log/v1/proof/inclusion?release=nope", 422, "version"),
    ("/log/v1/proof/inclusion?release=nope&version=1", 404, "release"),
    ("/log/v1/proof/consistency", 422, "first"),
    ("/log/v1/proof/consistency?first=0", 422, "first"),
    ("/log/v1/proof/consistency?first=3", 404, "first"),
    ("/log/v1/proof/consistency?first=1&second=9", 404, "second"),
]


def test_bad_parameters_are_a_4xx_naming_the_parameter(client: TestClient, world: World) -> None:
    publish(client, world, "Acme Opens Its First Hydrogen Plant")
    for url, status, named in BAD:
        answer = client.get(url)
        assert answer.status_code == status, (url, answer.text)
        assert answer.headers["content-type"] == "application/json"
        assert named in answer.json()["message"], (url, answer.text)
