"""What the portal's routes and views share: the request's language and its gettext, the
flash message of the last action, which states can be edited or are public, page sizes."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from newswire import i18n
from newswire.domain.lifecycle import State
from newswire.report import deliveries
from newswire.web import pages
from newswire.web.portal.labels import DONE
from newswire.web.session import interface_language

EDITABLE = (State.DRAFT, State.CHANGES_REQUESTED)


PUBLIC = (State.PUBLISHED, State.CORRECTED, State.RETRACTED)


PAGE_SIZE = 100


TABLE_ROWS = 50


CSV_COLUMNS = deliveries.COLUMNS


def _lang(request: Request) -> str:
    return interface_language(request)


def _t(request: Request) -> Callable[..., str]:
    lang = _lang(request)
    return lambda message, **params: i18n.gettext(lang, message, **params)


def _done(request: Request) -> str | None:
    return pages.flash(request, DONE)
