"""What the signed-in pages (the desk, the portal, the operator's pages, the journalist's
account) do the same way:

- `act`: one action function in one transaction; on success a 303 back to the page with
  ``?done=<key>`` (the flash), on a `NewswireError` the page again with the refusal's 4xx status
  and message (never a 500);
- `flash`: the ``?done=`` key's message, translated;
- `message` and `refused`: the area's message page (a role refusal, "not found", "not possible");
- `guarded_route`: a route class that answers some exceptions (a role refusal raised by a
  dependency, a domain refusal) with a page instead of a JSON error;
- `utc` and `when`: a stored time (naive means UTC) shown in the interface language;
- `label`: a value's label from an area's table of labels, translated.

The messages stay in each area's module (marked with ``N_``, so that the area's catalog is
checked for them); these helpers translate what they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.domain.errors import NewswireError
from newswire.web.session import html, interface_language


def utc(value: datetime | None) -> datetime | None:
    """A stored time with its zone (a naive one is UTC)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def when(value: datetime | None, lang: str) -> str:
    """A date and time in the interface language ("" for none)."""
    value = utc(value)
    return i18n.format_datetime(value, lang) if value else ""


def flash(request: Request, messages: Mapping[str, str], **params: object) -> str | None:
    """The message of the ``?done=`` key (one of ``messages``), translated; None without one."""
    message = messages.get(request.query_params.get("done", ""))
    return i18n.gettext(interface_language(request), message, **params) if message else None


def act(
    request: Request,
    run: Callable[[Session], Any],
    back: str,
    failed: Callable[..., Response],
    *,
    done: str | None = None,
) -> Response:
    """Run one action in one transaction; then back to ``back`` (303) with ``?done=`` (``done``,
    else what `run` returns), or, refused, ``failed(status=..., error=...)``: the page again
    with the refusal's status and message."""
    try:
        with request.app.state.db.session() as s:
            result = run(s)
    except NewswireError as exc:
        return failed(status=exc.status, error=exc.message)
    return RedirectResponse(f"{back}?done={done if done is not None else result}", status_code=303)


def message(
    request: Request, template: str, status: int, title: str, text: str, **context: Any
) -> HTMLResponse:
    """The area's message page (``title``, ``text``: already translated)."""
    return html(request, template, status=status, title=title, message=text, **context)


def refused(
    request: Request,
    template: str,
    exc: NewswireError,
    titles: Mapping[int, str],
    otherwise: str,
    **context: Any,
) -> HTMLResponse:
    """A domain refusal on the area's message page: its status and message, titled by status
    (``titles``, else ``otherwise``; English msgids, translated here)."""
    title = i18n.gettext(interface_language(request), titles.get(exc.status, otherwise))
    return message(request, template, exc.status, title, exc.message, **context)


Answer = Callable[[Request, Any], Response]  # called with the exception it answers


def guarded_route(answers: Mapping[type[Exception], Answer]) -> type[APIRoute]:
    """A route class whose handlers answer the given exceptions (raised by the route or by a
    dependency such as a role check) with a page, in the order given."""

    class Guarded(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                try:
                    return await handler(request)
                except tuple(answers) as exc:
                    answer = next(a for kind, a in answers.items() if isinstance(exc, kind))
                    return answer(request, exc)

            return guarded

    return Guarded


def label(table: Mapping[Any, str], value: Any, lang: str) -> str:
    """``value``'s label from one of an area's tables (``N_``-marked messages), in ``lang``;
    a value the table does not know is shown as itself, readable (``needs_review`` ->
    ``needs review``)."""
    message = table.get(value)
    return i18n.gettext(lang, message) if message else str(value).replace("_", " ")
