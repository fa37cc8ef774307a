"""The issuer portal's compose form (see `newswire.web.portal`): the form's values from a
release or from a post, the release JSON they make for intake (the same validation as the API,
`newswire.intake.validate`), and where each validation error is shown.

The form's values are a plain dict of what the fields hold (strings, lists of codes, rows of
contacts and attachments), so that a refused form is shown again exactly as it was typed. Dates
and times are typed in a chosen time zone (`datetime-local` carries none) and stored in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import FormData

from newswire import i18n, taxonomy
from newswire.domain.errors import FieldError, InvalidRelease
from newswire.domain.release import Dateline, ReleaseContent
from newswire.intake.validate import validate_release

TIMEZONES = (
    "UTC", "Europe/London", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Berlin",
    "Europe/Zurich", "Europe/Vienna", "Europe/Warsaw", "Europe/Athens", "Europe/Istanbul",
    "Europe/Moscow", "Africa/Cairo", "Africa/Lagos", "Africa/Johannesburg", "Asia/Riyadh",
    "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Jakarta",
    "Asia/Kuala_Lumpur", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei",
    "Asia/Seoul", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo",
    "America/Buenos_Aires", "America/Mexico_City", "America/New_York", "America/Chicago",
    "America/Denver", "America/Los_Angeles",
)  # fmt: skip
"""Time zones offered next to the publication time (any other IANA zone is accepted too)."""
MEDIA_TYPES = (
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml", "application/pdf",
)  # fmt: skip
MAX_CONTACTS, MAX_ATTACHMENTS = 10, 20
CONTACT_PARTS = ("name", "organization", "email", "phone", "role")
ATTACHMENT_PARTS = ("url", "alt", "caption", "media_type", "width", "height")
LIST_FIELDS = ("industries", "regions", "target_languages", "keywords", "tickers")


def blank(lang: str) -> dict[str, Any]:
    """An empty form: the release in the interface language, published when approved."""
    return {
        "organization": "",
        "headline": "",
        "subheadline": "",
        "language": lang if lang in taxonomy.LANGUAGES else i18n.DEFAULT_LANGUAGE,
        "dateline_city": "",
        "dateline_country": "",
        "dateline_date": "",
        "body": "",
        "body_format": "markdown",
        "boilerplate": "",
        "contacts": [],
        "attachments": [],
        "industries": [],
        "regions": [],
        "keywords": "",
        "tickers": "",
        "target_languages": [],
        "allow_machine_translation": True,
        "timing": "now",
        "when": "",
        "timezone": "UTC",
    }


def values_of(content: ReleaseContent, lang: str) -> dict[str, Any]:
    """The form filled in from a release (its publication time in UTC)."""
    timing, when = "now", None
    if content.embargo_until:
        timing, when = "embargo_until", content.embargo_until
    elif content.publish_at:
        timing, when = "publish_at", content.publish_at
    return {
        **blank(lang),
        "headline": content.headline,
        "subheadline": content.subheadline or "",
        "language": content.language,
        "dateline_city": content.dateline.city,
        "dateline_country": content.dateline.country,
        "dateline_date": "",
        "body": content.body_markdown,
        "body_format": content.body_format,
        "boilerplate": content.boilerplate or "",
        "contacts": [
            {part: getattr(c, part) or "" for part in CONTACT_PARTS} for c in content.contacts
        ],
        "attachments": [
            {part: str(getattr(a, part) or "") for part in ATTACHMENT_PARTS}
            for a in content.attachments
        ],
        "industries": list(content.industries),
        "regions": list(content.regions),
        "keywords": ", ".join(content.keywords),
        "tickers": ", ".join(content.tickers),
        "target_languages": list(content.target_languages),
        "allow_machine_translation": content.allow_machine_translation,
        "timing": timing,
        "when": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if when else "",
        "timezone": "UTC",
    }


def _rows(form: FormData, prefix: str, parts: tuple[str, ...], limit: int) -> list[dict[str, str]]:
    """Numbered row fields (contact-0-name, ...), in order; rows left empty are dropped."""
    numbers = set()
    for key in form:
        if key.startswith(prefix + "-"):
            number = key[len(prefix) + 1 :].split("-", 1)[0]
            if number.isdigit() and int(number) < limit * 2:
                numbers.add(int(number))
    rows = []
    for n in sorted(numbers):
        row = {part: str(form.get(f"{prefix}-{n}-{part}", "")).strip() for part in parts}
        if any(row[p] for p in parts if p not in ("media_type", "width", "height")):
            rows.append(row)
    return rows


def rows_to_show(
    values: Mapping[str, Any],
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The contact and attachment rows of the form: those filled in, then empty ones to add
    more (at least two contacts)."""
    contacts = list(values["contacts"])
    contacts += [dict.fromkeys(CONTACT_PARTS, "") for _ in range(max(0, 2 - len(contacts)) or 1)]
    attachments = [*values["attachments"], dict.fromkeys(ATTACHMENT_PARTS, "")]
    return contacts[:MAX_CONTACTS], attachments[:MAX_ATTACHMENTS]


def timezones(chosen: str) -> tuple[str, ...]:
    """The zones to offer, the chosen one first when it is not among them."""
    return TIMEZONES if chosen in TIMEZONES else (chosen, *TIMEZONES)


def values_from(form: FormData, lang: str) -> dict[str, Any]:
    """The form as posted, kept as typed (to show it again)."""

    def text(name: str) -> str:
        return str(form.get(name, "")).strip()

    return {
        **blank(lang),
        **{
            name: text(name)
            for name in (
                "organization",
                "headline",
                "subheadline",
                "language",
                "dateline_city",
                "dateline_country",
                "dateline_date",
                "boilerplate",
                "keywords",
                "tickers",
                "when",
            )
        },
        "body": str(form.get("body", "")).replace("\r\n", "\n").strip(),
        "body_format": "html" if text("body_format") == "html" else "markdown",
        "contacts": _rows(form, "contact", CONTACT_PARTS, MAX_CONTACTS),
        "attachments": _rows(form, "attachment", ATTACHMENT_PARTS, MAX_ATTACHMENTS),
        "industries": [str(v) for v in form.getlist("industries")],
        "regions": [str(v) for v in form.getlist("regions")],
        "target_languages": [str(v) for v in form.getlist("target_languages")],
        "allow_machine_translation": bool(form.get("allow_machine_translation")),
        "timing": text("timing") if text("timing") in ("publish_at", "embargo_until") else "now",
        "timezone": text("timezone") or "UTC",
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def intake_data(v: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """The form's values as the release JSON the API takes, and the problems only the form can
    have (a date and time that cannot be read, an unknown time zone)."""
    problems: list[FieldError] = []
    if not v["dateline_country"]:
        problems.append(FieldError("dateline.country", "missing", "choose the country"))
    dateline: dict[str, Any] = {"city": v["dateline_city"], "country": v["dateline_country"]}
    if v["dateline_date"]:
        dateline["date"] = v["dateline_date"]
    data: dict[str, Any] = {
        "headline": v["headline"],
        "dateline": dateline,
        "body": v["body"],
        "body_format": v["body_format"],
        "language": v["language"],
        "contacts": [{k: x for k, x in c.items() if x} for c in v["contacts"]],
        "attachments": [
            {k: x for k, x in a.items() if x and not (k == "media_type" and x == MEDIA_TYPES[0])}
            for a in v["attachments"]
        ],
        "industries": v["industries"],
        "regions": v["regions"],
        "keywords": _split(v["keywords"]),
        "tickers": _split(v["tickers"]),
        "target_languages": v["target_languages"],
        "allow_machine_translation": v["allow_machine_translation"],
    }
    for optional in ("subheadline", "boilerplate"):
        if v[optional]:
            data[optional] = v[optional]
    if v["timing"] in ("publish_at", "embargo_until"):
        key = v["timing"]
        try:
            zone = ZoneInfo(v["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC  # type: ignore[assignment]
            problems.append(
                FieldError("timezone", "unknown_timezone", f"unknown time zone '{v['timezone']}'")
            )
        if not v["when"]:
            problems.append(FieldError(key, "missing", "choose a date and time"))
        else:
            try:
                local = datetime.fromisoformat(v["when"])
            except ValueError:
                problems.append(
                    FieldError(key, "invalid_datetime", f"'{v['when']}' is not a date and time")
                )
            else:
                data[key] = (local if local.tzinfo else local.replace(tzinfo=zone)).isoformat()
    return data, problems


def validate(v: Mapping[str, Any], now: datetime) -> ReleaseContent:
    """The release content through the same intake as the API, or InvalidRelease naming every
    bad field (the form's own problems included)."""
    data, problems = intake_data(v)
    try:
        content = validate_release(data, now=now)
    except InvalidRelease as exc:
        named = {p.field for p in problems}
        raise InvalidRelease(problems + [e for e in exc.errors if e.field not in named]) from None
    if problems:
        raise InvalidRelease(problems)
    return content


def slot(field: str) -> str:
    """Where an error is shown: list fields as a whole, row fields per row and part."""
    head = field.split(".", 1)[0]
    if head in LIST_FIELDS:
        return head
    if head in ("publish_at", "embargo_until"):
        return "when"
    if head == "release":
        return "timing"
    return field


def anchor(slot: str) -> str:
    """The id of the field an error slot belongs to (the error summary links to it)."""
    if slot.startswith(("contacts.", "attachments.")):
        kind, number, *rest = slot.split(".")
        part = rest[0] if rest else ("name" if kind == "contacts" else "url")
        return f"f-{kind[:-1]}-{number}-{part.replace('_', '-')}"
    if slot in ("contacts", "attachments"):
        return f"f-{slot[:-1]}-0-{'name' if slot == 'contacts' else 'url'}"
    return "f-" + slot.replace(".", "-").replace("_", "-")


FORM_ORDER = (
    "organization", "headline", "subheadline", "language", "dateline", "body", "body_format",
    "boilerplate", "contacts", "attachments", "industries", "regions", "keywords", "tickers",
    "target_languages", "allow_machine_translation", "release", "publish_at", "embargo_until",
    "timezone",
)  # fmt: skip
"""The order of the fields on the page: the summary lists errors in it."""


def position(error: FieldError) -> tuple[int, str]:
    """Sort key: errors in the order of their fields on the page."""
    head = error.field.split(".", 1)[0]
    return (FORM_ORDER.index(head) if head in FORM_ORDER else len(FORM_ORDER), error.field)


def reach_content(v: Mapping[str, Any]) -> ReleaseContent:
    """What matching needs from a form that may not be valid yet: unknown codes are left out."""
    language = v["language"] if taxonomy.is_wire_language(v["language"]) else "en"
    return ReleaseContent(
        headline=v["headline"],
        body_markdown=v["body"],
        body_html="",
        dateline=Dateline(v["dateline_city"], v["dateline_country"], date.today()),
        language=language,
        industries=tuple(
            dict.fromkeys(
                taxonomy.get_industry(c).code for c in v["industries"] if taxonomy.is_industry(c)
            )
        ),
        regions=tuple(
            dict.fromkeys(
                taxonomy.normalize_region(c) for c in v["regions"] if taxonomy.is_region(c)
            )
        ),
        target_languages=tuple(
            t for t in dict.fromkeys(v["target_languages"])
            if taxonomy.is_wire_language(t) and t != language
        ),
    )  # fmt: skip
