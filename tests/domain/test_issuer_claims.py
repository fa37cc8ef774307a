"""Domain and ticker claims: how they are written down and compared."""

from __future__ import annotations

import pytest

from newswire.domain.issuer_claims import (
    TOKEN_PATTERN,
    InvalidClaim,
    domain_covers,
    found_token,
    lead_sentence,
    new_token,
    normalize_domain,
    normalize_ticker,
    txt_record_value,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Acme.COM", "acme.com"),
        ("acme.com.", "acme.com"),
        ("https://www.acme.com/about", "www.acme.com"),
        ("press@acme.com", "acme.com"),
        ("Bücher.example", "xn--bcher-kva.example"),
        ("MÜNCHEN.de", "xn--mnchen-3ya.de"),
    ],
)
def test_domains_are_stored_in_their_ascii_lower_case_form(typed: str, stored: str) -> None:
    assert normalize_domain(typed) == stored


@pytest.mark.parametrize("typed", ["", "localhost", "acme..com", "127.0.0.1", "a_b.com!"])
def test_what_is_not_a_domain_is_refused_with_a_reason(typed: str) -> None:
    with pytest.raises(InvalidClaim):
        normalize_domain(typed)


def test_tickers_are_exchange_and_symbol() -> None:
    assert normalize_ticker(" nyse: wmt ") == "NYSE:WMT"
    assert normalize_ticker("TSE:7203") == "TSE:7203"
    with pytest.raises(InvalidClaim, match="EXCHANGE:SYMBOL"):
        normalize_ticker("WMT")


def test_tokens_and_the_txt_record() -> None:
    token = new_token()
    assert TOKEN_PATTERN.match(token) and token != new_token()
    assert txt_record_value(token) == f"newswire-verification={token}"
    assert found_token(["v=spf1 -all", f"newswire-verification={token}"], token)
    assert found_token([f"# newswire\n{token}\n"], token)
    assert not found_token(["newswire-verification=nwv-other"], token)


def test_a_verified_domain_covers_its_subdomains_only() -> None:
    assert domain_covers("acme.com", "press.acme.com")
    assert domain_covers("acme.com", "acme.com")
    assert not domain_covers("acme.com", "notacme.com")


def test_the_issuer_line_is_the_first_sentence() -> None:
    text = "Acme Inc. (NASDAQ: ACME) today announced a deal. It is big.\n\nMore."
    assert lead_sentence(text) == "Acme Inc. (NASDAQ: ACME) today announced a deal."
