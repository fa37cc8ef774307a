"""Editions over the API: what each target language's edition is, side by side with its source
and QA flags; the desk post-edits and approves."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from newswire.actions import editions
from newswire.actions import releases as release_actions
from newswire.domain.release import content_from_json
from newswire.store.models import Edition
from newswire.web.deps import DB, CurrentActor
from newswire.web.errors import ERROR_ANSWERS

router = APIRouter(prefix="/api/v1", responses=ERROR_ANSWERS, tags=["translation"])


class PostEdit(BaseModel):
    headline: str | None = Field(default=None, min_length=1, max_length=300)
    subheadline: str | None = Field(default=None, max_length=500)
    body: str | None = Field(default=None, min_length=1, max_length=100_000)


def _out(e: Edition, *, full: bool, source: dict[str, object] | None = None) -> dict[str, object]:
    out: dict[str, object] = {
        "language": e.language,
        "status": e.status,
        "reason": e.reason,
        "engine": e.engine,
        "machine_translated": e.machine_translated,
        "post_edited": e.post_edited,
        "translated_by": e.translated_by,  # a human translator's email (`/translate`)
        "approved_by": e.approved_by,
        "approved_at": e.approved_at,
        "flags": len(e.flags.get("flags", [])),
    }
    if full:
        out |= {
            "source": source,
            "content": e.content,
            "segments": e.segments,
            "flags": e.flags.get("flags", []),
        }
    return out


@router.get("/releases/{release_id}/editions")
def list_editions(release_id: str, actor: CurrentActor, db: DB) -> list[dict[str, object]]:
    with db.session() as s:
        release_actions.get_release(s, actor, release_id)
        return [_out(e, full=False) for e in editions.editions_of(s, release_id)]


@router.get("/releases/{release_id}/editions/{language}")
def get_edition(release_id: str, language: str, actor: CurrentActor, db: DB) -> dict[str, object]:
    """Source and target side by side: the translated fields, each sentence pair with its
    origin (memory, engine, glossary), and every QA flag with its sentence and reason."""
    with db.session() as s:
        release = release_actions.get_release(s, actor, release_id)
        content = content_from_json(release.content)
        source = {"language": content.language, "headline": content.headline,
                  "subheadline": content.subheadline, "body": content.body_markdown}  # fmt: skip
        return _out(editions._edition(s, release_id, language), full=True, source=source)


@router.patch("/releases/{release_id}/editions/{language}")
def post_edit(
    release_id: str, language: str, body: PostEdit, actor: CurrentActor, db: DB
) -> dict[str, object]:
    with db.session() as s:
        release_actions.get_release(s, actor, release_id)
        edition = editions.post_edit(
            s, actor, release_id, language, body.model_dump(), now=datetime.now(UTC)
        )
        return _out(edition, full=False)


@router.post("/releases/{release_id}/editions/{language}/approve")
def approve(release_id: str, language: str, actor: CurrentActor, db: DB) -> dict[str, object]:
    """Approve for distribution; if the release is already out, the edition goes on its own
    to the recipients who read that language."""
    now = datetime.now(UTC)
    with db.session() as s:
        release_actions.get_release(s, actor, release_id)  # 404 for what the actor may not see
        edition = editions.approve_edition(s, actor, release_id, language, now=now)
        return _out(edition, full=False)
