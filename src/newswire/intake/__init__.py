"""Intake: parse and validate submitted releases.

Design: docs/intake.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newswire.domain.errors import FieldError, InvalidRelease
from newswire.domain.release import ReleaseContent
from newswire.intake.frontmatter import decode_text, split_front_matter
from newswire.intake.validate import validate_release

__all__ = ["parse_markdown_release", "validate_release"]


def parse_markdown_release(
    raw: bytes | str, *, now: datetime, source: str = "file", allow_past: bool = False
) -> ReleaseContent:
    """A Markdown file with YAML front matter: every field in the header, the body below it."""
    text = decode_text(raw, source) if isinstance(raw, bytes) else raw
    header, body = split_front_matter(text)
    if "body" in header:
        raise InvalidRelease(
            [FieldError("body", "duplicate", "write the body below the front matter, not in it")]
        )
    data: dict[str, Any] = {**header, "body": body.strip()}
    return validate_release(data, now=now, allow_past=allow_past)
