"""Segmentation (`newswire.translate.segment`): Markdown structure kept, and lossless reassembly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.translate.segment import reassemble, segment, translatable

RELEASE = """# Acme Energy reports record results

**BERLIN, March 3, 2025** – Acme Energy GmbH (XETRA: ACME) today announced revenue of $6.5 billion. Dr. Jane Smith, CEO, said the U.S. market grew 12.5% in Q4. Visit [our site](https://acme.example/ir?x=1) for details.

- First item. Second sentence here.
- Contact: press@acme.example
1. Numbered item with *emphasis* inside.

> "We are proud," said J. Doe. Quoted
> continuation line.

| Metric | Value |
|---|---|
| Revenue | $6.5 bn |

```
code block. Not translated.
```

<div class="note">Raw HTML block. Not translated.</div>

+49 40 555 0100
"""


def texts(markdown: str, lang: str = "en") -> list[str]:
    return [s.text for s in translatable(segment(markdown, lang))]


def test_markdown_structure() -> None:
    segs = segment(RELEASE, "en")
    assert texts(RELEASE) == [
        "Acme Energy reports record results",
        "**BERLIN, March 3, 2025**",
        "Acme Energy GmbH (XETRA: ACME) today announced revenue of $6.5 billion.",
        "Dr. Jane Smith, CEO, said the U.S. market grew 12.5% in Q4.",
        "Visit [our site](https://acme.example/ir?x=1) for details.",
        "First item.",
        "Second sentence here.",
        "Contact: press@acme.example",
        "Numbered item with *emphasis* inside.",
        '"We are proud," said J. Doe.',
        "Quoted\n> continuation line.",
        "Metric",
        "Value",
        "Revenue",
        "$6.5 bn",
    ]
    kinds = {s.text: s.kind for s in segs if s.translatable}
    assert kinds["Acme Energy reports record results"] == "heading"
    assert kinds["First item."] == "list_item"
    assert kinds["Metric"] == "table_cell"
    assert reassemble(segs, [s.text for s in translatable(segs)]) == RELEASE


def test_reassemble_replaces_only_the_sentences() -> None:
    segs = segment("## Title\n\n- One. Two.\n", "en")
    out = reassemble(segs, ["Título", "Um.", "Dois."])
    assert out == "## Título\n\n- Um. Dois.\n"


def test_front_matter_is_literal() -> None:
    assert texts("---\ntitle: x\n---\nHello world.\n") == ["Hello world."]


blocks = st.lists(
    st.one_of(
        st.text(
            alphabet=st.sampled_from([*"abc XYZ.!?#*-_>|`[]()\n1,", "。", "ไ", "ท"]),
            max_size=40,
        ),
        st.sampled_from(
            [
                "# Heading",
                "- item. Two.",
                "> quote. More.",
                "```\ncode\n```",
                "| a | b |",
                "|---|---|",
                "1. one",
                "[link](http://x.y) text.",
            ]
        ),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(blocks, st.sampled_from(["en", "de", "ja", "th", "ar"]))
def test_segmentation_is_lossless(parts: list[str], lang: str) -> None:
    markdown = "\n\n".join(parts)
    segs = segment(markdown, lang)
    assert "".join(s.text for s in segs) == markdown
    assert reassemble(segs, [s.text for s in translatable(segs)]) == markdown
    for s in translatable(segs):
        assert s.text == s.text.strip() and s.text
