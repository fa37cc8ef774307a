"""Verified issuers over the API: an organization's domains and tickers
(`newswire.actions.issuer_claims`).

    GET    /api/v1/organizations/{id}/domains                 the domains, with what to publish
    POST   /api/v1/organizations/{id}/domains                 claim one {"domain": "acme.com"}
    POST   /api/v1/organizations/{id}/domains/{did}/check     look for the proof now
    POST   /api/v1/organizations/{id}/domains/{did}/verify    admin: by hand {"reason": "..."}
    DELETE /api/v1/organizations/{id}/domains/{did}
    GET    /api/v1/organizations/{id}/tickers
    POST   /api/v1/organizations/{id}/tickers                 claim one {"symbol": "NYSE:WMT"}
    DELETE /api/v1/organizations/{id}/tickers/{tid}
    POST   /api/v1/tickers/{tid}/confirm                      the desk confirms a claim
    POST   /api/v1/tickers/{tid}/refuse                       the desk refuses it (removed)
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from newswire.actions import issuer_claims as actions
from newswire.config import Settings
from newswire.domain.issuer_claims import display_domain, txt_record_value
from newswire.intake.validate import StrictInput
from newswire.store.models import OrganizationDomain, OrganizationTicker
from newswire.web.deps import DB, Config, CurrentActor
from newswire.web.errors import ERROR_ANSWERS
from newswire.web.params import Int64

router = APIRouter(prefix="/api/v1", responses=ERROR_ANSWERS, tags=["issuers"])


class DomainIn(StrictInput):
    domain: str = Field(min_length=1, max_length=300, description="e.g. acme.com")


class TickerIn(StrictInput):
    symbol: str = Field(min_length=1, max_length=40, description="EXCHANGE:SYMBOL, e.g. NYSE:WMT")


class ManualVerification(StrictInput):
    reason: str = Field(min_length=1, max_length=2000)


class DomainOut(BaseModel):
    id: int
    domain: str
    display: str = Field(description="The domain in Unicode")
    status: str = Field(description="pending | verified | failed")
    method: str | None = Field(description="dns | well-known | manual")
    txt_record: str = Field(description="The TXT record to publish on the domain")
    file_url: str = Field(description="Or this file, with the same line")
    reason: str | None
    verified_by: str | None
    verified_at: datetime | None
    checked_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, row: OrganizationDomain, settings: Settings) -> DomainOut:
        return cls(
            id=row.id,
            domain=row.domain,
            display=display_domain(row.domain),
            status=row.status,
            method=row.method,
            txt_record=txt_record_value(row.token),
            file_url=settings.domain_check_url_template.format(domain=row.domain),
            reason=row.reason,
            verified_by=row.verified_by,
            verified_at=row.verified_at,
            checked_at=row.checked_at,
            last_error=row.last_error,
        )


class TickerOut(BaseModel):
    id: int
    organization_id: int
    symbol: str
    status: str = Field(description="claimed | confirmed")
    confirmed_by: str | None
    confirmed_at: datetime | None

    @classmethod
    def of(cls, row: OrganizationTicker) -> TickerOut:
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            symbol=row.symbol,
            status=row.status,
            confirmed_by=row.confirmed_by,
            confirmed_at=row.confirmed_at,
        )


@router.get("/organizations/{organization_id}/domains")
def list_domains(
    organization_id: Int64, actor: CurrentActor, db: DB, settings: Config
) -> list[DomainOut]:
    with db.session() as s:
        return [DomainOut.of(r, settings) for r in actions.list_domains(s, actor, organization_id)]


@router.post("/organizations/{organization_id}/domains", status_code=status.HTTP_201_CREATED)
def add_domain(
    organization_id: Int64, body: DomainIn, actor: CurrentActor, db: DB, settings: Config
) -> DomainOut:
    with db.session() as s:
        return DomainOut.of(actions.add_domain(s, actor, organization_id, body.domain), settings)


@router.post("/organizations/{organization_id}/domains/{domain_id}/check")
def check_domain(
    organization_id: Int64, domain_id: Int64, actor: CurrentActor, db: DB, settings: Config
) -> DomainOut:
    with db.session() as s:
        row = actions.check_domain(s, settings, actor, organization_id, domain_id)
        return DomainOut.of(row, settings)


@router.post("/organizations/{organization_id}/domains/{domain_id}/verify")
def verify_domain(
    organization_id: Int64,
    domain_id: Int64,
    body: ManualVerification,
    actor: CurrentActor,
    db: DB,
    settings: Config,
) -> DomainOut:
    with db.session() as s:
        row = actions.verify_by_hand(s, actor, organization_id, domain_id, body.reason)
        return DomainOut.of(row, settings)


@router.delete(
    "/organizations/{organization_id}/domains/{domain_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def remove_domain(
    organization_id: Int64, domain_id: Int64, actor: CurrentActor, db: DB
) -> Response:
    with db.session() as s:
        actions.remove_domain(s, actor, organization_id, domain_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/organizations/{organization_id}/tickers")
def list_tickers(organization_id: Int64, actor: CurrentActor, db: DB) -> list[TickerOut]:
    with db.session() as s:
        return [TickerOut.of(r) for r in actions.list_tickers(s, actor, organization_id)]


@router.post("/organizations/{organization_id}/tickers", status_code=status.HTTP_201_CREATED)
def claim_ticker(organization_id: Int64, body: TickerIn, actor: CurrentActor, db: DB) -> TickerOut:
    with db.session() as s:
        return TickerOut.of(actions.claim_ticker(s, actor, organization_id, body.symbol))


@router.delete(
    "/organizations/{organization_id}/tickers/{ticker_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def remove_ticker(
    organization_id: Int64, ticker_id: Int64, actor: CurrentActor, db: DB
) -> Response:
    with db.session() as s:
        actions.remove_ticker(s, actor, organization_id, ticker_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/tickers/{ticker_id}/confirm")
def confirm_ticker(ticker_id: Int64, actor: CurrentActor, db: DB) -> TickerOut:
    with db.session() as s:
        return TickerOut.of(actions.confirm_ticker(s, actor, ticker_id))


@router.post("/tickers/{ticker_id}/refuse", status_code=status.HTTP_204_NO_CONTENT)
def refuse_ticker(ticker_id: Int64, actor: CurrentActor, db: DB) -> Response:
    with db.session() as s:
        actions.refuse_ticker(s, actor, ticker_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
