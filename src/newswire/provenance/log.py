"""The transparency log: every signature the wire makes becomes a leaf of an append-only Merkle
tree (RFC 9162 style), and each time the tree grows the wire signs a tree head over its size and
root. Inclusion proofs show a signed version is in the log; consistency proofs show a later tree
head extends an earlier one, so the wire cannot quietly rewrite or back-date a release.

- `integrate`: the sequencer. Signatures without a leaf get the next dense indices, in id order,
  then a signed tree head is written. On PostgreSQL integrators take turns on an advisory lock;
  in one process a lock per database does the same (SQLite serializes writers anyway).
- `integrate_soon`: after a commit that signed something, integrate in a background thread,
  so the publishing request does not wait for it (the scheduler integrates on every tick too).
- `tree_head`, `inclusion_proof`, `consistency_proof`, `entry_for`, `entries`: what the public
  routes under ``/log/v1`` serve. See docs/provenance.md and `newswire.provenance.merkle`.
"""

from __future__ import annotations

import logging
import threading
from collections import ChainMap
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from newswire.config import Settings
from newswire.domain.errors import NewswireError, NotFound
from newswire.provenance.keys import key_ring
from newswire.provenance.log_check import TREE_HEAD_TYPE, leaf_data, tree_head_payload
from newswire.provenance.merkle import MerkleTree, leaf_hash
from newswire.provenance.signing import sign_bytes
from newswire.provenance.terms import iso_ms
from newswire.store.hooks import after_commit, run_after_commit
from newswire.store.models import LogEntry, Signature, TreeHead

log = logging.getLogger(__name__)

ADVISORY_LOCK = 7262002  # publish.events uses 7262001
MAX_PAGE = 1000  # entries in one page of GET /log/v1/entries


class InvalidLogQuery(NewswireError):
    """A log query the log cannot answer as asked; the message names the parameter."""

    status = 422
    code = "invalid_parameter"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "parameter": self.parameter}


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Roots of complete subtrees, per database: immutable once their leaves are committed.
_caches: dict[str, tuple[str, dict[tuple[int, int], bytes]]] = {}
_caches_lock = threading.Lock()


def _database_key(db: Session) -> str:
    return db.get_bind().engine.url.render_as_string(hide_password=True)


def _shared_cache(db: Session) -> dict[tuple[int, int], bytes]:
    """The subtree cache of this database; dropped if its first leaf is not the one the cache
    was made for (a database made anew under the same URL)."""
    first = db.scalar(select(LogEntry.leaf_hash).where(LogEntry.index == 0)) or ""
    key = _database_key(db)
    with _caches_lock:
        found = _caches.get(key)
        if found is None or found[0] != first:
            found = _caches[key] = (first, {})
        return found[1]


def _tree(db: Session, cache: MutableMapping[tuple[int, int], bytes] | None = None) -> MerkleTree:
    def read(start: int, end: int) -> Sequence[bytes]:
        rows = db.scalars(
            select(LogEntry.leaf_hash)
            .where(LogEntry.index >= start, LogEntry.index < end)
            .order_by(LogEntry.index)
        )
        return [bytes.fromhex(h) for h in rows]

    return MerkleTree(read, _shared_cache(db) if cache is None else cache)


def log_size(db: Session) -> int:
    top = db.scalar(select(func.max(LogEntry.index)))
    return 0 if top is None else top + 1


def integrate(db: Session, settings: Settings, now: datetime | None = None) -> TreeHead | None:
    """Append every signature not yet in the log and sign the new tree head; returns it, or
    None when nothing was added. Runs in the caller's transaction (commit it to publish)."""
    now = _utc(now or datetime.now(UTC))
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})"))
    else:
        # take SQLite's write lock before reading the size, so that a second integrator (the
        # scheduler's, the background one) waits for this one to commit instead of failing
        db.execute(text("UPDATE tree_heads SET size = size WHERE 0"))
    size = log_size(db)
    pending = db.execute(
        select(Signature.id, Signature.statement, Signature.jws)
        .outerjoin(LogEntry, LogEntry.signature_id == Signature.id)
        .where(LogEntry.index.is_(None))
        .order_by(Signature.id)
    ).all()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    for offset, (signature_id, statement, jws) in enumerate(pending):
        digest = leaf_hash(leaf_data(statement, jws)).hex()
        db.add(
            LogEntry(
                index=size + offset, signature_id=signature_id, leaf_hash=digest, appended_at=now
            )
        )
    size += len(pending)
    latest = tree_head(db)
    if size == 0 or (latest is not None and latest.size >= size):
        return None
    if latest is not None and _utc(latest.timestamp) > now:
        now = _utc(latest.timestamp)  # a node with a slow clock never signs an earlier head
    db.flush()
    # nodes hashed from this transaction's leaves join the shared cache once they are committed
    shared = _shared_cache(db)
    fresh: dict[tuple[int, int], bytes] = {}
    root = _tree(db, ChainMap(fresh, shared)).head(size).hex()
    after_commit(db, lambda: shared.update(fresh))
    key = key_ring(settings.data_dir).active()
    payload = tree_head_payload(
        {
            "type": TREE_HEAD_TYPE,
            "wire": settings.base_url,
            "size": size,
            "root_hash": root,
            "timestamp": iso_ms(now),
        }
    )
    head = TreeHead(
        size=size, root_hash=root, timestamp=now, jws=sign_bytes(payload, key), kid=key.kid
    )
    db.add(head)
    db.flush()
    return head


class _Sequencer:
    """One background integrator per database in this process: requests while it runs are
    folded into one more pass."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self._lock = threading.Lock()
        self._wanted = False
        self._running = False

    def request(self) -> None:
        with self._lock:
            self._wanted = True
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._run, name="newswire-log-sequencer", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._running = False
                    return
                self._wanted = False
            try:
                with Session(self.engine) as db:
                    with db.begin():
                        integrate(db, self.settings)
                    run_after_commit(db)  # feeds the shared subtree cache
            except Exception:  # the scheduler's next tick integrates instead
                log.warning("the transparency log could not integrate now", exc_info=True)


_sequencers: dict[str, _Sequencer] = {}


def integrate_soon(db: Session, settings: Settings) -> None:
    """After this transaction commits, integrate what it signed in the background."""
    engine = db.get_bind().engine
    key = _database_key(db)
    with _caches_lock:
        sequencer = _sequencers.get(key)
        if sequencer is None or sequencer.engine is not engine:
            sequencer = _sequencers[key] = _Sequencer(engine, settings)
    if not db.info.get("log_integration_requested"):
        db.info["log_integration_requested"] = True

        def requested() -> None:
            db.info.pop("log_integration_requested", None)
            sequencer.request()

        after_commit(db, requested)


def tree_head(db: Session, size: int | None = None) -> TreeHead | None:
    """The latest signed tree head, or the one of `size`."""
    if size is not None:
        return db.get(TreeHead, size)
    return db.scalar(select(TreeHead).order_by(TreeHead.size.desc()).limit(1))


def _signed_head(db: Session, size: int | None, parameter: str) -> TreeHead:
    head = tree_head(db, size)
    if head is None:
        if size is None:
            raise NotFound("the log is empty: no tree head has been signed yet")
        raise NotFound(f"{parameter}: the log has no signed tree head of size {size}")
    return head


def inclusion_proof(db: Session, index: int, size: int | None = None) -> tuple[TreeHead, list[str]]:
    """The audit path of leaf `index` in the signed tree of `size` (default: the latest)."""
    head = _signed_head(db, size, "size")
    if not 0 <= index < head.size:
        raise InvalidLogQuery("index", f"leaf {index} is not in the tree of size {head.size}")
    return head, [h.hex() for h in _tree(db).inclusion_proof(index, head.size)]


def consistency_proof(
    db: Session, first: int, second: int | None = None
) -> tuple[TreeHead, TreeHead, list[str]]:
    """The proof that the signed tree of size `first` is a prefix of the one of `second`."""
    if first < 1:
        raise InvalidLogQuery("first", "must be a tree size of at least 1")
    older = _signed_head(db, first, "first")
    newer = _signed_head(db, second, "second")
    if newer.size < older.size:
        raise InvalidLogQuery("second", f"must be at least first ({first})")
    proof = _tree(db).consistency_proof(older.size, newer.size)
    return older, newer, [h.hex() for h in proof]


def entry_for(db: Session, release_id: str, version: int, language: str) -> LogEntry | None:
    """The leaf of one signed document (a version in its language, or an edition)."""
    return db.scalar(
        select(LogEntry)
        .join(Signature, Signature.id == LogEntry.signature_id)
        .where(
            Signature.release_id == release_id,
            Signature.version_number == version,
            Signature.language == language,
        )
    )


@dataclass(frozen=True)
class Entry:
    index: int
    leaf_hash: str
    statement: dict[str, Any]
    signature: str
    appended_at: datetime


def entries(db: Session, start: int, end: int) -> list[Entry]:
    """The leaves [start, end), at most `MAX_PAGE` of them."""
    rows = db.execute(
        select(LogEntry, Signature.statement, Signature.jws)
        .join(Signature, Signature.id == LogEntry.signature_id)
        .where(LogEntry.index >= start, LogEntry.index < min(end, start + MAX_PAGE))
        .order_by(LogEntry.index)
    ).all()
    return [
        Entry(e.index, e.leaf_hash, statement, jws, e.appended_at) for e, statement, jws in rows
    ]
