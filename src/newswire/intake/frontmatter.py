"""A release file: YAML front matter between `---` lines, then the Markdown body."""

from __future__ import annotations

from typing import Any

import yaml

from newswire.domain.errors import FieldError, InvalidRelease


def decode_text(raw: bytes, source: str) -> str:
    """UTF-8 (a BOM is allowed) or an error naming the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        raise InvalidRelease(
            [FieldError(source, "utf8", f"is not UTF-8 text: byte 0x{bad} at offset {exc.start}")]
        ) from exc


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter, body). The front matter must be a YAML mapping."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise InvalidRelease(
            [FieldError("front_matter", "missing", "the file must start with a '---' line")]
        )
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            header, body = "".join(lines[1:index]), "".join(lines[index + 1 :])
            break
    else:
        raise InvalidRelease(
            [FieldError("front_matter", "unterminated", "no closing '---' line after the header")]
        )
    try:
        data = yaml.safe_load(header)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidRelease(
            [FieldError("front_matter", "yaml", f"is not valid YAML{where}: {problem}")]
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidRelease(
            [FieldError("front_matter", "mapping", "must be a mapping of field: value lines")]
        )
    return {str(k): v for k, v in data.items()}, body
