"""Verified issuers: claiming domains and tickers, proving domains over a real DNS server and a
real HTTP server, verifying by hand, the desk's confirmations, the periodic re-check, roles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from builders import World, make_world, release_payload, sqlite_url
from newswire.actions import issuer_claims as claims
from newswire.actions import releases
from newswire.config import load_settings
from newswire.domain.errors import Conflict, Forbidden, NotFound
from newswire.domain.issuer_claims import txt_record_value
from newswire.intake.validate import ReleaseInput, content_from_input
from newswire.store.db import Database
from newswire.store.models import OrganizationDomain
from proof_servers import ProofServers

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def wire(
    request: pytest.FixtureRequest, tmp_path: Path, proofs: ProofServers
) -> Iterator[tuple[Database, World]]:
    settings = load_settings(
        tmp_path,
        database_url=sqlite_url(request, tmp_path),
        dns_resolver=proofs.dns_resolver,
        domain_check_url_template=proofs.url_template,
        webhook_allow=("127.0.0.0/8",),
    )
    database = Database(settings)
    database.upgrade()
    yield database, make_world(database)
    database.dispose()


def _add(db: Database, world: World, domain: str = "acme.example") -> OrganizationDomain:
    with db.session() as s:
        row = claims.add_domain(s, world.issuer, world.issuer.organization_id, domain, now=NOW)
        s.expunge(row)
        return row


def _check(db: Database, world: World, domain_id: int) -> OrganizationDomain:
    with db.session() as s:
        row = claims.check_domain(
            s, db.settings, world.issuer, world.issuer.organization_id, domain_id, now=NOW
        )
        s.flush()
        s.expunge(row)
        return row


def test_a_txt_record_proves_a_domain(wire: tuple[Database, World], proofs: ProofServers) -> None:
    db, world = wire
    row = _add(db, world, "Acme.Example")
    assert row.status == "pending" and row.domain == "acme.example"
    proofs.zone.txt["acme.example"] = ["v=spf1 -all", txt_record_value(row.token)]
    checked = _check(db, world, row.id)
    assert (checked.status, checked.method, checked.last_error) == ("verified", "dns", None)
    assert checked.verified_by == "press@acme.example"


def test_the_well_known_file_proves_a_domain_too(
    wire: tuple[Database, World], proofs: ProofServers
) -> None:
    db, world = wire
    row = _add(db, world)
    proofs.files.well_known("acme.example", txt_record_value(row.token) + "\n")
    checked = _check(db, world, row.id)
    assert (checked.status, checked.method) == ("verified", "well-known")


def test_without_a_proof_the_check_fails_and_says_what_it_looked_for(
    wire: tuple[Database, World], proofs: ProofServers
) -> None:
    db, world = wire
    row = _add(db, world)
    proofs.zone.txt["acme.example"] = ["newswire-verification=nwv-someone-elses-token"]
    checked = _check(db, world, row.id)
    assert checked.status == "failed"
    assert "no TXT record 'newswire-verification=" in (checked.last_error or "")
    assert "answered HTTP 404" in (checked.last_error or "")


def test_the_file_is_not_fetched_from_a_private_address_without_the_allow_list(
    wire: tuple[Database, World], proofs: ProofServers, tmp_path: Path
) -> None:
    db, world = wire
    row = _add(db, world)
    proofs.files.well_known("acme.example", row.token)
    guarded = Database(
        load_settings(
            tmp_path,
            database_url=db.settings.database_url,
            dns_resolver=proofs.dns_resolver,
            domain_check_url_template=proofs.url_template,
        )
    )
    with guarded.session() as s:
        checked = claims.check_domain(
            s, guarded.settings, world.issuer, world.issuer.organization_id, row.id, now=NOW
        )
        assert checked.status == "failed" and "not a public address" in (checked.last_error or "")
    guarded.dispose()
    assert proofs.files.requests == []


def test_a_domain_verified_by_one_organization_cannot_be_verified_by_another(
    wire: tuple[Database, World], proofs: ProofServers
) -> None:
    db, world = wire
    row = _add(db, world)
    proofs.zone.txt["acme.example"] = [txt_record_value(row.token)]
    _check(db, world, row.id)
    other = world.other_issuer
    with (
        db.session() as s,
        pytest.raises(Conflict, match="already verified by another organization, Acme"),
    ):
        claims.add_domain(s, other, other.organization_id, "acme.example")


def test_an_admin_verifies_by_hand_with_a_reason_and_it_is_not_rechecked(
    wire: tuple[Database, World],
) -> None:
    db, world = wire
    row = _add(db, world)
    org = world.issuer.organization_id
    with db.session() as s, pytest.raises(Forbidden):
        claims.verify_by_hand(s, world.editor, org, row.id, "called them")
    with db.session() as s, pytest.raises(claims.InvalidIssuerClaim, match="reason is required"):
        claims.verify_by_hand(s, world.admin, org, row.id, "  ")
    with db.session() as s:
        done = claims.verify_by_hand(s, world.admin, org, row.id, "Letter from the registrant")
        assert (done.status, done.method, done.reason) == (
            "verified",
            "manual",
            "Letter from the registrant",
        )
    assert claims.recheck_due(db, now=NOW + timedelta(days=30)) == 0
    still = _check(db, world, row.id)  # "check now" leaves a manual verification alone
    assert (still.status, still.method) == ("verified", "manual")


def test_the_scheduler_rechecks_old_proofs_and_fails_a_lost_one(
    wire: tuple[Database, World], proofs: ProofServers
) -> None:
    db, world = wire
    row = _add(db, world)
    proofs.zone.txt["acme.example"] = [txt_record_value(row.token)]
    _check(db, world, row.id)
    assert claims.recheck_due(db, now=NOW + timedelta(hours=23)) == 0  # not a day old yet
    assert claims.recheck_due(db, now=NOW + timedelta(days=1, hours=1)) == 1
    with db.session() as s:
        assert s.get(OrganizationDomain, row.id).status == "verified"
    proofs.zone.txt.clear()
    assert claims.recheck_due(db, now=NOW + timedelta(days=3)) == 1
    with db.session() as s:
        lost = s.get(OrganizationDomain, row.id)
        assert lost.status == "failed" and "does not exist" in (lost.last_error or "")


def test_an_issuer_of_another_organization_cannot_touch_its_domains(
    wire: tuple[Database, World],
) -> None:
    db, world = wire
    row = _add(db, world)
    acme = world.issuer.organization_id
    other = world.other_issuer
    with db.session() as s:
        with pytest.raises(NotFound):
            claims.list_domains(s, other, acme)
        with pytest.raises(NotFound):
            claims.add_domain(s, other, acme, "evil.example")
        with pytest.raises(NotFound):
            claims.remove_domain(s, other, acme, row.id)
        with pytest.raises(NotFound):  # its own organization, but not its domain
            claims.check_domain(s, db.settings, other, other.organization_id, row.id)


def test_tickers_are_claimed_by_the_issuer_and_confirmed_by_the_desk(
    wire: tuple[Database, World],
) -> None:
    db, world = wire
    acme = world.issuer.organization_id
    with db.session() as s:
        ticker = claims.claim_ticker(s, world.issuer, acme, "xetra: acr")
        assert (ticker.symbol, ticker.status) == ("XETRA:ACR", "claimed")
        with pytest.raises(Conflict, match="already claimed by another organization"):
            claims.claim_ticker(
                s, world.other_issuer, world.other_issuer.organization_id, "XETRA:ACR"
            )
        with pytest.raises(claims.InvalidIssuerClaim, match="EXCHANGE:SYMBOL"):
            claims.claim_ticker(s, world.issuer, acme, "ACR")
        with pytest.raises(Forbidden):
            claims.confirm_ticker(s, world.issuer, ticker.id)
        confirmed = claims.confirm_ticker(s, world.editor, ticker.id)
        assert (confirmed.status, confirmed.confirmed_by) == (
            "confirmed",
            "editor@newswire.example",
        )


def test_a_release_in_another_verified_issuers_name_goes_to_the_desk_with_the_reason(
    wire: tuple[Database, World], proofs: ProofServers
) -> None:
    db, world = wire
    globex = world.other_issuer
    with db.session() as s:
        t = claims.claim_ticker(s, globex, globex.organization_id, "NYSE:GBX")
        claims.confirm_ticker(s, world.editor, t.id)
    payload = release_payload(
        headline="Globex Corp Announces Record Quarterly Profit",
        body="Globex Corp (NYSE: GBX) today reported record profit for the quarter.",
        tickers=["NYSE:GBX"],
    )
    content = content_from_input(ReleaseInput.model_validate(payload), now=datetime.now(UTC))
    with db.session() as s:
        release = releases.create_release(s, world.issuer, content, submit=True)
        found = {r["name"]: r for r in release.checks["results"]}["impersonation"]
    assert found["severity"] == "error" and not found["passed"]
    assert "mentions Globex Corp, which belongs to Globex Corp" in found["message"]
    assert "the issuer Acme Renewables AG has not verified it" in found["message"]
