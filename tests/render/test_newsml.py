"""NewsML-G2 2.35 rendering: every item validates against the Power XSD, offline."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from newswire.domain.release import PublishedVersion
from newswire.render.newsml import render_newsml
from newswire.taxonomy import get_industry
from standards import validate_newsml

NS = {
    "g2": "http://iptc.org/std/nar/2006-10-01/",
    "h": "http://www.w3.org/1999/xhtml",
}
GUID = "urn:newswire:release:01HXRELEASE0000000000000001"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def rendered(version: PublishedVersion) -> etree._Element:
    xml = render_newsml(version)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return validate_newsml(xml)


def one(root: etree._Element, path: str) -> etree._Element:
    [found] = root.xpath(path, namespaces=NS)
    return found


def texts(root: etree._Element, path: str) -> list[str]:
    return [e.text for e in root.xpath(path, namespaces=NS)]


def attrs(root: etree._Element, path: str, name: str) -> list[str]:
    return [e.get(name) for e in root.xpath(path, namespaces=NS)]


def test_full_original(original):
    root = rendered(original)
    assert root.tag == "{http://iptc.org/std/nar/2006-10-01/}newsItem"
    assert root.get("guid") == GUID
    assert root.get("version") == "1"
    assert root.get("standard") == "NewsML-G2"
    assert root.get("standardversion") == "2.35"
    assert root.get("conformance") == "power"
    assert root.get(XML_LANG) == "en"
    assert attrs(root, "g2:catalogRef", "href")[0].startswith("http://www.iptc.org/std/catalog/")
    assert "nwgenre" in attrs(root, "g2:catalog/g2:scheme", "alias")

    meta = one(root, "g2:itemMeta")
    assert one(meta, "g2:itemClass").get("qcode") == "ninat:text"
    assert texts(meta, "g2:provider/g2:name") == ["Example Newswire"]
    assert texts(meta, "g2:versionCreated") == ["2024-05-14T09:00:00Z"]
    assert texts(meta, "g2:firstCreated") == ["2024-05-14T09:00:00Z"]
    assert one(meta, "g2:pubStatus").get("qcode") == "stat:usable"
    assert not meta.xpath("g2:embargoed | g2:signal | g2:edNote", namespaces=NS)
    assert attrs(meta, "g2:link", "href") == [original.canonical_url]

    content = one(root, "g2:contentMeta")
    assert texts(content, "g2:urgency") == ["5"]
    assert texts(content, "g2:contentCreated") == ["2024-05-14"]
    assert texts(content, "g2:located/g2:name") == ["Berlin"]
    assert one(content, "g2:located/g2:broader").get("qcode") == "iso3166-1a2:DE"
    assert texts(content, "g2:located/g2:broader/g2:name") == ["Germany"]
    assert one(content, "g2:language").get("tag") == "en"
    assert texts(content, "g2:headline[not(@role)]") == [original.content.headline]
    assert texts(content, "g2:headline[@role]") == [original.content.subheadline]
    assert texts(content, "g2:keyword") == ["data centre", "solar", "sustainability"]
    assert texts(content, "g2:dateline") == ["Berlin, May 14, 2024"]
    assert texts(content, "g2:by") == ["Acme Bank AG"]
    assert attrs(content, "g2:genre", "qcode") == [
        "nwgenre:press-release",
        "nwsection:daily-news",
        "nwsection:business",
    ]


def test_subjects(original):
    content = one(rendered(original), "g2:contentMeta")
    banking = get_industry("banking")
    assert attrs(content, "g2:subject[@type='cpnat:abstract']", "qcode") == [
        banking.medtop,
        get_industry("renewable-energy").medtop,
    ]
    name = one(content, f"g2:subject[@qcode='{banking.medtop}']/g2:name")
    assert name.text == banking.label("en")
    assert name.get(XML_LANG) == "en"
    assert attrs(content, "g2:subject[@type='cpnat:geoArea']", "qcode") == [
        "iso3166-1a2:DE",
        "nwregion:EU",
    ]
    assert texts(content, "g2:subject[@type='cpnat:geoArea']/g2:name") == [
        "Germany",
        "European Union",
    ]
    assert attrs(content, "g2:subject[@type='cpnat:organisation']", "qcode") == [
        "nwissuer:acme-bank"
    ]


def test_issuer_contacts_and_tickers(original):
    root = rendered(original)
    creator = one(root, "g2:contentMeta/g2:creator")
    assert texts(creator, "g2:name") == ["Acme Bank AG"]
    infos = creator.xpath("g2:organisationDetails/g2:contactInfo", namespaces=NS)
    assert texts(infos[0], "g2:email") == ["press@acme.example"]
    assert texts(infos[0], "g2:phone") == ["+49 30 1234567"]
    assert "Jane Doe" in texts(infos[0], "g2:note")[0]
    assert texts(infos[1], "g2:email") == ["max@acme.example"]
    assert texts(infos[-1], "g2:web") == ["https://acme.example"]
    assert len(infos) == 3  # the contact with no email or phone is left out
    assert texts(root, "g2:rightsInfo/g2:copyrightHolder/g2:name") == ["Acme Bank AG"]
    concept = one(root, "g2:assert")
    assert concept.get("qcode") == "nwissuer:acme-bank"
    assert [(i.get("symbol"), i.get("marketlabel")) for i in concept] == [
        ("ACME", "NASDAQ"),
        ("ACM", "XETRA"),
    ]


def test_body_is_xhtml(original):
    root = rendered(original)
    inline = one(root, "g2:contentSet/g2:inlineXML")
    assert inline.get("contenttype") == "application/xhtml+xml"
    html = one(inline, "h:html")
    assert html.get("lang") == "en"
    assert texts(html, "h:head/h:title") == [original.content.headline]
    body = one(html, "h:body")
    assert texts(body, "h:h1") == [original.content.headline]
    assert texts(body, "h:h2") == [original.content.subheadline]
    div = one(body, "h:div[@class='body']")
    assert one(div, "h:p/h:a").get("href") == "https://acme.example/solar"
    assert div.xpath("h:p/h:br", namespaces=NS)  # <br> became well-formed XML
    assert texts(div, "h:ul/h:li") == ["40\u00a0MW", "60 % fewer emissions"]
    assert texts(body, "h:div[@class='boilerplate']/h:p") == [
        "About Acme Bank",
        "Acme Bank is a European bank founded in 1901.",
    ]
    assert attrs(body, "h:img", "alt") == [
        "Rows of solar panels on the roof of the data centre",
        "Acme Bank logo",
    ]
    assert attrs(body, "h:img", "src")[1] == "https://wire.example/media/acme-logo.svg"


def test_minimal(minimal):
    root = rendered(minimal)
    content = one(root, "g2:contentMeta")
    assert one(content, "g2:language").get("tag") == "fr"
    assert texts(content, "g2:headline") == ["Acme publishes annual report"]
    assert not content.xpath("g2:keyword | g2:subject[@type!='cpnat:organisation']", namespaces=NS)
    assert not content.xpath("g2:creator/g2:organisationDetails", namespaces=NS)
    assert not root.xpath("g2:assert", namespaces=NS)
    assert texts(content, "g2:dateline") == ["Paris, 1 mars 2024"]
    body = one(root, "g2:contentSet/g2:inlineXML/h:html/h:body")
    assert not body.xpath("h:h2 | h:img | h:div[@class='boilerplate']", namespaces=NS)


def test_awkward_html_and_text(minimal):
    content = dataclasses.replace(
        minimal.content,
        headline="Tabs\tand\nnewlines \x0b in a headline",
        body_html="bare text <!-- a comment --> then <b>bold</b> &amp; <p>para",
        keywords=("multi\nline",),
    )
    root = rendered(dataclasses.replace(minimal, content=content, canonical_url=""))
    assert texts(root, "g2:contentMeta/g2:headline") == ["Tabs and newlines in a headline"]
    assert texts(root, "g2:contentMeta/g2:keyword") == ["multi line"]
    div = one(root, "g2:contentSet/g2:inlineXML/h:html/h:body/h:div[@class='body']")
    assert "".join(div.itertext()) == "bare text  then bold & para"
    assert not root.xpath("g2:itemMeta/g2:link", namespaces=NS)


def test_embargoed(embargoed):
    root = rendered(embargoed)
    assert texts(root, "g2:itemMeta/g2:embargoed") == ["2024-05-15T06:00:00Z"]
    assert texts(root, "g2:itemMeta/g2:edNote") == ["Embargoed until 2024-05-15T06:00:00Z."]
    assert one(root, "g2:itemMeta/g2:pubStatus").get("qcode") == "stat:usable"


def test_correction(correction):
    root = rendered(correction)
    assert root.get("guid") == GUID
    assert root.get("version") == "2"
    meta = one(root, "g2:itemMeta")
    assert texts(meta, "g2:versionCreated") == ["2024-05-14T11:30:15Z"]
    assert one(meta, "g2:pubStatus").get("qcode") == "stat:usable"
    assert one(meta, "g2:signal").get("qcode") == "sig:correction"
    assert texts(meta, "g2:edNote")[0].startswith("Correction of version 1: Corrects")
    link = one(meta, "g2:link[@rel='nwrel:amends']")
    assert link.get("residref") == GUID
    assert link.get("version") == "1"
    assert link.get("href").endswith("/v1")
    content = one(root, "g2:contentMeta")
    assert "nwgenre:correction" in attrs(content, "g2:genre", "qcode")
    assert texts(content, "g2:contentModified") == ["2024-05-14T11:30:15Z"]
    assert texts(content, "g2:description") == [correction.reason]


def test_retraction(retraction):
    root = rendered(retraction)
    assert root.get("version") == "3"
    meta = one(root, "g2:itemMeta")
    assert one(meta, "g2:pubStatus").get("qcode") == "stat:canceled"
    assert not meta.xpath("g2:signal", namespaces=NS)
    assert one(meta, "g2:link[@rel='nwrel:amends']").get("version") == "2"
    assert texts(root, "g2:contentMeta/g2:urgency") == ["2"]
    assert "nwgenre:retraction" in attrs(root, "g2:contentMeta/g2:genre", "qcode")


def test_top_story(top_story):
    root = rendered(top_story)
    assert texts(root, "g2:contentMeta/g2:urgency") == ["2"]
    assert "nwsection:top-story" in attrs(root, "g2:contentMeta/g2:genre", "qcode")


def test_non_latin_languages(non_latin):
    root = rendered(non_latin)
    content = non_latin.content
    lang = content.language
    assert root.get(XML_LANG) == lang
    meta = one(root, "g2:contentMeta")
    assert one(meta, "g2:language").get("tag") == lang
    assert texts(meta, "g2:headline[not(@role)]") == [content.headline]
    assert attrs(meta, "g2:subject[@type='cpnat:abstract']", "qcode") == [
        get_industry(slug).medtop for slug in content.industries
    ]
    assert texts(meta, "g2:subject[@type='cpnat:abstract']/g2:name") == [
        get_industry(slug).label(lang) for slug in content.industries
    ]
    assert texts(meta, "g2:located/g2:name") == [content.dateline.city]
    html = one(root, "g2:contentSet/g2:inlineXML/h:html")
    assert html.get(XML_LANG) == lang
    assert (html.get("dir") == "rtl") is (lang == "ar")
    assert content.headline.encode("utf-8") in render_newsml(non_latin)


def test_the_validator_rejects_invalid_items(original):
    root = etree.fromstring(render_newsml(original))
    meta = root.find("{http://iptc.org/std/nar/2006-10-01/}itemMeta")
    meta.remove(meta[0])  # itemClass is required
    with pytest.raises(pytest.fail.Exception, match=r"itemClass|provider"):
        validate_newsml(etree.tostring(root))
    urgency = root.find(".//{http://iptc.org/std/nar/2006-10-01/}urgency")
    meta.insert(0, etree.Element("{http://iptc.org/std/nar/2006-10-01/}itemClass", qcode="x y"))
    urgency.text = "0"
    with pytest.raises(pytest.fail.Exception, match=r"urgency|QCode|qcode"):
        validate_newsml(etree.tostring(root))
