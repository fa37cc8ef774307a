"""Transparency log proof throughput at 10^4 and 10^5 leaves, store-backed (SQLite).

Fills a fresh, migrated SQLite database with N leaves (log rows only: the leaf hashes are what
proofs read), signs a tree head, then times: the first inclusion proof (cold subtree cache),
inclusion proofs for random leaves (warm), and consistency proofs from random earlier sizes.
The floor: the same proofs from a tree held in memory.

    .venv/bin/python bench/provenance_log.py [--leaves 10000 100000] [--proofs 2000]

Last line: JSON, one record per size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from newswire.config import load_settings
from newswire.provenance import log
from newswire.provenance.merkle import MerkleTree, verify_inclusion
from newswire.store.db import Database
from newswire.store.models import LogEntry, TreeHead


def fill(db: Database, n: int) -> list[bytes]:
    hashes = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]
    now = datetime.now(UTC)
    with db.engine.connect() as c:  # leaves without their signatures: no foreign key here
        c.exec_driver_sql("PRAGMA foreign_keys=OFF")
        c.execute(
            insert(LogEntry),
            [
                {"index": i, "signature_id": i, "leaf_hash": h.hex(), "appended_at": now}
                for i, h in enumerate(hashes)
            ],
        )
        c.commit()
    return hashes


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds else float("inf")


def bench(n: int, proofs: int) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="newswire-bench-log-"))
    settings = load_settings(folder, database_url=f"sqlite:///{folder / 'newswire.db'}")
    db = Database(settings)
    db.upgrade()
    hashes = fill(db, n)
    rng = random.Random(7)
    with db.session() as s:
        started = time.perf_counter()
        root = log._tree(s).head(n)
        cold_head_s = time.perf_counter() - started
        s.add(TreeHead(size=n, root_hash=root.hex(), timestamp=datetime.now(UTC), jws="", kid=""))
    for size in sorted({rng.randrange(1, n) for _ in range(50)}):
        with db.session() as s:
            s.add(
                TreeHead(
                    size=size,
                    root_hash=log._tree(s).head(size).hex(),
                    timestamp=datetime.now(UTC),
                    jws="",
                    kid="",
                )
            )
    with db.session() as s:
        sizes = list(s.scalars(select(TreeHead.size)))
        started = time.perf_counter()
        for _ in range(proofs):
            index = rng.randrange(n)
            _, path = log.inclusion_proof(s, index, n)
        inclusion_s = time.perf_counter() - started
        verify_inclusion(index, n, hashes[index], [bytes.fromhex(p) for p in path], root)
        started = time.perf_counter()
        for _ in range(proofs):
            log.consistency_proof(s, rng.choice(sizes), n)
        consistency_s = time.perf_counter() - started
    memory = MerkleTree.of(hashes)
    memory.head(n)
    started = time.perf_counter()
    for _ in range(proofs):
        memory.inclusion_proof(rng.randrange(n), n)
    memory_s = time.perf_counter() - started
    db.dispose()
    return {
        "leaves": n,
        "cold_root_ms": round(cold_head_s * 1000, 1),
        "inclusion_per_s": rate(proofs, inclusion_s),
        "consistency_per_s": rate(proofs, consistency_s),
        "in_memory_inclusion_per_s": rate(proofs, memory_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--proofs", type=int, default=2000)
    args = parser.parse_args()
    results = [bench(n, args.proofs) for n in args.leaves]
    for r in results:
        print(r)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
