"""Reading a document's sources for the gate: at once, or shared between a thread that
reads ahead and the caller that takes what is left."""

from __future__ import annotations

import threading
from decimal import Decimal

from newswire.translate.glossary import Glossary
from newswire.translate.qa.reading import SourceReader, read_sources

SOURCES = [
    "**Acme Energy** opened its WindMaster plant in Porto on March 3.",
    'Revenue rose 12.5% to EUR 6,500 million, "a record", said Ana Costa.',
    "Read the [annual report](https://acme.example/r) or write to press@acme.example.",
]
GLOSSARY = Glossary()
GLOSSARY.keep("WindMaster")


def test_a_reading_shared_with_a_thread_equals_one_read_at_once() -> None:
    alone = read_sources(SOURCES, "en", glossary=GLOSSARY)
    reader = SourceReader(SOURCES, "en", glossary=GLOSSARY)
    helper = threading.Thread(target=reader.read_ahead)
    helper.start()
    helper.join()
    assert reader.reading() == alone
    assert alone.plain[0].startswith("Acme Energy opened")
    assert alone.links[2] == ["https://acme.example/r"]
    revenue, amount = alone.sides[1].facts.numbers[:2]
    assert (revenue.text, amount.text, amount.scaled) == ("12.5", "6,500", Decimal(6_500_000_000))
    assert alone.sides[1].quote_marks == 2
    assert [
        source[a:b]
        for (a, b, _), source in ((s, alone.plain[0]) for s in alone.sides[0].glossary_spans)
    ] == ["WindMaster"]


def test_what_nobody_read_ahead_the_caller_reads_itself() -> None:
    reader = SourceReader(SOURCES, "en", glossary=GLOSSARY)
    reading = reader.reading()  # no thread ever ran
    assert reading == read_sources(SOURCES, "en", glossary=GLOSSARY)


def test_a_thread_that_comes_after_the_caller_took_over_changes_nothing() -> None:
    reader = SourceReader(SOURCES, "en", glossary=GLOSSARY)
    reading = reader.reading()
    reader.read_ahead()  # a starved thread that only now gets its turn
    assert reader.reading() == reading == read_sources(SOURCES, "en", glossary=GLOSSARY)
