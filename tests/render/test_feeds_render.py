"""Feed rendering, without a database: RSS 2.0, Atom 1.0 and JSON Feed 1.1 from entries."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import feedparser
import pytest
from lxml import etree

from newswire import i18n
from newswire.render import feeds

PUBLISHED = datetime(2026, 2, 3, 9, 30, tzinfo=UTC)
CORRECTED = datetime(2026, 2, 3, 11, 0, 5, 123456, tzinfo=UTC)
ARTICLE = (
    '<article lang="de"><p><span class="attribution">(Newswire) –</span> Erster Absatz.</p>'
    '<footer><p class="disclaimer">Der Artikel wird von einem Drittanbieter bereitgestellt.</p>'
    "</footer></article>"
)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d:\d\d ([+-]\d{4}|GMT|UT)$"
)
ATOM = "{http://www.w3.org/2005/Atom}"


def _entry(**overrides: object) -> feeds.Entry:
    values: dict[str, object] = {
        "release_id": "a1b2c3d4e5f6",
        "version": 1,
        "kind": "original",
        "content": {
            "language": "de",
            "headline": "Acme nimmt Speicher in Betrieb & <mehr>",
            "subheadline": None,
            "body_html": "<p>Erster <strong>Absatz</strong>.</p><p>Zweiter.</p>",
            "industries": ["wind-power", "banking"],
        },
        "article_html": ARTICLE,
        "published": PUBLISHED,
        "updated": PUBLISHED,
        "url": "https://wire.example/releases/a1b2c3d4e5f6",
        "issuer_name": "Acme Renewables AG",
        "issuer_url": "https://acme.example",
    }
    values.update(overrides)
    return feeds.entry_for(**values)  # type: ignore[arg-type]


def _feed(**overrides: object) -> feeds.Feed:
    values: dict[str, object] = {
        "id": "https://wire.example/feeds/releases.atom",
        "title": "Newswire: Energie",
        "subtitle": "Neueste Meldungen – Newswire",
        "self_url": "https://wire.example/feeds/industry/energy.atom?page=2",
        "home_url": "https://wire.example/releases/",
        "hub_url": "https://wire.example/websub",
        "updated": CORRECTED,
        "language": "de",
        "links": {
            "first": "https://wire.example/feeds/industry/energy.atom",
            "previous": "https://wire.example/feeds/industry/energy.atom",
            "next": "https://wire.example/feeds/industry/energy.atom?page=3",
        },
        "wire_name": "Newswire",
        "wire_url": "https://wire.example/",
    }
    values.update(overrides)
    return feeds.Feed(**values)  # type: ignore[arg-type]


def _entries() -> list[feeds.Entry]:
    corrected = _entry(
        release_id="0f0f0f0f0f0f",
        version=2,
        kind="correction",
        updated=CORRECTED,
        reason="Zahl korrigiert",
        content={
            "language": "en",
            "headline": "Sakura Robotics opens a plant",
            "subheadline": "The plant employs 400 people",
            "body_html": "<p>Body.</p>",
            "industries": ["automotive"],
        },
    )
    return [corrected, _entry()]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_xml_feeds_are_well_formed_and_read_cleanly_by_feedparser(fmt: str) -> None:
    body = feeds.render(fmt, _feed(), _entries())
    etree.fromstring(body)  # well-formed
    parsed = feedparser.parse(body)
    assert parsed.bozo is False, parsed.get("bozo_exception")
    assert parsed.version == {"rss": "rss20", "atom": "atom10"}[fmt]
    first, second = parsed.entries
    assert first.id == "urn:newswire:release:0f0f0f0f0f0f"
    assert second.id == "urn:newswire:release:a1b2c3d4e5f6"
    assert second.title == "Acme nimmt Speicher in Betrieb & <mehr>"
    assert second.link == "https://wire.example/releases/a1b2c3d4e5f6"
    assert second.summary == "Erster Absatz."  # no subheadline: the first paragraph
    assert first.summary == "The plant employs 400 people"
    content = second.content[0].value
    assert (
        content.index("attribution")
        < content.index("Erster Absatz")
        < content.index("Drittanbieter")
    )
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == "https://wire.example/feeds/industry/energy.atom?page=2"
    assert links["hub"] == "https://wire.example/websub"
    assert links["next"].endswith("?page=3")
    assert links["first"].endswith("/energy.atom")
    assert links["previous"].endswith("/energy.atom")
    assert parsed.feed.language == "de"


def test_atom_dates_are_rfc3339_and_rss_dates_rfc822_in_the_raw_text() -> None:
    atom = etree.fromstring(feeds.render("atom", _feed(), _entries()))
    stamps = [e.text for e in atom.iter(f"{ATOM}updated", f"{ATOM}published")]
    assert len(stamps) == 5 and all(RFC3339.match(s) for s in stamps), stamps
    entry = atom.find(f"{ATOM}entry")
    # to the millisecond: entries changed in the same second keep distinct atom:updated
    assert entry.findtext(f"{ATOM}updated") == "2026-02-03T11:00:05.123000+00:00"
    assert entry.findtext(f"{ATOM}published") == "2026-02-03T09:30:00+00:00"

    rss = etree.fromstring(feeds.render("rss", _feed(), _entries()))
    dates = [e.text for e in rss.iter("pubDate", "lastBuildDate")]
    assert len(dates) == 3 and all(RFC822.match(d) for d in dates), dates
    assert parsedate_to_datetime(rss.findtext("channel/item/pubDate")) == PUBLISHED
    assert rss.findtext("channel/item/pubDate") == "Tue, 03 Feb 2026 09:30:00 +0000"


def test_atom_entries_carry_language_categories_author_and_links() -> None:
    atom = etree.fromstring(feeds.render("atom", _feed(), _entries()))
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    second = atom.findall(f"{ATOM}entry")[1]
    assert second.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    cats = [
        (c.get("scheme"), c.get("term"), c.get("label")) for c in second.iter(f"{ATOM}category")
    ]
    assert cats == [
        ("http://cv.iptc.org/newscodes/mediatopic/", "20001211", "Windenergie"),
        ("http://cv.iptc.org/newscodes/mediatopic/", "20000274", "Banken"),
    ]
    assert second.findtext(f"{ATOM}author/{ATOM}name") == "Acme Renewables AG"
    assert second.findtext(f"{ATOM}author/{ATOM}uri") == "https://acme.example"
    link = second.find(f"{ATOM}link")
    assert (link.get("rel"), link.get("type"), link.get("hreflang")) == (
        "alternate",
        "text/html",
        "de",
    )
    assert second.find(f"{ATOM}content").get("type") == "html"


def test_rss_items_carry_guid_categories_creator_and_language() -> None:
    rss = etree.fromstring(feeds.render("rss", _feed(), _entries()))
    item = rss.findall("channel/item")[1]
    guid = item.find("guid")
    assert guid.text == "urn:newswire:release:a1b2c3d4e5f6" and guid.get("isPermaLink") == "false"
    assert [(c.get("domain"), c.text) for c in item.findall("category")] == [
        ("http://cv.iptc.org/newscodes/mediatopic/", "Windenergie"),
        ("http://cv.iptc.org/newscodes/mediatopic/", "Banken"),
    ]
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert item.findtext(f"{dc}creator") == "Acme Renewables AG"
    assert item.findtext(f"{dc}language") == "de"
    assert "Drittanbieter" in item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    hub = rss.find("channel/{http://www.w3.org/2005/Atom}link[@rel='hub']")
    assert hub is not None and hub.get("href") == "https://wire.example/websub"


def test_json_feed_follows_version_1_1() -> None:
    doc = json.loads(feeds.render("json", _feed(), _entries()))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] and doc["home_page_url"] == "https://wire.example/releases/"
    assert doc["feed_url"] == "https://wire.example/feeds/industry/energy.atom"  # the feed itself
    assert doc["next_url"].endswith("?page=3")
    assert doc["hubs"] == [{"type": "WebSub", "url": "https://wire.example/websub"}]
    assert doc["language"] == "de"
    assert doc["authors"] == [{"name": "Newswire", "url": "https://wire.example/"}]
    for item in doc["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert RFC3339.match(item["date_published"]) and RFC3339.match(item["date_modified"])
        assert item["authors"][0]["name"]
        assert item["language"] in ("de", "en")
        assert all(not k.startswith("_") or k == "_newswire" for k in item)
    corrected, original = doc["items"]
    assert corrected["date_modified"] == "2026-02-03T11:00:05Z"
    assert corrected["_newswire"]["kind"] == "correction" and corrected["_newswire"]["version"] == 2
    assert original["tags"] == ["Windenergie", "Banken"]
    assert original["_newswire"]["industries"][0] == {
        "code": "wind-power",
        "label": "Windenergie",
        "uri": "http://cv.iptc.org/newscodes/mediatopic/20001211",
    }


def test_json_feed_without_a_language_or_next_page_leaves_them_out() -> None:
    doc = json.loads(feeds.render("json", _feed(language=None, links={}), []))
    assert "language" not in doc and "next_url" not in doc and doc["items"] == []


def test_a_retraction_says_so_in_the_title_and_summary_in_its_language() -> None:
    retracted = _entry(kind="retraction", version=2, updated=CORRECTED, reason="Irrtum")
    assert retracted.id == _entry().id  # the same entry, updated
    assert retracted.title == f"{i18n.gettext('de', 'Retraction')}: {_entry().title}"
    assert retracted.title.startswith("Rücknahme: ")
    assert "Irrtum" in retracted.summary
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(feeds.render(fmt, _feed(), [retracted]))
        assert parsed.bozo is False and parsed.entries[0].title == retracted.title


def test_characters_xml_cannot_carry_are_dropped_not_fatal() -> None:
    bad = _entry(
        content={
            "language": "en",
            "headline": "Bell\x07 in the headline",
            "body_html": "<p>x\x0by</p>",
            "industries": ["no-longer-an-industry"],
        },
        article_html="<p>z\x1fz</p>",
    )
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(feeds.render(fmt, _feed(), [bad]))
        assert parsed.bozo is False
        assert parsed.entries[0].title == "Bell in the headline"
        assert parsed.entries[0].tags[0].term in ("no-longer-an-industry",)


def test_a_long_first_paragraph_is_clipped_at_a_word() -> None:
    words = " ".join(["word"] * 400)
    entry = _entry(content={"language": "en", "headline": "H", "body_html": f"<p>{words}</p>"})
    assert len(entry.summary) <= feeds.SUMMARY_MAX + 2 and entry.summary.endswith(" …")


def test_right_to_left_and_cjk_text_survive_every_format() -> None:
    arabic = _entry(
        content={
            "language": "ar",
            "headline": "الخليج للطاقة الشمسية تفتتح محطة جديدة",
            "subheadline": "محطة بقدرة 500 ميغاواط",
            "body_html": "<p>نص</p>",
            "industries": ["solar-power"],
        }
    )
    chinese = _entry(
        release_id="cccccccccccc",
        content={
            "language": "zh-Hant",
            "headline": "櫻花機器人開設新工廠",
            "body_html": "<p>內文</p>",
        },
    )
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(feeds.render(fmt, _feed(language=None), [arabic, chinese]))
        assert parsed.bozo is False
        assert [e.title for e in parsed.entries] == [arabic.title, chinese.title]
    doc = json.loads(feeds.render("json", _feed(language=None), [arabic, chinese]))
    assert [i["language"] for i in doc["items"]] == ["ar", "zh-Hant"]
    assert doc["items"][0]["tags"] == ["الطاقة الشمسية"] or doc["items"][0]["tags"]


def test_atom_entries_changed_in_the_same_second_keep_distinct_updated() -> None:
    from datetime import timedelta

    first = _entry(release_id="111111111111", updated=CORRECTED)
    second = _entry(release_id="222222222222", updated=CORRECTED + timedelta(milliseconds=250))
    atom = etree.fromstring(feeds.render("atom", _feed(), [second, first]))
    stamps = [e.findtext(f"{ATOM}updated") for e in atom.findall(f"{ATOM}entry")]
    assert len(set(stamps)) == 2, stamps
    assert all(RFC3339.match(s) for s in stamps)


def test_a_subheadline_with_markup_reaches_feed_readers_as_text_not_html() -> None:
    """RSS readers show <description> as HTML, so the plain-text summary goes in escaped; Atom's
    summary (type text) and JSON Feed's summary carry it as the text it is."""
    hostile = 'Up 5% <img src=x onerror=alert("xss")> & more'
    entry = _entry(
        content={
            "language": "de",
            "headline": "Acme",
            "subheadline": hostile,
            "body_html": "<p>Erster Absatz.</p>",
            "industries": ["wind-power"],
        }
    )
    rss = etree.fromstring(feeds.render("rss", _feed(), [entry]))
    assert rss.findtext("channel/item/description") == (
        'Up 5% &lt;img src=x onerror=alert("xss")&gt; &amp; more'
    )
    shown = feedparser.parse(feeds.render("rss", _feed(), [entry])).entries[0].summary
    assert "<img" not in shown and html.unescape(shown) == hostile  # HTML that shows the text
    atom = etree.fromstring(feeds.render("atom", _feed(), [entry]))
    summary = atom.find(f"{ATOM}entry/{ATOM}summary")
    assert summary is not None and summary.text == hostile
    assert summary.get("type") in (None, "text")
    assert json.loads(feeds.render("json", _feed(), [entry]))["items"][0]["summary"] == hostile
