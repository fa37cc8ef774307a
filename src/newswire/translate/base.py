"""What every engine shares: the protocol, the error, and language tags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from newswire.intake.language import WIRE_LANGUAGES, split_tag

__all__ = [
    "ErrorKind",
    "Quality",
    "TranslationEngine",
    "TranslationError",
    "base_lang",
    "base_pair",
    "canonical_tag",
    "engine_directions",
    "engine_quality",
    "engine_unavailable_reason",
    "is_known_language",
    "is_rule_based",
]

ErrorKind = Literal["unavailable", "rejected", "quota", "rate_limited"]
# "draft": the engine's output is a starting point for a person and never goes out unreviewed.
Quality = Literal["publishable", "draft"]


@runtime_checkable
class TranslationEngine(Protocol):
    """Translates batches of plain-text segments from one language to another.

    `translate_batch` returns exactly one string per input segment, in the same order, and
    raises `TranslationError` when it cannot. Segments may contain placeholder tokens
    (`XNW0X`) that must come back unchanged; engines pass text through as plain text.

    Engines may also describe themselves (read with the `engine_*` functions below, which
    give the default when an engine does not):

    * `quality`: "publishable" (default) or "draft" (every edition goes to the desk);
    * `rule_based`: True for rule-based engines, which are never chained through a pivot;
    * `directions()`: the (source, target) base-language pairs it can do now, or None when
      it cannot tell without being asked (`supports` is then the only answer);
    * `unavailable_reason()`: None when it can work, else why not and how to fix it.
    """

    name: str

    def supports(self, src: str, tgt: str) -> bool: ...

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]: ...


@dataclass(eq=False)
class TranslationError(Exception):
    """An engine could not translate.

    kind: "unavailable" (cannot reach it, it failed or timed out), "rejected" (it refused the
    request: bad input, bad key, unsupported pair), "quota" (the account's quota is used up),
    "rate_limited" (too many requests now). `retryable` says whether the same request may
    succeed later; `retry_after` is the server's hint in seconds, when it gave one.
    """

    kind: ErrorKind
    retryable: bool
    message: str
    engine: str = ""
    status: int | None = None
    retry_after: float | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f"{self.engine}: " if self.engine else ""
        return f"{where}{self.message} ({self.kind}{', retryable' if self.retryable else ''})"

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "retryable": self.retryable,
            "message": self.message,
            "engine": self.engine,
            "status": self.status,
        }


def canonical_tag(tag: str) -> str:
    """The usual case of a tag: "EN" -> "en", "zh-hans" -> "zh-Hans", "pt_br" -> "pt-BR"."""
    parts = [p for p in tag.strip().replace("_", "-").split("-") if p]
    if not parts:
        raise ValueError("empty language tag")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) in (2, 3):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def base_lang(tag: str) -> str:
    """The base language of a tag: "pt-BR" -> "pt", "zh-Hant" -> "zh"."""
    return split_tag(tag)[0]


def base_pair(src: str, tgt: str) -> tuple[str, str] | None:
    """The base languages of a direction ("pt-BR", "EN" -> ("pt", "en")), or None when either
    is not a language tag (an engine then does not support the pair)."""
    try:
        return base_lang(canonical_tag(src)), base_lang(canonical_tag(tgt))
    except ValueError:
        return None


_WIRE_BASES = frozenset(split_tag(t)[0] for t in WIRE_LANGUAGES)


def is_known_language(tag: str) -> bool:
    """True for a tag whose base language is one of the wire's languages."""
    try:
        canonical = canonical_tag(tag)
    except ValueError:
        return False
    parts = canonical.split("-")
    if not all(p.isalnum() for p in parts):
        return False
    return base_lang(canonical) in _WIRE_BASES


def engine_quality(engine: object) -> Quality:
    return "draft" if getattr(engine, "quality", "publishable") == "draft" else "publishable"


def is_rule_based(engine: object) -> bool:
    return bool(getattr(engine, "rule_based", False))


def engine_directions(engine: object) -> frozenset[tuple[str, str]] | None:
    describe = getattr(engine, "directions", None)
    return frozenset(describe()) if callable(describe) else None


def engine_unavailable_reason(engine: object) -> str | None:
    describe = getattr(engine, "unavailable_reason", None)
    return describe() if callable(describe) else None
