"""Verified issuers (pure rules, no I/O): what an organization proves it speaks for, and the
impersonation rule of the review check.

An organization proves a domain by publishing a token: a DNS TXT record
``newswire-verification=<token>`` on the domain, or the same line in the file
``https://<domain>/.well-known/newswire-verification.txt``. Domains are kept in their ASCII
(IDNA, UTS #46) form, lower case, without a trailing dot; a verified domain covers its
subdomains (``press.acme.com`` is under ``acme.com``). Tickers are ``EXCHANGE:SYMBOL``.

The impersonation rule (`impersonation_findings`) looks where a release says who speaks, not at
every mention: the headline, the issuer line (the body's first sentence, "ACME Inc. (NASDAQ:
ACME) today announced"), the media contacts (names, organizations, e-mail domains) and the
attributions of quotes ("said Jane Doe, CEO of Walmart", outside the quotation marks).

- If another verified organization speaks in the headline or the issuer line (its name, a
  ticker or domain of its own) and the issuer does not, the release reads as the other
  organization's announcement: blocked. If another's people speak in the contacts or quotes
  and the issuer speaks nowhere: blocked too. A genuine partnership names the issuer there as
  well ("Acme and Walmart announce ..."), and passes.
- A ticker the release claims for its issuer (its `tickers`, or one written right after the
  issuer's name) that belongs to another verified organization: blocked.
- A ticker the issuer claims but has not had confirmed, or a contact of the issuer's at a domain
  it has not verified: blocked once the issuer has verified anything (it is then held to its
  proofs); a warning for an issuer that has not verified anything yet.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import idna

from newswire.domain.release import ReleaseContent

TXT_PREFIX = "newswire-verification="
WELL_KNOWN_PATH = "/.well-known/newswire-verification.txt"
TOKEN_PATTERN = re.compile(r"^nwv-[A-Za-z0-9_-]{32}$")
TICKER_PATTERN = re.compile(r"^[A-Z][A-Z0-9.]{0,14}:[A-Z0-9][A-Z0-9.\-]{0,19}$")
_LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ag",
        "se",
        "sa",
        "nv",
        "bv",
        "plc",
        "ltd",
        "limited",
        "llc",
        "lp",
        "gmbh",
        "kg",
        "kgaa",
        "spa",
        "srl",
        "oy",
        "ab",
        "asa",
        "as",
        "kk",
        "holdings",
        "group",
    ]
)


class InvalidClaim(ValueError):
    """A domain or ticker that cannot be claimed; the message says why."""


def new_token() -> str:
    return "nwv-" + secrets.token_urlsafe(24)


def txt_record_value(token: str) -> str:
    """The TXT record to publish on the domain."""
    return TXT_PREFIX + token


def normalize_domain(raw: str) -> str:
    """``Bücher.Example.`` -> ``xn--bcher-kva.example``; a pasted URL or e-mail is accepted
    for its host. Raises `InvalidClaim` for anything that is not a registrable host name."""
    text = raw.strip()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE)
    text = text.split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    if not text:
        raise InvalidClaim("a domain is required, such as example.com")
    try:
        ascii_name = idna.encode(text, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidClaim(f"{raw.strip()!r} is not a valid domain name: {exc}") from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253 or labels[-1].isdigit():
        raise InvalidClaim(f"{raw.strip()!r} is not a domain name such as example.com")
    return ascii_name.lower()


def display_domain(domain: str) -> str:
    """The Unicode form of a stored domain, for people."""
    try:
        return idna.decode(domain)
    except idna.IDNAError:
        return domain


def normalize_ticker(raw: str) -> str:
    """``nyse: wmt`` -> ``NYSE:WMT``; raises `InvalidClaim` unless it is EXCHANGE:SYMBOL."""
    text = re.sub(r"\s+", "", raw).upper()
    if not TICKER_PATTERN.match(text):
        raise InvalidClaim(f"{raw.strip()!r} is not a ticker such as NYSE:WMT (EXCHANGE:SYMBOL)")
    return text


def domain_covers(verified: str, candidate: str) -> bool:
    return candidate == verified or candidate.endswith("." + verified)


def found_token(records: Iterable[str], token: str) -> bool:
    """Whether any TXT string (or line of the well-known file) carries the token."""
    wanted = txt_record_value(token)
    return any(
        line.strip() in (wanted, token) for record in records for line in record.splitlines()
    )


# --- the impersonation rule ------------------------------------------------------------


@dataclass(frozen=True)
class OrgClaims:
    """An organization with what it has proved: verified domains, confirmed tickers."""

    id: int
    name: str
    domains: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        return bool(self.domains or self.tickers)

    def owns_domain(self, domain: str) -> bool:
        return any(domain_covers(d, domain) for d in self.domains)


@dataclass(frozen=True)
class Finding:
    message: str
    blocking: bool


@dataclass
class _Mention:
    org: OrgClaims
    what: str  # "NYSE:WMT", "walmart.com", "Walmart Inc."
    where: str  # "the headline", "a media contact", ...


def core_name(name: str) -> str:
    """``Walmart Inc.`` -> ``walmart``: lower case, punctuation and legal suffixes dropped."""
    words = re.findall(r"[\w&'-]+", name.casefold())
    while len(words) > 1 and words[-1].strip(".") in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def _names_in(text: str, org: OrgClaims, *, lenient: bool) -> bool:
    folded = " ".join(re.findall(r"[\w&'-]+", text.casefold()))
    core = core_name(org.name)
    names = {core}
    first = core.split(" ", 1)[0]
    if lenient and len(first) >= 4:
        names.add(first)
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", folded) for n in names if n)


_TICKER_IN_TEXT = re.compile(r"\b([A-Z][A-Za-z]{1,9})\s*:\s*([A-Z0-9][A-Z0-9.\-]{0,9})\b")
_HOST_IN_TEXT = re.compile(r"\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24})\b", re.I)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»|„[^“”]*[“”]|「[^」]*」")
_SAYS = re.compile(
    r"\b(said|says|stated|added|commented|explained|noted"  # English
    r"|sagte|sagt|erklärte|ergänzte|betonte"  # German
    r"|dit|déclare|a déclaré|ajoute|explique"  # French
    r"|dijo|afirmó|declaró|añadió|explicó"  # Spanish
    r"|disse|afirmou|declarou|explicou)\b",  # Portuguese
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")


def tickers_in(text: str) -> list[tuple[str, int]]:
    """``EXCHANGE:SYMBOL`` written in text ("(NYSE: WMT)"), with where each starts."""
    return [(f"{m[1].upper()}:{m[2]}", m.start()) for m in _TICKER_IN_TEXT.finditer(text)]


def lead_sentence(body_text: str) -> str:
    """The issuer line: the body's first sentence."""
    first = body_text.strip().split("\n", 1)[0]
    return _SENTENCE.split(first, 1)[0]


def attributions(body_text: str) -> list[str]:
    """Who is quoted: each quoting sentence's words outside the quotation marks."""
    found = []
    for paragraph in body_text.split("\n"):
        for sentence in _SENTENCE.split(paragraph):
            outside = _QUOTED.sub(" ", sentence)
            if outside != sentence and _SAYS.search(outside):
                found.append(outside)
    return found


@dataclass
class _Reading:
    issuer: OrgClaims
    others: Sequence[OrgClaims]
    foreign: list[_Mention] = field(default_factory=list)
    issuer_speaks: bool = False

    def read_text(self, text: str, where: str) -> None:
        if _names_in(text, self.issuer, lenient=True):
            self.issuer_speaks = True
        for org in self.others:
            if _names_in(text, org, lenient=False):
                self.foreign.append(_Mention(org, org.name, where))
        for ticker, _ in tickers_in(text):
            owner = self.owner_of_ticker(ticker)
            if owner is self.issuer:
                self.issuer_speaks = True
            elif owner is not None:
                self.foreign.append(_Mention(owner, ticker, where))
        for host in _HOST_IN_TEXT.findall(text):
            self.read_domain(host.lower(), where)

    def read_domain(self, domain: str, where: str) -> None:
        if self.issuer.owns_domain(domain):
            self.issuer_speaks = True
            return
        for org in self.others:
            if org.owns_domain(domain):
                self.foreign.append(_Mention(org, domain, where))

    def owner_of_ticker(self, ticker: str) -> OrgClaims | None:
        if ticker in self.issuer.tickers:
            return self.issuer
        return next((o for o in self.others if ticker in o.tickers), None)


def _belongs(what: str, other: OrgClaims, issuer: OrgClaims, where: str) -> str:
    return (
        f"{where} mentions {what}, which belongs to {other.name}; "
        f"the issuer {issuer.name} has not verified it"
    )


_SUFFIX_GAP = re.compile(
    r"^[\s,.]*(?:(?:" + "|".join(sorted(_LEGAL_SUFFIXES)) + r")\b[.,]?\s*)*\(?\s*$", re.I
)


def _written_after(text: str, start: int, org: OrgClaims) -> bool:
    """Whether the ticker at `start` follows the organization's name directly ("Acme Inc.
    (NASDAQ: ACME)"), with at most a legal suffix between."""
    core = core_name(org.name).split()
    names = [core, core[:1]] if core and len(core[0]) >= 4 else [core]
    for words in names:
        pattern = r"(?<![\w-])" + r"\s+".join(map(re.escape, words)) + r"(?![\w-])"
        for match in re.finditer(pattern, text[:start], re.I):
            if _SUFFIX_GAP.match(text[match.end() : start]):
                return True
    return False


def _claimed_tickers(content: ReleaseContent, lead: str, issuer: OrgClaims) -> list[str]:
    """The release's tickers, and those written right after the issuer's name in the lead."""
    claimed = [t.strip().upper().replace(" ", "") for t in content.tickers]
    for ticker, start in tickers_in(lead):
        if _written_after(lead, start, issuer):
            claimed.append(ticker)
    return list(dict.fromkeys(claimed))


def impersonation_findings(
    content: ReleaseContent, body_text: str, issuer: OrgClaims, others: Sequence[OrgClaims]
) -> list[Finding]:
    """What the desk must know about who a release speaks for (see the module docstring);
    `others` are the other verified organizations, `body_text` the body as plain text."""
    others = [o for o in others if o.id != issuer.id and o.verified]
    reading = _Reading(issuer, others)
    lead = lead_sentence(body_text)
    reading.read_text(content.headline, "the headline")
    reading.read_text(lead, "the issuer line")
    top_foreign, top_issuer = list(reading.foreign), reading.issuer_speaks
    for quote in attributions(body_text):
        reading.read_text(quote, "a quote's attribution")
    findings: list[Finding] = []
    issuer_contact_domains: list[str] = []
    for contact in content.contacts:
        text = " ".join(filter(None, (contact.name, contact.organization, contact.role)))
        reading.read_text(text, "a media contact")
        domain = (contact.email or "").rpartition("@")[2].lower().strip()
        if domain:
            reading.read_domain(domain, "a media contact")
            org = contact.organization or ""
            if not org or _names_in(org, issuer, lenient=True):
                issuer_contact_domains.append(domain)
    if top_foreign and not top_issuer:  # the headline and issuer line are another's
        first = top_foreign[0]
        findings.append(Finding(_belongs(first.what, first.org, issuer, first.where), True))
    elif reading.foreign and not reading.issuer_speaks:  # only another's people speak
        first = reading.foreign[0]
        findings.append(Finding(_belongs(first.what, first.org, issuer, first.where), True))
    strict = issuer.verified
    for ticker in _claimed_tickers(content, lead, issuer):
        owner = reading.owner_of_ticker(ticker)
        if owner is issuer:
            continue
        if owner is not None:
            findings.append(Finding(_belongs(ticker, owner, issuer, "the release"), True))
        else:
            findings.append(
                Finding(
                    f"the release claims {ticker}, which {issuer.name} has not verified", strict
                ),
            )
    if issuer.domains:
        for domain in dict.fromkeys(issuer_contact_domains):
            if not issuer.owns_domain(domain) and not any(o.owns_domain(domain) for o in others):
                findings.append(
                    Finding(
                        f"a media contact of {issuer.name} writes from {domain}, a domain "
                        f"{issuer.name} has not verified",
                        True,
                    )
                )
    return findings
