"""How one language pair is translated: directly, through English, or by a person.

A `Route` is what `EngineRegistry.route(src, tgt)` answers: the hops (engine, source, target)
in order, or none with the reason and what would give the pair an engine. The models are
English-centred, so a pair with no direct engine goes through English (de -> fr as de -> en,
then en -> fr) when both hops have an engine that is not rule-based; `ChainEngine` runs the
hops in turn, and its name is the chain the edition records ("fxtranslate de→en, fxtranslate
en→fr"). The QA gate checks the final target against the original source, never a hop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from newswire.domain.translation_way import TranslationWay
from newswire.translate.base import Quality, TranslationEngine, TranslationError, engine_quality

__all__ = ["PIVOT", "ChainEngine", "Hop", "Route", "RouteKind"]

PIVOT = "en"
RouteKind = Literal["direct", "pivot", "none"]


@dataclass(frozen=True)
class Hop:
    engine: TranslationEngine
    src: str
    tgt: str

    def describe(self) -> str:
        return f"{self.engine.name} {self.src}→{self.tgt}"


def hops_quality(hops: tuple[Hop, ...]) -> Quality:
    """A draft when any hop is one."""
    return "draft" if any(engine_quality(h.engine) == "draft" for h in hops) else "publishable"


class ChainEngine:
    """Several hops as one engine: each hop's output is the next hop's input."""

    def __init__(self, hops: tuple[Hop, ...]) -> None:
        if len(hops) < 2:
            raise ValueError("a chain has at least two hops")
        self.hops = hops
        self.name = ", ".join(hop.describe() for hop in hops)
        self.quality: Quality = hops_quality(hops)

    def supports(self, src: str, tgt: str) -> bool:
        return src == self.hops[0].src and tgt == self.hops[-1].tgt

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        texts = segments
        for hop in self.hops:
            texts = hop.engine.translate_batch(texts, hop.src, hop.tgt)
            if len(texts) != len(segments):
                raise TranslationError(
                    "unavailable",
                    False,
                    f"{hop.describe()} returned {len(texts)} segments for {len(segments)}",
                    self.name,
                )
        return texts


@dataclass(frozen=True)
class Route:
    """The way from `src` to `tgt` now; `hops` is empty when a person must translate."""

    src: str
    tgt: str
    hops: tuple[Hop, ...] = ()
    reason: str = ""  # for no route: why, and how to get an engine
    remedy: str = ""  # for no route: what would give the pair an engine

    @property
    def kind(self) -> RouteKind:
        return "none" if not self.hops else "direct" if len(self.hops) == 1 else "pivot"

    @property
    def engine(self) -> TranslationEngine | None:
        if not self.hops:
            return None
        return self.hops[0].engine if len(self.hops) == 1 else ChainEngine(self.hops)

    @property
    def quality(self) -> Quality | None:
        return hops_quality(self.hops) if self.hops else None

    @property
    def chain(self) -> str:
        """The engines in order, as the edition records them; "" for none."""
        return ", ".join(hop.describe() for hop in self.hops)

    @property
    def engine_names(self) -> list[str]:
        return list(dict.fromkeys(hop.engine.name for hop in self.hops))

    def way(self) -> TranslationWay:
        """The route as the other stages show it."""
        if not self.hops:
            return TranslationWay(self.tgt, "translator", "", self.reason)
        if self.quality == "draft":
            return TranslationWay(
                self.tgt, "draft", self.chain if len(self.hops) > 1 else self.hops[0].engine.name
            )
        if len(self.hops) > 1:
            return TranslationWay(self.tgt, "pivot", self.chain)
        return TranslationWay(self.tgt, "machine", self.hops[0].engine.name)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.src,
            "target": self.tgt,
            "route": self.kind,
            "engines": self.engine_names,
            "chain": [
                {"engine": h.engine.name, "source": h.src, "target": h.tgt} for h in self.hops
            ],
            "quality": self.quality,
            "way": self.way().kind,
            "reason": self.reason,
            "remedy": self.remedy,
        }
