"""links: unsafe schemes and broken syntax block; plain http, shorteners and IP hosts warn."""

from __future__ import annotations

import pytest
from review_samples import CLEAN_DE, body, check, release

from newswire.review.checks import Severity


def links_result(*paragraphs: str, **changes):
    return check(release(body_markdown=body(*paragraphs), **changes), "links")


@pytest.mark.parametrize(
    ("markdown", "scheme"),
    [
        ("[Claim your prize](javascript:alert(document.cookie))", "javascript"),
        ("[Fact sheet](data:text/html;base64,PHNjcmlwdD4=)", "data"),
        ("[Download](vbscript:msgbox(1))", "vbscript"),
        ("[Annual report](file:///C:/Reports/annual.pdf)", "file"),
        ("[Obfuscated](JaVa\tScRiPt:alert(1))", "javascript"),
        ("[Encoded](&#106;avascript:alert(1))", "javascript"),
        ("![Chart](data:image/png;base64,iVBORw0KGgo=)", "data"),
        ('<a href="javascript:void(0)">Details</a>', "javascript"),
    ],
)
def test_unsafe_scheme_is_an_error(markdown, scheme):
    result = links_result(f"Read more: {markdown}.")
    assert (result.passed, result.severity, result.field) == (
        False,
        Severity.ERROR,
        "body_markdown",
    )
    assert result.message.startswith("Body: ")
    assert f"unsafe {scheme}: scheme" in result.message


@pytest.mark.parametrize(
    "markdown",
    [
        "[the full results](https://acme.example/q3-results",  # unclosed parenthesis
        "[the full results](https://acme.example/q3 results.pdf)",  # space in the URL
        "[the full results][results]",  # reference that is never defined
    ],
)
def test_broken_link_syntax_is_an_error(markdown):
    result = links_result(f"See {markdown} for details.")
    assert (result.severity, result.field) == (Severity.ERROR, "body_markdown")
    assert "Body: broken link syntax" in result.message


def test_space_in_an_angle_bracket_url_is_an_error():
    result = links_result("See [the results](<https://acme.example/q3 results.pdf>).")
    assert result.severity is Severity.ERROR
    assert "contains a space" in result.message


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http:///press/release.html", "has no host name"),
        ("https://acme.example:99999/press", "has an invalid port"),
        ("https://acme.example:http/press", "has an invalid port"),
        ("https://acme!example.com/press", "invalid host name"),
        ("mailto:press", "has no e-mail address"),
    ],
)
def test_malformed_url_is_an_error(url, problem):
    result = links_result(f"Details: [press kit]({url}).")
    assert result.severity is Severity.ERROR
    assert problem in result.message


def test_plain_http_is_a_warning():
    result = links_result("Photos: [media library](http://media.northwind-energy.com/tonopah).")
    assert (result.passed, result.severity, result.field) == (
        False,
        Severity.WARNING,
        "body_markdown",
    )
    assert "unencrypted http://" in result.message


@pytest.mark.parametrize(
    "text",
    [
        "Register at https://bit.ly/3xYz9Q.",
        "Register at bit.ly/3xYz9Q today.",
        "[Register](https://tinyurl.com/acme-event)",
    ],
)
def test_url_shortener_is_a_warning(text):
    result = links_result(text)
    assert result.severity is Severity.WARNING
    assert "URL shortener" in result.message


@pytest.mark.parametrize(
    ("url", "private"), [("https://93.184.215.14/press", False), ("http://192.168.1.20/kit", True)]
)
def test_ip_address_host_is_a_warning(url, private):
    result = links_result(f"Press kit: {url}")
    assert result.severity is Severity.WARNING
    assert "uses an IP address" in result.message
    assert ("private address" in result.message) is private


def test_relative_link_is_a_warning():
    result = links_result("See [our newsroom](/newsroom).")
    assert result.severity is Severity.WARNING
    assert "relative address" in result.message


def test_boilerplate_links_are_checked_and_named():
    result = check(
        release(CLEAN_DE, boilerplate="Mehr unter [nordwind.de](http://www.nordwind.de)."), "links"
    )
    assert (result.severity, result.field) == (Severity.WARNING, "boilerplate")
    assert result.message.startswith("Boilerplate: ")


def test_errors_are_listed_before_warnings():
    result = links_result("[a](http://acme.example/a) and [b](javascript:alert(1))")
    assert result.severity is Severity.ERROR
    assert result.message.index("javascript") < result.message.index("http://acme")


def test_fine_links_pass_and_are_counted():
    result = links_result(
        "Contact: <press@northwind-energy.com>, [call us](tel:+13035550142), "
        "[top](#top) or <https://www.northwind-energy.com/press>."
    )
    assert (result.passed, result.severity) == (True, Severity.INFO)
    assert result.message == "All 7 links in the body and boilerplate look fine."


def test_text_in_code_spans_is_not_a_link():
    assert links_result("Install it with `curl http://203.0.113.7/install.sh`.").passed


def test_nothing_is_fetched_and_no_links_is_fine():
    result = check(
        release(body_markdown="No links here.", boilerplate="Acme makes tools."), "links"
    )
    assert result.message == "There are no links in the body or boilerplate."
