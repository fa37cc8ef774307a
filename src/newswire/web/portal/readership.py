"""The distribution report's "Readership" section: the reads the wire counted
(`newswire.report.readership`) over time by channel, and by country, beside the deliveries."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from newswire.i18n import N_
from newswire.render import charts
from newswire.report import readership
from newswire.web import pages
from newswire.web.portal.common import _lang, _t
from newswire.web.portal.labels import _region_label

READ_LABELS = {
    "page": N_("Release page"),
    "edition": N_("Edition pages"),
    "document": N_("Documents (API, partners)"),
    "embed": N_("Embeds"),
    "email_open": N_("Email opens"),
    "email_click": N_("Email clicks"),
}
READ_COLORS = {
    "page": "#0b5cad", "edition": "#4f8fd6", "document": "#7a3e9d", "embed": "#1d6b35",
    "email_open": "#a84f00", "email_click": "#c2185b",
}  # fmt: skip


def readership_context(request: Request, s: Session, release_id: str) -> dict[str, Any]:
    lang = _lang(request)
    _ = _t(request)
    figures = readership.figures(s, release_id)
    series = [
        charts.Series(key, pages.label(READ_LABELS, key, lang), READ_COLORS[key])
        for key in readership.CHANNELS
        if key in figures["by_channel"]
    ]
    days = [(d["day"], {k: v for k, v in d.items() if k != "day"}) for d in figures["daily"]]
    chart = (
        charts.stacked_columns(
            "chart-readership", _("Counted reads, by day and channel"),
            _("Reads counted per UTC day, split by channel."), days, series,
            width=560, height=260,
        ) if days else None
    )  # fmt: skip
    countries = [
        (_region_label(code, lang), figures["by_country_channel"][code])
        for code in figures["by_country"]
    ]
    by_country = (
        charts.stacked_bars(
            "chart-readership-country", _("Counted reads by country"),
            _("Reads per country, split by channel."), countries, series,
            width=480, label_width=140,
        ) if countries else None
    )  # fmt: skip
    return {
        "total": figures["total"],
        "chart": chart,
        "by_country": by_country,
        "channels": [(s.key, s.label, figures["by_channel"][s.key]) for s in series],
        "countries": countries,
    }
