"""A journalist's consent to counted email opens and clicks (off by default):
``POST /account/measurement`` with ``measure=1`` to turn it on, without it to turn it off."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from newswire.actions.readership import set_measure_consent
from newswire.web.account.common import Text, _to_login, journalist
from newswire.web.session import check_csrf

router = APIRouter(prefix="/account", include_in_schema=False)


@router.post("/measurement", response_model=None)
def save_measurement(request: Request, csrf_token: Text = "", measure: Text = "") -> Response:
    check_csrf(request, csrf_token)
    who = journalist(request)
    if who is None:
        return _to_login()
    with request.app.state.db.session() as s:
        set_measure_consent(s, who.id, measure == "1")
    return RedirectResponse("/account?done=saved", status_code=303)
