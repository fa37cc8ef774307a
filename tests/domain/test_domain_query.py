"""Query parsing: the tree it builds, canonical form, and errors that name the problem."""

from __future__ import annotations

import pytest

from newswire.domain.errors import NewswireError
from newswire.domain.query import And, Not, Or, QueryError, Term, parse_query
from newswire.domain.tokens import analyze, normalize_text, tokenize


def test_precedence_not_then_and_then_or() -> None:
    root = parse_query("a OR b NOT c").root
    assert isinstance(root, Or)
    left, right = root.children
    assert isinstance(left, Term) and left.tokens == ("a",)
    assert isinstance(right, And)
    assert isinstance(right.children[1], Not)


def test_juxtaposition_means_and_and_chains_flatten() -> None:
    root = parse_query("a b AND c").root
    assert isinstance(root, And)
    assert [str(c) for c in root.children] == ["a", "b", "c"]


def test_canonical_form_round_trips() -> None:
    for text in [
        '"offshore wind" AND (turbine OR Nordsee) NOT coal',
        "a OR (b AND NOT c)",
        "NOT (a OR b)",
        "(a OR b) AND (c OR d)",
    ]:
        canonical = str(parse_query(text))
        assert str(parse_query(canonical)) == canonical
    assert str(parse_query('"offshore wind" (turbine OR Nordsee) NOT coal')) == (
        '"offshore wind" AND (turbine OR Nordsee) AND NOT coal'
    )


def test_phrases_and_quote_styles() -> None:
    for text in ['"offshore wind"', "“offshore wind”", "„offshore wind“", "«offshore wind»"]:
        root = parse_query(text).root
        assert isinstance(root, Term) and root.phrase and root.tokens == ("offshore", "wind")
    root = parse_query("「洋上風力」").root
    assert isinstance(root, Term) and root.tokens == ("洋", "上", "風", "力")


def test_full_width_parentheses() -> None:
    assert str(parse_query("（風力 OR 太陽光）AND 発表")) == "(風力 OR 太陽光) AND 発表"


def test_lower_case_operators_are_words() -> None:
    root = parse_query("salt and pepper").root
    assert isinstance(root, And)
    assert [str(c) for c in root.children] == ["salt", "and", "pepper"]


def test_query_terms_list_and_matches_helper() -> None:
    query = parse_query('"offshore wind" OR (solar NOT coal)')
    assert [str(t) for t in query.terms()] == ['"offshore wind"', "solar", "coal"]
    assert query.matches("Offshore wind farm")
    assert query.matches("Solar", "and more")
    assert not query.matches("Solar", "and coal")


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "the query is empty", None),
        ("   ", "the query is empty", None),
        ("(wind OR solar", "the '(' at character 1 is never closed", 1),
        ("wind OR (solar AND (coal)", "the '(' at character 9 is never closed", 9),
        ("wind)", "')' at character 5 has no matching '('", 5),
        ("()", "the parentheses at character 1 enclose nothing", 1),
        ("wind AND", "'AND' at character 6 has nothing after it", 6),
        ("wind OR", "'OR' at character 6 has nothing after it", 6),
        ("wind NOT", "'NOT' at character 6 has nothing after it", 6),
        ("AND wind", "'AND' at character 1 has nothing before it", 1),
        ("OR wind", "'OR' at character 1 has nothing before it", 1),
        ("wind AND OR solar", "'AND' at character 6 is followed by 'OR' at character 10", 10),
        ("(wind AND) solar", "'AND' at character 7 is followed by ')' at character 10", 10),
        ('"offshore wind', "the quote at character 1 is never closed", 1),
        ('wind AND ""', 'phrase "" at character 10 has no letters or digits', 10),
        ("wind AND !!!", "word '!!!' at character 10 has no letters or digits", 10),
    ],
)
def test_parse_errors_name_the_problem_and_position(
    text: str, message: str, position: int | None
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert message in str(caught.value)
    assert caught.value.position == position


def test_limits_on_size_and_nesting() -> None:
    parse_query("(" * 32 + "wind" + ")" * 32)
    with pytest.raises(QueryError, match="nests more than 32"):
        parse_query("(" * 33 + "wind" + ")" * 33)
    with pytest.raises(QueryError, match="nests more than 32"):
        parse_query("NOT " * 40 + "wind")
    with pytest.raises(QueryError, match="at most 4000"):
        parse_query(" OR ".join(["wind"] * 1000))
    with pytest.raises(QueryError, match="nests more than 32"):
        parse_query("(" * 3000)  # no RecursionError, whatever the input


def test_query_error_is_a_value_error_and_a_newswire_error() -> None:
    with pytest.raises(ValueError):
        parse_query("(")
    with pytest.raises(NewswireError) as caught:
        parse_query("(")
    assert caught.value.status == 422
    assert caught.value.as_dict()["error"] == "invalid_query"


# --- tokens ---------------------------------------------------------------------------------


def test_normalization() -> None:
    assert normalize_text("Ärger Café STRASSE ß") == "arger cafe strasse ss"
    assert normalize_text("ＡＢＣ１２３") == "abc123"
    assert normalize_text("ﾃｽﾄ") == "テスト"
    assert normalize_text("Ener\u00adgie") == "energie"  # soft hyphen
    assert normalize_text("مُحَمَّد") == "محمد"
    assert normalize_text("Ёлка") == "ёлка"  # Cyrillic letters are kept


def test_tokenize_spaced_and_dense_scripts() -> None:
    assert tokenize("Hello, world! 3.5%") == ["hello", "world", "3", "5"]
    assert tokenize("iPhone用の充電器") == ["iphone", "用", "の", "充", "電", "器"]
    assert tokenize("삼성전자 발표") == ["삼", "성", "전", "자", "발", "표"]
    assert tokenize("พลังงาน") == ["พ", "ล", "ั", "ง", "ง", "า", "น"]
    assert tokenize("snake_case") == ["snake", "case"]


def test_doc_keys_hold_tokens_and_pairs_within_fields() -> None:
    doc = analyze("offshore wind", "farm")
    assert {"offshore", "wind", "farm", "offshore\x1fwind"} <= doc.keys
    assert "wind\x1ffarm" not in doc.keys
    assert doc.has(("offshore", "wind"))
    assert not doc.has(("wind", "farm"))
