"""The two addresses of a measured email (`newswire.deliver.measure`):

    /r/o/{delivery id}.gif          a 1x1 transparent image: an open
    /r/c/{delivery id}?u=URL&s=SIG  a click: counted, then 302 to URL

Both count only when the issuer and the recipient still allow it, and keep nothing but the
delivery id (the day's mark, the day's counter). The click redirect goes only to a URL that
the wire signed for that delivery: a changed URL or signature gets a 400 and no redirect.
An open is counted whoever loads the image (mail clients load it through image proxies that
call themselves crawlers), except HEAD requests and prefetches; a click as a page view is.
"""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.background import BackgroundTask

from newswire.audience.tokens import verify_link
from newswire.domain.errors import NewswireError
from newswire.report import readership as counting
from newswire.web.public import readership

router = APIRouter(include_in_schema=False)
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}


class InvalidLink(NewswireError):
    status = 400
    code = "invalid_link"


def _count(request: Request, delivery_id: str, channel: str) -> None:
    state = request.app.state
    counting.safely_count(
        state.db, state.settings.secret_key, email=True, delivery_id=delivery_id,
        channel=channel, now=readership.now(request),
    )  # fmt: skip


def _prefetch(request: Request) -> bool:
    headers = request.headers
    return request.method != "GET" or any(
        "prefetch" in headers.get(h, "").lower() for h in ("sec-purpose", "purpose", "x-moz")
    )


@router.get("/r/o/{delivery_id}.gif")
def email_open(delivery_id: str, request: Request) -> Response:
    task = None
    if not _prefetch(request):
        task = BackgroundTask(_count, request, delivery_id, "email_open")
    return Response(GIF, media_type="image/gif", headers=NO_STORE, background=task)


@router.get("/r/c/{delivery_id}")
def email_click(delivery_id: str, request: Request, u: str = "", s: str = "") -> Response:
    key = request.app.state.settings.secret_key
    signed = bool(s) and verify_link(key, delivery_id, u, s)
    if not u.startswith(("https://", "http://")) or not signed:
        raise InvalidLink("this link was not made by the wire for this email (changed or cut off)")
    task = None
    if readership.countable(request):
        task = BackgroundTask(_count, request, delivery_id, "email_click")
    return RedirectResponse(u, status_code=302, headers=NO_STORE, background=task)
