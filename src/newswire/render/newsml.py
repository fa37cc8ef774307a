"""Render a published version as an IPTC NewsML-G2 2.35 ``newsItem`` (Power conformance).

The item says what `newswire.render.ninjs` says, in G2's terms:

- ``guid`` is the release's URN and ``version`` the version number; a correction or retraction is
  the same item at a higher version, with ``signal sig:correction`` (corrections),
  ``pubStatus stat:canceled`` (retractions), an ``edNote`` with the reason, and a ``link`` with
  ``rel="nwrel:amends"`` to the amended version (``residref`` = guid, ``version`` = its number).
- IPTC vocabularies come from the IPTC catalog (medtop, ninat, stat, sig, cpnat, cptype,
  iso3166-1a2); the wire's own schemes (genres, sections, issuers, region groups, relations,
  headline roles) are declared in an inline ``catalog`` under ``urn:newswire:``.
- tickers are ``hasInstrument`` entries of an ``assert`` about the issuer, who is also the
  ``creator`` (with the media contacts), the ``infoSource`` and a ``subject`` (cpnat:organisation).
- the body is XHTML in ``inlineXML``: the sanitized HTML, re-parsed and re-serialised as XML in the
  XHTML namespace, followed by the boilerplate.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from newswire.domain.release import Contact, PublishedVersion, VersionKind
from newswire.render.ninjs import (
    GENRE_SCHEME,
    ISSUER_SCHEME,
    REGION_SCHEME,
    SECTION_SCHEME,
    URN_PREFIX,
    absolute_url,
    amended_url,
    attachment_type,
    contact_label,
    dateline_text,
    editorial_note,
    genres,
    industries,
    is_absolute_uri,
    is_rtl,
    item_guid,
    keywords,
    one_line,
    pubstatus,
    region_label,
    regions,
    rfc3339,
    split_ticker,
    urgency,
)

NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STANDARD_VERSION = "2.35"
IPTC_CATALOG = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_32.xml"

REL_SCHEME = URN_PREFIX + "rel:"
ROLE_SCHEME = URN_PREFIX + "role:"
# alias -> URI of the wire's own schemes; a QCode alias:code stands for the URI + code
WIRE_SCHEMES = {
    "nwgenre": GENRE_SCHEME,
    "nwsection": SECTION_SCHEME,
    "nwissuer": ISSUER_SCHEME,
    "nwregion": REGION_SCHEME,
    "nwrel": REL_SCHEME,
    "nwrole": ROLE_SCHEME,
}
_SCHEME_ALIASES = {uri: alias for alias, uri in WIRE_SCHEMES.items()}

# XML 1.0 forbids most C0 controls (and lxml refuses them); drop them from every text we write.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _qcode(uri: str) -> str:
    """A wire-scheme URI as a QCode: ``urn:newswire:genre:x`` -> ``nwgenre:x``."""
    for scheme, alias in _SCHEME_ALIASES.items():
        if uri.startswith(scheme):
            return f"{alias}:{uri[len(scheme) :]}"
    raise ValueError(f"no scheme alias for {uri!r}")


def _el(parent: etree._Element, name: str, text: str | None = None, /, **attrib: str):
    element = etree.SubElement(parent, f"{{{NAR}}}{name}")
    for key, value in attrib.items():
        element.set(XML_LANG if key == "xml_lang" else key, _clean(value))
    if text is not None:
        element.text = _clean(text)
    return element


def _name(parent: etree._Element, text: str, lang: str | None = None):
    if lang:
        return _el(parent, "name", one_line(text), xml_lang=lang)
    return _el(parent, "name", one_line(text))


# ---------------------------------------------------------------- XHTML body


def _copy_html(source: lxml.html.HtmlElement, target: etree._Element) -> None:
    """Copy an HTML tree's children into ``target`` as XHTML elements."""
    target.text = _clean(source.text or "")
    for child in source:
        if not isinstance(child.tag, str):  # comments, processing instructions
            if len(target):
                last = target[-1]
                last.tail = (last.tail or "") + _clean(child.tail or "")
            else:
                target.text += _clean(child.tail or "")
            continue
        tag = child.tag.lower() if _XML_NAME.match(child.tag) else "span"
        element = etree.SubElement(target, f"{{{XHTML}}}{tag}")
        for key, value in child.attrib.items():
            if _XML_NAME.match(key) and ":" not in key:
                element.set(key.lower(), _clean(value))
        _copy_html(child, element)
        element.tail = _clean(child.tail or "")


def _html_div(parent: etree._Element, html: str, css_class: str) -> None:
    div = etree.SubElement(parent, f"{{{XHTML}}}div", {"class": css_class})
    if html.strip():
        _copy_html(lxml.html.fragment_fromstring(html, create_parent="div"), div)


def _xhtml(version: PublishedVersion) -> etree._Element:
    content = version.content
    lang = content.language
    html = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML})
    html.set("lang", lang)
    html.set(XML_LANG, lang)
    if is_rtl(lang):
        html.set("dir", "rtl")
    head = etree.SubElement(html, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}title").text = _clean(one_line(content.headline))
    body = etree.SubElement(html, f"{{{XHTML}}}body")
    etree.SubElement(body, f"{{{XHTML}}}h1").text = _clean(one_line(content.headline))
    if content.subheadline:
        etree.SubElement(body, f"{{{XHTML}}}h2").text = _clean(one_line(content.subheadline))
    _html_div(body, content.body_html, "body")
    if content.boilerplate:
        div = etree.SubElement(body, f"{{{XHTML}}}div", {"class": "boilerplate"})
        for para in content.boilerplate.split("\n\n"):
            if para.strip():
                etree.SubElement(div, f"{{{XHTML}}}p").text = _clean(para.strip())
    for attachment in content.attachments:
        if attachment_type(attachment) in ("picture", "graphic"):
            etree.SubElement(
                body,
                f"{{{XHTML}}}img",
                {"src": absolute_url(version, attachment.url), "alt": _clean(attachment.alt)},
            )
    return html


# ---------------------------------------------------------------- newsItem


def _catalog(item: etree._Element) -> None:
    _el(item, "catalogRef", href=IPTC_CATALOG)
    catalog = _el(item, "catalog")
    for alias, uri in WIRE_SCHEMES.items():
        _el(catalog, "scheme", alias=alias, uri=uri)


def _contact_info(parent: etree._Element, contact: Contact) -> None:
    info = _el(parent, "contactInfo")
    if contact.email:
        _el(info, "email", one_line(contact.email))
    if contact.phone:
        _el(info, "phone", one_line(contact.phone))
    _el(info, "note", contact_label(contact))


def _issuer(parent: etree._Element, tag: str, version: PublishedVersion, *, details: bool):
    issuer = version.issuer
    element = _el(parent, tag, qcode=_qcode(ISSUER_SCHEME + issuer.slug))
    _name(element, issuer.name)
    contacts = [c for c in version.content.contacts if c.email or c.phone]
    website = issuer.website if is_absolute_uri(issuer.website) else None
    if details and (contacts or website):
        org = _el(element, "organisationDetails")
        for contact in contacts:
            _contact_info(org, contact)
        if website:
            _el(_el(org, "contactInfo"), "web", website)
    return element


def _item_meta(item: etree._Element, version: PublishedVersion) -> None:
    meta = _el(item, "itemMeta")
    _el(meta, "itemClass", qcode="ninat:text")
    _name(_el(meta, "provider", literal=one_line(version.wire_name)), version.wire_name)
    _el(meta, "versionCreated", rfc3339(version.published_at))
    _el(meta, "firstCreated", rfc3339(version.first_published_at))
    if version.content.embargo_until is not None:
        _el(meta, "embargoed", rfc3339(version.content.embargo_until))
    _el(meta, "pubStatus", qcode=f"stat:{pubstatus(version)}")
    _el(meta, "title", one_line(version.content.headline))
    note = editorial_note(version)
    if note:
        _el(meta, "edNote", note)
    if version.kind is VersionKind.CORRECTION:
        _el(meta, "signal", qcode="sig:correction")
    if version.amends is not None:
        link = _el(
            meta,
            "link",
            rel=_qcode(REL_SCHEME + "amends"),
            residref=item_guid(version),
            version=str(version.amends),
            contenttype="application/vnd.iptc.g2.newsitem+xml",
        )
        page = amended_url(version)
        if page:
            link.set("href", page)
    if version.canonical_url:
        _el(
            meta,
            "link",
            rel="irel:seeAlso",
            href=version.canonical_url,
            contenttype="text/html",
        )
    if version.extra.get("signature_url"):  # the wire's signature over this item (ninjs too)
        _el(
            meta,
            "link",
            rel=_qcode(REL_SCHEME + "signature"),
            href=version.extra["signature_url"],
            contenttype="application/json",
        )


def _content_meta(item: etree._Element, version: PublishedVersion) -> None:
    content = version.content
    lang = content.language
    meta = _el(item, "contentMeta")
    _el(meta, "urgency", str(urgency(version)))
    _el(meta, "contentCreated", content.dateline.date.isoformat())
    if version.number > 1:
        _el(meta, "contentModified", rfc3339(version.published_at))

    place = _el(meta, "located", type="cptype:city")
    _name(place, content.dateline.city)
    country = _el(
        place,
        "broader",
        type="cptype:country",
        qcode=f"iso3166-1a2:{content.dateline.country.upper()}",
    )
    _name(country, region_label(content.dateline.country, lang))

    _issuer(meta, "infoSource", version, details=False)
    _issuer(meta, "creator", version, details=True)

    _el(meta, "language", tag=lang)
    for genre in genres(version):
        _name(_el(meta, "genre", qcode=_qcode(genre["uri"])), genre["name"], lang="en")
    for keyword in keywords(version):
        _el(meta, "keyword", keyword)
    for name, _uri, qcode in industries(version):
        subject = _el(meta, "subject", type="cpnat:abstract", qcode=qcode)
        _name(subject, name, lang=lang)
    for code, name, iso in regions(version):
        qcode = f"iso3166-1a2:{iso}" if iso else _qcode(REGION_SCHEME + code)
        _name(_el(meta, "subject", type="cpnat:geoArea", qcode=qcode), name, lang=lang)
    organisation = _el(
        meta,
        "subject",
        type="cpnat:organisation",
        qcode=_qcode(ISSUER_SCHEME + version.issuer.slug),
    )
    _name(organisation, version.issuer.name)
    _el(meta, "headline", one_line(content.headline))
    if content.subheadline:
        _el(
            meta,
            "headline",
            one_line(content.subheadline),
            role=_qcode(ROLE_SCHEME + "subheadline"),
        )
    _el(meta, "dateline", dateline_text(version))
    _el(meta, "by", one_line(version.issuer.name))
    if version.reason and version.kind is not VersionKind.ORIGINAL:
        _el(meta, "description", version.reason, role=_qcode(ROLE_SCHEME + str(version.kind)))


def _assert_tickers(item: etree._Element, version: PublishedVersion) -> None:
    tickers = list(dict.fromkeys(t for t in version.content.tickers if t.strip()))
    if not tickers:
        return
    concept = _el(item, "assert", qcode=_qcode(ISSUER_SCHEME + version.issuer.slug))
    for ticker in tickers:
        exchange, symbol = split_ticker(ticker)
        attrib = {"symbol": symbol}
        if exchange:
            attrib["marketlabel"] = exchange
        _el(concept, "hasInstrument", **attrib)


def newsml_tree(version: PublishedVersion) -> etree._Element:
    """The ``newsItem`` element (see `render_newsml`)."""
    lang = version.content.language
    item = etree.Element(
        f"{{{NAR}}}newsItem",
        nsmap={None: NAR},
        guid=item_guid(version),
        version=str(version.number),
        standard="NewsML-G2",
        standardversion=STANDARD_VERSION,
        conformance="power",
    )
    item.set(XML_LANG, lang)
    _catalog(item)
    rights = _el(item, "rightsInfo")
    _name(
        _el(rights, "copyrightHolder", qcode=_qcode(ISSUER_SCHEME + version.issuer.slug)),
        version.issuer.name,
    )
    _item_meta(item, version)
    _content_meta(item, version)
    _assert_tickers(item, version)
    content_set = _el(item, "contentSet")
    inline = _el(content_set, "inlineXML", contenttype="application/xhtml+xml")
    inline.set(XML_LANG, lang)
    inline.append(_xhtml(version))
    return item


def render_newsml(version: PublishedVersion) -> bytes:
    """A NewsML-G2 2.35 ``newsItem`` for one published version: UTF-8 XML with a declaration."""
    return etree.tostring(newsml_tree(version), xml_declaration=True, encoding="UTF-8")
