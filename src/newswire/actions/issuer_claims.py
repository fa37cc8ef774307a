"""Verified issuers: an organization's domains (claimed, proved by DNS or a well-known file, or
verified by hand by an admin) and its stock tickers (claimed by the issuer, confirmed by the
desk). The rules are in `newswire.domain.issuer_claims`, the network checks in
`newswire.review.domain_proof`.

Who may do what: an issuer acts for its own organization only (another's is 404); an admin for
any. Editors see every organization's claims and confirm or refuse tickers. A domain verified by
one organization cannot be verified by another. Like every action, these change rows in the
caller's transaction and the caller commits.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.actions.actor import Actor
from newswire.channels.netguard import guard_for
from newswire.config import Settings
from newswire.domain.errors import Conflict, Forbidden, NewswireError, NotFound
from newswire.domain.issuer_claims import (
    InvalidClaim,
    OrgClaims,
    new_token,
    normalize_domain,
    normalize_ticker,
)
from newswire.domain.lifecycle import Role
from newswire.review.domain_proof import check_proof_now
from newswire.review.impersonation import IssuerRegistry
from newswire.store.db import Database
from newswire.store.models import Organization, OrganizationDomain, OrganizationTicker

log = logging.getLogger(__name__)


class InvalidIssuerClaim(NewswireError):
    status = 422
    code = "invalid_claim"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def organization(db: Session, actor: Actor, organization_id: int) -> Organization:
    """An organization whose claims the actor may see: the desk any, an issuer its own."""
    org = db.get(Organization, organization_id)
    if org is None or not (actor.is_desk or actor.organization_id == organization_id):
        raise NotFound(f"no organization {organization_id}")
    return org


def _acting_for(db: Session, actor: Actor, organization_id: int) -> Organization:
    org = organization(db, actor, organization_id)
    if actor.role not in (Role.ADMIN, Role.ISSUER):
        raise Forbidden("an organization's domains and tickers are claimed by its issuers")
    return org


def _admin(actor: Actor, what: str) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden(f"only an admin (the operator) may {what}")


def _desk(actor: Actor) -> None:
    if not actor.is_desk:
        raise Forbidden("tickers are confirmed by the wire's desk (editor or admin)")


def list_domains(db: Session, actor: Actor, organization_id: int) -> list[OrganizationDomain]:
    organization(db, actor, organization_id)
    return list(
        db.scalars(
            select(OrganizationDomain)
            .where(OrganizationDomain.organization_id == organization_id)
            .order_by(OrganizationDomain.domain)
        )
    )


def list_tickers(db: Session, actor: Actor, organization_id: int) -> list[OrganizationTicker]:
    organization(db, actor, organization_id)
    return list(
        db.scalars(
            select(OrganizationTicker)
            .where(OrganizationTicker.organization_id == organization_id)
            .order_by(OrganizationTicker.symbol)
        )
    )


def _domain(db: Session, organization_id: int, domain_id: int) -> OrganizationDomain:
    row = db.get(OrganizationDomain, domain_id)
    if row is None or row.organization_id != organization_id:
        raise NotFound(f"no domain {domain_id} for organization {organization_id}")
    return row


def _verified_elsewhere(db: Session, organization_id: int, domain: str) -> Organization | None:
    other = db.scalar(
        select(OrganizationDomain).where(
            OrganizationDomain.domain == domain,
            OrganizationDomain.status == "verified",
            OrganizationDomain.organization_id != organization_id,
        )
    )
    return db.get(Organization, other.organization_id) if other else None


def add_domain(
    db: Session, actor: Actor, organization_id: int, domain: str, *, now: datetime | None = None
) -> OrganizationDomain:
    """Claim a domain; it stays pending until its proof is checked (or an admin verifies it)."""
    _acting_for(db, actor, organization_id)
    try:
        name = normalize_domain(domain)
    except InvalidClaim as exc:
        raise InvalidIssuerClaim(str(exc)) from None
    owner = _verified_elsewhere(db, organization_id, name)
    if owner is not None:
        raise Conflict(f"{name} is already verified by another organization, {owner.name}")
    if db.scalar(
        select(OrganizationDomain).where(
            OrganizationDomain.organization_id == organization_id,
            OrganizationDomain.domain == name,
        )
    ):
        raise Conflict(f"{name} is already one of this organization's domains")
    row = OrganizationDomain(
        organization_id=organization_id,
        domain=name,
        token=new_token(),
        status="pending",
        created_at=now or _now(),
    )
    db.add(row)
    db.flush()
    return row


def _mark_verified(
    db: Session, row: OrganizationDomain, method: str, by: str, now: datetime
) -> None:
    owner = _verified_elsewhere(db, row.organization_id, row.domain)
    if owner is not None:
        raise Conflict(f"{row.domain} is already verified by another organization, {owner.name}")
    row.status, row.method, row.verified_by = "verified", method, by
    row.verified_at = row.checked_at = now
    row.last_error = None


def check_domain(
    db: Session,
    settings: Settings,
    actor: Actor,
    organization_id: int,
    domain_id: int,
    *,
    now: datetime | None = None,
) -> OrganizationDomain:
    """Look for the proof now (DNS TXT record, else the well-known file)."""
    _acting_for(db, actor, organization_id)
    row = _domain(db, organization_id, domain_id)
    if row.status == "verified" and row.method == "manual":
        return row  # an admin vouched for it; there is no proof to look for
    _check(db, settings, row, actor.label, now or _now())
    return row


def _check(
    db: Session, settings: Settings, row: OrganizationDomain, by: str, now: datetime
) -> None:
    guard = guard_for(settings)
    result = check_proof_now(settings, row.domain, row.token, guard)
    row.checked_at = now
    if result.verified and result.method:
        if row.status == "verified" and row.method == result.method:
            row.last_error = None
            return
        _mark_verified(db, row, result.method, by, now)
    else:
        row.status, row.last_error = "failed", result.error


def verify_by_hand(
    db: Session,
    actor: Actor,
    organization_id: int,
    domain_id: int,
    reason: str,
    *,
    now: datetime | None = None,
) -> OrganizationDomain:
    """An admin vouches for a domain (a signed letter, a call to the registrant...): recorded
    with the reason; manual verifications are not re-checked."""
    _admin(actor, "verify a domain by hand")
    if not reason.strip():
        raise InvalidIssuerClaim("a reason is required to verify a domain by hand")
    row = _domain(db, organization_id, domain_id)
    _mark_verified(db, row, "manual", actor.label, now or _now())
    row.reason = reason.strip()
    return row


def remove_domain(db: Session, actor: Actor, organization_id: int, domain_id: int) -> None:
    _acting_for(db, actor, organization_id)
    db.delete(_domain(db, organization_id, domain_id))
    db.flush()


def claim_ticker(
    db: Session, actor: Actor, organization_id: int, symbol: str, *, now: datetime | None = None
) -> OrganizationTicker:
    """Claim a ticker (EXCHANGE:SYMBOL); it counts once the desk confirms it."""
    _acting_for(db, actor, organization_id)
    try:
        name = normalize_ticker(symbol)
    except InvalidClaim as exc:
        raise InvalidIssuerClaim(str(exc)) from None
    existing = db.scalar(select(OrganizationTicker).where(OrganizationTicker.symbol == name))
    if existing is not None:
        if existing.organization_id == organization_id:
            raise Conflict(f"{name} is already claimed by this organization")
        raise Conflict(f"{name} is already claimed by another organization")
    row = OrganizationTicker(
        organization_id=organization_id, symbol=name, status="claimed", created_at=now or _now()
    )
    db.add(row)
    db.flush()
    return row


def _ticker(db: Session, ticker_id: int) -> OrganizationTicker:
    row = db.get(OrganizationTicker, ticker_id)
    if row is None:
        raise NotFound(f"no ticker {ticker_id}")
    return row


def confirm_ticker(
    db: Session, actor: Actor, ticker_id: int, *, now: datetime | None = None
) -> OrganizationTicker:
    _desk(actor)
    row = _ticker(db, ticker_id)
    row.status, row.confirmed_by, row.confirmed_at = "confirmed", actor.label, now or _now()
    return row


def refuse_ticker(db: Session, actor: Actor, ticker_id: int) -> None:
    """The desk refuses a claim (or withdraws a confirmation): the claim is removed."""
    _desk(actor)
    db.delete(_ticker(db, ticker_id))
    db.flush()


def remove_ticker(db: Session, actor: Actor, organization_id: int, ticker_id: int) -> None:
    _acting_for(db, actor, organization_id)
    row = _ticker(db, ticker_id)
    if row.organization_id != organization_id:
        raise NotFound(f"no ticker {ticker_id} for organization {organization_id}")
    db.delete(row)
    db.flush()


def registry_for(db: Session, organization_id: int) -> IssuerRegistry:
    """The issuer and every other verified organization, for the impersonation check."""
    domains: dict[int, list[str]] = {}
    tickers: dict[int, list[str]] = {}
    for org_id, domain in db.execute(
        select(OrganizationDomain.organization_id, OrganizationDomain.domain).where(
            OrganizationDomain.status == "verified"
        )
    ):
        domains.setdefault(org_id, []).append(domain)
    for org_id, symbol in db.execute(
        select(OrganizationTicker.organization_id, OrganizationTicker.symbol).where(
            OrganizationTicker.status == "confirmed"
        )
    ):
        tickers.setdefault(org_id, []).append(symbol)
    ids = (set(domains) | set(tickers)) | {organization_id}
    orgs = db.scalars(select(Organization).where(Organization.id.in_(ids)))
    claims = {
        o.id: OrgClaims(
            o.id, o.name, tuple(sorted(domains.get(o.id, ()))), tuple(sorted(tickers.get(o.id, ())))
        )
        for o in orgs
    }
    issuer = claims.pop(organization_id)
    return IssuerRegistry(issuer, tuple(claims.values()))


def recheck_due(db: Database, *, now: datetime | None = None) -> int:
    """Check again every domain verified by DNS or file longer ago than `domain_recheck_s`;
    one that lost its proof is marked failed, with the reason in `last_error`. Manual
    verifications are not re-checked. Returns how many were checked."""
    now = now or _now()
    cutoff = now - timedelta(seconds=db.settings.domain_recheck_s)
    with db.session() as s:
        due = [
            row.id
            for row in s.scalars(
                select(OrganizationDomain).where(
                    OrganizationDomain.status == "verified",
                    OrganizationDomain.method.in_(("dns", "well-known")),
                )
            )
            if (_aware(row.checked_at) or datetime.min.replace(tzinfo=UTC)) <= cutoff
        ]
    for domain_id in due:
        try:
            with db.session() as s:
                row = s.get(OrganizationDomain, domain_id)
                if row is not None and row.status == "verified":
                    _check(s, db.settings, row, "scheduler", now)
        except Exception:
            log.exception("could not re-check domain %s", domain_id)
    return len(due)


def tickers_to_confirm(db: Session, actor: Actor) -> list[tuple[OrganizationTicker, str]]:
    """The desk's list: every claimed ticker not yet confirmed, with its organization's name."""
    _desk(actor)
    rows = db.execute(
        select(OrganizationTicker, Organization.name)
        .join(Organization, Organization.id == OrganizationTicker.organization_id)
        .where(OrganizationTicker.status == "claimed")
        .order_by(OrganizationTicker.created_at)
    )
    return [(ticker, name) for ticker, name in rows]


def domains_for_operator(db: Session, actor: Actor) -> list[tuple[OrganizationDomain, str]]:
    """The operator's list: every domain of every organization, with the organization's name,
    those still waiting for a proof first."""
    _admin(actor, "list every organization's domains")
    rows = db.execute(
        select(OrganizationDomain, Organization.name)
        .join(Organization, Organization.id == OrganizationDomain.organization_id)
        .order_by(OrganizationDomain.status == "verified", OrganizationDomain.domain)
    )
    return [(domain, name) for domain, name in rows]
