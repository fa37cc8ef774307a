"""Property tests: the index agrees with the brute-force oracle on random data."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.domain.query import parse_query
from newswire.target import Criteria, ReleaseFacts, TargetingIndex, brute_force
from newswire.target.oracle import brute_force_many

INDUSTRIES = [
    "energy",
    "renewable-energy",
    "wind-power",
    "solar-power",
    "oil-gas",
    "technology",
    "software",
    "health",
]
REGIONS = ["DE", "FR", "AT", "CH", "US", "GB", "JP", "TH", "EU", "DACH", "G7", "ASEAN", "NORDICS"]
LANGUAGES = ["en", "de", "ja", "th", "zh-Hans", "ar", "pt-BR", "zh-TW"]
WORDS = [
    "wind",
    "Wind",
    "solar",
    "coal",
    "offshore",
    "farm",
    "turbine",
    "café",
    "CAFE",
    "straße",
    "a",
    "東京",
    "京都",
    "東",
    "新製品",
    "発表",
    "พลังงาน",
    "ลม",
    "الطاقة",
    "삼성",
    "전자",
    "iPhone用",
    "e-mobility",
]
PHRASES = ["offshore wind", "wind farm", "東京都", "solar farm", "a a", "wind wind farm"]
FILLER = ["the", "and", "of", "新", "ใหม่", "في", "mobility", "e", "都", "ss"]


@st.composite
def query_text(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(
        st.sampled_from(["word", "word", "phrase", "and", "or", "not"] if depth < 3 else ["word"])
    )
    if kind == "word":
        return draw(st.sampled_from(WORDS))
    if kind == "phrase":
        return '"' + draw(st.sampled_from(PHRASES)) + '"'
    if kind == "not":
        return "NOT " + draw(query_text(depth + 1))
    parts = draw(st.lists(query_text(depth + 1), min_size=2, max_size=3))
    joiner = " OR " if kind == "or" else draw(st.sampled_from([" AND ", " "]))
    return "(" + joiner.join(parts) + ")"


def maybe(values: st.SearchStrategy, max_size: int) -> st.SearchStrategy:
    """Mostly empty ("any"), else a small set: keeps matches frequent enough to test."""
    return st.one_of(
        st.just(frozenset()), st.just(frozenset()), st.frozensets(values, max_size=max_size)
    )


criteria = st.builds(
    Criteria,
    industries=maybe(st.sampled_from(INDUSTRIES), 2),
    regions=maybe(st.sampled_from(REGIONS), 2),
    languages=maybe(st.sampled_from(LANGUAGES), 2),
    issuers=maybe(st.integers(1, 4), 2),
    query=st.one_of(st.none(), query_text()),
    exclude_industries=maybe(st.sampled_from(INDUSTRIES), 1),
    exclude_regions=maybe(st.sampled_from(REGIONS), 1),
    exclude_issuers=maybe(st.integers(1, 4), 1),
)


@st.composite
def text(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(WORDS + PHRASES + FILLER), max_size=20))
    glue = draw(st.sampled_from([" ", "", ", ", "。"]))
    return glue.join(pieces)


facts = st.builds(
    ReleaseFacts,
    industries=st.frozensets(st.sampled_from(INDUSTRIES), max_size=2),
    regions=st.frozensets(st.sampled_from(REGIONS), max_size=2),
    languages=st.frozensets(st.sampled_from(LANGUAGES), max_size=2),
    issuer_id=st.integers(1, 4),
    headline=text(),
    body_text=text(),
    language=st.sampled_from(LANGUAGES),
)

subscriptions = st.lists(st.tuples(st.integers(0, 40), criteria), max_size=40)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_generated_queries_parse() -> None:
    @given(query_text())
    @settings(max_examples=50, deadline=None)
    def check(q: str) -> None:
        parse_query(q)

    check()


@SETTINGS
@given(subscriptions, st.lists(facts, min_size=1, max_size=4))
def test_index_matches_the_oracle(
    subs: list[tuple[int, Criteria]], releases: list[ReleaseFacts]
) -> None:
    index = TargetingIndex.build(subs)
    latest = dict(subs)  # later ids replace earlier ones
    expected = brute_force_many(latest.items(), releases)
    for facts_, want in zip(releases, expected, strict=True):
        assert set(index.match(facts_)) == want
        assert brute_force(latest.items(), facts_) == want


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 12), criteria),
        st.tuples(st.just("remove"), st.integers(0, 12), st.none()),
        st.tuples(st.just("again"), st.integers(0, 12), st.none()),  # re-add the same criteria
    ),
    max_size=30,
)


@SETTINGS
@given(operations, st.lists(facts, min_size=1, max_size=3))
def test_incremental_changes_match_the_oracle(
    ops: list[tuple], releases: list[ReleaseFacts]
) -> None:
    index = TargetingIndex()
    current: dict[int, Criteria] = {}
    for op, sub_id, c in ops:
        if op == "again" and sub_id in current:
            index.add(sub_id, current[sub_id])
        elif op == "add":
            index.add(sub_id, c)
            current[sub_id] = c
        else:
            index.remove(sub_id)
            current.pop(sub_id, None)
    assert len(index) == len(current)
    for facts_ in releases:
        assert set(index.match(facts_)) == brute_force(current.items(), facts_)
    # removing everything leaves nothing behind
    for sub_id in list(current):
        index.remove(sub_id)
    stats = index.stats()
    assert stats["with_query"] == stats["distinct_queries"] == stats["anchor_keys"] == 0


@settings(max_examples=40, deadline=None)
@given(subscriptions, st.lists(facts, min_size=1, max_size=3), st.integers(0, 2**62))
def test_snapshot_round_trip(
    subs: list[tuple[int, Criteria]], releases: list[ReleaseFacts], sequence: int
) -> None:
    index = TargetingIndex.build(subs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.snapshot"
        index.save(path, sequence=sequence)
        loaded = TargetingIndex.load(path)
    assert loaded.sequence == sequence
    assert dict(loaded.items()) == dict(index.items())
    for facts_ in releases:
        assert loaded.match(facts_) == index.match(facts_)


@SETTINGS
@given(
    st.lists(query_text(), min_size=1, max_size=20),
    st.lists(st.tuples(text(), text()), min_size=1, max_size=4),
)
def test_queries_alone_match_the_oracle(queries: list[str], texts: list[tuple[str, str]]) -> None:
    subs = [(i, Criteria(query=q)) for i, q in enumerate(queries)]
    index = TargetingIndex.build(subs)
    for headline, body in texts:
        release = ReleaseFacts(headline=headline, body_text=body)
        want = brute_force(subs, release)
        assert set(index.match(release)) == want
        assert {i for i, q in enumerate(queries) if parse_query(q).matches(headline, body)} == want
