"""Segmentation: sentences per language, Markdown structure kept, and lossless reassembly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.translate.inline import protect, restore
from newswire.translate.plain import link_targets, plain_text
from newswire.translate.segment import reassemble, segment, translatable
from newswire.translate.sentences import sentences

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


def test_sentences_per_language() -> None:
    assert sentences(
        "Am 3. März 2025 stieg der Umsatz um 12,5 %. Das ist gut. Die Acme GmbH. Neu.", "de"
    ) == ["Am 3. März 2025 stieg der Umsatz um 12,5 %.", "Das ist gut.", "Die Acme GmbH.", "Neu."]
    assert sentences(
        "株式会社アクメは本日、新製品を発表しました。価格は3.5万円です！詳細は後日。", "ja"
    ) == ["株式会社アクメは本日、新製品を発表しました。", "価格は3.5万円です！", "詳細は後日。"]
    assert sentences("华达科技今天宣布建设新中心。投资二十亿元？是的。", "zh-Hans") == [
        "华达科技今天宣布建设新中心。",
        "投资二十亿元？",
        "是的。",
    ]
    assert sentences("أعلنت الشركة اليوم عن نتائجها. هل هذا جيد؟ نعم.", "ar") == [
        "أعلنت الشركة اليوم عن نتائجها.",
        "هل هذا جيد؟",
        "نعم.",
    ]
    assert sentences("บริษัท Acme Energy ประกาศผลประกอบการ วันนี้บริษัทเติบโต 12%\nขอบคุณ", "th") == [
        "บริษัท Acme Energy ประกาศผลประกอบการ",
        "วันนี้บริษัทเติบโต 12%",
        "ขอบคุณ",
    ]
    assert sentences("회사는 오늘 발표했다. 매출은 12% 증가했다.", "ko") == [
        "회사는 오늘 발표했다.",
        "매출은 12% 증가했다.",
    ]
    assert sentences(
        'He said "Why?" and left. E.g. this one, i.e. that. Mr. Smith came.', "en"
    ) == ['He said "Why?" and left.', "E.g. this one, i.e. that.", "Mr. Smith came."]


def test_plain_text_and_links() -> None:
    md = "Read the [**annual** report](https://a.example/r) at <https://b.example> or `x.y`."
    assert plain_text(md) == "Read the annual report at https://b.example or x.y."
    assert link_targets(md) == ["https://a.example/r", "https://b.example"]


def test_protect_and_restore_round_trip() -> None:
    md = "**Berlin** – Visit [our *new* site](https://a.example) or write to press@a.example."
    p = protect(md, glossary=None, src="en", tgt="de")
    assert "https" not in p.text and "@" not in p.text and "*" not in p.text
    inputs = p.engine_inputs()
    assert inputs[1:] == ["Berlin", "our XNW0X site", "new"]
    text, lost = restore(p, list(inputs))
    assert text == md and lost == []
    text, lost = restore(p, ["Besuchen Sie XNW1X.", "Berlin", "unsere XNW0X Seite", "neue"])
    assert text == "Besuchen Sie [unsere *neue* Seite](https://a.example)."
    assert lost == ["XNW0X", "XNW2X"]


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
