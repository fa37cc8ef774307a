"""The account pages as they are shown: the sign-up form, the preferences form, an embargoed
release, and the data page, each built from what the routes read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy import select

from newswire import i18n, taxonomy
from newswire.audience import recipients
from newswire.domain.release import ReleaseContent
from newswire.store.models import (
    Endpoint,
    Organization,
    Release,
)
from newswire.web.account.beats import (
    Beats,
    _beats_of,
    _choices,
    _chosen,
    _labels,
    _profile_rows,
    _subscriptions,
)
from newswire.web.account.common import (
    DONE,
    FREQUENCIES,
    SHOWN_DELIVERIES,
    STATUS,
    Journalist,
    _lang,
    _page,
    gettext,
    journalist,
)


def _signup_page(
    request: Request,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    beats: Beats | None = None,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    return _page(
        request,
        "account/signup.html",
        journalist(request),
        status=status,
        form=form or {"name": "", "email": "", "outlet": "", "based_in": ""},
        beats=beats or Beats(),
        problems=problems or {},
        **_choices(request),
    )


def _preferences_page(
    request: Request,
    who: Journalist,
    wanted: int | None,
    *,
    status: int = 200,
    beats: Beats | None = None,
    based_in: str | None = None,
    problems: dict[str, str] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    with request.app.state.db.session() as s:
        recipient = recipients.get_recipient(s, who.id)
        subs = _subscriptions(s, who.id)
        sub = _chosen(subs, wanted)
        countries = list((recipient.profile or {}).get("countries") or [])
        endpoint = s.scalar(
            select(Endpoint).where(Endpoint.recipient_id == who.id).order_by(Endpoint.id)
        )
        done_key = request.query_params.get("done", "")
        return _page(
            request,
            "account/preferences.html",
            who,
            status=status,
            subscriptions=[(x.id, x.name) for x in subs],
            subscription_id=sub.id if sub else None,
            beats=beats or _beats_of(recipient, sub),
            form={"based_in": based_in if based_in is not None else (countries or [""])[0]},
            channel=(endpoint.channel, endpoint.address) if endpoint else ("email", who.email),
            measure_consent=recipient.measure_consent_at is not None,
            status_label=gettext(_lang(request), STATUS.get(recipient.status, recipient.status)),
            problems=problems or {},
            error=error,
            done=gettext(_lang(request), DONE[done_key]) if done_key in DONE else None,
            **_choices(request),
        )


def _release_view(lang: str, release: Release, content: ReleaseContent) -> dict[str, Any]:
    assert content.embargo_until is not None
    return {
        "id": release.id,
        "issuer": release.organization.name,
        "headline": content.headline,
        "subheadline": content.subheadline,
        "language": content.language,
        "language_name": i18n.language_name(content.language, lang),
        "until": i18n.format_datetime(content.embargo_until, lang),
        "until_iso": content.embargo_until.isoformat(),
        "dateline": ", ".join(
            [
                content.dateline.city,
                taxonomy.region_name(content.dateline.country, lang),
                i18n.format_date(content.dateline.date, lang),
            ]
        ),
        "body": Markup(content.body_html),  # sanitized at intake
        "boilerplate": content.boilerplate,
        "contacts": content.contacts,
    }


def _data_page(
    request: Request, who: Journalist, *, status: int = 200, problems: dict[str, str] | None = None
) -> HTMLResponse:
    lang = _lang(request)
    with request.app.state.db.session() as s:
        data = recipients.stored_data(s, who.id)
        shown = data["deliveries"][:SHOWN_DELIVERIES]
        headlines = dict(
            s.execute(
                select(Release.id, Release.headline).where(
                    Release.id.in_({d["release_id"] for d in shown})
                )
            ).all()
        )
        ids = {
            i
            for x in data["subscriptions"]
            for i in x["criteria"].get("issuers", []) + x["criteria"].get("exclude_issuers", [])
        }
        issuers = dict(
            s.execute(
                select(Organization.id, Organization.name).where(Organization.id.in_(ids))
            ).all()
        )

    def when(iso: str | None) -> str:
        return i18n.format_datetime(datetime.fromisoformat(iso), lang) if iso else ""

    return _page(
        request,
        "account/data.html",
        who,
        status=status,
        data=data,
        subscriptions=[
            {**x, "lines": _labels(lang, x["criteria"], issuers)} for x in data["subscriptions"]
        ],
        deliveries=[{**d, "headline": headlines.get(d["release_id"], "")} for d in shown],
        profile=_profile_rows(lang, data["recipient"]["profile"]),
        status_label=gettext(_lang(request), STATUS.get(who.status, who.status)),
        frequency_labels={value: gettext(_lang(request), label) for value, label in FREQUENCIES},
        when=when,
        problems=problems or {},
    )
