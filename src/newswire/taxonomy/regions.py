"""Regions: ISO 3166-1 alpha-2 countries and named groups of them (EU, ASEAN, ...).

Country names come from CLDR via Babel; group members and labels ship as package data
(regions.json), read once on first use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

import pycountry

from newswire.taxonomy.languages import LANGUAGES, babel_locale, pick_label


@dataclass(frozen=True)
class _Group:
    members: frozenset[str]
    labels: Mapping[str, str]


@dataclass(frozen=True)
class _Data:
    groups: Mapping[str, _Group]
    aliases: Mapping[str, str]


@cache
def _countries() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _data() -> _Data:
    text = resources.files(__package__).joinpath("regions.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    countries = _countries()
    groups: dict[str, _Group] = {}
    for name, entry in doc["groups"].items():
        members = frozenset(entry["members"])
        if name in countries:
            raise RuntimeError(f"regions.json: group {name!r} clashes with a country code")
        if unknown := sorted(members - countries):
            raise RuntimeError(f"regions.json: group {name!r} has unknown members {unknown}")
        labels = {lang: entry["labels"][lang] for lang in LANGUAGES if entry["labels"].get(lang)}
        if missing := [lang for lang in LANGUAGES if lang not in labels]:
            raise RuntimeError(f"regions.json: group {name!r} lacks labels for {missing}")
        groups[name] = _Group(members, MappingProxyType(labels))
    aliases = {alias: target for alias, target in doc.get("aliases", {}).items()}
    return _Data(MappingProxyType(groups), MappingProxyType(aliases))


class _RegionGroups(Mapping[str, frozenset[str]]):
    """Read-only view of the groups, loaded on first use."""

    def __getitem__(self, name: str) -> frozenset[str]:
        return _data().groups[name].members

    def __iter__(self) -> Iterator[str]:
        return iter(_data().groups)

    def __len__(self) -> int:
        return len(_data().groups)

    def __repr__(self) -> str:
        return f"REGION_GROUPS({sorted(self)})"


REGION_GROUPS: Mapping[str, frozenset[str]] = _RegionGroups()
"""Group name (upper case) -> ISO 3166-1 alpha-2 codes of its members."""


def normalize_region(code: str) -> str:
    """The canonical upper-case code of a country ("de" -> "DE") or group ("eu" -> "EU").

    "UK" is accepted for "GB". Raises ValueError naming the code when it is neither.
    """
    data = _data()
    key = code.strip().upper() if isinstance(code, str) else ""
    key = data.aliases.get(key, key)
    if key in data.groups or key in _countries():
        return key
    raise ValueError(
        f"unknown region {code!r}: expected an ISO 3166-1 alpha-2 country code "
        f"or one of the groups {', '.join(sorted(data.groups))}"
    )


def is_region(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 country or a group name, in any case."""
    try:
        normalize_region(code)
    except ValueError:
        return False
    return True


def expand_region(code: str) -> frozenset[str]:
    """A country -> {itself}; a group -> its member countries. ValueError if unknown."""
    key = normalize_region(code)
    group = _data().groups.get(key)
    return group.members if group else frozenset({key})


@cache
def countries_by_name(lang: str) -> tuple[tuple[str, str], ...]:
    """Every country as (ISO code, name in `lang`), in the order of their names."""
    named = [(code, region_name(code, lang)) for code in _countries()]
    return tuple(sorted(named, key=lambda pair: pair[1].casefold()))


def region_name(code: str, lang: str) -> str:
    """The name of a country or group in `lang` ("DE", "de") -> "Deutschland".

    Unknown languages fall back as labels do (base language, then English).
    ValueError if the region is unknown.
    """
    key = normalize_region(code)
    group = _data().groups.get(key)
    if group:
        return pick_label(group.labels, lang)
    name = babel_locale(lang).territories.get(key)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=key)
    return str(getattr(country, "common_name", None) or country.name) if country else key
