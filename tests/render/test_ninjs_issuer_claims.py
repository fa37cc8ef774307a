"""A verified issuer in ninjs: its domains as contactinfo of the issuer organisation, its
confirmed tickers among the symbols; an edition reads them back from its version's ninjs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from newswire.domain.release import PublishedVersion
from newswire.render.ninjs import VERIFIED_DOMAIN_ROLE, issuer_claims_in_ninjs, ninjs_bytes
from standards import validate_ninjs


def test_verified_domains_and_confirmed_tickers_are_on_the_issuer(
    make_version: Callable[..., PublishedVersion],
) -> None:
    version = make_version()
    issuer = replace(version.issuer, domains=("acme.example",), tickers=("NYSE:ACME",))
    doc = json.loads(ninjs_bytes(replace(version, issuer=issuer)))
    organisation = doc["organisations"][0]
    assert organisation["contactinfo"] == [
        {"type": "domain", "role": VERIFIED_DOMAIN_ROLE, "name": "Verified domain",
         "value": "acme.example"}
    ]  # fmt: skip
    assert "NYSE:ACME" in [s["symbol"] for s in organisation["symbols"]]
    domains, tickers = issuer_claims_in_ninjs(json.dumps(doc))
    assert domains == ("acme.example",) and "NYSE:ACME" in tickers
    validate_ninjs(doc)


def test_an_unverified_issuer_has_no_contactinfo_and_junk_reads_as_nothing(
    make_version: Callable[..., PublishedVersion],
) -> None:
    doc = json.loads(ninjs_bytes(make_version()))
    assert "contactinfo" not in doc["organisations"][0]
    assert issuer_claims_in_ninjs("not json")[0] == ()
    assert issuer_claims_in_ninjs(None) == ((), ())
