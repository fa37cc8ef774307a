"""Scale-out with `serve` nodes (not only gateways) on one PostgreSQL database and NATS: a node's
own stream hears what another node commits, and replays it from Last-Event-ID."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_streams import publish, publish_later, read_events
from test_streams_gateways import publisher_bus  # noqa: F401 (fixtures)

from builders import World, make_world
from newswire.bus.nats import NatsBus
from newswire.config import load_settings
from newswire.store.db import Database
from serve_process import serving

pytestmark = pytest.mark.postgres

NODE_TWO = 18420


@pytest.fixture
def shared_db(postgres_url: str, tmp_path: Path) -> Iterator[Database]:
    database = Database(load_settings(tmp_path, database_url=postgres_url))
    yield database
    database.dispose()


def test_a_serve_node_streams_what_another_node_published(
    shared_db: Database,
    postgres_url: str,
    nats_url: str,
    publisher_bus: NatsBus,  # noqa: F811
    tmp_path: Path,
) -> None:
    world: World = make_world(shared_db)
    key = world.keys["issuer"]
    env = {"DATABASE_URL": postgres_url, "NEWSWIRE_BUS_URL": nats_url}
    with serving(tmp_path / "node2", NODE_TWO, **env):
        url = f"http://127.0.0.1:{NODE_TWO}/api/v1/stream"
        # this test process is node 1: it publishes, and announces on NATS
        later = publish_later(shared_db, world, "Acme Opens the First Offshore Hydrogen Plant")
        began = time.monotonic()
        [live] = read_events(url, key, 1)
        took = time.monotonic() - began
        later.join()
        assert took < 2.5, f"node 2's stream got node 1's event after {took:.1f} s"
        second = publish(shared_db, world, "Acme Signs a Supply Deal With a Danish Utility")
        third = publish(shared_db, world, "Acme Names a New Chief Financial Officer")
        time.sleep(1.5)  # node 2 has committed nothing itself
        missed = read_events(url, key, 2, last_id=live["id"])
        assert [e["data"]["uri"].rsplit(":", 1)[1] for e in missed] == [second, third]
