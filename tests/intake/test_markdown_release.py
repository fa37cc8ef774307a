"""A release file is YAML front matter and a Markdown body; the body becomes sanitized HTML."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newswire.domain.errors import InvalidRelease
from newswire.intake import parse_markdown_release
from newswire.intake.markdown import markdown_to_html

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
GOOD = """---
headline: Acme Opens a Research Centre in Lisbon
dateline: {city: Lisbon, country: PT, date: 2026-11-30}
language: en
industries: [science]
regions: [PT]
embargo_until: 2026-12-01T08:00:00+01:00
---
Acme today opened a **research centre** in Lisbon. See [the site](https://acme.example).
"""


def _errors(exc: pytest.ExceptionInfo[InvalidRelease]) -> dict[str, str]:
    return {e.field: e.rule for e in exc.value.errors}


def test_a_release_file_becomes_release_content() -> None:
    content = parse_markdown_release(GOOD.encode(), now=NOW)
    assert content.headline == "Acme Opens a Research Centre in Lisbon"
    assert content.dateline.date == date(2026, 11, 30)
    assert content.embargo_until == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    assert "<strong>research centre</strong>" in content.body_html
    assert 'href="https://acme.example"' in content.body_html


def test_the_dateline_date_defaults_to_the_release_time() -> None:
    content = parse_markdown_release(GOOD.replace(", date: 2026-11-30", "").encode(), now=NOW)
    assert content.dateline.date == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "field", "rule"),
    [
        ("headline: x\n", "front_matter", "missing"),
        ("---\nheadline: x\n", "front_matter", "unterminated"),
        ("---\nheadline: [unclosed\n---\nbody", "front_matter", "yaml"),
        ("---\n- a list\n---\nbody", "front_matter", "mapping"),
        ("---\nheadline: x\nbody: y\n---\nbody", "body", "duplicate"),
    ],
)
def test_a_malformed_file_names_the_problem(text: str, field: str, rule: str) -> None:
    with pytest.raises(InvalidRelease) as exc:
        parse_markdown_release(text.encode(), now=NOW)
    assert _errors(exc) == {field: rule}


def test_yaml_errors_say_where() -> None:
    with pytest.raises(InvalidRelease, match="line 3"):
        parse_markdown_release(b"---\nheadline: ok\nlanguage: en: de\n---\nbody", now=NOW)


def test_a_file_that_is_not_utf8_is_refused_with_the_offset() -> None:
    with pytest.raises(InvalidRelease, match=r"not UTF-8 text: byte 0xe9 at offset 17") as exc:
        parse_markdown_release(
            "---\nheadline: Caf\xe9\n---\nx".encode("latin-1"), now=NOW, source="r.md"
        )
    assert _errors(exc) == {"r.md": "utf8"}


def test_a_control_character_in_the_body_or_the_header_is_refused_naming_the_field() -> None:
    text = GOOD.replace("Lisbon. See", "Lisbon.\x00 See")
    with pytest.raises(InvalidRelease) as exc:
        parse_markdown_release(text.encode(), now=NOW)
    assert _errors(exc) == {"body": "control_character"}
    quoted = GOOD.replace(
        "headline: Acme Opens a Research Centre in Lisbon",
        'headline: "Acme Opens a Research\\x07 Centre"',
    )
    with pytest.raises(InvalidRelease) as exc:
        parse_markdown_release(quoted.encode(), now=NOW)
    assert _errors(exc) == {"headline": "control_character"}


def test_every_bad_field_is_reported_at_once() -> None:
    bad = (
        GOOD.replace("country: PT", "country: ZZ")
        .replace("[science]", "[nope]")
        .replace("language: en", "language: xx")
    )
    with pytest.raises(InvalidRelease) as exc:
        parse_markdown_release(bad.encode(), now=NOW)
    assert _errors(exc) == {
        "dateline.country": "unknown_region",
        "industries.0": "unknown_industry",
        "language": "invalid_language",
    }


def test_scripts_and_unsafe_links_are_removed_from_the_body() -> None:
    html = markdown_to_html(
        "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    assert "<script" not in html and "javascript:" not in html.replace("[x](javascript:", "")
    assert "onerror" not in html or "&lt;img" in html


def test_a_heading_in_the_body_never_competes_with_the_headline() -> None:
    assert markdown_to_html("# Section").startswith("<h2>")
