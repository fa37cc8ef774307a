"""The desk's confirmations of stock tickers that issuers claimed
(`newswire.actions.issuer_claims`):

    /desk/tickers                      every claimed ticker waiting for the desk
    POST /desk/tickers/{id}/confirm    it counts: on the issuer's page, in ninjs, in signatures
    POST /desk/tickers/{id}/refuse     the claim is removed
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from newswire.actions import issuer_claims as claims
from newswire.i18n import N_
from newswire.web import pages
from newswire.web.params import Int64
from newswire.web.session import DeskUser, SignedIn, check_csrf, html

router = APIRouter(prefix="/desk/tickers", include_in_schema=False)
DONE = {"confirmed": N_("Ticker confirmed."), "refused": N_("Ticker refused.")}
Text = Annotated[str, Form()]


def _page(
    request: Request, user: SignedIn, *, status: int = 200, error: str | None = None
) -> HTMLResponse:
    with request.app.state.db.session() as s:
        waiting = [
            {"id": t.id, "symbol": t.symbol, "organization": name}
            for t, name in claims.tickers_to_confirm(s, user.actor)
        ]
    return html(
        request,
        "desk/tickers.html",
        status=status,
        tickers=waiting,
        error=error,
        done=pages.flash(request, DONE),
    )


@router.get("", response_class=HTMLResponse)
def tickers(request: Request, user: DeskUser) -> HTMLResponse:
    return _page(request, user)


def _act(request: Request, user: SignedIn, run: object, done: str) -> Response:
    def failed(status: int, error: str) -> Response:
        return _page(request, user, status=status, error=error)

    return pages.act(request, run, "/desk/tickers", failed, done=done)  # type: ignore[arg-type]


@router.post("/{ticker_id}/confirm", response_model=None)
def confirm(ticker_id: Int64, request: Request, user: DeskUser, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, lambda s: claims.confirm_ticker(s, user.actor, ticker_id), "confirmed"
    )


@router.post("/{ticker_id}/refuse", response_model=None)
def refuse(ticker_id: Int64, request: Request, user: DeskUser, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    return _act(request, user, lambda s: claims.refuse_ticker(s, user.actor, ticker_id), "refused")
