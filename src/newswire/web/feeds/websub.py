"""The WebSub hub endpoint (W3C WebSub Recommendation): ``POST /websub``, form-encoded.

    hub.mode=subscribe|unsubscribe  hub.topic=<one of our feed URLs>  hub.callback=<http(s) URL>
    [hub.lease_seconds=N]  [hub.secret=<under 200 bytes>]

A well-formed request is answered 202 Accepted at once, whatever its verification will find;
the intent is verified afterwards, in a background task (`newswire.audience.websub.verify`).
A malformed one (a parameter missing, an unknown mode, a callback that is not http(s), a secret
of 200 bytes or more) is a 400 JSON error naming each bad parameter. Other parameters are
ignored. The feeds advertise this endpoint as their ``rel="hub"``.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from newswire.audience import websub
from newswire.channels.netguard import NetGuard, guard_for
from newswire.domain.errors import FieldError
from newswire.web.errors import ERROR_ANSWERS

log = logging.getLogger(__name__)

router = APIRouter(responses=ERROR_ANSWERS)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _guard(request: Request) -> NetGuard:
    guard = getattr(request.app.state, "websub_guard", None)
    if guard is None:
        guard = request.app.state.websub_guard = guard_for(request.app.state.settings)
    return guard


async def _verify(request: Request, hub: websub.HubRequest) -> None:
    outcome = await websub.verify(
        request.app.state.db, request.app.state.settings, _guard(request), hub
    )
    log.info("websub %s %s for %s: %s", hub.mode, hub.topic, hub.callback, outcome)


@router.post("/websub", status_code=202, response_class=PlainTextResponse, tags=["websub"])
async def hub(request: Request, background: BackgroundTasks) -> Response:
    """Subscribe to or unsubscribe from a feed (W3C WebSub); 202, then intent verification."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        error = websub.BadHubRequest(
            [
                FieldError(
                    "content-type",
                    "unsupported",
                    "send the hub.* parameters as application/x-www-form-urlencoded",
                )
            ]
        )
        return JSONResponse(error.as_dict(), status_code=400)
    form = await request.form()
    first: dict[str, str] = {}
    for key, value in form.multi_items():  # the first of repeated parameters counts
        if isinstance(value, str) and key not in first:
            first[key] = value
    try:
        hub_request = websub.parse_request(first)
    except websub.BadHubRequest as exc:
        return JSONResponse(exc.as_dict(), status_code=400)
    background.add_task(_verify, request, hub_request)
    return PlainTextResponse("Accepted: the request will be verified with the subscriber.\n", 202)
