"""The index: incremental changes, validation, snapshots and explanations."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswire.domain.query import QueryError, parse_query
from newswire.target import Criteria, ReleaseFacts, TargetingIndex, brute_force
from newswire.target.plan import plan_query

WIND = ReleaseFacts(
    industries=frozenset({"wind-power"}),
    regions=frozenset({"DE"}),
    languages=frozenset({"de", "en"}),
    issuer_id=10,
    headline="Offshore wind farm in the North Sea",
    body_text="Acme starts building turbines. No coal involved.",
    language="en",
)

SUBSCRIPTIONS = {
    1: Criteria(industries={"energy"}),
    2: Criteria(regions={"EU"}, query='"offshore wind"'),
    3: Criteria(industries={"software"}),
    4: Criteria(query="coal"),
    5: Criteria(query="wind NOT coal"),
    6: Criteria(exclude_regions={"DACH"}),
    7: Criteria(issuers={10}, languages={"de"}),
}


def build() -> TargetingIndex:
    return TargetingIndex.build(SUBSCRIPTIONS.items())


def test_match_returns_sorted_ids_that_agree_with_the_oracle() -> None:
    index = build()
    result = index.match(WIND)
    assert list(result) == [1, 2, 4, 7]
    assert set(result) == brute_force(SUBSCRIPTIONS.items(), WIND)
    assert 2 in result and 3 not in result
    assert len(index) == 7


def test_add_replaces_an_existing_id() -> None:
    index = build()
    index.add(3, Criteria(industries={"renewable-energy"}))
    assert 3 in index.match(WIND)
    index.add(1, Criteria(industries={"health"}))
    assert 1 not in index.match(WIND)
    index.add(4, Criteria(query="turbines AND NOT nuclear"))
    assert 4 in index.match(WIND)
    assert len(index) == 7
    assert index.get(4) == Criteria(query="turbines AND NOT nuclear")


def test_remove_and_removing_an_unknown_id() -> None:
    index = build()
    index.remove(1)
    index.remove(2)
    index.remove(999)
    assert set(index.match(WIND)) == {4, 7}
    assert len(index) == 5
    assert 1 not in index
    for sub_id in list(index):
        index.remove(sub_id)
    assert len(index) == 0
    assert not index.match(WIND)
    assert index.stats()["distinct_queries"] == 0


def test_re_adding_the_same_query_keeps_it_usable() -> None:
    index = TargetingIndex()
    index.add(1, Criteria(query="wind NOT coal"))
    index.add(1, Criteria(query="wind NOT coal"))
    index.add(1, Criteria(query="wind NOT coal", regions={"DE"}))
    assert list(index.match(WIND)) == []
    index.add(1, Criteria(query="turbines"))
    assert list(index.match(WIND)) == [1]
    index.remove(1)
    assert index.stats()["distinct_queries"] == 0


def test_queries_shared_by_subscriptions_survive_removal_of_one_of_them() -> None:
    index = TargetingIndex()
    index.add(1, Criteria(query='"offshore wind"'))
    index.add(2, Criteria(query='"offshore wind"'))
    index.remove(1)
    assert list(index.match(WIND)) == [2]


def test_bad_input_is_rejected_with_nothing_changed() -> None:
    index = build()
    with pytest.raises(ValueError, match="industries: unknown industry 'nonsense'"):
        index.add(1, Criteria(industries={"nonsense"}))
    with pytest.raises(ValueError, match="exclude_regions: unknown region 'XX'"):
        index.add(1, Criteria(exclude_regions={"XX"}))
    with pytest.raises(ValueError, match="languages"):
        index.add(1, Criteria(languages={"klingon!"}))
    with pytest.raises(QueryError, match="never closed"):
        index.add(1, Criteria(query="(wind"))
    with pytest.raises(ValueError, match="subscription ids"):
        index.add(-1, Criteria())
    with pytest.raises(ValueError, match="subscription ids"):
        index.add(2**32, Criteria())
    assert index.get(1) == SUBSCRIPTIONS[1]
    assert set(index.match(WIND)) == {1, 2, 4, 7}


def test_criteria_accept_any_iterables_and_validate() -> None:
    c = Criteria(industries=["energy"], regions="DE", issuers=[1, 2], query="  ")
    assert c.industries == frozenset({"energy"})
    assert c.regions == frozenset({"DE"})
    assert c.query is None
    c.validate()
    with pytest.raises(ValueError, match="regions"):
        Criteria(regions={"Atlantis"}).validate()


def test_snapshot_round_trip_keeps_matches_and_sequence(tmp_path: Path) -> None:
    index = build()
    path = tmp_path / "targeting.snapshot"
    index.save(path, sequence=41)
    loaded = TargetingIndex.load(path)
    assert loaded.sequence == 41
    assert len(loaded) == len(index)
    assert dict(loaded.items()) == dict(index.items())
    assert loaded.match(WIND) == index.match(WIND)
    # replay of a later change, then a second snapshot
    loaded.add(3, Criteria(query="turbines"))
    loaded.save(path, sequence=42)
    again = TargetingIndex.load(path)
    assert again.sequence == 42
    assert 3 in again.match(WIND)


def test_snapshot_of_an_empty_index(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "empty.snapshot"
    TargetingIndex().save(path)
    loaded = TargetingIndex.load(path)
    assert len(loaded) == 0 and loaded.sequence == 0


def test_damaged_snapshots_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "targeting.snapshot"
    build().save(path, sequence=1)
    data = path.read_bytes()
    (tmp_path / "truncated").write_bytes(data[:-5])
    flipped = bytearray(data)
    flipped[-3] ^= 0xFF
    (tmp_path / "flipped").write_bytes(bytes(flipped))
    (tmp_path / "other").write_bytes(b"hello")
    for name in ("truncated", "flipped", "other"):
        with pytest.raises(ValueError, match="not a usable targeting snapshot"):
            TargetingIndex.load(tmp_path / name)
    assert not list(tmp_path.glob(".*.tmp"))


def test_explain_a_match() -> None:
    index = build()
    lines = index.explain(2, WIND)
    assert lines[0] == "matches"
    assert "industries: any" in lines
    assert any(line.startswith("regions: yes") and "EU" in line for line in lines)
    assert any(line.startswith("query: yes") for line in lines)
    assert '  term "offshore wind": found' in lines


def test_explain_parent_industry_and_exclusions() -> None:
    index = build()
    assert "industries: yes - the release's wind-power falls under energy" in index.explain(1, WIND)
    lines = index.explain(6, WIND)
    assert lines[0] == "does not match: excluded regions"
    assert any(line.startswith("excluded regions: hit") and "DACH" in line for line in lines)


def test_explain_a_failed_query_and_dimension() -> None:
    index = build()
    lines = index.explain(5, WIND)
    assert lines[0] == "does not match: query"
    assert "  term coal: found" in lines
    lines = index.explain(3, WIND)
    assert lines[0] == "does not match: industries"
    assert any("wants software" in line for line in lines)
    with pytest.raises(KeyError):
        index.explain(999, WIND)


def test_query_plans() -> None:
    plan = plan_query(parse_query("wind"))
    assert plan.exact and plan.levels == (("wind",),)
    plan = plan_query(parse_query('"offshore wind" AND (turbine OR nordsee) NOT coal'))
    assert plan.exact  # a pair key, an OR of words, a negated word
    assert plan.negative == ("coal",)
    assert plan_query(parse_query("NOT coal")).levels == ()
    assert not plan_query(parse_query("a OR NOT b")).exact
    assert not plan_query(parse_query('"a b c"')).exact
    assert plan_query(parse_query("東京")).exact  # a character bigram
