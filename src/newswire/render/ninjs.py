"""Render a published version as an IPTC ninjs 2.2 document (News in JSON).

Schema: https://www.iptc.org/std/ninjs/ninjs-schema_2.2.json (copy in shared/data/standards/ninjs).
The NewsML-G2 renderer (`newswire.render.newsml`) shares the mapping helpers defined here, so that
both formats say the same thing about a version: same identifier, urgency, genres, places, tickers.

Mapping decisions (see also `render_ninjs`):

- ``uri`` is the release's stable URN (``urn:newswire:release:<id>``, the NewsML-G2 guid) and
  ``version`` the version number: in ninjs (as in G2) ``version`` qualifies the object that ``uri``
  identifies, so a correction must keep the uri and raise the version for receivers to replace the
  item they hold. The version's own web page (``canonical_url``) is a ``text/html`` rendition.
- ``urgency`` follows the IPTC urgency scale (1 most urgent, 5 normal, 9 least): see `urgency`.
- genres: every item is a press release; corrections and retractions carry a second genre; the
  desk's sections follow, each under the wire's own ``urn:newswire:`` schemes.
- subjects: one per industry, in the release's language, with the Media Topic URI and the QCode
  (ninjs 2.2 subjects have no ``code`` property: the QCode goes in ``literal``).
- tickers: ``organisations[0]`` is the issuer, with one ``symbols`` entry per ticker (the
  release's, then those the desk confirmed for the issuer).
- verified issuer: each domain the issuer proved is a ``contactinfo`` entry of
  ``organisations[0]`` with ``type`` ``domain`` and ``role`` ``urn:newswire:trust:verified-domain``
  (ninjs 2.2 organisations have no other place for it); confirmed tickers are ``symbols``.
- a correction or retraction links the version it amends as an association named ``amends``
  (same uri, the amended version number) and explains itself in ``ednote`` and ``descriptions``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from babel.dates import format_date

from newswire.domain.release import Attachment, Contact, PublishedVersion, Section, VersionKind
from newswire.provenance.terms import SIGNATURE_ROLE, VERIFY_ROLE
from newswire.taxonomy import (
    REGION_GROUPS,
    babel_locale,
    get_industry,
    normalize_region,
    region_name,
)

NINJS_VERSION = "2.2"
NINJS_SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"

URN_PREFIX = "urn:newswire:"
GENRE_SCHEME = URN_PREFIX + "genre:"
SECTION_SCHEME = URN_PREFIX + "section:"
ISSUER_SCHEME = URN_PREFIX + "issuer:"
REGION_SCHEME = URN_PREFIX + "region:"
ISO3166_URI = "http://cvx.iptc.org/iso3166-1a2/"  # the URI of IPTC's iso3166-1a2 QCode scheme

# IPTC urgency: 1 is the most urgent and 9 the least; 5 is the scale's "normal". Nothing a press
# wire carries is a flash (1), but the desk's top story and a retraction (which must reach everyone
# who received the release, now) are "high" (2); everything else is normal (5).
URGENCY_HIGH = 2
URGENCY_NORMAL = 5

_SECTION_NAMES = {
    Section.TOP_STORY: "Top story",
    Section.DAILY_NEWS: "Daily news",
    Section.FEATURE: "Feature",
    Section.BUSINESS: "Business",
}
_KIND_GENRE_NAMES = {
    VersionKind.CORRECTION: "Correction",
    VersionKind.RETRACTION: "Retraction",
}


# ---------------------------------------------------------------- helpers shared with newsml


def item_guid(version: PublishedVersion) -> str:
    """The identifier common to every version of a release (ninjs uri, NewsML-G2 guid)."""
    return f"{URN_PREFIX}release:{version.release_id}"


def rfc3339(moment: datetime) -> str:
    """A UTC timestamp, second precision, ``Z`` suffix; naive values are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def urgency(version: PublishedVersion) -> int:
    """IPTC urgency (see URGENCY_HIGH)."""
    if version.top_story or version.kind is VersionKind.RETRACTION:
        return URGENCY_HIGH
    return URGENCY_NORMAL


def pubstatus(version: PublishedVersion) -> str:
    """``canceled`` for a retraction (IPTC pubStatus), else ``usable``."""
    return "canceled" if version.kind is VersionKind.RETRACTION else "usable"


def one_line(text: str) -> str:
    """Collapse all whitespace runs to single spaces (headlines, names, keywords)."""
    return " ".join(text.split())


def is_absolute_uri(value: str | None) -> bool:
    if not value:
        return False
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.scheme in ("urn", "mailto", "tag"))


def absolute_url(version: PublishedVersion, url: str) -> str:
    """Attachment URLs may be relative to the wire; resolve them against the version's page."""
    if is_absolute_uri(url) or not version.canonical_url:
        return url
    return urljoin(version.canonical_url, url)


def amended_url(version: PublishedVersion) -> str | None:
    """The page of the amended version when the canonical URL follows ``.../v<number>``."""
    suffix = f"/v{version.number}"
    if version.amends is None or not version.canonical_url.endswith(suffix):
        return None
    return version.canonical_url[: -len(suffix)] + f"/v{version.amends}"


def editorial_note(version: PublishedVersion) -> str | None:
    """The note to the receiving desk: the embargo, then what a correction or retraction does."""
    notes = []
    if version.content.embargo_until is not None:
        notes.append(f"Embargoed until {rfc3339(version.content.embargo_until)}.")
    if version.kind is not VersionKind.ORIGINAL:
        what = _KIND_GENRE_NAMES[version.kind]
        target = f" of version {version.amends}" if version.amends is not None else ""
        notes.append(f"{what}{target}" + (f": {version.reason}" if version.reason else "."))
    return " ".join(notes) or None


def genres(version: PublishedVersion) -> list[dict[str, str]]:
    """Press release, then correction/retraction, then the desk's sections (as name + uri)."""
    out = [{"name": "Press release", "uri": GENRE_SCHEME + "press-release"}]
    if version.kind in _KIND_GENRE_NAMES:
        out.append({"name": _KIND_GENRE_NAMES[version.kind], "uri": GENRE_SCHEME + version.kind})
    sections = list(version.sections)
    if version.top_story and Section.TOP_STORY not in sections:
        sections.insert(0, Section.TOP_STORY)
    for slug in dict.fromkeys(sections):
        name = _SECTION_NAMES.get(slug) or slug.replace("-", " ").replace("_", " ").capitalize()
        out.append({"name": name, "uri": SECTION_SCHEME + slug})
    return out


def industries(version: PublishedVersion) -> Iterator[tuple[str, str, str]]:
    """(name in the release language, Media Topic URI, QCode) per industry."""
    lang = version.content.language
    for slug in dict.fromkeys(version.content.industries):
        industry = get_industry(slug)
        yield industry.label(lang), industry.uri, industry.medtop


def region_label(code: str, lang: str) -> str:
    """The region's name in `lang`; the code itself for a region the taxonomy does not know."""
    try:
        return region_name(code, lang)
    except ValueError:
        return code


def country_code(code: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a region stands for (``uk`` -> ``GB``); None for a group."""
    try:
        key = normalize_region(code)
    except ValueError:
        key = code.strip().upper()
        return key if len(key) == 2 and key.isalpha() else None
    return None if key in REGION_GROUPS else key


def regions(version: PublishedVersion) -> Iterator[tuple[str, str, str | None]]:
    """(code, name in the release language, ISO country code or None for a group) per region."""
    lang = version.content.language
    for code in dict.fromkeys(version.content.regions):
        yield code, region_label(code, lang), country_code(code)


def keywords(version: PublishedVersion) -> list[str]:
    return list(dict.fromkeys(one_line(k) for k in version.content.keywords if k.strip()))


def split_ticker(ticker: str) -> tuple[str | None, str]:
    """``"NASDAQ:ACME"`` -> ``("NASDAQ", "ACME")``; a bare symbol has no exchange."""
    exchange, sep, symbol = ticker.strip().partition(":")
    if not sep:
        return None, exchange
    return exchange.strip() or None, symbol.strip()


def located(version: PublishedVersion) -> str:
    dl = version.content.dateline
    return f"{dl.city}, {region_label(dl.country, version.content.language)}"


def localized_date(day: date, lang: str) -> str:
    return format_date(day, format="long", locale=babel_locale(lang))


def is_rtl(lang: str) -> bool:
    return babel_locale(lang).character_order == "right-to-left"


def dateline_text(version: PublishedVersion) -> str:
    """``"Berlin, 14. Mai 2024"``: the place and date the way the release's language writes them."""
    dl = version.content.dateline
    return f"{dl.city}, {localized_date(dl.date, version.content.language)}"


def contact_label(contact: Contact) -> str:
    return ", ".join(part for part in (contact.name, contact.role, contact.organization) if part)


def attachment_type(attachment: Attachment) -> str:
    media = attachment.media_type.lower()
    if media == "image/svg+xml":
        return "graphic"
    for prefix, kind in (("image/", "picture"), ("video/", "video"), ("audio/", "audio")):
        if media.startswith(prefix):
            return kind
    return "component"


# ---------------------------------------------------------------- ninjs


def _contactinfo(contacts: tuple[Contact, ...]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for contact in contacts:
        label = contact_label(contact)
        if contact.email:
            out.append({"type": "email", "name": label, "value": contact.email})
        if contact.phone:
            out.append({"type": "phone", "name": label, "value": contact.phone})
    return out


def _association(version: PublishedVersion, index: int, attachment: Attachment) -> dict[str, Any]:
    url = absolute_url(version, attachment.url)
    rendition: dict[str, Any] = {
        "name": "original",
        "href": url,
        "contenttype": attachment.media_type,
    }
    if attachment.width:
        rendition["width"] = attachment.width
    if attachment.height:
        rendition["height"] = attachment.height
    descriptions = [{"role": "alt", "contenttype": "text/plain", "value": attachment.alt}]
    assoc: dict[str, Any] = {
        "name": f"media{index}",
        "uri": url,
        "type": attachment_type(attachment),
        "language": version.content.language,
        "descriptions": descriptions,
        "renditions": [rendition],
    }
    if attachment.caption:
        descriptions.append(
            {"role": "caption", "contenttype": "text/plain", "value": attachment.caption}
        )
        assoc["headlines"] = [{"role": "main", "value": one_line(attachment.caption)}]
    return assoc


def _amends_association(version: PublishedVersion) -> dict[str, Any]:
    assoc: dict[str, Any] = {
        "name": "amends",
        "uri": item_guid(version),
        "type": "text",
        "version": str(version.amends),
    }
    page = amended_url(version)
    if page:
        assoc["renditions"] = [{"name": "web", "href": page, "contenttype": "text/html"}]
    return assoc


def render_ninjs(version: PublishedVersion) -> dict[str, Any]:
    """A ninjs 2.2 document for one published version (JSON-ready dict)."""
    content = version.content
    lang = content.language
    doc: dict[str, Any] = {
        "uri": item_guid(version),
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": NINJS_SCHEMA_URI},
        "type": "text",
        "representationtype": "full",
        "version": str(version.number),
        "firstcreated": rfc3339(version.first_published_at),
        "versioncreated": rfc3339(version.published_at),
        "pubstatus": pubstatus(version),
        "urgency": urgency(version),
        "language": lang,
    }
    if content.embargo_until is not None:
        doc["embargoed"] = rfc3339(content.embargo_until)
    doc["altids"] = [{"role": "release-id", "value": version.release_id}]

    headlines = [{"role": "main", "contenttype": "text/plain", "value": one_line(content.headline)}]
    if content.subheadline:
        headlines.append(
            {"role": "sub", "contenttype": "text/plain", "value": one_line(content.subheadline)}
        )
    doc["headlines"] = headlines

    bodies = [{"role": "main", "contenttype": "text/html", "value": content.body_html}]
    if content.boilerplate:
        bodies.append(
            {"role": "boilerplate", "contenttype": "text/plain", "value": content.boilerplate}
        )
    doc["bodies"] = bodies

    note = editorial_note(version)
    if note:
        doc["ednote"] = note
    if version.kind is not VersionKind.ORIGINAL and version.reason:
        doc["descriptions"] = [
            {"role": str(version.kind), "contenttype": "text/plain", "value": version.reason}
        ]

    doc["genres"] = genres(version)
    doc["by"] = version.issuer.name
    doc["copyrightholder"] = version.issuer.name
    doc["located"] = located(version)

    issuer_source: dict[str, Any] = {
        "name": version.issuer.name,
        "role": "originator",
        "literal": version.issuer.slug,
    }
    if is_absolute_uri(version.issuer.website):
        issuer_source["uri"] = version.issuer.website
    contactinfo = _contactinfo(content.contacts)
    if contactinfo:
        issuer_source["contactinfo"] = contactinfo
    doc["infosources"] = [issuer_source, {"name": version.wire_name, "role": "distributor"}]

    subjects: list[dict[str, str]] = [
        {"name": name, "uri": uri, "literal": qcode} for name, uri, qcode in industries(version)
    ]
    # ninjs 2.x has no keywords property (iptc/newsinjson#20): the issuer's free keywords are
    # uncontrolled subjects, a name and no uri, told apart from industries by rel "keyword".
    subjects += [{"name": keyword, "rel": "keyword"} for keyword in keywords(version)]
    if subjects:
        doc["subjects"] = subjects

    places = []
    for code, name, iso in regions(version):
        if iso:
            places.append({"name": name, "uri": ISO3166_URI + iso, "literal": iso})
        else:
            places.append({"name": name, "uri": REGION_SCHEME + code, "literal": code})
    if places:
        doc["places"] = places

    organisation: dict[str, Any] = {
        "name": version.issuer.name,
        "rel": "issuer",
        "uri": ISSUER_SCHEME + version.issuer.slug,
    }
    symbols = []
    for ticker in dict.fromkeys((*content.tickers, *version.issuer.tickers)):
        exchange, symbol = split_ticker(ticker)
        entry = {"ticker": symbol, "symbol": ticker.strip()}
        if exchange:
            entry["exchange"] = exchange
        symbols.append(entry)
    if symbols:
        organisation["symbols"] = symbols
    if version.issuer.domains:
        organisation["contactinfo"] = [
            {"type": "domain", "role": VERIFIED_DOMAIN_ROLE, "name": "Verified domain", "value": d}
            for d in version.issuer.domains
        ]
    doc["organisations"] = [organisation]

    associations = [
        _association(version, i, attachment)
        for i, attachment in enumerate(content.attachments, start=1)
    ]
    if version.amends is not None:
        associations.append(_amends_association(version))
    if associations:
        doc["associations"] = associations

    if version.canonical_url:
        doc["renditions"] = [
            {"name": "web", "href": version.canonical_url, "contenttype": "text/html"}
        ]
    indicators = trust_indicators(version)
    if indicators:
        doc["trustindicators"] = indicators
    return doc


VERIFIED_DOMAIN_ROLE = URN_PREFIX + "trust:verified-domain"


def issuer_claims_in_ninjs(text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The verified domains and confirmed tickers a frozen version's ninjs carries (an edition
    shows its version's, as they were when the version was frozen)."""
    try:
        organisation = json.loads(text or "{}").get("organisations", [{}])[0]
    except (ValueError, IndexError, AttributeError):
        return (), ()
    domains = tuple(
        c["value"]
        for c in organisation.get("contactinfo", ())
        if c.get("role") == VERIFIED_DOMAIN_ROLE and c.get("value")
    )
    # the symbols are the release's tickers and the confirmed ones together; an edition's
    # symbols come out the same either way
    tickers = tuple(s["symbol"] for s in organisation.get("symbols", ()) if s.get("symbol"))
    return domains, tickers


def trust_indicators(version: PublishedVersion) -> list[dict[str, str]]:
    """Where the wire's signature over this document is, and where anyone can check it
    (``extra["signature_url"]``, ``extra["verify_url"]``, set when the version is frozen)."""
    found = []
    if version.extra.get("signature_url"):
        found.append(
            {
                "role": SIGNATURE_ROLE,
                "title": f"Signature of this document by {version.wire_name}",
                "href": version.extra["signature_url"],
            }
        )
    if version.extra.get("verify_url"):
        found.append(
            {
                "role": VERIFY_ROLE,
                "title": f"Verify this document with {version.wire_name}",
                "href": version.extra["verify_url"],
            }
        )
    return found


def ninjs_bytes(version: PublishedVersion) -> bytes:
    """`render_ninjs` as UTF-8 JSON with sorted keys: a version always gives the same bytes."""
    return json.dumps(
        render_ninjs(version), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")
