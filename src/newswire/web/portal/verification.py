"""The issuer portal's page for verified issuers (`newswire.actions.issuer_claims`):

    /portal/verification                          the organization's domains, each with the DNS
                                                  TXT record to publish and the file alternative,
                                                  "Check now" and "Remove"; its tickers
    POST /portal/verification/domains             claim a domain
    POST /portal/verification/domains/{id}/check  look for the proof now
    POST /portal/verification/domains/{id}/verify an admin verifies by hand, with a reason
    POST /portal/verification/domains/{id}/remove
    POST /portal/verification/tickers             claim a ticker (the desk confirms it)
    POST /portal/verification/tickers/{id}/remove

An issuer sees its own organization; an admin (the operator) chooses one with
``?organization=<slug>`` and gets the "Verify by hand" form.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from newswire import i18n
from newswire.actions import issuer_claims as claims
from newswire.actions.accounts import get_organization
from newswire.domain.issuer_claims import display_domain, txt_record_value
from newswire.domain.lifecycle import Role
from newswire.i18n import N_
from newswire.web import pages
from newswire.web.params import Int64
from newswire.web.portal.routes import PortalUser, Text, _PortalRoute
from newswire.web.session import SignedIn, check_csrf, html, interface_language

router = APIRouter(prefix="/portal/verification", include_in_schema=False, route_class=_PortalRoute)

STATUS = {
    "pending": N_("Waiting for the proof"),
    "verified": N_("Verified"),
    "failed": N_("Not verified"),
    "claimed": N_("Waiting for the desk"),
    "confirmed": N_("Confirmed by the desk"),
}
DONE = {"saved": N_("Saved."), "checked": N_("Checked.")}


def _organization_id(request: Request, user: SignedIn, slug: str = "") -> int:
    slug = slug or request.query_params.get("organization", "")
    if user.actor.role is Role.ADMIN and slug:
        with request.app.state.db.session() as s:
            return get_organization(s, slug).id
    if user.actor.organization_id is None:
        raise claims.InvalidIssuerClaim("choose an organization (?organization=<slug>)")
    return user.actor.organization_id


def _page(
    request: Request, user: SignedIn, *, status: int = 200, error: str | None = None
) -> HTMLResponse:
    lang = interface_language(request)
    settings = request.app.state.settings
    org_id = _organization_id(request, user)
    with request.app.state.db.session() as s:
        org = claims.organization(s, user.actor, org_id)
        domains: list[dict[str, Any]] = [
            {
                "id": d.id,
                "domain": display_domain(d.domain),
                "status": d.status,
                "status_label": i18n.gettext(lang, STATUS[d.status]),
                "method": d.method,
                "txt_record": txt_record_value(d.token),
                "file_url": settings.domain_check_url_template.format(domain=d.domain),
                "last_error": d.last_error,
                "reason": d.reason,
            }
            for d in claims.list_domains(s, user.actor, org_id)
        ]
        tickers = [
            {"id": t.id, "symbol": t.symbol, "status_label": i18n.gettext(lang, STATUS[t.status])}
            for t in claims.list_tickers(s, user.actor, org_id)
        ]
        name, slug = org.name, org.slug
    return html(
        request,
        "portal/verification.html",
        status=status,
        organization=name,
        slug=slug,
        is_admin=user.actor.role is Role.ADMIN,
        domains=domains,
        tickers=tickers,
        error=error,
        done=pages.flash(request, DONE),
    )


@router.get("", response_class=HTMLResponse)
def verification(request: Request, user: PortalUser) -> HTMLResponse:
    return _page(request, user)


def _act(request: Request, user: SignedIn, slug: str, run: Any, done: str = "saved") -> Response:
    org_id = _organization_id(request, user, slug)
    back = "/portal/verification" + (f"?organization={slug}" if slug else "")
    joiner = "&" if slug else "?"

    def failed(status: int, error: str) -> Response:
        return _page(request, user, status=status, error=error)

    response = pages.act(request, lambda s: run(s, org_id), back, failed, done=done)
    if slug and response.status_code == 303:
        response.headers["location"] = back + joiner + f"done={done}"
    return response


@router.post("/domains", response_model=None)
def add_domain(
    request: Request,
    user: PortalUser,
    csrf_token: Text = "",
    domain: Text = "",
    organization: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, organization,
        lambda s, org: claims.add_domain(s, user.actor, org, domain),
    )  # fmt: skip


@router.post("/domains/{domain_id}/check", response_model=None)
def check_domain(
    domain_id: Int64,
    request: Request,
    user: PortalUser,
    csrf_token: Text = "",
    organization: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    settings = request.app.state.settings
    return _act(
        request, user, organization,
        lambda s, org: claims.check_domain(s, settings, user.actor, org, domain_id),
        done="checked",
    )  # fmt: skip


@router.post("/domains/{domain_id}/verify", response_model=None)
def verify_domain(
    domain_id: Int64,
    request: Request,
    user: PortalUser,
    csrf_token: Text = "",
    reason: Text = "",
    organization: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, organization,
        lambda s, org: claims.verify_by_hand(s, user.actor, org, domain_id, reason),
    )  # fmt: skip


@router.post("/domains/{domain_id}/remove", response_model=None)
def remove_domain(
    domain_id: Int64,
    request: Request,
    user: PortalUser,
    csrf_token: Text = "",
    organization: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, organization,
        lambda s, org: claims.remove_domain(s, user.actor, org, domain_id),
    )  # fmt: skip


@router.post("/tickers", response_model=None)
def claim_ticker(
    request: Request,
    user: PortalUser,
    csrf_token: Text = "",
    symbol: Text = "",
    organization: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, organization,
        lambda s, org: claims.claim_ticker(s, user.actor, org, symbol),
    )  # fmt: skip


@router.post("/tickers/{ticker_id}/remove", response_model=None)
def remove_ticker(
    ticker_id: Int64,
    request: Request,
    user: PortalUser,
    csrf_token: Text = "",
    organization: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, organization,
        lambda s, org: claims.remove_ticker(s, user.actor, org, ticker_id),
    )  # fmt: skip
