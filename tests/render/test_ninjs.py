"""ninjs 2.2 rendering: every document validates, and the key values say what the version says."""

from __future__ import annotations

import dataclasses
import json

import pytest

from newswire.domain.release import PublishedVersion
from newswire.render.ninjs import ninjs_bytes, render_ninjs
from newswire.taxonomy import get_industry
from standards import validate_ninjs

GUID = "urn:newswire:release:01HXRELEASE0000000000000001"


def rendered(version: PublishedVersion) -> dict:
    doc = render_ninjs(version)
    validate_ninjs(doc)
    return doc


def by_role(items: list[dict], role: str) -> dict:
    return next(item for item in items if item.get("role") == role)


def genre_uris(doc: dict) -> list[str]:
    return [g["uri"] for g in doc["genres"]]


def test_full_original(original):
    doc = rendered(original)
    assert doc["uri"] == GUID
    assert doc["type"] == "text"
    assert doc["version"] == "1"
    assert doc["standard"]["version"] == "2.2"
    assert doc["firstcreated"] == doc["versioncreated"] == "2024-05-14T09:00:00Z"
    assert doc["pubstatus"] == "usable"
    assert doc["urgency"] == 5
    assert doc["language"] == "en"
    assert "embargoed" not in doc
    assert by_role(doc["headlines"], "main")["value"] == original.content.headline
    assert by_role(doc["headlines"], "sub")["value"] == original.content.subheadline
    main = by_role(doc["bodies"], "main")
    assert main == {"role": "main", "contenttype": "text/html", "value": original.content.body_html}
    assert by_role(doc["bodies"], "boilerplate")["value"].startswith("About Acme Bank")
    assert doc["by"] == doc["copyrightholder"] == "Acme Bank AG"
    assert doc["located"] == "Berlin, Germany"
    assert doc["renditions"] == [
        {"name": "web", "href": original.canonical_url, "contenttype": "text/html"}
    ]
    assert "ednote" not in doc


def industry_subjects(doc: dict) -> list[dict]:
    return [s for s in doc.get("subjects", ()) if s.get("rel") != "keyword"]


def test_subjects_are_media_topics_in_the_release_language(original):
    doc = rendered(original)
    banking = get_industry("banking")
    assert [s["literal"] for s in industry_subjects(doc)] == [
        banking.medtop,
        get_industry("renewable-energy").medtop,
    ]
    assert doc["subjects"][0] == {
        "name": banking.label("en"),
        "uri": banking.uri,
        "literal": banking.medtop,
    }
    assert banking.uri == "http://cv.iptc.org/newscodes/mediatopic/" + banking.medtop[7:]


def test_places_countries_and_groups(original):
    places = rendered(original)["places"]
    assert places[0] == {
        "name": "Germany",
        "uri": "http://cvx.iptc.org/iso3166-1a2/DE",
        "literal": "DE",
    }
    assert places[1] == {
        "name": "European Union",
        "uri": "urn:newswire:region:EU",
        "literal": "EU",
    }


def test_genres_sections_and_kind(original):
    doc = rendered(original)
    assert genre_uris(doc) == [
        "urn:newswire:genre:press-release",
        "urn:newswire:section:daily-news",
        "urn:newswire:section:business",
    ]
    assert [g["name"] for g in doc["genres"]] == ["Press release", "Daily news", "Business"]


def test_issuer_tickers_contacts_and_wire(original):
    doc = rendered(original)
    [organisation] = doc["organisations"]
    assert organisation["name"] == "Acme Bank AG"
    assert organisation["symbols"] == [
        {"ticker": "ACME", "exchange": "NASDAQ", "symbol": "NASDAQ:ACME"},
        {"ticker": "ACM", "exchange": "XETRA", "symbol": "XETRA:ACM"},
    ]
    issuer, wire = doc["infosources"]
    assert issuer["name"] == "Acme Bank AG"
    assert issuer["uri"] == "https://acme.example"
    assert {"type": "email", "value": "press@acme.example"}.items() <= issuer["contactinfo"][
        0
    ].items()
    assert "Jane Doe" in issuer["contactinfo"][0]["name"]
    assert [c["value"] for c in issuer["contactinfo"]] == [
        "press@acme.example",
        "+49 30 1234567",
        "max@acme.example",
    ]  # a contact with neither email nor phone has nothing to list
    assert wire == {"name": "Example Newswire", "role": "distributor"}
    # ninjs 2.2 has no keywords property: they are subjects with rel "keyword"
    assert [s for s in doc["subjects"] if s.get("rel") == "keyword"] == [
        {"name": "data centre", "rel": "keyword"},
        {"name": "solar", "rel": "keyword"},
        {"name": "sustainability", "rel": "keyword"},
    ]


def test_image_associations_carry_alt_text(original):
    photo, logo = rendered(original)["associations"]
    assert photo["type"] == "picture"
    assert photo["uri"] == "https://cdn.acme.example/img/datacentre.jpg"
    assert by_role(photo["descriptions"], "alt")["value"].startswith("Rows of solar panels")
    assert by_role(photo["descriptions"], "caption")["value"].startswith("The new data centre")
    assert photo["renditions"][0]["width"] == 1600
    assert logo["type"] == "graphic"
    assert logo["uri"] == "https://wire.example/media/acme-logo.svg"  # resolved against the page
    assert by_role(logo["descriptions"], "alt")["value"] == "Acme Bank logo"


def test_minimal(minimal):
    doc = rendered(minimal)
    assert doc["language"] == "fr"
    assert [h["role"] for h in doc["headlines"]] == ["main"]
    assert [b["role"] for b in doc["bodies"]] == ["main"]
    for key in ("subjects", "places", "associations", "embargoed", "descriptions", "ednote"):
        assert key not in doc
    assert "contactinfo" not in doc["infosources"][0]
    assert "uri" not in doc["infosources"][0]  # the issuer has no website
    assert "symbols" not in doc["organisations"][0]
    assert genre_uris(doc) == ["urn:newswire:genre:press-release"]
    assert doc["located"] == "Paris, France"


def test_without_canonical_url(minimal):
    doc = rendered(dataclasses.replace(minimal, canonical_url=""))
    assert doc["uri"] == "urn:newswire:release:01HXRELEASE0000000000000001"
    assert "renditions" not in doc


def test_embargoed(embargoed):
    doc = rendered(embargoed)
    assert doc["embargoed"] == "2024-05-15T06:00:00Z"
    assert doc["ednote"] == "Embargoed until 2024-05-15T06:00:00Z."
    assert doc["pubstatus"] == "usable"


def test_correction_links_the_version_it_amends(correction):
    doc = rendered(correction)
    assert doc["uri"] == GUID  # same item, next version
    assert doc["version"] == "2"
    assert doc["versioncreated"] == "2024-05-14T11:30:15Z"
    assert doc["firstcreated"] == "2024-05-14T09:00:00Z"
    assert doc["pubstatus"] == "usable"
    assert doc["urgency"] == 5
    assert "urn:newswire:genre:correction" in genre_uris(doc)
    amends = next(a for a in doc["associations"] if a["name"] == "amends")
    assert amends["uri"] == GUID
    assert amends["version"] == "1"
    assert amends["renditions"][0]["href"].endswith("/01HXRELEASE0000000000000001/v1")
    assert doc["ednote"].startswith("Correction of version 1: Corrects the site's capacity")
    assert doc["descriptions"] == [
        {"role": "correction", "contenttype": "text/plain", "value": correction.reason}
    ]


def test_retraction_is_canceled(retraction):
    doc = rendered(retraction)
    assert doc["pubstatus"] == "canceled"
    assert doc["version"] == "3"
    assert doc["urgency"] == 2
    assert "urn:newswire:genre:retraction" in genre_uris(doc)
    amends = next(a for a in doc["associations"] if a["name"] == "amends")
    assert amends["version"] == "2"
    assert doc["ednote"] == "Retraction of version 2: Released in error."


def test_top_story_is_urgent(top_story, make_version):
    doc = rendered(top_story)
    assert doc["urgency"] == 2
    assert genre_uris(doc)[1] == "urn:newswire:section:top-story"
    # the flag alone is enough, and it still shows as a section
    flagged = rendered(make_version(top_story=True, sections=("business",)))
    assert flagged["urgency"] == 2
    assert "urn:newswire:section:top-story" in genre_uris(flagged)


def test_non_latin_languages(non_latin):
    doc = rendered(non_latin)
    content = non_latin.content
    lang = content.language
    assert doc["language"] == lang
    assert by_role(doc["headlines"], "main")["value"] == content.headline
    subjects = industry_subjects(doc)
    assert [s["literal"] for s in subjects] == [
        get_industry(slug).medtop for slug in content.industries
    ]
    assert [s["name"] for s in subjects] == [
        get_industry(slug).label(lang) for slug in content.industries
    ]
    assert all(not s["name"].isascii() for s in subjects)  # labelled in the language
    assert doc["located"].startswith(content.dateline.city + ", ")
    assert not doc["located"].isascii()
    raw = ninjs_bytes(non_latin)
    assert content.headline.encode("utf-8") in raw  # UTF-8, not \u escapes


def test_bytes_are_stable_utf8_json(original, correction):
    raw = ninjs_bytes(original)
    assert raw == ninjs_bytes(original)
    assert json.loads(raw.decode("utf-8")) == render_ninjs(original)
    assert list(json.loads(raw)) == sorted(json.loads(raw))
    assert "–".encode() in raw
    assert ninjs_bytes(correction) != raw


def test_the_validator_rejects_what_ninjs_2_2_does_not_allow(original):
    doc = render_ninjs(original)
    with pytest.raises(pytest.fail.Exception, match="keywords"):
        validate_ninjs({**doc, "keywords": ["not in 2.2"]})
    with pytest.raises(pytest.fail.Exception, match="date-time"):
        validate_ninjs({**doc, "versioncreated": "14 May 2024"})
    with pytest.raises(pytest.fail.Exception, match="geojson"):
        validate_ninjs({**doc, "places": [{"name": "x", "geojson": {"type": "Nowhere"}}]})
