"""The two switches of email measurement, both off by default: the issuer's ("measure email
opens and clicks" for its organization) and the recipient's consent. Only where both are on
does an email carry the open pixel and the click redirect (`newswire.deliver.measure`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.actions.actor import Actor
from newswire.domain.errors import Forbidden, NotFound
from newswire.domain.lifecycle import Role
from newswire.store.models import Organization, Recipient


def organization_of(db: Session, actor: Actor) -> Organization:
    if actor.role not in (Role.ISSUER, Role.ADMIN) or actor.organization_id is None:
        raise Forbidden("only an issuer (or an admin) sets its organization's measurement")
    org = db.get(Organization, actor.organization_id)
    if org is None:
        raise NotFound("no such organization")
    return org


def set_email_measurement(db: Session, actor: Actor, on: bool) -> Organization:
    org = organization_of(db, actor)
    org.measure_email = on
    return org


def set_measure_consent(
    db: Session, recipient_id: int, on: bool, *, now: datetime | None = None
) -> Recipient:
    recipient = db.get(Recipient, recipient_id)
    if recipient is None:
        raise NotFound("no such recipient")
    recipient.measure_consent_at = (now or datetime.now(UTC)) if on else None
    recipient.updated_at = now or datetime.now(UTC)
    return recipient


def set_organization_measurement(db: Session, slug: str, on: bool) -> Organization:
    """The operator's path (`newswire org measure-email`), for an issuer without API access."""
    org = db.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        raise NotFound(f"no organization '{slug}'")
    org.measure_email = on
    return org
