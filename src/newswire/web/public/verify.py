"""Verification for anyone: ``/verify`` (a page) and ``POST /api/v1/verify`` (JSON).

Both take a URL of this wire or a text (a ninjs or NewsML-G2 document counts as text) and
answer from the wire's own records (`newswire.publish.verification`); nothing is fetched.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from newswire.provenance.verify import Verdict
from newswire.publish import verification
from newswire.render.html import render_page
from newswire.taxonomy.languages import LANGUAGES
from newswire.web.deps import DB, Config
from newswire.web.session import preferred_language

router = APIRouter()
MAX_URL = 2000


class VerifyRequest(BaseModel):
    """Exactly one of `url` (a URL of this wire) and `text` (a release's text, or a ninjs or
    NewsML-G2 document)."""

    url: str | None = Field(default=None, max_length=MAX_URL)
    text: str | None = Field(default=None, max_length=verification.MAX_TEXT_CHARS)


def _verdict(db: DB, settings: Config, url: str | None, text: str | None) -> Verdict:
    url, text = (url or "").strip() or None, text if text and text.strip() else None
    if (url is None) == (text is None):
        raise verification.VerifyRefused("give either a URL of this wire or a text, not both")
    with db.session() as s:
        if url is not None:
            return verification.verify_url(s, settings, url)
        assert text is not None
        return verification.verify_text(s, settings, text)


@router.post("/api/v1/verify", tags=["provenance"])
def verify_api(body: VerifyRequest, db: DB, settings: Config) -> dict[str, Any]:
    """Whether a URL or text is one of this wire's published versions, and its standing."""
    return _verdict(db, settings, body.url, body.text).to_json()


def _page(request: Request, settings: Config, status: int = 200, **context: Any) -> HTMLResponse:
    lang = preferred_language(request, LANGUAGES)
    page = render_page("verify.html", lang=lang, wire=settings.wire_name, **context)
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


@router.get("/verify", response_class=HTMLResponse, include_in_schema=False)
def verify_page(request: Request, db: DB, settings: Config, url: str | None = None) -> HTMLResponse:
    """The form; with ``?url=`` (the link every signed document carries), its verdict too."""
    if not url:
        return _page(request, settings)
    return _answer(request, db, settings, url[:MAX_URL], None)


@router.post("/verify", response_class=HTMLResponse, include_in_schema=False)
def verify_form(
    request: Request,
    db: DB,
    settings: Config,
    url: Annotated[str, Form(max_length=MAX_URL)] = "",
    text: Annotated[str, Form(max_length=verification.MAX_TEXT_CHARS)] = "",
) -> HTMLResponse:
    return _answer(request, db, settings, url, text)


def _answer(
    request: Request, db: DB, settings: Config, url: str | None, text: str | None
) -> HTMLResponse:
    try:
        verdict = _verdict(db, settings, url, text)
    except verification.VerifyRefused as exc:
        return _page(request, settings, 422, error=str(exc), url=url, text=text)
    return _page(request, settings, verdict=verdict, url=url, text=text)
