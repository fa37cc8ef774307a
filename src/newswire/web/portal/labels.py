"""The portal's words and colours: labels of states, actions, roles, editions, channels,
delivery states, form fields and checks (marked for the `portal` catalog), and the chart colours."""

from __future__ import annotations

from newswire import i18n, taxonomy
from newswire.i18n import N_

STATE_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted for review"),
    "changes_requested": N_("Changes requested"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected by the desk"),
    "scheduled": N_("Scheduled"),
    "embargoed": N_("Embargoed"),
    "published": N_("Published"),
    "corrected": N_("Corrected"),
    "retracted": N_("Retracted"),
    "withdrawn": N_("Withdrawn"),
}


ACTION_LABELS = {
    "create": N_("Draft created"),
    "edit": N_("Edited"),
    "submit": N_("Submitted for review"),
    "request_changes": N_("Changes requested"),
    "approve": N_("Approved"),
    "reject": N_("Rejected by the desk"),
    "schedule": N_("Scheduled for publication"),
    "embargo": N_("Held until the embargo lifts"),
    "publish": N_("Published"),
    "correct": N_("Corrected"),
    "retract": N_("Retracted"),
    "withdraw": N_("Withdrawn"),
    "place": N_("Placed in sections"),
}


ROLE_LABELS = {
    "issuer": N_("issuer"),
    "editor": N_("editor"),
    "admin": N_("administrator"),
    "system": N_("automatic"),
}


EDITION_LABELS = {
    "pending": N_("Waiting for translation"),
    "needs_review": N_("Waiting for the desk's review"),
    "needs_translator": N_("Waiting for a human translator"),
    "approved": N_("Approved for distribution"),
}


CHANNEL_LABELS = {
    "email": N_("Email"),
    "webhook": N_("Webhook"),
    "stream": N_("Terminal stream"),
    "websub": N_("WebSub"),
}


DELIVERY_LABELS = {
    "delivered": N_("Delivered"),
    "pending": N_("Pending"),
    "failed": N_("Failed"),
    "dead": N_("Dead-lettered"),
}


DONE = {
    "saved": N_("Draft saved."),
    "submitted": N_(
        "Submitted for review. The desk checks it and approves it or asks for changes."
    ),
    "withdrawn": N_("Withdrawn. It will not be published."),
}


FIELD_LABELS = {
    "organization": N_("Organization"),
    "headline": N_("Headline"),
    "subheadline": N_("Subheadline"),
    "language": N_("Language of the release"),
    "dateline": N_("Dateline"),
    "dateline.city": N_("Dateline city"),
    "dateline.country": N_("Dateline country"),
    "dateline.date": N_("Dateline date"),
    "body": N_("Body"),
    "body_format": N_("Body"),
    "boilerplate": N_("About the issuer (boilerplate)"),
    "contacts": N_("Press contact"),
    "attachments": N_("Image or file"),
    "industries": N_("Industries"),
    "regions": N_("Regions and countries"),
    "keywords": N_("Keywords"),
    "tickers": N_("Stock tickers"),
    "target_languages": N_("Translations"),
    "allow_machine_translation": N_("Machine translation"),
    "publish_at": N_("Publication time"),
    "embargo_until": N_("Publication time"),
    "timezone": N_("Time zone"),
    "release": N_("Release"),
}


PART_LABELS = {
    "name": N_("Name"),
    "organization": N_("Organization"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "role": N_("Job title"),
    "url": N_("Address (URL)"),
    "alt": N_("Text alternative"),
    "caption": N_("Caption"),
    "media_type": N_("Type"),
}


SEVERITY_LABELS = {"error": N_("Blocking"), "warning": N_("Warning")}


KIND_LABELS = {
    "original": N_("Original"),
    "correction": N_("Correction"),
    "retraction": N_("Retraction"),
}


UNKNOWN = N_("Unknown")


STATE_COLORS = {
    "delivered": "#1d6b35",
    "pending": "#a86b00",
    "failed": "#8a1c1c",
    "dead": "#4a4f57",
}


CHANNEL_COLORS = {
    "email": "#0b5cad", "webhook": "#7a3e9d", "stream": "#1d6b35", "websub": "#a84f00",
}  # fmt: skip


TITLES = {404: N_("Not found"), 403: N_("Not allowed")}


NOT_POSSIBLE = N_("Not possible")


def _region_label(code: str, lang: str) -> str:
    try:
        return taxonomy.region_name(code, lang)
    except ValueError:
        return i18n.gettext(lang, UNKNOWN) if code == "unknown" else code


def _language_label(tag: str, lang: str) -> str:
    return i18n.gettext(lang, UNKNOWN) if tag == "unknown" else i18n.language_name(tag, lang)


def _field_label(field: str, lang: str) -> str:
    parts = field.split(".")
    if parts[0] in ("contacts", "attachments") and len(parts) > 1 and parts[1].isdigit():
        base = i18n.gettext(lang, FIELD_LABELS[parts[0]]) + f" {int(parts[1]) + 1}"
        if len(parts) > 2 and parts[2] in PART_LABELS:
            return f"{base}: {i18n.gettext(lang, PART_LABELS[parts[2]])}"
        return base
    for key in (".".join(parts[:2]), parts[0]):
        if key in FIELD_LABELS:
            return i18n.gettext(lang, FIELD_LABELS[key])
    return field
