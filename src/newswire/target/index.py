"""The subscription index: matching a release is a handful of bitmap operations.

Layout (all sets of subscription ids are Roaring bitmaps):

* one bitmap per dimension value (industry slug, region code, language, issuer id) holding
  the subscriptions that name it, plus one "any" bitmap per dimension for those that leave
  the dimension empty. Subscriptions are stored unexpanded; the release side is expanded
  instead (its industries plus ancestors; its countries plus every group that contains one
  of them), so a subscription to "energy" or to "EU" sits in one bitmap, not dozens.
* one bitmap per excluded value, per exclusion dimension.
* for keyword queries, anchors. Each top-level conjunct of a query gives a clause: a set
  of index keys (tokens and token pairs, see `newswire.domain.tokens`) at least one of which
  a matching text must contain (the query's plan, `newswire.target.plan`). The cheapest
  three clauses are the query's levels 0, 1 and 2; one dict maps each key to the
  subscriptions anchored on it at each level, and to those that a ``NOT key`` conjunct
  makes fail. A release's keys select the candidates of each level; the levels are
  intersected and the failed subtracted. A query that this decides completely (an AND of at
  most three ORs of one- or two-token terms, and NOTs of such) is "exact"; the remaining
  candidates are checked by evaluating their compiled query on the release, which is
  tokenized once per match and shared by all of them. Pair keys are
  only built for tokens that start an anchored pair.

Matching ANDs the dimensions, subtracts exclusions, then replaces the query subscriptions
in that set with those whose query holds. Work is proportional to the release's keys and to
the number of candidates, not to the number of subscriptions.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pathlib import Path

from pyroaring import BitMap

from newswire.domain.query import parse_query
from newswire.domain.tokens import SEP, analyze
from newswire.target.criteria import (
    EMPTY,
    Criteria,
    ReleaseFacts,
    release_industries,
    release_languages,
    release_region_keys,
    subscribed_industries,
    subscribed_languages,
    subscribed_regions,
)
from newswire.target.explain import explain_match
from newswire.target.plan import LEVELS, Check, Phrases, QueryPlan, plan_query
from newswire.target.snapshot import read_snapshot, write_snapshot

MAX_ID = 2**32 - 1
NEGATIVE = LEVELS  # the slot of an anchor entry that holds the subscriptions a key fails


class _Dimension:
    """value -> subscriptions naming it, and the subscriptions that accept any value."""

    __slots__ = ("any", "by")

    def __init__(self) -> None:
        self.any = BitMap()
        self.by: dict = {}

    def add(self, sub_id: int, keys: Iterable) -> None:
        empty = True
        for key in keys:
            empty = False
            bitmap = self.by.get(key)
            if bitmap is None:
                self.by[key] = bitmap = BitMap()
            bitmap.add(sub_id)
        if empty:
            self.any.add(sub_id)

    def discard(self, sub_id: int, keys: Iterable) -> None:
        empty = True
        for key in keys:
            empty = False
            _discard(self.by, key, sub_id)
        if empty:
            self.any.discard(sub_id)

    def hits(self, keys: Iterable) -> BitMap:
        """A new bitmap: subscriptions naming one of `keys` or accepting any value."""
        by = self.by
        return BitMap.union(self.any, *map(by.__getitem__, filter(by.__contains__, keys)))


def _discard(table: dict, key: object, sub_id: int) -> None:
    bitmap = table.get(key)
    if bitmap is not None:
        bitmap.discard(sub_id)
        if not bitmap:
            del table[key]


def _union(table: dict, keys: Iterable) -> BitMap:
    """A new bitmap: the union of table[k] for the keys in `keys` that the table has."""
    return BitMap.union(_NOTHING, *map(table.__getitem__, filter(table.__contains__, keys)))


_NOTHING = BitMap()


_Keys = tuple[
    frozenset[str],  # industries
    frozenset[str],  # regions
    frozenset[str],  # languages
    frozenset[int],  # issuers
    frozenset[str],  # exclude_industries
    frozenset[str],  # exclude_regions
    frozenset[int],  # exclude_issuers
]


class TargetingIndex:
    """Subscriptions compiled for reverse search. See the package docstring for semantics.

    Subscription ids are integers from 0 to 2**32 - 1. `match` returns a pyroaring BitMap
    (a set of ints that iterates in ascending order). `sequence` is the caller's number of
    the last subscription change applied; `save` stores it and `load` restores it, so that
    changes made after a snapshot can be replayed.

    Not thread-safe: serialize changes and matches (one lock, or one index per worker).
    """

    def __init__(self) -> None:
        self.sequence = 0
        self._criteria: dict[int, Criteria] = {}
        self._industries = _Dimension()
        self._regions = _Dimension()
        self._languages = _Dimension()
        self._issuers = _Dimension()
        self._exclude_industries: dict[str, BitMap] = {}
        self._exclude_regions: dict[str, BitMap] = {}
        self._exclude_issuers: dict[int, BitMap] = {}
        self._with_query = BitMap()
        # key -> [subscriptions anchored on it at level 0, 1, 2, subscriptions it fails]
        self._anchors: dict[str, list[BitMap | None]] = {}
        self._level_free = [BitMap() for _ in range(LEVELS)]  # query subs without that level
        self._pair_heads: dict[str, int] = {}  # first tokens of pair keys in _anchors
        self._exact = BitMap()
        self._verify: dict[int, Check] = {}  # subscriptions whose query needs evaluating
        self._plans: dict[str, QueryPlan] = {}  # query text -> plan
        self._plan_users: dict[str, int] = {}

    # -- changes --

    def add(self, sub_id: int, criteria: Criteria) -> None:
        """Add a subscription, or replace the one with this id. Raises ValueError (with
        nothing changed) for a bad id, an unknown code or a query that does not parse."""
        if not isinstance(sub_id, int) or isinstance(sub_id, bool) or not 0 <= sub_id <= MAX_ID:
            raise ValueError(f"subscription ids are integers from 0 to {MAX_ID}, got {sub_id!r}")
        if not isinstance(criteria, Criteria):
            raise TypeError(f"expected Criteria, got {type(criteria).__name__}")
        keys = _keys_of(criteria)
        if criteria.query is not None:
            parse_query(criteria.query)  # raises before anything changes
        if sub_id in self._criteria:
            self.remove(sub_id)
        plan = self._plan(criteria.query) if criteria.query is not None else None
        self._criteria[sub_id] = criteria
        industries, regions, languages, issuers, x_industries, x_regions, x_issuers = keys
        self._industries.add(sub_id, industries)
        self._regions.add(sub_id, regions)
        self._languages.add(sub_id, languages)
        self._issuers.add(sub_id, issuers)
        for table, values in (
            (self._exclude_industries, x_industries),
            (self._exclude_regions, x_regions),
            (self._exclude_issuers, x_issuers),
        ):
            for value in values:
                bitmap = table.get(value)
                if bitmap is None:
                    table[value] = bitmap = BitMap()
                bitmap.add(sub_id)
        if plan is not None:
            assert criteria.query is not None
            self._plan_users[criteria.query] = self._plan_users.get(criteria.query, 0) + 1
            self._with_query.add(sub_id)
            for level in range(LEVELS):
                if level < len(plan.levels):
                    for key in plan.levels[level]:
                        self._anchor(key, level, sub_id)
                else:
                    self._level_free[level].add(sub_id)
            for key in plan.negative:
                self._anchor(key, NEGATIVE, sub_id)
            if plan.exact:
                self._exact.add(sub_id)
            else:
                self._verify[sub_id] = plan.check

    def remove(self, sub_id: int) -> None:
        """Remove a subscription; an unknown id is ignored."""
        criteria = self._criteria.pop(sub_id, None)
        if criteria is None:
            return
        industries, regions, languages, issuers, x_industries, x_regions, x_issuers = _keys_of(
            criteria
        )
        self._industries.discard(sub_id, industries)
        self._regions.discard(sub_id, regions)
        self._languages.discard(sub_id, languages)
        self._issuers.discard(sub_id, issuers)
        for table, values in (
            (self._exclude_industries, x_industries),
            (self._exclude_regions, x_regions),
            (self._exclude_issuers, x_issuers),
        ):
            for value in values:
                _discard(table, value, sub_id)
        if criteria.query is not None:
            plan = self._plans[criteria.query]
            self._with_query.discard(sub_id)
            for level in range(LEVELS):
                if level < len(plan.levels):
                    for key in plan.levels[level]:
                        self._unanchor(key, level, sub_id)
                else:
                    self._level_free[level].discard(sub_id)
            for key in plan.negative:
                self._unanchor(key, NEGATIVE, sub_id)
            self._exact.discard(sub_id)
            self._verify.pop(sub_id, None)
            users = self._plan_users[criteria.query] - 1
            if users:
                self._plan_users[criteria.query] = users
            else:
                del self._plan_users[criteria.query]
                del self._plans[criteria.query]

    def _anchor(self, key: str, slot: int, sub_id: int) -> None:
        entry = self._anchors.get(key)
        if entry is None:
            entry = self._anchors[key] = [None] * (LEVELS + 1)
            if SEP in key:
                head = key.split(SEP, 1)[0]
                self._pair_heads[head] = self._pair_heads.get(head, 0) + 1
        bitmap = entry[slot]
        if bitmap is None:
            bitmap = entry[slot] = BitMap()
        bitmap.add(sub_id)

    def _unanchor(self, key: str, slot: int, sub_id: int) -> None:
        entry = self._anchors.get(key)
        bitmap = entry[slot] if entry is not None else None
        if bitmap is None:
            return
        bitmap.discard(sub_id)
        if bitmap:
            return
        entry[slot] = None  # type: ignore[index]
        if any(b is not None for b in entry):  # type: ignore[union-attr]
            return
        del self._anchors[key]
        if SEP in key:
            head = key.split(SEP, 1)[0]
            left = self._pair_heads[head] - 1
            if left:
                self._pair_heads[head] = left
            else:
                del self._pair_heads[head]

    def _plan(self, text: str) -> QueryPlan:
        plan = self._plans.get(text)
        if plan is None:
            plan = self._plans[text] = plan_query(parse_query(text))
        return plan

    # -- reading --

    def __len__(self) -> int:
        return len(self._criteria)

    def __contains__(self, sub_id: object) -> bool:
        return sub_id in self._criteria

    def __iter__(self) -> Iterator[int]:
        return iter(self._criteria)

    def get(self, sub_id: int) -> Criteria | None:
        """The criteria stored for a subscription, or None."""
        return self._criteria.get(sub_id)

    def items(self) -> Iterator[tuple[int, Criteria]]:
        """(id, criteria) of every subscription, in insertion order."""
        return iter(self._criteria.items())

    def match(self, facts: ReleaseFacts) -> BitMap:
        """Ids of the subscriptions that match, as a new pyroaring BitMap: a set of ints
        that iterates in ascending order (use ``set(...)`` or ``list(...)`` to convert)."""
        industries = release_industries(facts.industries)
        result = self._industries.hits(industries)
        if result:
            result &= self._regions.hits(release_region_keys(facts.regions))
        if result:
            result &= self._languages.hits(release_languages(facts.languages, facts.language))
        if result:
            result &= self._issuers.hits((facts.issuer_id,))
        if result and self._exclude_industries:
            result -= _union(self._exclude_industries, industries)
        if result and self._exclude_regions:
            result -= _union(self._exclude_regions, release_region_keys(facts.regions))
        if result:
            excluded = self._exclude_issuers.get(facts.issuer_id)
            if excluded is not None:
                result -= excluded
        if not result:
            return result
        candidates = result & self._with_query
        if not candidates:
            return result
        result -= candidates
        doc = analyze(facts.headline, facts.body_text, pair_heads=self._pair_heads)
        entries = list(filter(None, map(self._anchors.get, doc.keys)))
        for level, free in enumerate(self._level_free):
            candidates &= BitMap.union(free, *filter(None, map(itemgetter(level), entries)))
            if not candidates:
                return result
        candidates -= BitMap.union(_NOTHING, *filter(None, map(itemgetter(NEGATIVE), entries)))
        exact = candidates & self._exact
        result |= exact
        candidates -= exact
        if candidates:
            checks = self._verify
            token_set, phrases = doc.token_set, Phrases(doc.joined)
            verdicts: dict[Check, bool] = {}
            passed = []
            for sub_id in candidates:
                check = checks[sub_id]
                verdict = verdicts.get(check)
                if verdict is None:
                    verdict = verdicts[check] = check(token_set, phrases)
                if verdict:
                    passed.append(sub_id)
            result.update(passed)
        return result

    def explain(self, sub_id: int, facts: ReleaseFacts) -> list[str]:
        """Why a subscription matches the release or not: a verdict line, then one line per
        dimension, exclusion and query term. KeyError for an unknown id."""
        criteria = self._criteria.get(sub_id)
        if criteria is None:
            raise KeyError(f"no subscription {sub_id} in the index")
        return explain_match(criteria, facts)

    def stats(self) -> dict[str, int]:
        """Sizes, for operators and benchmarks."""
        return {
            "subscriptions": len(self._criteria),
            "with_query": len(self._with_query),
            "exact_queries": len(self._exact),
            "distinct_queries": len(self._plans),
            "anchor_keys": len(self._anchors),
        }

    # -- snapshots --

    def save(self, path: Path | str, sequence: int | None = None) -> None:
        """Write a snapshot atomically; `sequence` (default: self.sequence) is recorded."""
        if sequence is not None:
            self.sequence = sequence
        write_snapshot(Path(path), self.sequence, self._criteria.items())

    @classmethod
    def load(cls, path: Path | str) -> TargetingIndex:
        """Rebuild an index from a snapshot written by `save`, with its `sequence`."""
        sequence, items = read_snapshot(Path(path))
        index = cls.build(items)
        index.sequence = sequence
        return index

    @classmethod
    def build(cls, items: Iterable[tuple[int, Criteria]]) -> TargetingIndex:
        """An index of many subscriptions at once (later ids replace earlier ones).

        For a large index in a long-running process, consider ``gc.freeze()`` afterwards, so
        that the cyclic garbage collector does not walk the million objects it holds again.
        """
        index = cls()
        add = index.add
        collecting = gc.isenabled()
        gc.disable()  # a bulk load makes no reference cycles; don't rescan it all the time
        try:
            for sub_id, criteria in items:
                add(sub_id, criteria)
        finally:
            if collecting:
                gc.enable()
        return index


def _keys_of(c: Criteria) -> _Keys:
    """A subscription's keys in each table (raises ValueError for unknown codes)."""
    return (
        subscribed_industries(c.industries) if c.industries else EMPTY,
        subscribed_regions(c.regions) if c.regions else EMPTY,
        subscribed_languages(c.languages) if c.languages else EMPTY,
        _issuers(c.issuers, "issuers") if c.issuers else EMPTY,
        subscribed_industries(c.exclude_industries, "exclude_industries")
        if c.exclude_industries
        else EMPTY,
        subscribed_regions(c.exclude_regions, "exclude_regions") if c.exclude_regions else EMPTY,
        _issuers(c.exclude_issuers, "exclude_issuers") if c.exclude_issuers else EMPTY,
    )


def _issuers(values: frozenset[int], field: str) -> frozenset[int]:
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{field}: issuer ids are integers, got {value!r}")
    return values
