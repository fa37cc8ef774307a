"""Whether an HTTP request to a public page is a read worth counting, and counting it
(`newswire.report.readership` decides what is stored).

Not counted: HEAD requests, crawlers and bots (the maintained `crawler-user-agents` list),
and prefetches or prerenders (``Sec-Purpose: prefetch``, ``Purpose: prefetch``,
``X-Moz: prefetch``). The country comes from a trusted proxy's header only when the operator
names one (``NEWSWIRE_COUNTRY_HEADER``, e.g. ``CF-IPCountry``); otherwise it is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from crawleruseragents import is_crawler
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response

from newswire.report import readership

R = TypeVar("R", bound=Response)
_PREFETCH_HEADERS = ("sec-purpose", "purpose", "x-moz", "x-purpose")


def countable(request: Request) -> bool:
    if request.method != "GET":
        return False
    headers = request.headers
    for name in _PREFETCH_HEADERS:
        value = headers.get(name, "").lower()
        if "prefetch" in value or "prerender" in value or "preview" in value:
            return False
    agent = headers.get("user-agent", "")
    return not (agent and is_crawler(agent))


def country(request: Request) -> str:
    name = request.app.state.settings.country_header
    value = (request.headers.get(name, "") if name else "").strip().upper()
    # Cloudflare's XX (unknown) and T1 (Tor) are no countries
    return value if len(value) == 2 and value.isalpha() and value != "XX" else ""


def now(request: Request) -> datetime:
    """The time a read is counted at; tests put a clock in ``app.state.readership_clock``."""
    clock: Callable[[], datetime] | None = getattr(request.app.state, "readership_clock", None)
    return clock() if clock else datetime.now(UTC)


def count_read(request: Request, release_id: str, language: str, channel: str) -> None:
    """Count a read of a page or document that was just served (never raises)."""
    if not countable(request):
        return
    client = request.client.host if request.client else ""
    state = request.app.state
    readership.safely_count(
        state.db,
        state.settings.secret_key,
        release_id=release_id,
        language=language,
        channel=channel,
        client=client,
        agent=request.headers.get("user-agent", ""),
        country=country(request),
        now=now(request),
    )


def counted(response: R, request: Request, release_id: str, language: str, channel: str) -> R:
    """``response``, with the read counted after it is sent (it adds nothing to its time)."""
    if countable(request):
        task = BackgroundTask(count_read, request, release_id, language, channel)
        if response.background is None:
            response.background = task
        else:
            earlier = response.background

            def both() -> None:
                earlier.func(*earlier.args, **earlier.kwargs)
                task.func(*task.args, **task.kwargs)

            response.background = BackgroundTask(both)
    return response
