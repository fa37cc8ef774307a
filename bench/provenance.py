"""What signing costs: per version, per verification, and on the publish path.

In one run, on the same bytes:
1. signing: the wire's statement for a published version (ninjs hashed in its RFC 8785 form,
   NewsML-G2 in Canonical XML 2.0, the statement canonicalized and signed as a detached JWS)
   against a raw Ed25519 signature of the statement's bytes (`cryptography`);
2. verification: `verify_document` (the document's canonical hash and the JWS checked against
   the JWK Set) against a raw Ed25519 verification of the same bytes;
3. publishing: the scheduler publishing a release (freeze, sign, outbox, stream event, commit)
   on SQLite, with signing and with signing taken out (patched to nothing, in this process
   only), releases alternating between the two.

    .venv/bin/python bench/provenance.py [--versions 2000] [--releases 200]

Last line: JSON with sign_us, raw_sign_us, sign_ratio, verify_per_s, raw_verify_per_s,
verify_ratio, publish_p50_ms, publish_unsigned_p50_ms, publish_ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import release

from newswire.actions import accounts, releases
from newswire.actions.scheduler import run_once
from newswire.config import load_settings
from newswire.domain.lifecycle import Role
from newswire.intake.validate import validate_release
from newswire.provenance.keys import key_ring
from newswire.provenance.signing import sign
from newswire.provenance.statement import build_statement, canonical_json
from newswire.provenance.verify import verify_document
from newswire.store.db import Database
from newswire.store.models import ReleaseVersion, Signature

PW = "bench-password-1"


def _timed(fn, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=2000)
    parser.add_argument("--releases", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nw-bench-provenance-"))
    settings = load_settings(folder)
    db = Database(settings)
    db.upgrade()
    with db.session() as s:
        wire = accounts.create_organization(s, slug="desk", name="Desk", kind="wire")
        acme = accounts.create_organization(
            s, slug="acme", name="Acme", website="https://acme.example"
        )
        issuer = accounts.actor_for(
            accounts.create_user(
                s,
                email="i@acme.example",
                name="i",
                role=Role.ISSUER,
                organization=acme,
                password="bench-password-1",
            )
        )
        editor = accounts.actor_for(
            accounts.create_user(
                s,
                email="e@desk.example",
                name="e",
                role=Role.EDITOR,
                organization=wire,
                password="bench-password-1",
            )
        )

    def file_one(n: int) -> None:
        now = datetime.now(UTC)
        content = validate_release(release(n, "Provenance"), now=now)
        with db.session() as s:
            rid = releases.create_release(s, issuer, content, submit=True, now=now).id
        with db.session() as s:
            releases.approve(s, editor, rid, now=now)

    timings: dict[bool, list[float]] = {True: [], False: []}
    for n in range(args.releases):
        signed = n % 2 == 0
        file_one(n)
        patch = mock.patch.object(releases, "sign_version", lambda *a, **k: None)
        moment = datetime.now(UTC) + timedelta(seconds=1)
        if signed:
            started = time.perf_counter()
            assert len(run_once(db, now=moment)) == 1
        else:
            with patch:
                started = time.perf_counter()
                assert len(run_once(db, now=moment)) == 1
        timings[signed].append((time.perf_counter() - started) * 1000)

    with db.session() as s:
        version = s.query(ReleaseVersion).first()
        signature = s.query(Signature).filter_by(release_id=version.release_id).one()
        ninjs, newsml = version.ninjs, version.newsml
        resource = {"statement": signature.statement, "signature": signature.jws, "status": {}}
    key = key_ring(settings.data_dir).active()
    jwks = key_ring(settings.data_dir).jwks()
    common = dict(
        wire_name="Newswire", wire_url=settings.base_url, release_id=version.release_id,
        uri="urn:newswire:release:x", version=1, kind="original", language="en",
        edition=False, url=settings.base_url, issuer={"name": "Acme", "slug": "acme",
        "website": None, "domains": [], "tickers": []}, published_at="2026-12-03T00:00:00.000Z",
        signed_at="2026-12-03T00:00:00.000Z", amends=None, original=None,
    )  # fmt: skip
    statement_bytes = canonical_json(signature.statement)
    raw_key = key.key.private_key
    raw_public = raw_key.public_key()
    raw_signature = raw_key.sign(statement_bytes)
    n = args.versions
    ours = _timed(lambda: sign(build_statement(ninjs=ninjs, newsml=newsml, **common), key), n)
    raw = _timed(lambda: raw_key.sign(statement_bytes), n)
    document = ninjs.encode()
    check = _timed(lambda: verify_document(document, resource, jwks), n)
    raw_check = _timed(lambda: raw_public.verify(raw_signature, statement_bytes), n)
    assert verify_document(document, resource, jwks).genuine
    signed_p50 = statistics.median(timings[True])
    unsigned_p50 = statistics.median(timings[False])
    print(
        json.dumps(
            {
                "versions": n,
                "releases": args.releases,
                "ninjs_bytes": len(document),
                "sign_us": round(ours * 1e6, 1),
                "raw_sign_us": round(raw * 1e6, 1),
                "sign_ratio": round(ours / raw, 2),
                "verify_per_s": round(1 / check),
                "raw_verify_per_s": round(1 / raw_check),
                "verify_ratio": round(raw_check / check, 3),
                "publish_p50_ms": round(signed_p50, 2),
                "publish_unsigned_p50_ms": round(unsigned_p50, 2),
                "publish_ratio": round(signed_p50 / unsigned_p50, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
