"""The kinds of flag the QA gate raises on one sentence pair (for the QA rule tests)."""

from __future__ import annotations

from newswire.translate.qa import check_sentence


def kinds(source: str, target: str, src: str, tgt: str, **kw: object) -> set[str]:
    return {f.kind for f in check_sentence(source, target, src, tgt, **kw)}  # type: ignore[arg-type]
