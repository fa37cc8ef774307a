"""The subscription index: matching a release is a handful of bitmap operations.

Layout (all sets of subscription ids are Roaring bitmaps):

* one bitmap per dimension value (industry slug, region code, language, issuer id) holding
  the subscriptions that name it, plus one "any" bitmap per dimension for those that leave
  the dimension empty. Subscriptions are stored unexpanded; the release side is expanded
  instead (its industries plus ancestors; its countries plus every group that contains one
  of them), so a subscription to "energy" or to "EU" sits in one bitmap, not dozens.
* one bitmap per excluded value, per exclusion dimension.
* for keyword queries, anchors. Each top-level conjunct of a query gives a clause: a set
  of index keys (tokens and token pairs, see `tokens`) at least one of which a matching
  text must contain. The cheapest three clauses are the query's levels 0, 1 and 2; one
  dict maps each key to the subscriptions anchored on it at each level, and to those that
  a ``NOT key`` conjunct makes fail. A release's keys select the candidates of each level;
  the levels are intersected and the failed subtracted. A query that this decides
  completely (an AND of at most three ORs of one- or two-token terms, and NOTs of such)
  is "exact"; the remaining candidates are checked by evaluating their compiled query on
  the release, which is tokenized once per match and shared by all of them. Pair keys are
  only built for tokens that start an anchored pair.

Matching ANDs the dimensions, subtracts exclusions, then replaces the query subscriptions
in that set with those whose query holds. Work is proportional to the release's keys and to
the number of candidates, not to the number of subscriptions.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from types import CodeType, FunctionType

from pyroaring import BitMap

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
from newswire.target.query import And, Node, Not, Or, Query, Term, needle, parse_query
from newswire.target.tokens import SEP, analyze, key_cost, term_keys

MAX_ID = 2**32 - 1
LEVELS = 3
NEGATIVE = LEVELS  # the slot of an anchor entry that holds the subscriptions a key fails

Check = Callable[[frozenset[str], "_Phrases"], bool]
"""A compiled query: (Doc.token_set, _Phrases(Doc)) -> whether it holds."""


class _Phrases(dict):
    """needle -> whether it occurs in a Doc's joined tokens, each searched for once."""

    __slots__ = ("joined",)

    def __init__(self, joined: str) -> None:
        super().__init__()
        self.joined = joined

    def __missing__(self, text: str) -> bool:
        found = self[text] = text in self.joined
        return found


# --- query plans ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """How the index handles one query text (shared by every subscription using it)."""

    levels: tuple[tuple[str, ...], ...]  # up to LEVELS clauses: a text must hold a key of each
    negative: tuple[str, ...]  # a text holding any of these keys fails the query
    exact: bool  # levels and negative decide the query; no evaluation needed
    check: Check = field(compare=False)  # the query, compiled


def _exact_key(term: Term) -> str | None:
    """The key whose presence is equivalent to the term matching, if there is one: a term
    of one token (its token) or two (their pair)."""
    return term_keys(term.tokens)[0] if len(term.tokens) <= 2 else None


def _cheapest(keys: Iterable[str]) -> str:
    return min(keys, key=lambda k: (key_cost(k), k))


def _cover(node: Node) -> frozenset[str] | None:
    """Keys of which a text must contain at least one for `node` to hold (None: no such set)."""
    if isinstance(node, Term):
        return frozenset((_cheapest(term_keys(node.tokens)),))
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        out: set[str] = set()
        for child in node.children:
            cover = _cover(child)
            if cover is None:
                return None
            out |= cover
        return frozenset(out)
    covers = [c for c in map(_cover, node.children) if c is not None]
    return min(covers, key=_cover_cost) if covers else None


def _cover_cost(keys: Iterable[str]) -> float:
    return sum(key_cost(k) for k in keys)


def _compile(node: Node) -> Check:
    """A function (token_set, phrases) -> bool that evaluates `node` on a Doc.

    The query becomes one Python expression over its constants (words, needles, sets of
    words), e.g. ``k0 in ts or (k1 in ts and not ph[k2])``. The code is compiled once per
    query *shape* and bound to each query's constants as argument defaults, so a query costs
    one function object and its evaluation a single call.
    """
    constants: list[object] = []
    shape = _expression(node, constants)
    code = _SHAPES.get(shape)
    if code is None:
        params = "".join(f", k{i}" for i in range(len(constants)))
        source = f"def check(ts, ph{params}):\n    return {shape}\n"
        namespace: dict[str, object] = {}
        exec(compile(source, "<query>", "exec"), namespace)  # only our own expression syntax
        code = namespace["check"].__code__  # type: ignore[attr-defined]
        if len(_SHAPES) < _MAX_SHAPES:
            _SHAPES[shape] = code
    return FunctionType(code, {}, "check", tuple(constants))


_SHAPES: dict[str, CodeType] = {}
_MAX_SHAPES = 20_000  # distinct query shapes are few in practice; bound the cache anyway


def _expression(node: Node, constants: list[object]) -> str:
    def constant(value: object) -> str:
        constants.append(value)
        return f"k{len(constants) - 1}"

    if isinstance(node, Term):
        if len(node.tokens) == 1:
            return f"{constant(node.tokens[0])} in ts"
        return f"ph[{constant(needle(node.tokens))}]"
    if isinstance(node, Not):
        return f"not ({_expression(node.child, constants)})"
    words = [c.tokens[0] for c in node.children if isinstance(c, Term) and len(c.tokens) == 1]
    parts = []
    if len(words) > 1:
        group = constant(frozenset(words))
        parts.append(f"{group} <= ts" if isinstance(node, And) else f"not {group}.isdisjoint(ts)")
    for child in node.children:
        if len(words) > 1 and isinstance(child, Term) and len(child.tokens) == 1:
            continue
        parts.append(f"({_expression(child, constants)})")
    return (" and " if isinstance(node, And) else " or ").join(parts)


def plan_query(query: Query) -> QueryPlan:
    """Split a query into anchor clauses, negative keys and a check (see module docstring)."""
    root = query.root
    conjuncts = root.children if isinstance(root, And) else (root,)
    clauses: dict[tuple[str, ...], bool] = {}  # keys -> exact
    negative: list[str] = []
    exact = True

    def clause(keys: Iterable[str], is_exact: bool) -> None:
        key = tuple(sorted(set(keys)))
        clauses[key] = clauses.get(key, False) or is_exact

    for conjunct in conjuncts:
        if isinstance(conjunct, Not):
            inner = conjunct.child
            items = inner.children if isinstance(inner, Or) else (inner,)
            keys = [_exact_key(t) if isinstance(t, Term) else None for t in items]
            if all(k is not None for k in keys):
                negative.extend(k for k in keys if k is not None)
            else:
                exact = False
        elif isinstance(conjunct, Term):
            key = _exact_key(conjunct)
            if key is not None:
                clause((key,), True)
            else:
                exact = False
                for k in term_keys(conjunct.tokens):  # every key of a phrase is needed
                    clause((k,), False)
        else:
            cover = _cover(conjunct)
            if cover is None:
                exact = False
                continue
            is_exact = isinstance(conjunct, Or) and all(
                isinstance(t, Term) and _exact_key(t) is not None for t in conjunct.children
            )
            exact = exact and is_exact
            clause(cover, is_exact)
    ranked = sorted(clauses, key=lambda keys: (_cover_cost(keys), keys))
    if len(ranked) > LEVELS:
        exact = False  # clauses beyond the levels are left to evaluation
    return QueryPlan(
        levels=tuple(ranked[:LEVELS]),
        negative=tuple(dict.fromkeys(negative)),
        exact=exact,
        check=_compile(root),
    )


# --- the index ------------------------------------------------------------------------------


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
            token_set, phrases = doc.token_set, _Phrases(doc.joined)
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
        from newswire.target.explain import explain_match

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
        from newswire.target.snapshot import write_snapshot

        if sequence is not None:
            self.sequence = sequence
        write_snapshot(Path(path), self.sequence, self._criteria.items())

    @classmethod
    def load(cls, path: Path | str) -> TargetingIndex:
        """Rebuild an index from a snapshot written by `save`, with its `sequence`."""
        from newswire.target.snapshot import read_snapshot

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
