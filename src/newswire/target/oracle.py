"""The definition of a match, written as plainly as possible, and the brute-force scan.

`facts_match` is the reference the index is tested against: it expands both sides to
countries and the release's industries to their ancestors, and evaluates the query by
scanning token positions (the index uses keys, bitmaps and substring search instead).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from newswire.domain.query import And, Node, Not, Or, Term, parse_query
from newswire.domain.tokens import tokenize
from newswire.target.criteria import (
    Criteria,
    ReleaseFacts,
    release_countries,
    release_industries,
    release_languages,
    subscribed_countries,
    subscribed_industries,
    subscribed_languages,
)


class _Release:
    """A release prepared once for many subscriptions."""

    def __init__(self, facts: ReleaseFacts) -> None:
        self.facts = facts
        self.industries = release_industries(facts.industries)
        self.countries = release_countries(facts.regions)
        self.languages = release_languages(facts.languages, facts.language)
        self._fields: list[tuple[list[str], dict[str, list[int]]]] | None = None

    @property
    def fields(self) -> list[tuple[list[str], dict[str, list[int]]]]:
        """Per field (headline, body): its tokens and each token's positions."""
        if self._fields is None:
            self._fields = []
            for text in (self.facts.headline, self.facts.body_text):
                tokens = tokenize(text)
                positions: dict[str, list[int]] = {}
                for i, token in enumerate(tokens):
                    positions.setdefault(token, []).append(i)
                self._fields.append((tokens, positions))
        return self._fields

    def term(self, term: Term) -> bool:
        first, rest = term.tokens[0], term.tokens[1:]
        for tokens, positions in self.fields:
            for i in positions.get(first, ()):
                if all(i + k < len(tokens) and tokens[i + k] == t for k, t in enumerate(rest, 1)):
                    return True
        return False

    def query(self, node: Node) -> bool:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, And):
            return all(self.query(c) for c in node.children)
        if isinstance(node, Or):
            return any(self.query(c) for c in node.children)
        assert isinstance(node, Not)
        return not self.query(node.child)

    def match(self, c: Criteria) -> bool:
        if c.industries and not subscribed_industries(c.industries) & self.industries:
            return False
        if c.regions and not subscribed_countries(c.regions) & self.countries:
            return False
        if c.languages and not subscribed_languages(c.languages) & self.languages:
            return False
        if c.issuers and self.facts.issuer_id not in c.issuers:
            return False
        if c.exclude_industries and (
            subscribed_industries(c.exclude_industries, "exclude_industries") & self.industries
        ):
            return False
        if c.exclude_regions and (
            subscribed_countries(c.exclude_regions, "exclude_regions") & self.countries
        ):
            return False
        if self.facts.issuer_id in c.exclude_issuers:
            return False
        return c.query is None or self.query(parse_query(c.query).root)


def facts_match(criteria: Criteria, facts: ReleaseFacts) -> bool:
    """True when a subscription with `criteria` should receive the release (the definition)."""
    return _Release(facts).match(criteria)


def brute_force(subscriptions: Iterable[tuple[int, Criteria]], facts: ReleaseFacts) -> set[int]:
    """Ids of the subscriptions that match, by checking every one of them."""
    release = _Release(facts)
    return {sub_id for sub_id, criteria in subscriptions if release.match(criteria)}


def brute_force_many(
    subscriptions: Iterable[tuple[int, Criteria]], releases: Sequence[ReleaseFacts]
) -> list[set[int]]:
    """`brute_force` for several releases in one pass over the subscriptions."""
    prepared = [_Release(facts) for facts in releases]
    found: list[set[int]] = [set() for _ in prepared]
    for sub_id, criteria in subscriptions:
        for release, ids in zip(prepared, found, strict=True):
            if release.match(criteria):
                ids.add(sub_id)
    return found
