"""Industries: the wire's curated list, each mapped to an IPTC Media Topic.

The list ships as package data (industries.json); it is read once, validated, and kept.
IPTC Media Topics: http://cv.iptc.org/newscodes/mediatopic/ (IPTC, CC BY 4.0).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from newswire.taxonomy.languages import LANGUAGES, pick_label

MEDTOP_PREFIX = "medtop:"
MEDTOP_URI = "http://cv.iptc.org/newscodes/mediatopic/"


@dataclass(frozen=True)
class Industry:
    """One industry: our slug, its IPTC Media Topic, its parent, labels in all wire languages."""

    code: str
    medtop: str
    parent: str | None
    labels: Mapping[str, str] = field(hash=False, repr=False)

    def label(self, lang: str) -> str:
        """The label in `lang`: the exact tag, else its wire language (pt-BR -> pt,
        zh-CN -> zh-Hans, zh-TW -> zh-Hant), else English."""
        return pick_label(self.labels, lang)

    @property
    def uri(self) -> str:
        """The Media Topic URI, e.g. http://cv.iptc.org/newscodes/mediatopic/20000251."""
        return MEDTOP_URI + self.medtop.removeprefix(MEDTOP_PREFIX)


@dataclass(frozen=True)
class _Registry:
    all: tuple[Industry, ...]
    by_code: Mapping[str, Industry]
    by_medtop: Mapping[str, Industry]
    children: Mapping[str, tuple[str, ...]]


def _load_error(code: object, why: str) -> RuntimeError:
    return RuntimeError(f"industries.json: {code!r}: {why}")


@cache
def _registry() -> _Registry:
    text = resources.files(__package__).joinpath("industries.json").read_text(encoding="utf-8")
    rows = json.loads(text)["industries"]
    all_: list[Industry] = []
    by_code: dict[str, Industry] = {}
    by_medtop: dict[str, Industry] = {}
    children: dict[str, list[str]] = {}
    for row in rows:
        labels = {lang: row["labels"][lang].strip() for lang in LANGUAGES if lang in row["labels"]}
        industry = Industry(row["code"], row["medtop"], row["parent"], MappingProxyType(labels))
        if industry.code in by_code:
            raise _load_error(industry.code, "duplicate code")
        if industry.medtop in by_medtop:
            raise _load_error(industry.code, f"duplicate medtop {industry.medtop}")
        if not industry.medtop.startswith(MEDTOP_PREFIX):
            raise _load_error(industry.code, f"medtop must start with {MEDTOP_PREFIX!r}")
        if missing := [lang for lang in LANGUAGES if not labels.get(lang)]:
            raise _load_error(industry.code, f"missing labels for {missing}")
        if industry.parent is not None and industry.parent not in by_code:
            raise _load_error(industry.code, f"parent {industry.parent!r} must come first")
        all_.append(industry)
        by_code[industry.code] = industry
        by_medtop[industry.medtop] = industry
        children[industry.code] = []
        if industry.parent is not None:
            children[industry.parent].append(industry.code)
    return _Registry(
        all=tuple(all_),
        by_code=MappingProxyType(by_code),
        by_medtop=MappingProxyType(by_medtop),
        children=MappingProxyType({k: tuple(v) for k, v in children.items()}),
    )


def industries() -> tuple[Industry, ...]:
    """All industries, parents before children."""
    return _registry().all


def industry_tree(lang: str) -> list[dict[str, Any]]:
    """The industries as a tree, in the taxonomy's order, labelled in `lang`: one
    ``{"code", "label", "children"}`` per industry (for the pickers of the pages)."""
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for industry in industries():
        node = {"code": industry.code, "label": industry.label(lang), "children": []}
        nodes[industry.code] = node
        (nodes[industry.parent]["children"] if industry.parent else roots).append(node)
    return roots


def get_industry(code: str) -> Industry:
    """An industry by our slug ("renewable-energy"), its qcode ("medtop:20000257") or
    its Media Topic URI. Raises KeyError naming the code otherwise."""
    registry = _registry()
    key = code.strip() if isinstance(code, str) else ""
    found: Industry | None
    if key.lower().startswith(MEDTOP_PREFIX):
        found = registry.by_medtop.get(MEDTOP_PREFIX + key[len(MEDTOP_PREFIX) :])
    elif key.startswith(MEDTOP_URI):
        found = registry.by_medtop.get(MEDTOP_PREFIX + key.removeprefix(MEDTOP_URI))
    else:
        found = registry.by_code.get(key.lower())
    if found is None:
        raise KeyError(f"unknown industry: {code!r}")
    return found


def is_industry(code: str) -> bool:
    """True when `code` is one of our slugs or the qcode of one of our industries."""
    try:
        get_industry(code)
    except KeyError:
        return False
    return True


def industry_descendants(code: str) -> frozenset[str]:
    """Slugs of the industry itself and of every industry below it. KeyError if unknown."""
    return _descendants(get_industry(code).code)


@cache
def _descendants(slug: str) -> frozenset[str]:
    children = _registry().children
    found = {slug}
    stack = [slug]
    while stack:
        for child in children[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)
