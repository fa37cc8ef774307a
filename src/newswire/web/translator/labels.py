"""The translators' words (marked for the `translator` catalog). Edition statuses, release
states, QA-flag kinds and field names are the desk's (`newswire.web.desk.labels`)."""

from __future__ import annotations

from newswire import i18n

N_ = i18n.N_


DONE = {
    "draft": N_("Draft saved. Nothing was submitted; the text waits here for you."),
    "submitted": N_("Translation submitted: the desk reviews it before it goes out."),
    "approved": N_("Translation submitted and approved: it goes out to readers of its language."),
}


ORIGINS = {
    "draft": N_("your draft"),
    "submitted": N_("the translation submitted"),
    "memory": N_("translation memory"),
    "machine": N_("machine draft"),
}


TERM_KINDS = {
    "name": N_("name: keep as written or use its usual form"),
    "protected": N_("keep exactly as written"),
    "glossary": N_("glossary term"),
}


TITLES = {403: N_("Not allowed"), 404: N_("Not found")}


NOT_POSSIBLE = N_("Not possible")


TRANSLATORS_ONLY = N_("The translation pages are for translators; your account cannot open them.")
