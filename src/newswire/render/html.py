"""HTML rendering with Jinja2: the release article (rendered once when a version is frozen) and
the pages around it. Labels come from the gettext catalogs in `newswire.i18n`."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from newswire import i18n, taxonomy
from newswire.domain.release import PublishedVersion, VersionKind


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("newswire.render", "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["gettext"] = i18n.gettext
    env.globals["is_rtl"] = i18n.is_rtl
    env.globals["section_label"] = section_label
    env.filters["datetime"] = lambda value, lang: i18n.format_datetime(value, lang)
    env.filters["date"] = lambda value, lang: i18n.format_date(value, lang)
    return env


def template_area(template: str) -> str:
    """The catalog area whose wording a page uses: its folder (``portal/...`` -> ``portal``),
    ``app`` for the signed-in frame and sign-in page, else the readers' ``messages``."""
    folder, _, _ = template.rpartition("/")
    if folder:
        return folder.split("/")[0]
    return "app" if template in ("app.html", "login.html") else "messages"


def render_page(template: str, **context: Any) -> str:
    """Render ``template``; ``_(message, **params)`` in it translates into the page's ``lang``."""
    lang = context.get("lang", i18n.DEFAULT_LANGUAGE)
    area = template_area(template)
    context.setdefault(
        "_", lambda message, **params: i18n.gettext(lang, message, area=area, **params)
    )
    return environment().get_template(template).render(**context)


def tags(version: PublishedVersion) -> list[str]:
    """Sections first, then industries, as in the seed's "Branchen: Top-Story, Tagesnachrichten"."""
    lang = version.content.language
    labels = [section_label(s, lang) for s in version.sections]
    labels += [taxonomy.get_industry(code).label(lang) for code in version.content.industries]
    return labels


SECTION_MESSAGES = {
    "top-story": "Top story",
    "daily-news": "Daily news",
    "feature": "Feature",
    "business": "Business",
}


MACHINE_TRANSLATED = i18n.N_("Machine-translated from {language}")
REVIEWED_TRANSLATION = i18n.N_("Translated from {language} and reviewed by an editor")


def translation_note(lang: str, source_language: str, *, machine_only: bool) -> str:
    """How an edition in ``lang`` was made, in ``lang``: machine-translated, or reviewed."""
    return i18n.gettext(
        lang,
        MACHINE_TRANSLATED if machine_only else REVIEWED_TRANSLATION,
        language=i18n.language_name(source_language, lang),
    )


def section_label(section: str, lang: str) -> str:
    return i18n.gettext(lang, SECTION_MESSAGES.get(section, section))


def _with_attribution(body_html: str, lead: Markup) -> Markup:
    """Put the dateline and the wire's attribution at the start of the first paragraph."""
    if body_html.startswith("<p>"):
        return Markup("<p>") + lead + " " + Markup(body_html[3:])
    return Markup("<p>") + lead + Markup("</p>") + Markup(body_html)


def render_article(version: PublishedVersion) -> str:
    content = version.content
    lang = content.language
    dateline = ", ".join(
        [
            content.dateline.city.upper(),
            taxonomy.region_name(content.dateline.country, lang),
            i18n.format_date(content.dateline.date, lang),
        ]
    )
    lead = Markup(
        '<span class="dateline">{}</span> <span class="attribution">({}) –</span>'
    ).format(dateline, version.wire_name)
    return render_page(
        "article.html",
        v=version,
        c=content,
        lang=lang,
        rtl=i18n.is_rtl(lang),
        body=_with_attribution(content.body_html, lead),
        tags=tags(version),
        is_correction=version.kind is VersionKind.CORRECTION,
        is_retraction=version.kind is VersionKind.RETRACTION,
        wire_url=version.extra.get("wire_url", ""),
        published=_iso(version.published_at),
    )


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
