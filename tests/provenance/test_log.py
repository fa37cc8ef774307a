"""The transparency log over the store: every signature the wire makes becomes a leaf with a
dense index, each growth a signed tree head, and proofs from the log verify with the public
keys alone, and fail when the log is altered."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from builders import World, release_payload
from newswire.actions.scheduler import run_once
from newswire.config import Settings
from newswire.provenance import log
from newswire.provenance.keys import key_ring
from newswire.provenance.log_check import (
    check_consistency,
    check_inclusion,
    check_tree_head,
    leaf_data,
)
from newswire.provenance.merkle import MerkleTree, leaf_hash
from newswire.store.db import Database
from newswire.store.models import LogEntry, Signature, TreeHead


def publish_release(client: TestClient, world: World, headline: str) -> str:
    rid = client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(headline=headline, target_languages=[]),
        headers=world.headers("issuer"),
    ).json()["id"]
    approved = client.post(
        f"/api/v1/releases/{rid}/approve",
        json={"override_reason": "test"},
        headers=world.headers("editor"),
    )
    assert approved.status_code == 200, approved.text
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    return str(rid)


def sth_json(head: TreeHead, settings: Settings) -> dict[str, object]:
    return {
        "type": "newswire.tree-head/1",
        "wire": settings.base_url,
        "size": head.size,
        "root_hash": head.root_hash,
        "timestamp": log.iso_ms(head.timestamp),
        "signature": head.jws,
    }


def test_each_published_version_gets_the_next_index_and_a_signed_tree_head(
    client: TestClient, world: World, db: Database, settings: Settings
) -> None:
    first = publish_release(client, world, "Acme Opens Its First Hydrogen Plant")
    second = publish_release(client, world, "Acme Names a New Chief Engineer")
    with db.session() as s:
        log.integrate(s, settings)
    with db.session() as s:
        entries = s.scalars(select(LogEntry).order_by(LogEntry.index)).all()
        assert [e.index for e in entries] == [0, 1]
        by_release = {
            s.get(Signature, e.signature_id).release_id: e.index  # type: ignore[union-attr]
            for e in entries
        }
        assert by_release == {first: 0, second: 1}
        head = log.tree_head(s)
        assert head is not None and head.size == 2
        jwks = key_ring(settings.data_dir).jwks()
        checked = check_tree_head(sth_json(head, settings), jwks)
        assert checked.ok, checked.reason
        entry = log.entry_for(s, second, 1, "en")
        assert entry is not None and entry.index == 1
        signature = s.get(Signature, entry.signature_id)
        assert signature is not None
        _, path = log.inclusion_proof(s, 1, 2)
        data = leaf_data(signature.statement, signature.jws)
        assert leaf_hash(data).hex() == entry.leaf_hash
        assert check_inclusion(data, 1, 2, path, head.root_hash).ok
        # one tree head each time the log grew (the scheduler's tick integrates), none more
        assert log.integrate(s, settings) is None
        assert s.scalars(select(TreeHead.size).order_by(TreeHead.size)).all() == [1, 2]


def test_a_later_tree_head_is_consistent_with_an_earlier_one(
    client: TestClient, world: World, db: Database, settings: Settings
) -> None:
    publish_release(client, world, "Acme Opens Its First Hydrogen Plant")
    with db.session() as s:
        log.integrate(s, settings)
    for n in range(3):
        publish_release(client, world, f"Acme Reports Quarter {n + 1}")
    with db.session() as s:
        log.integrate(s, settings)
    with db.session() as s:
        older, newer, proof = log.consistency_proof(s, 1, 4)
        assert (older.size, newer.size) == (1, 4)
        assert check_consistency(1, 4, older.root_hash, newer.root_hash, proof).ok
        assert newer.timestamp >= older.timestamp


def test_an_altered_leaf_or_root_fails_verification_with_the_reason(
    client: TestClient, world: World, db: Database, settings: Settings
) -> None:
    for n in range(3):
        publish_release(client, world, f"Acme Reports Quarter {n + 1}")
    with db.session() as s:
        log.integrate(s, settings)
        head = log.tree_head(s)
        assert head is not None and head.size == 3
        signature = s.scalars(select(Signature).order_by(Signature.id)).first()
        assert signature is not None
        _, path = log.inclusion_proof(s, 0, 3)
        statement = dict(signature.statement)
        jws = signature.jws
    assert check_inclusion(leaf_data(statement, jws), 0, 3, path, head.root_hash).ok

    backdated = {**statement, "published_at": "2020-01-01T00:00:00.000Z"}
    checked = check_inclusion(leaf_data(backdated, jws), 0, 3, path, head.root_hash)
    assert not checked.ok and "does not lead to the root" in checked.reason

    other_root = "00" * 32
    assert not check_inclusion(leaf_data(statement, jws), 0, 3, path, other_root).ok

    forged = sth_json(head, settings) | {"root_hash": other_root}
    checked = check_tree_head(forged, key_ring(settings.data_dir).jwks())
    assert not checked.ok and "does not match" in checked.reason

    # a log rewritten after the fact cannot prove consistency with what it signed before
    hashes = [leaf_hash(b"x")] * 3
    rewritten = MerkleTree.of(hashes)
    proof = rewritten.consistency_proof(3, 3)
    assert not check_consistency(3, 3, head.root_hash, rewritten.head(3), proof).ok


def test_the_log_refuses_to_change_an_entry(
    client: TestClient, world: World, db: Database, settings: Settings
) -> None:
    publish_release(client, world, "Acme Opens Its First Hydrogen Plant")
    with db.session() as s:
        log.integrate(s, settings)
    with pytest.raises(Exception, match="append-only"), db.session() as s:
        entry = s.get(LogEntry, 0)
        assert entry is not None
        entry.leaf_hash = "00" * 32


def test_a_publication_reaches_the_log_within_a_second_without_the_scheduler(
    client: TestClient, world: World, db: Database
) -> None:
    publish_release(client, world, "Acme Opens Its First Hydrogen Plant")
    # run_once integrates too; the background sequencer must do it alone for a correction
    rid = publish_release(client, world, "Acme Names a New Chief Engineer")
    corrected = client.post(
        f"/api/v1/releases/{rid}/corrections",
        json={"release": release_payload(subheadline="Fixed"), "reason": "Typo"},
        headers=world.headers("editor"),
    )
    assert corrected.status_code == 201, corrected.text
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        with db.session() as s:
            if log.entry_for(s, rid, 2, "en") is not None and (log.tree_head(s) or 0):
                head = log.tree_head(s)
                assert head is not None and head.size == log.log_size(s)
                return
        time.sleep(0.05)
    pytest.fail("the correction was not in the log within 3 seconds")


@pytest.mark.postgres
def test_two_sequencers_racing_on_postgresql_keep_the_indices_dense(
    postgres_url: str, tmp_path: object
) -> None:
    from pathlib import Path

    from builders import make_world
    from newswire.config import load_settings

    settings = load_settings(Path(str(tmp_path)), database_url=postgres_url)
    database = Database(settings)
    try:
        world = make_world(database)
        from newswire.web.app import create_app

        with TestClient(create_app(settings, run_scheduler=False)) as client:
            publish_release(client, world, "Acme Opens Its First Hydrogen Plant")
        with database.session() as s:  # more signed documents than one sequencer takes at once
            signed = s.scalars(select(Signature)).first()
            assert signed is not None
            for n in range(20):
                s.add(
                    Signature(
                        release_id=signed.release_id,
                        version_number=signed.version_number,
                        language=f"x-test-{n}",
                        edition=True,
                        kind=signed.kind,
                        ninjs=signed.ninjs,
                        newsml=signed.newsml,
                        statement=signed.statement | {"language": f"x-test-{n}"},
                        jws=signed.jws,
                        kid=signed.kid,
                        signed_at=signed.signed_at,
                    )
                )
        errors: list[BaseException] = []
        start = threading.Barrier(4)

        def sequencer() -> None:
            try:
                start.wait()
                with database.session() as s:
                    log.integrate(s, settings)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=sequencer) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with database.session() as s:
            indices = s.scalars(select(LogEntry.index).order_by(LogEntry.index)).all()
            signatures = s.scalar(select(func.count()).select_from(Signature))
            assert indices == list(range(signatures or 0)) and len(indices) >= 4
            heads = s.scalars(select(TreeHead.size).order_by(TreeHead.size)).all()
            assert heads[-1] == len(indices)
            for size in heads:
                head = log.tree_head(s, size)
                assert head is not None
                hashes = s.scalars(
                    select(LogEntry.leaf_hash).where(LogEntry.index < size).order_by(LogEntry.index)
                ).all()
                assert MerkleTree.of([bytes.fromhex(h) for h in hashes]).head(size).hex() == (
                    head.root_hash
                )
    finally:
        database.dispose()
