"""The desk's pages as they are shown: queue rows with their failing checks, a release with its
checks, history and diffs, and an edition side by side with its source and QA flags."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.actions import editions as translations
from newswire.actions import releases as actions
from newswire.domain.lifecycle import State
from newswire.domain.release import Section, content_from_json
from newswire.render.html import section_label
from newswire.store.models import Release
from newswire.web import pages
from newswire.web.desk.labels import (
    ACTIONS,
    CHECKS,
    DONE,
    EDITION_STATUSES,
    FIELDS,
    FLAGS,
    SEVERITIES,
    STATES,
    VERSION_KINDS,
    _isolated,
)
from newswire.web.session import html, interface_language

REVIEWABLE = (State.SUBMITTED,)


PLACEABLE = (State.SUBMITTED, State.APPROVED, State.SCHEDULED, State.EMBARGOED)


LIVE = (State.PUBLISHED, State.CORRECTED)


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _checks(release: Release, lang: str) -> list[dict[str, Any]]:
    results = [
        {
            **r,
            "label": pages.label(CHECKS, str(r["name"]), lang),
            "badge": "passed" if r["passed"] else str(r["severity"]),
            "badge_label": pages.label(
                SEVERITIES, "passed" if r["passed"] else r["severity"], lang
            ),
        }
        for r in (release.checks or {}).get("results", [])
    ]
    return sorted(results, key=lambda r: (r["passed"], _SEVERITY_ORDER.get(str(r["severity"]), 3)))


def _failing(release: Release, lang: str) -> list[dict[str, Any]]:
    return [r for r in _checks(release, lang) if not r["passed"] and r["severity"] != "info"]


def _submitted_at(release: Release) -> str:
    return str((release.checks or {}).get("at") or pages.utc(release.updated_at).isoformat())  # type: ignore[union-attr]


def _row(release: Release, lang: str) -> dict[str, Any]:
    return {
        "id": release.id,
        "headline": release.headline,
        "issuer": release.organization.name,
        "state": pages.label(STATES, release.state, lang),
        "language": i18n.language_name(release.language, lang),
        "updated": pages.when(release.updated_at, lang),
        "submitted": pages.when(datetime.fromisoformat(_submitted_at(release)), lang),
        "failing": _failing(release, lang),
    }


def _diff(before: str, after: str, label_a: str, label_b: str) -> list[tuple[str, str]]:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), label_a, label_b, lineterm="", n=2
    )
    out = []
    for line in lines:
        kind = "ctx"
        if line.startswith(("+++", "---", "@@")):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        out.append((kind, line))
    return out


def _text_of(content: dict[str, Any]) -> str:
    parts = [content.get("headline") or "", content.get("subheadline") or ""]
    parts += [content.get("body_markdown") or content.get("body") or ""]
    return "\n\n".join(p for p in parts if p)


def _release_page(
    request: Request,
    s: Session,
    user: Any,
    release_id: str,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = interface_language(request)
    release = actions.get_release(s, user.actor, release_id)
    content = content_from_json(release.content)
    versions = actions.versions_of(s, release.id)
    diff: list[tuple[str, str]] = []
    diff_label = ""
    if len(versions) >= 2:
        a, b = versions[-2], versions[-1]
        diff = _diff(_text_of(a.content), _text_of(b.content), f"v{a.number}", f"v{b.number}")
        diff_label = i18n.gettext(lang, "version {a} → version {b}", a=a.number, b=b.number)
    elif versions and _text_of(versions[-1].content) != _text_of(release.content):
        a = versions[-1]
        current = i18n.gettext(lang, "current")
        diff = _diff(_text_of(a.content), _text_of(release.content), f"v{a.number}", current)
        diff_label = i18n.gettext(lang, "version {a} → current text", a=a.number)
    state = State(release.state)
    checks = _checks(release, lang)
    blocking = [c for c in checks if not c["passed"] and c["severity"] == "error"]
    placed = set((release.sections or {}).get("sections", []))
    schedule = ""
    if content.embargo_until:
        when = i18n.format_datetime(content.embargo_until, lang)
        schedule = i18n.gettext(lang, "embargoed until {datetime}", datetime=when)
    elif content.publish_at:
        when = i18n.format_datetime(content.publish_at, lang)
        schedule = i18n.gettext(lang, "publish at {datetime}", datetime=when)
    return html(
        request,
        "desk/release.html",
        status=status,
        r=release,
        c=content,
        body=Markup(content.body_html),
        issuer=release.organization.name,
        state_label=pages.label(STATES, release.state, lang),
        schedule=schedule,
        checks=checks,
        blocking=blocking,
        diff=diff,
        diff_label=diff_label,
        versions=[
            (v.number, pages.label(VERSION_KINDS, v.kind, lang), pages.when(v.published_at, lang))
            for v in versions
        ],
        history=[
            (
                _isolated(
                    i18n.gettext(lang, "{datetime}: {action} by {who} → {state}"),
                    datetime=pages.when(t.at, lang),
                    action=pages.label(ACTIONS, t.action, lang),
                    who=t.actor_label,
                    state=pages.label(STATES, t.to_state, lang),
                ),
                t.reason,
            )
            for t in actions.transitions_of(s, user.actor, release.id)
        ],
        editions=[
            (
                e.language,
                i18n.language_name(e.language, lang),
                pages.label(EDITION_STATUSES, e.status, lang),
            )
            for e in translations.editions_of(s, release.id)
        ],
        sections=[(x.value, section_label(x.value, lang), x.value in placed) for x in Section],
        top_story=release.top_story,
        can_review=state in REVIEWABLE,
        can_place=state in PLACEABLE,
        is_live=state in LIVE,
        is_public=state in (*LIVE, State.RETRACTED),
        error=error,
        done=pages.flash(request, DONE),
        form=form or {},
    )


def _edition_page(
    request: Request,
    s: Session,
    user: Any,
    release_id: str,
    language: str,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = interface_language(request)
    release = actions.get_release(s, user.actor, release_id)
    edition = translations._edition(s, release.id, language)
    source = content_from_json(release.content)
    target = edition.content or {}
    flags = [
        {
            **f,
            "kind_label": pages.label(FLAGS, str(f.get("kind", "")), lang),
            "field_label": pages.label(FIELDS, str(f.get("field", "")), lang),
        }
        for f in (edition.flags or {}).get("flags", [])
    ]
    return html(
        request,
        "desk/edition.html",
        status=status,
        r=release,
        e=edition,
        source=source,
        target_headline=form.get("headline", target.get("headline", ""))
        if form
        else target.get("headline", ""),
        target_subheadline=target.get("subheadline", ""),
        target_body=form.get("body", target.get("body", "")) if form else target.get("body", ""),
        source_name=i18n.language_name(source.language, lang),
        target_name=i18n.language_name(edition.language, lang),
        flags=flags,
        status_label=pages.label(EDITION_STATUSES, edition.status, lang),
        can_edit=edition.status in ("needs_review", "needs_translator"),
        can_approve=edition.status != "approved" and edition.status != "pending",
        error=error,
        done=pages.flash(request, DONE),
    )
