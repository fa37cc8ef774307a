"""The translators' pages as they are shown: queue rows, and one edition's sentences side by
side with the terms marked and the QA flags beside the sentence they concern."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.actions import translation_work as work
from newswire.actions.actor import Actor
from newswire.store.models import Edition, Release
from newswire.translate.terms import MarkedTerm
from newswire.web import pages
from newswire.web.desk.labels import EDITION_STATUSES, FIELDS, FLAGS, STATES
from newswire.web.session import html, interface_language
from newswire.web.translator.labels import DONE, ORIGINS, TERM_KINDS


def _deadline(release: Release, lang: str) -> str:
    """When a release not yet out goes out: the embargo's end or the publication time."""
    when = pages.when(release.release_time, lang)
    if not when or release.state not in ("approved", "scheduled", "embargoed"):
        return ""
    if release.state == "embargoed":
        return i18n.gettext(lang, "embargoed until {datetime}", datetime=when)
    return i18n.gettext(lang, "publish at {datetime}", datetime=when)


def queue_row(edition: Edition, release: Release, lang: str) -> dict[str, Any]:
    return {
        "id": edition.id,
        "headline": release.headline,
        "source_language": release.language,
        "source_name": i18n.language_name(release.language, lang),
        "language": edition.language,
        "language_name": i18n.language_name(edition.language, lang),
        "status": pages.label(EDITION_STATUSES, edition.status, lang),
        "state": pages.label(STATES, release.state, lang),
        "reason": edition.reason or "",
        "deadline": _deadline(release, lang),
        "embargoed": release.state == "embargoed",
        "machine_draft": bool(edition.machine_translated and edition.content),
        "draft_by": (edition.draft or {}).get("by"),
        "submitted_by": edition.translated_by if edition.status == "needs_review" else None,
    }


def marked(sentence: str, terms: list[MarkedTerm], lang: str) -> Markup:
    """The source sentence, escaped, with each term in a ``<mark>`` that says what to do."""
    spans: list[tuple[int, int, MarkedTerm]] = []
    for term in terms:
        start = sentence.find(term.text)
        while start >= 0:
            end = start + len(term.text)
            if all(end <= a or start >= b for a, b, _ in spans):
                spans.append((start, end, term))
            start = sentence.find(term.text, end)
    out, pos = Markup(""), 0
    for start, end, term in sorted(spans, key=lambda s: s[0]):
        hint = pages.label(TERM_KINDS, term.kind, lang)
        if term.target:
            hint = f"{hint}: {term.target}"
        out += escape(sentence[pos:start])
        out += Markup('<mark class="term term-{}" title="{}">{}</mark>').format(
            term.kind, hint, sentence[start:end]
        )
        pos = end
    return out + escape(sentence[pos:])


def _flag_rows(flags: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [
        {
            **f,
            "kind_label": pages.label(FLAGS, str(f.get("kind", "")), lang),
            "field_label": pages.label(FIELDS, str(f.get("field", "")), lang),
        }
        for f in flags
    ]


def work_page(
    request: Request,
    s: Session,
    actor: Actor,
    edition_id: int | str,
    *,
    status: int = 200,
    error: str | None = None,
    typed: dict[str, list[str]] | None = None,
    held: list[dict[str, Any]] | None = None,
) -> HTMLResponse:
    """One edition's work page; ``typed`` (what was posted) wins over the pre-filled text,
    ``held`` are the QA flags of a submission waiting for the translator's confirmation."""
    lang = interface_language(request)
    found = work.open_work(s, actor, edition_id)
    flags = held if held is not None else list((found.edition.flags or {}).get("flags", []))
    rows = _flag_rows(flags, lang)
    fields = []
    for f in found.fields:
        given = (typed or {}).get(f.name)
        sentences = []
        for x in f.sentences:
            target = given[x.index] if given is not None and x.index < len(given) else x.target
            sentences.append(
                {
                    "index": x.index,
                    "source": marked(x.source, x.terms, lang),
                    "target": target,
                    "origin": pages.label(ORIGINS, x.origin, lang)
                    if x.origin and given is None
                    else "",
                    "terms": [t.text for t in x.terms],
                    "flags": [
                        r for r in rows if r.get("field") == f.name and r.get("segment") == x.index
                    ],
                }
            )
        fields.append(
            {"name": f.name, "label": pages.label(FIELDS, f.name, lang), "sentences": sentences}
        )
    edition, release = found.edition, found.release
    return html(
        request,
        "translator/edition.html",
        status=status,
        e=edition,
        r=release,
        row=queue_row(edition, release, lang),
        fields=fields,
        flags=rows,
        held=held is not None and bool(held),
        draft_by=found.draft_by,
        error=error,
        done=pages.flash(request, DONE),
    )
