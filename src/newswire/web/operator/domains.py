"""The operator's page of organizations' domains (`newswire.actions.issuer_claims`):

/operator/domains                      every claimed domain, those without proof first
POST /operator/domains/{id}/verify     verify by hand, with the reason recorded
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from newswire.actions import issuer_claims as claims
from newswire.domain.issuer_claims import display_domain
from newswire.i18n import N_
from newswire.web import pages
from newswire.web.operator.routes import AdminUser, Text, _AdminRoute
from newswire.web.params import Int64
from newswire.web.session import SignedIn, check_csrf, html

router = APIRouter(prefix="/operator/domains", include_in_schema=False, route_class=_AdminRoute)
DONE = {"verified": N_("Domain verified by hand.")}


def _page(
    request: Request, user: SignedIn, *, status: int = 200, error: str | None = None
) -> HTMLResponse:
    with request.app.state.db.session() as s:
        rows = [
            {
                "id": d.id,
                "organization_id": d.organization_id,
                "organization": name,
                "domain": display_domain(d.domain),
                "status": d.status,
                "method": d.method or "",
                "reason": d.reason or d.last_error or "",
            }
            for d, name in claims.domains_for_operator(s, user.actor)
        ]
    return html(
        request,
        "operator/domains.html",
        status=status,
        section="domains",
        domains=rows,
        error=error,
        done=pages.flash(request, DONE),
    )


@router.get("", response_class=HTMLResponse)
def domains(request: Request, user: AdminUser) -> HTMLResponse:
    return _page(request, user)


@router.post("/{domain_id}/verify", response_model=None)
def verify(
    domain_id: Int64,
    request: Request,
    user: AdminUser,
    csrf_token: Text = "",
    organization_id: Text = "",
    reason: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    org = int(organization_id) if organization_id.isdigit() and len(organization_id) < 12 else 0

    def failed(status: int, error: str) -> Response:
        return _page(request, user, status=status, error=error)

    return pages.act(
        request,
        lambda s: claims.verify_by_hand(s, user.actor, org, domain_id, reason),
        "/operator/domains",
        failed,
        done="verified",
    )
