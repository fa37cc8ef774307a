"""The desk's words: labels of states, edition statuses, version kinds, check severities, check
and QA-flag names and fields (marked for the `desk` catalog; looked up with `pages.label`)."""

from __future__ import annotations

from markupsafe import Markup, escape

from newswire import i18n
from newswire.domain.lifecycle import Action, State

N_ = i18n.N_


DONE = {
    "approved": N_("Approved: the release is scheduled (or embargoed) for publication."),
    "rejected": N_("Rejected. The issuer sees the reason."),
    "changes": N_("Changes requested. The issuer sees the reason."),
    "placed": N_("Sections saved."),
    "retracted": N_("Retracted: the retraction goes to everyone who received the release."),
    "corrected": N_("Corrected: the correction goes to everyone who received the release."),
    "edited": N_("Translation saved."),
    "edition-approved": N_("Translation approved for distribution."),
}


STATES = {
    State.DRAFT: N_("draft"),
    State.SUBMITTED: N_("submitted"),
    State.CHANGES_REQUESTED: N_("changes requested"),
    State.APPROVED: N_("approved"),
    State.REJECTED: N_("rejected"),
    State.SCHEDULED: N_("scheduled"),
    State.EMBARGOED: N_("embargoed"),
    State.PUBLISHED: N_("published"),
    State.CORRECTED: N_("corrected"),
    State.RETRACTED: N_("retracted"),
    State.WITHDRAWN: N_("withdrawn"),
}


EDITION_STATUSES = {
    "pending": N_("pending"),
    "needs_review": N_("needs review"),
    "needs_translator": N_("needs a translator"),
    "approved": N_("approved"),
}


VERSION_KINDS = {
    "original": N_("original"),
    "correction": N_("correction"),
    "retraction": N_("retraction"),
}


SEVERITIES = {
    "error": N_("error"),
    "warning": N_("warning"),
    "info": N_("info"),
    "passed": N_("passed"),
}


CHECKS = {  # newswire.review.checks, by name
    "required_fields": N_("Required fields"),
    "headline_length": N_("Headline length"),
    "links": N_("Links"),
    "spam_signals": N_("Spam signals"),
    "schedule": N_("Schedule"),
    "near_duplicate": N_("Near duplicate"),
    "language_match": N_("Language match"),
    "target_languages": N_("Translations"),
}


FLAGS = {  # newswire.translate.qa, by kind
    "numbers": N_("numbers"),
    "dates": N_("dates"),
    "urls": N_("links"),
    "emails": N_("email addresses"),
    "glossary": N_("glossary"),
    "quotes": N_("quotations"),
    "sentence_count": N_("sentences"),
    "entity_missing": N_("names"),
    "missing_subject": N_("missing subject"),
    "untranslated": N_("untranslated"),
    "length_ratio": N_("length"),
    "markup": N_("markup"),
}


FIELDS = {"headline": N_("headline"), "subheadline": N_("subheadline"), "body": N_("body")}


TITLES = {404: N_("Not found")}


NOT_POSSIBLE = N_("Not possible")


def _isolated(translated: str, **params: str) -> Markup:
    """A translated message with its parameters escaped and isolated (``<bdi>``), so that a name,
    an email or a date keeps its own direction in a right-to-left interface."""
    return escape(translated).format(
        **{k: Markup("<bdi>{}</bdi>").format(v) for k, v in params.items()}
    )


ACTIONS: dict[str, str] = {  # what happened, in the history: "approved by editor@… → scheduled"
    "create": N_("created"),
    "place": N_("placed in sections"),
    Action.EDIT: N_("edited"),
    Action.SUBMIT: N_("submitted"),
    Action.REQUEST_CHANGES: N_("changes requested"),
    Action.APPROVE: N_("approved"),
    Action.REJECT: N_("rejected"),
    Action.SCHEDULE: N_("scheduled"),
    Action.EMBARGO: N_("embargoed"),
    Action.PUBLISH: N_("published"),
    Action.CORRECT: N_("corrected"),
    Action.RETRACT: N_("retracted"),
    Action.WITHDRAW: N_("withdrawn"),
}
