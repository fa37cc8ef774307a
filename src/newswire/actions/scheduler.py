"""The scheduler: publishes releases whose publish or embargo-lift time has come."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from newswire.actions.actor import SCHEDULER
from newswire.actions.editions import translate_due
from newswire.actions.issuer_claims import recheck_due
from newswire.actions.releases import due_release_ids, publish
from newswire.deliver.digest import send_due
from newswire.domain.errors import NewswireError
from newswire.provenance.log import integrate
from newswire.publish.sign import sign_backlog
from newswire.publish.wakeup import wakeup
from newswire.store.db import Database
from newswire.translate.engines import EngineRegistry

log = logging.getLogger(__name__)


def run_once(db: Database, *, now: datetime | None = None) -> list[str]:
    """One pass. Each release publishes in its own transaction, so one failure stops no other;
    a release that changed meanwhile (withdrawn, published by another node) is skipped."""
    now = now or datetime.now(UTC)
    with db.session() as s:
        due = due_release_ids(s, now)
    published = []
    for release_id in due:
        try:
            with db.session() as s:
                publish(s, db.settings, SCHEDULER, release_id, now=now)
            published.append(release_id)
        except NewswireError as exc:
            log.info("skipped release %s: %s", release_id, exc.message)
        except Exception:
            log.exception("could not publish release %s", release_id)
    try:
        with db.session() as s:
            integrate(s, db.settings, now=datetime.now(UTC))
    except Exception:  # the next tick tries again
        log.exception("could not integrate the transparency log")
    return published


def _sign_backlog(db: Database) -> int:
    with db.session() as s:
        return sign_backlog(s, db.settings)


async def run_forever(
    db: Database,
    interval_s: float,
    *,
    digests: bool = True,
    translations: EngineRegistry | None = None,
) -> None:
    """Publish what is due every `interval_s` (or at once when woken); translate requested
    editions; send the daily digest once it is due; check verified domains' proofs again once
    they are older than `domain_recheck_s` (at most once a minute)."""
    wakeup.bind()
    try:
        signed = await asyncio.to_thread(_sign_backlog, db)
        if signed:
            log.info("signed %d document(s) published before the wire signed its documents", signed)
    except Exception:
        log.exception("could not sign the earlier documents")
    next_recheck = 0.0
    while True:
        try:
            for release_id in await asyncio.to_thread(run_once, db):
                log.info("published release %s", release_id)
            if translations is not None:
                await asyncio.to_thread(translate_due, db, translations, now=datetime.now(UTC))
            if digests:
                now = datetime.now(UTC)
                sent = await asyncio.to_thread(send_due, db, now=now, hour=db.settings.digest_hour)
                if sent:
                    log.info("sent %d digest email(s)", sent)
            if asyncio.get_running_loop().time() >= next_recheck:
                next_recheck = asyncio.get_running_loop().time() + 60
                await asyncio.to_thread(recheck_due, db)
        except Exception:
            log.exception("scheduler pass failed")
        await wakeup.wait(interval_s)
