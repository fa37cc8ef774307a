"""Query plans (target stage): how the subscription index handles one keyword query.

A query's top-level conjuncts become anchor clauses: sets of index keys (tokens and token
pairs, see `newswire.domain.tokens`) at least one of which a matching text must contain. The
cheapest `LEVELS` clauses are the query's levels; the keys of ``NOT key`` conjuncts are its
negative keys. A query that levels and negative keys decide completely is "exact"; any other
is also compiled (`QueryPlan.check`) into one Python function evaluated on the tokenized
release. `newswire.target.index` stores the plans; see its docstring for the layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import CodeType, FunctionType

from newswire.domain.query import And, Node, Not, Or, Query, Term, needle
from newswire.domain.tokens import key_cost, term_keys

LEVELS = 3

Check = Callable[[frozenset[str], "Phrases"], bool]
"""A compiled query: (Doc.token_set, Phrases(Doc)) -> whether it holds."""


class Phrases(dict):
    """needle -> whether it occurs in a Doc's joined tokens, each searched for once."""

    __slots__ = ("joined",)

    def __init__(self, joined: str) -> None:
        super().__init__()
        self.joined = joined

    def __missing__(self, text: str) -> bool:
        found = self[text] = text in self.joined
        return found


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
