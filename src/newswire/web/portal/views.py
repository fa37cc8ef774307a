"""The portal's pages as they are shown: the list rows, the compose form with its errors, a
release with its timeline, the live reach estimate, and the distribution report with its
charts, each built from what the routes read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import (
    HTMLResponse,
)
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import i18n, taxonomy
from newswire.actions import editions as translations
from newswire.actions import releases as actions
from newswire.actions.accounts import get_organization_or_none
from newswire.audience.targeting import facts_for, reach, targets
from newswire.deliver import outbox
from newswire.domain.errors import FieldError
from newswire.domain.lifecycle import Action, Role, State, allowed_actions
from newswire.domain.release import content_from_json
from newswire.intake.markdown import markdown_to_html, sanitize_html
from newswire.intake.validate import MAX_BODY_CHARS
from newswire.render import charts
from newswire.report import deliveries
from newswire.store.models import Organization, Release
from newswire.web import pages
from newswire.web.portal import form as composing
from newswire.web.portal.common import PUBLIC, TABLE_ROWS, _done, _lang, _t
from newswire.web.portal.labels import (
    ACTION_LABELS,
    CHANNEL_COLORS,
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    EDITION_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    SEVERITY_LABELS,
    STATE_COLORS,
    STATE_LABELS,
    _field_label,
    _language_label,
    _region_label,
)
from newswire.web.session import SignedIn, html


def _iso(value: datetime | None) -> str:
    value = pages.utc(value)
    return value.isoformat(timespec="milliseconds") if value else ""


def _is_admin(user: SignedIn) -> bool:
    return user.actor.role is Role.ADMIN


def _list_row(r: Release, user: SignedIn, lang: str) -> dict[str, Any]:
    state = State(r.state)
    goes_out = r.first_published_at or r.release_time
    return {
        "id": r.id,
        "headline": r.headline,
        "language": r.language,
        "organization": r.organization.name,
        "state": r.state,
        "state_label": pages.label(STATE_LABELS, r.state, lang),
        "updated": pages.when(r.updated_at, lang),
        "updated_iso": _iso(r.updated_at),
        "goes_out": pages.when(goes_out, lang) if state not in (State.DRAFT,) else "",
        "goes_out_iso": _iso(goes_out),
        "editable": _may(state, user, Action.EDIT),
        "reported": r.current_version > 0,
    }


def _may(state: State, user: SignedIn, action: Action) -> bool:
    return action in allowed_actions(state, user.actor.role)


def _errors(errors: list[FieldError], lang: str) -> tuple[dict[str, list[str]], list[dict]]:
    by_slot: defaultdict[str, list[str]] = defaultdict(list)
    summary = []
    for e in sorted(errors, key=composing.position):
        slot = composing.slot(e.field)
        by_slot[slot].append(e.message)
        summary.append(
            {
                "anchor": composing.anchor(slot),
                "label": _field_label(e.field, lang),
                "field": e.field,
                "message": e.message,
            }
        )
    return dict(by_slot), summary


def _organizations(s: Session) -> list[tuple[str, str]]:
    rows = s.scalars(
        select(Organization).where(Organization.kind == "issuer").order_by(Organization.name)
    )
    return [(o.slug, o.name) for o in rows]


def _compose(
    request: Request,
    user: SignedIn,
    values: Mapping[str, Any],
    *,
    release: Release | None = None,
    status: int = 200,
    errors: list[FieldError] | None = None,
    preview: str | None = None,
    estimate: dict[str, Any] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    lang = _lang(request)
    by_slot, summary = _errors(errors or [], lang)
    contacts, attachments = composing.rows_to_show(values)
    organizations: list[tuple[str, str]] = []
    if _is_admin(user) and release is None:
        with request.app.state.db.session() as s:
            organizations = _organizations(s)
    languages = [(tag, i18n.language_name(tag, lang)) for tag in taxonomy.LANGUAGES]
    source = str(values.get("language") or "en")
    ways = request.app.state.translations.ways(source, [t for t, _ in languages if t != source])
    return html(
        request,
        "portal/compose.html",
        status=status,
        release=release,
        action=f"/portal/releases/{release.id}/edit" if release else "/portal/releases",
        v=values,
        chosen_industries=set(values["industries"]),
        chosen_regions={str(r).upper() for r in values["regions"]},
        countries_chosen=bool(
            {str(r).upper() for r in values["regions"]} - set(taxonomy.REGION_GROUPS)
        ),
        chosen_targets=set(values["target_languages"]),
        contacts=contacts,
        attachments=attachments,
        errors=by_slot,
        summary=summary,
        industry_tree=taxonomy.industry_tree(lang),
        region_groups=[(g, taxonomy.region_name(g, lang)) for g in sorted(taxonomy.REGION_GROUPS)],
        countries=taxonomy.countries_by_name(lang),
        languages=languages,
        ways=ways,
        timezones=composing.timezones(values["timezone"]),
        media_types=composing.MEDIA_TYPES,
        organizations=organizations,
        preview=Markup(preview) if preview is not None else None,
        estimate=estimate,
        error=error,
    )


def _shown(
    request: Request, user: SignedIn, values: Mapping[str, Any], release: Release | None
) -> dict[str, Any]:
    """The server-side preview and reach estimate (the page without JavaScript shows these)."""
    body = values["body"][:MAX_BODY_CHARS]
    preview = sanitize_html(body) if values["body_format"] == "html" else markdown_to_html(body)
    with request.app.state.db.session() as s:
        estimate = _estimate(request, s, user, values, release)
    return {"preview": preview, "estimate": estimate}


def _estimate(
    request: Request,
    s: Session,
    user: SignedIn,
    values: Mapping[str, Any],
    release: Release | None,
) -> dict[str, Any]:
    """The reach of the form's choices (`newswire.audience.targeting.reach`), labelled."""
    lang = _lang(request)
    content = composing.reach_content(values)
    organization_id = user.actor.organization_id or 0
    if release is not None:
        organization_id = release.organization_id
    elif _is_admin(user):
        org = (
            get_organization_or_none(s, values["organization"]) if values["organization"] else None
        )
        organization_id = org.id if org else 0
    facts = facts_for(content, organization_id, content.target_languages)
    with request.app.state.audience.current(s) as current:
        found = reach(targets(s, current, facts))
    return {
        **found,
        "channels": [
            (pages.label(CHANNEL_LABELS, k, lang), n) for k, n in found["by_channel"].items()
        ],
        "languages": [(_language_label(k, lang), n) for k, n in found["by_language"].items()],
        "countries": [(_region_label(k, lang), n) for k, n in found["by_country"].items()][:10],
    }


def _release_page(
    request: Request,
    s: Session,
    user: SignedIn,
    release_id: str,
    *,
    status: int = 200,
    error: str | None = None,
    form: Mapping[str, str] | None = None,
) -> HTMLResponse:
    lang = _lang(request)
    release = actions.get_release(s, user.actor, release_id)
    content = content_from_json(release.content)
    state = State(release.state)
    history = actions.transitions_of(s, user.actor, release.id)
    timeline = [
        {
            "at": pages.when(t.at, lang),
            "at_iso": _iso(t.at),
            "action": t.action,
            "label": pages.label(ACTION_LABELS, t.action, lang),
            "who": t.actor_label,
            "role": pages.label(ROLE_LABELS, t.role, lang),
            "from_state": pages.label(STATE_LABELS, t.from_state, lang),
            "to_state": pages.label(STATE_LABELS, t.to_state, lang),
            "moved": t.from_state != t.to_state,
            "reason": t.reason,
        }
        for t in history
    ]
    desk_reason = None
    if state in (State.CHANGES_REQUESTED, State.REJECTED, State.WITHDRAWN):
        wanted = {
            State.CHANGES_REQUESTED: "request_changes",
            State.REJECTED: "reject",
            State.WITHDRAWN: "withdraw",
        }[state]
        last = next((t for t in reversed(history) if t.action == wanted), None)
        if last is not None:
            desk_reason = {"kind": wanted, "reason": last.reason, "who": last.actor_label}
    editions = [
        {
            "language": e.language,
            "name": i18n.language_name(e.language, lang),
            "status": e.status,
            "status_label": pages.label(EDITION_LABELS, e.status, lang),
            "machine_translated": e.machine_translated,
            "post_edited": e.post_edited,
            "public": e.status == "approved" and state in PUBLIC,
        }
        for e in translations.editions_of(s, release.id)
    ]
    versions = [
        {"number": v.number, "kind": v.kind, "at": pages.when(v.published_at, lang)}
        for v in actions.versions_of(s, release.id)
    ]
    return html(
        request,
        "portal/release.html",
        status=status,
        r=release,
        c=content,
        body=Markup(content.body_html),
        organization=release.organization.name,
        state_label=pages.label(STATE_LABELS, release.state, lang),
        timeline=timeline,
        desk_reason=desk_reason,
        editions=editions,
        versions=versions,
        industries=[taxonomy.get_industry(code).label(lang) for code in content.industries],
        regions=[_region_label(code, lang) for code in content.regions],
        targets=[i18n.language_name(t, lang) for t in content.target_languages],
        language_name=i18n.language_name(content.language, lang),
        embargo=pages.when(content.embargo_until, lang),
        publish_at=pages.when(content.publish_at, lang),
        first_published=pages.when(release.first_published_at, lang),
        checks=[
            c
            for c in (release.checks or {}).get("results", [])
            if not c["passed"] and c["severity"] in SEVERITY_LABELS
        ],
        severity_labels={k: i18n.gettext(lang, v) for k, v in SEVERITY_LABELS.items()},
        kind_labels={k: i18n.gettext(lang, v) for k, v in KIND_LABELS.items()},
        can_edit=_may(state, user, Action.EDIT),
        can_submit=_may(state, user, Action.SUBMIT),
        can_withdraw=_may(state, user, Action.WITHDRAW),
        is_public=state in PUBLIC,
        has_report=release.current_version > 0,
        done=_done(request),
        error=error,
        form=form or {},
    )


def _interval(step_s: int) -> str:
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if step_s >= size and step_s % size == 0:
            return f"{step_s // size} {unit}"
    return f"{step_s} s"


def _charts(
    _: Callable[..., str],
    states: list[charts.Series],
    channels: list[charts.Series],
    times: list[tuple[datetime, str]],
    by_country: list[tuple[str, Mapping[str, int]]],
    by_language: list[tuple[str, Mapping[str, int]]],
    failures: list[tuple[str, int]],
) -> dict[str, Markup | None]:
    buckets, step = charts.time_buckets(times)
    return {
        "time": charts.stacked_columns(
            "chart-time", _("Deliveries over time, by channel"),
            _("Deliveries completed per interval of {interval} (UTC), split by channel.",
              interval=_interval(step)),
            buckets, channels, width=560, height=260,
        ) if buckets else None,
        "country": charts.stacked_bars(
            "chart-country", _("Deliveries by country"),
            _("Deliveries per recipient country, split by state."), by_country, states,
            width=480, label_width=140,
        ) if by_country else None,
        "language": charts.stacked_bars(
            "chart-language", _("Deliveries by language"),
            _("Deliveries per language sent, split by state."), by_language, states,
            width=480, label_width=140,
        ) if by_language else None,
        "failures": charts.stacked_bars(
            "chart-failures", _("Failures by reason"),
            _("Deliveries not (yet) delivered after an attempt, by the last answer received."),
            [(reason, {"failed": n}) for reason, n in failures],
            [charts.Series("failed", _("Deliveries"), STATE_COLORS["failed"])],
            label_width=300,
        ) if failures else None,
    }  # fmt: skip


def _report_context(
    request: Request, s: Session, user: SignedIn, release: Release
) -> dict[str, Any]:
    """The figures (`newswire.deliver.outbox.report`), the deliveries one by one
    (`newswire.report.deliveries`, without personal data for an issuer) and the charts."""
    lang = _lang(request)
    _ = _t(request)  # named so that the message extractor finds what it translates
    full = user.actor.is_desk
    figures = outbox.report(s, release.id)
    states = [
        charts.Series(key, i18n.gettext(lang, DELIVERY_LABELS[key]), STATE_COLORS[key])
        for key in deliveries.STATES
    ]
    by_channel = deliveries.by_state(figures["by_channel"])
    channels = [
        charts.Series(
            key, pages.label(CHANNEL_LABELS, key, lang), CHANNEL_COLORS.get(key, "#555f6d")
        )
        for key in sorted(by_channel)
    ]
    by_country = [
        (_region_label(k, lang), v) for k, v in deliveries.by_state(figures["by_country"]).items()
    ]
    by_language = [
        (_language_label(k, lang), v)
        for k, v in deliveries.by_state(figures["by_language"]).items()
    ]
    failures = deliveries.failures(s, release.id, full=full)
    times = deliveries.delivered_times(s, release.id)
    table = list(deliveries.rows(s, release.id, full=full, limit=TABLE_ROWS))
    for row in table:
        row["status_label"] = pages.label(
            DELIVERY_LABELS, deliveries.state_key(row["status"]), lang
        )
        row["channel_label"] = pages.label(CHANNEL_LABELS, row["channel"], lang)
    spread = figures["first_attempt_spread_ms"]
    return {
        "figures": figures,
        "spread": f"{spread / 1000:.1f}" if spread is not None else None,
        "charts": _charts(_, states, channels, times, by_country, by_language, failures),
        "tables": [
            (
                "h-by-channel",
                _("By channel"),
                [(pages.label(CHANNEL_LABELS, k, lang), v) for k, v in by_channel.items()],
            ),
            ("h-by-country", _("By country"), by_country),
            ("h-by-language", _("By language"), by_language),
        ],
        "states": [(x.key, x.label) for x in states],
        "failures": failures,
        "deliveries": table,
        "more_rows": figures["targets"] > TABLE_ROWS,
        "editions": [
            {
                **e,
                "name": i18n.language_name(e["language"], lang),
                "status_label": pages.label(EDITION_LABELS, e["status"], lang),
            }
            for e in figures["editions"]
        ],
        "full": full,
    }
