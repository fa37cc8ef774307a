"""The impersonation check: a release must speak for its own issuer. Realistic releases both
ways: partnerships, customers and suppliers pass; another company's voice does not."""

from __future__ import annotations

from datetime import date

from review_samples import NOW

from newswire.domain.issuer_claims import OrgClaims
from newswire.domain.release import Contact, Dateline, ReleaseContent
from newswire.review.checks import CheckResult, Severity, blocking, run_checks
from newswire.review.impersonation import IssuerRegistry

ACME = OrgClaims(1, "Acme Robotics Inc.", ("acme-robotics.com",), ("NASDAQ:ACMR",))
WALMART = OrgClaims(2, "Walmart Inc.", ("walmart.com",), ("NYSE:WMT",))
SIEMENS = OrgClaims(3, "Siemens AG", ("siemens.com",), ("XETRA:SIE",))
OTHERS = (WALMART, SIEMENS)
ACME_CONTACT = Contact("Dana Whitfield", "Acme Robotics", "dana.whitfield@acme-robotics.com")


def release(
    headline: str, body: str, contacts: tuple[Contact, ...] = (ACME_CONTACT,), **kw: object
) -> ReleaseContent:
    return ReleaseContent(
        headline=headline,
        body_markdown=body,
        body_html="<p>…</p>",
        dateline=Dateline("Pittsburgh", "US", date(2025, 3, 3)),
        contacts=contacts,
        **{"language": "en", **kw},  # type: ignore[arg-type]
    )


def check(
    content: ReleaseContent, issuer: OrgClaims = ACME, others: tuple[OrgClaims, ...] = OTHERS
) -> CheckResult:
    results = run_checks(content, now=NOW, issuers=IssuerRegistry(issuer, others))
    return next(r for r in results if r.name == "impersonation")


# --- genuine releases pass ----------------------------------------------------------------


def test_a_partnership_announced_by_one_partner_passes() -> None:
    content = release(
        "Acme Robotics and Walmart Announce Partnership to Automate 500 Distribution Centers",
        "Acme Robotics Inc. (NASDAQ: ACMR) and Walmart Inc. (NYSE: WMT) today announced a "
        "multi-year agreement to deploy autonomous forklifts in 500 distribution centers.\n\n"
        "“Walmart’s scale makes this the largest deployment in our history,” said Priya Nair, "
        "CEO of Acme Robotics.\n\n"
        "“Automation helps our associates do safer, more rewarding work,” said John Furner, "
        "President and CEO of Walmart U.S.",
        tickers=("NASDAQ:ACMR",),
    )
    result = check(content)
    assert result.passed, result.message


def test_a_supplier_naming_its_customer_in_the_body_passes() -> None:
    content = release(
        "Acme Robotics Opens Second Factory in Ohio",
        "Acme Robotics today opened a 200,000-square-foot factory in Columbus, Ohio.\n\n"
        "The factory will build picking robots for customers such as Walmart and Siemens, "
        "and for Walmart's new fulfillment centers at walmart.com scale.",
    )
    assert check(content).passed


def test_a_quote_from_the_partners_ceo_with_the_issuer_in_the_headline_passes() -> None:
    content = release(
        "Siemens Selects Acme Robotics for Its Amberg Electronics Plant",
        "PITTSBURGH — Siemens AG has selected Acme Robotics to supply mobile robots for its "
        "Amberg plant.\n\n"
        "“We chose the robots that fit our line best,” said Cedrik Neike, member of the "
        "managing board of Siemens AG.",
        contacts=(ACME_CONTACT, Contact("Press office", "Siemens AG", "press@siemens.com")),
    )
    assert check(content).passed


def test_a_release_naming_the_issuer_only_by_its_short_name_passes() -> None:
    content = release(
        "Acme Reports Record Fourth-Quarter Revenue",
        "Acme Robotics Inc. (NASDAQ: ACMR) today reported revenue of $412 million for the "
        "fourth quarter, up 31 percent.",
        tickers=("NASDAQ:ACMR",),
    )
    assert check(content).passed


def test_an_issuer_that_verified_nothing_and_names_no_one_else_passes() -> None:
    newcomer = OrgClaims(9, "Bluebird Bakery")
    content = release(
        "Bluebird Bakery Opens Its Third Shop in Portland",
        "Bluebird Bakery today opened its third shop, on Alberta Street.",
        contacts=(Contact("Sam Lee", "Bluebird Bakery", "sam@bluebird.example"),),
    )
    assert check(content, newcomer).passed


# --- impersonations are blocked ------------------------------------------------------------


def test_another_companys_announcement_in_its_own_voice_is_blocked() -> None:
    content = release(
        "Walmart Announces Plan to Close 300 Stores",
        "Walmart Inc. (NYSE: WMT) today announced it will close 300 stores by June.\n\n"
        "“This was a difficult decision,” said Doug McMillon, President and CEO of Walmart.",
        contacts=(Contact("Walmart Media Relations", None, "news@walmart-press.net"),),
    )
    result = check(content)
    assert not result.passed and result.severity is Severity.ERROR
    assert "Walmart Inc." in result.message and "Acme Robotics Inc." in result.message
    assert "has not verified it" in result.message


def test_a_ticker_of_another_company_claimed_for_the_issuer_is_blocked() -> None:
    content = release(
        "Acme Robotics Announces Fourth-Quarter Results",
        "Acme Robotics Inc. today announced results.",
        tickers=("NYSE:WMT",),
    )
    result = check(content)
    assert result.severity is Severity.ERROR
    assert (
        "mentions NYSE:WMT, which belongs to Walmart Inc.; the issuer Acme Robotics Inc. has not "
        "verified it" in result.message
    )


def test_a_neutral_headline_with_another_companys_spokesperson_and_contacts_is_blocked() -> None:
    content = release(
        "New Store Format to Open in 500 Locations",
        "BENTONVILLE, Ark. — The company today unveiled a new store format.\n\n"
        "“Our customers asked for this,” said Doug McMillon, CEO of Walmart.",
        contacts=(Contact("Corporate Communications", "Walmart", "press@walmart.com"),),
    )
    result = check(content)
    assert result.severity is Severity.ERROR
    assert "Walmart Inc." in result.message


def test_a_contact_at_a_domain_the_verified_issuer_does_not_hold_is_blocked() -> None:
    content = release(
        "Acme Robotics Recalls 2,000 Forklifts",
        "Acme Robotics Inc. today recalled 2,000 forklifts.",
        contacts=(Contact("Dana Whitfield", "Acme Robotics", "dana@acme-robotics-ir.com"),),
    )
    result = check(content)
    assert result.severity is Severity.ERROR
    assert "acme-robotics-ir.com" in result.message


def test_an_unconfirmed_ticker_next_to_the_issuers_name_is_blocked() -> None:
    content = release(
        "Acme Robotics Lists on the London Stock Exchange",
        "Acme Robotics Inc. (LSE: ACMR) today began trading in London.",
    )
    result = check(content)
    assert result.severity is Severity.ERROR
    assert "LSE:ACMR" in result.message and "has not verified" in result.message


def test_a_siemens_press_release_issued_by_another_organization_is_blocked() -> None:
    content = release(
        "Siemens to Acquire Robotics Start-up for $2 Billion",
        "MUNICH — Siemens AG (XETRA: SIE) today agreed to acquire a robotics start-up.",
        contacts=(Contact("Siemens Press", "Siemens AG", "press@siemens.com"),),
    )
    result = check(content)
    assert result.severity is Severity.ERROR and "Siemens AG" in result.message


def test_an_unverified_issuers_unconfirmed_ticker_is_a_warning_only() -> None:
    newcomer = OrgClaims(9, "Bluebird Bakery")
    content = release(
        "Bluebird Bakery Opens Its Third Shop in Portland",
        "Bluebird Bakery today opened its third shop.",
        contacts=(Contact("Sam Lee", "Bluebird Bakery", "sam@bluebird.example"),),
        tickers=("OTC:BLBD",),
    )
    result = check(content, newcomer)
    assert not result.passed and result.severity is Severity.WARNING
    assert "OTC:BLBD" in result.message


def test_without_a_registry_the_check_passes_and_says_so() -> None:
    content = release("Acme Robotics Opens a Factory", "Acme Robotics opened a factory.")
    result = next(r for r in run_checks(content, now=NOW) if r.name == "impersonation")
    assert result.passed and "No verified issuers" in result.message


def test_the_check_blocks_approval() -> None:
    content = release("Walmart Announces Price Cuts", "Walmart Inc. today cut prices.")
    results = run_checks(content, now=NOW, issuers=IssuerRegistry(ACME, OTHERS))
    assert [r.name for r in blocking(results)] == ["impersonation"]


def test_a_german_release_quoting_another_companys_board_in_its_voice_is_blocked() -> None:
    content = release(
        "Neue Filialstrategie für Deutschland",
        "MÜNCHEN – Das Unternehmen stellt heute seine neue Strategie vor.\n\n"
        "„Wir investieren in Deutschland“, sagte Roland Busch, Vorstandsvorsitzender der "
        "Siemens AG.",
        contacts=(Contact("Pressestelle", "Siemens AG", "presse@siemens.com"),),
        language="de",
    )
    result = check(content)
    assert result.severity is Severity.ERROR and "Siemens AG" in result.message


def test_a_german_partnership_with_the_issuer_in_the_headline_passes() -> None:
    content = release(
        "Acme Robotics und Siemens vereinbaren Partnerschaft",
        "Acme Robotics und die Siemens AG (XETRA: SIE) haben heute eine Partnerschaft "
        "vereinbart.\n\n"
        "„Das ist ein großer Schritt“, sagte Roland Busch, Vorstandsvorsitzender der Siemens AG.",
        language="de",
    )
    assert check(content).passed


def test_a_ticker_written_after_another_companys_name_is_not_the_issuers_claim() -> None:
    content = release(
        "Acme Robotics to Supply Globex Warehouses",
        "Acme Robotics Inc. (NASDAQ: ACMR) and Globex Corp (NYSE: GBX) today signed a "
        "supply agreement.",
    )
    assert check(content).passed
