"""The operator's pages over HTTP (admins only): organizations, users and roles, API keys shown
once, the recipients import report, endpoint health with circuit breakers, dead letters and
their replay, and the live view's JSON, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from builders import World, release_payload
from newswire.actions import releases as actions
from newswire.config import Settings
from newswire.deliver import outbox
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.intake import validate_release
from newswire.store.db import Database
from newswire.store.models import ApiKey, Attempt, Delivery, Endpoint, Organization, Recipient, User
from newswire.store.models import Recipient as RecipientRow
from newswire.web.app import create_app
from receivers import WebhookReceiver
from web_pages import csrf, login

PAGES = (
    "/operator",
    "/operator/organizations",
    "/operator/users",
    "/operator/api-keys",
    "/operator/recipients/import",
    "/operator/endpoints",
    "/operator/dead-letters",
    "/operator/live",
    "/operator/live.json?after=0",
)


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, webhook_allow=("127.0.0.0/8",))


@pytest.fixture
def web(settings: Settings, db: Database, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(settings, run_scheduler=False)) as client:
        yield client


@pytest.fixture
def admin(web: TestClient) -> TestClient:
    assert login(web, "admin").status_code == 303
    return web


def token(client: TestClient, path: str = "/operator") -> str:
    return csrf(client.get(path).text)


def post(client: TestClient, path: str, data: dict[str, object], **kw: object) -> object:
    """Post a form of the operator pages with the session's CSRF token."""
    return client.post(
        path, data={"csrf_token": token(client), **data}, follow_redirects=False, **kw
    )


def new_user(client: TestClient, **changes: str) -> object:
    """The new-user form, filled in for Lee at Acme (but for ``changes``), posted."""
    form = {"name": "Lee", "email": "lee@acme.example", "password": "long-enough-1",
            "role": "issuer", "organization": "acme"}  # fmt: skip
    return post(client, "/operator/users", {**form, **changes})


def count(db: Database, model: object) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def publish(db: Database, world: World, clock: Clock) -> str:
    with db.session() as s:
        content = validate_release(release_payload(), now=clock())
        release = actions.create_release(s, world.issuer, content, submit=True, now=clock())
        actions.approve(s, world.editor, release.id, override_reason="sample", now=clock())
        actions.publish(s, db.settings, world.editor, release.id, now=clock())
        return release.id


def partners(*urls: str) -> bytes:
    return json.dumps(
        [
            {
                "kind": "partner",
                "name": f"Partner {i}",
                "webhook_url": url,
                "subscriptions": [{"industries": ["energy"]}],
            }
            for i, url in enumerate(urls)
        ]
    ).encode()


def deliver_round(db: Database, clock: Clock) -> None:
    """One round of a delivery worker (a fresh one, as a restarted process would be)."""
    worker = DeliveryWorker(db, make_channels(db.settings), name="test", clock=clock)
    try:
        asyncio.run(worker.run_once())
    finally:
        asyncio.run(worker.aclose())


# --- who may open the pages ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(web: TestClient) -> None:
    for path in PAGES:
        sent = web.get(path, follow_redirects=False)
        assert sent.status_code == 303, path
        assert sent.headers["location"].startswith("/login?next=/operator"), path


@pytest.mark.parametrize("who", ["issuer", "editor"])
def test_issuers_and_editors_are_refused(web: TestClient, who: str) -> None:
    assert login(web, who).status_code == 303
    for path in PAGES:
        refused = web.get(path)
        assert refused.status_code == 403, path
        assert "Not allowed" in refused.text and "for admins" in refused.text
    refused = web.post(
        "/operator/organizations",
        data={"csrf_token": csrf(web.get("/login").text), "slug": "evil", "name": "Evil"},
    )
    assert refused.status_code == 403
    assert count(web.app.state.db, Organization) == 3


def test_an_admin_sees_the_overview_with_counts(admin: TestClient) -> None:
    page = admin.get("/operator")
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "3 organizations" in text and "4 users" in text and "0 recipients" in text
    assert "0 deliveries pending" in text and "0 dead letters" in text
    for section in ("/operator/users", "/operator/endpoints", "/operator/live"):
        assert f'href="{section}"' in page.text


def test_forms_without_the_csrf_token_are_refused(admin: TestClient) -> None:
    for data in ({}, {"csrf_token": "forged"}):
        refused = admin.post(
            "/operator/organizations", data={**data, "slug": "initech", "name": "Initech"}
        )
        assert refused.status_code == 403 and "Form refused" in refused.text
    refused = admin.post(
        "/operator/recipients/import", files={"file": ("r.csv", b"name\nJana\n", "text/csv")}
    )
    assert refused.status_code == 403
    assert count(admin.app.state.db, Organization) == 3
    assert count(admin.app.state.db, Recipient) == 0


# --- organizations, users, roles --------------------------------------------------------------


def test_an_admin_creates_an_organization(admin: TestClient) -> None:
    made = post(
        admin,
        "/operator/organizations",
        {
            "slug": "initech",
            "name": "Initech",
            "kind": "issuer",
            "website": "https://initech.example",
        },
    )
    assert made.status_code == 303
    assert made.headers["location"] == "/operator/organizations?done=org-created"
    page = admin.get(made.headers["location"])
    assert "Organization created." in page.text
    assert "Initech" in page.text and "https://initech.example" in page.text

    again = post(admin, "/operator/organizations", {"slug": "initech", "name": "Initech 2"})
    assert again.status_code == 409
    assert "organization &#39;initech&#39; already exists" in again.text
    assert 'value="Initech 2"' in again.text  # what was typed is kept
    bad = post(admin, "/operator/organizations", {"slug": "No Spaces", "name": "X"})
    assert bad.status_code == 422 and "must be 3-80 lower-case letters" in bad.text
    nameless = post(admin, "/operator/organizations", {"slug": "nameless", "name": " "})
    assert nameless.status_code == 422 and "An organization needs a name." in nameless.text
    long = post(admin, "/operator/organizations", {"slug": "long-name", "name": "x" * 201})
    assert long.status_code == 422
    assert "Name is too long: at most 200 characters." in long.text
    assert count(admin.app.state.db, Organization) == 4


def test_an_admin_creates_a_user_who_can_sign_in(admin: TestClient) -> None:
    short = new_user(admin, password="short")
    assert short.status_code == 422
    assert "a password needs at least 8 characters" in short.text
    assert (
        'value="lee@acme.example"' in short.text
        and "short" not in re.findall(r'type="password"[^>]*>', short.text)[0]
    )
    wrong_org = new_user(admin, role="editor")
    assert wrong_org.status_code == 422
    assert "belongs to the wire&#39;s own organization" in wrong_org.text
    no_org = new_user(admin, organization="")
    assert no_org.status_code == 422
    assert "Choose the user&#39;s organization." in no_org.text

    made = new_user(admin, name="Lee Park", email="Lee@Acme.example")
    assert made.status_code == 303
    page = admin.get(made.headers["location"])
    assert "User created." in page.text
    assert "lee@acme.example" in page.text and "Lee Park" in page.text
    with admin.app.state.db.session() as s:
        user = s.scalars(select(User).where(User.email == "lee@acme.example")).one()
        assert user.role == "issuer" and user.organization.slug == "acme"
        assert user.password_hash and user.password_hash.startswith("$argon2")
    duplicate = new_user(admin)
    assert duplicate.status_code == 409

    with TestClient(admin.app) as other:
        assert login(other, "lee@acme.example", "long-enough-1").status_code == 303


def test_an_admin_changes_a_role_and_keeps_one_admin(admin: TestClient, world: World) -> None:
    db = admin.app.state.db
    editor_id = world.editor.user_id
    changed = post(admin, f"/operator/users/{editor_id}/role", {"role": "admin"})
    assert changed.status_code == 303
    assert "Role changed." in admin.get(changed.headers["location"]).text
    with db.session() as s:
        assert s.get(User, editor_id).role == "admin"  # type: ignore[union-attr]
        assert {k.role for k in s.scalars(select(ApiKey).where(ApiKey.user_id == editor_id))} == {
            "admin"
        }
    with TestClient(admin.app) as editor:
        assert login(editor, "editor").status_code == 303
        assert editor.get("/operator").status_code == 200  # at once

    assert post(admin, f"/operator/users/{editor_id}/role", {"role": "editor"}).status_code == 303
    last = post(admin, f"/operator/users/{world.admin.user_id}/role", {"role": "editor"})
    assert last.status_code == 409 and "the only admin" in last.text
    issuer = post(admin, f"/operator/users/{world.issuer.user_id}/role", {"role": "admin"})
    assert issuer.status_code == 422
    unknown = post(admin, "/operator/users/9999/role", {"role": "editor"})
    assert unknown.status_code == 404 and "no user with id 9999" in unknown.text
    system = post(admin, f"/operator/users/{editor_id}/role", {"role": "system"})
    assert system.status_code == 422 and "Choose a role" in system.text


def test_an_admin_creates_a_translator_for_some_languages(admin: TestClient, world: World) -> None:
    form = {"role": "translator", "organization": "newswire-desk", "email": "tr@wire.example"}
    bad = new_user(admin, **form, languages="de, klingon")
    assert bad.status_code == 422 and "&#39;klingon&#39; is not one of the wire" in bad.text
    assert 'value="de, klingon"' in bad.text  # what was typed is kept
    not_for_editors = new_user(admin, **{**form, "role": "editor"}, languages="de")
    assert not_for_editors.status_code == 422 and "for translators only" in not_for_editors.text
    made = new_user(admin, **form, languages="de, ja", trusted="1")
    assert made.status_code == 303
    page = admin.get("/operator/users")
    assert "Languages: de, ja" in page.text and "trusted: approves their own" in page.text
    with admin.app.state.db.session() as s:
        user = s.scalars(select(User).where(User.email == "tr@wire.example")).one()
        assert (user.role, user.language_list, user.trusted) == ("translator", ["de", "ja"], True)
    with TestClient(admin.app) as translator:
        signed = login(translator, "tr@wire.example", "long-enough-1")
        assert signed.status_code == 303 and signed.headers["location"] == "/translate"
    changed = post(admin, f"/operator/users/{user.id}/translator", {"languages": "pt"})
    assert changed.status_code == 303
    assert "languages and trust saved." in admin.get(changed.headers["location"]).text
    with admin.app.state.db.session() as s:
        user = s.get(User, user.id)
        assert (user.language_list, user.trusted) == (["pt"], False)
    bad = post(admin, f"/operator/users/{user.id}/translator", {"languages": "pt, xx"})
    assert bad.status_code == 422 and "&#39;xx&#39; is not one of the wire" in bad.text
    editor = post(admin, f"/operator/users/{world.editor.user_id}/translator", {"languages": "pt"})
    assert editor.status_code == 422 and "is not a translator" in editor.text


# --- API keys --------------------------------------------------------------------------------


def test_an_api_key_is_shown_once_works_and_stops_when_revoked(
    admin: TestClient, world: World
) -> None:
    created = post(
        admin, "/operator/api-keys", {"owner": str(world.issuer.user_id), "name": "Acme CMS"}
    )
    assert created.status_code == 200
    assert "shown only this once" in created.text
    key = re.search(r'value="(nw_[a-z0-9]{10}_[A-Za-z0-9_-]+)"', created.text)
    assert key, created.text
    secret = key.group(1)
    prefix = secret.split("_")[1]
    me = admin.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json() == {
        "actor": "key:Acme CMS",
        "role": "issuer",
        "organization_id": world.issuer.organization_id,
    }
    listing = admin.get("/operator/api-keys")
    assert f"nw_{prefix}_" in listing.text and "Acme CMS" in listing.text
    assert secret not in listing.text  # never shown again
    assert secret.split("_", 2)[2] not in listing.text

    revoked = post(admin, f"/operator/api-keys/{prefix}/revoke", {})
    assert revoked.status_code == 303
    assert "API key revoked" in admin.get(revoked.headers["location"]).text
    refused = admin.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401 and "revoked" in refused.json()["message"]

    nameless = post(admin, "/operator/api-keys", {"owner": str(world.issuer.user_id), "name": ""})
    assert nameless.status_code == 422 and "A key needs a name" in nameless.text
    ownerless = post(admin, "/operator/api-keys", {"owner": "9999", "name": "x"})
    assert ownerless.status_code == 422 and "Choose the user" in ownerless.text
    unknown = post(admin, "/operator/api-keys/zzzzzzzzzz/revoke", {})
    assert unknown.status_code == 404 and "no API key with prefix" in unknown.text


# --- recipients import ------------------------------------------------------------------------

CSV = (
    b"kind,name,email,languages,industries\n"
    b"journalist,Jana Becker,jana@example.org,de;en,energy\n"
    b"journalist,Bad Address,not-an-email,en,energy\n"
    b"journalist,Kenji Sato,kenji@example.jp,ja,energy\n"
)


def test_an_import_with_a_bad_row_names_it_and_imports_nothing(admin: TestClient) -> None:
    report = post(
        admin, "/operator/recipients/import", {}, files={"file": ("press.csv", CSV, "text/csv")}
    )
    assert report.status_code == 422
    text = report.text
    assert "Import report: press.csv" in text
    assert "Nothing was imported: 1 row(s) have problems" in text
    rejected = text.split('id="rejected-rows"')[1].split("</table>")[0]
    assert "Bad Address · not-an-email" in rejected
    assert re.search(r'<td class="num">3</td>', rejected)  # the CSV's line 3
    assert "<code>email</code>" in rejected
    assert "Jana Becker" not in rejected and "Kenji Sato" not in rejected
    assert count(admin.app.state.db, Recipient) == 0


def test_importing_only_the_valid_rows_reports_created_and_rejected(admin: TestClient) -> None:
    report = post(
        admin,
        "/operator/recipients/import",
        {"valid_only": "1"},
        files={"file": ("press.csv", CSV, "text/csv")},
    )
    assert report.status_code == 200
    assert "2 row(s) imported; 1 row(s) rejected and left out." in report.text
    created = report.text.split("op-created")[1].split("</details>")[0]
    assert "line 2: Jana Becker · jana@example.org" in created
    assert "line 4: Kenji Sato" in created and "Bad Address" not in created
    assert count(admin.app.state.db, Recipient) == 2

    again = post(
        admin, "/operator/recipients/import", {}, files={"file": ("press.csv", CSV, "text/csv")}
    )
    assert again.status_code == 422
    assert "jana@example.org is already a recipient" in again.text
    assert count(admin.app.state.db, Recipient) == 2


def test_a_json_import(admin: TestClient) -> None:
    report = post(
        admin,
        "/operator/recipients/import",
        {"format": "auto"},
        files={"file": ("partners.json", partners("https://a.example/hook"), "application/json")},
    )
    assert report.status_code == 200 and "All 1 row(s) imported." in report.text
    assert count(admin.app.state.db, Recipient) == 1


@pytest.mark.parametrize(
    ("name", "body", "fields", "message"),
    [
        ("r.csv", b"", {}, "is empty"),
        ("r.txt", b"name\nJana\n", {}, "Cannot tell the format of r.txt"),
        ("r.json", b"[{", {}, "invalid JSON at line 1"),
        ("r.json", b'{"name": "x"}', {}, "must hold a list of recipients"),
        (
            "r.csv",
            b"name,favourite_colour\nJana,blue\n",
            {},
            "unknown CSV column(s): favourite_colour",
        ),
        ("r.csv", "name\nJürgen\n".encode("latin-1"), {}, "the file is not UTF-8"),
        ("r.txt", b"name\nJana\n", {"format": "xml"}, "Cannot tell the format"),
    ],
)
def test_bad_files_get_a_clear_message(
    admin: TestClient, name: str, body: bytes, fields: dict[str, str], message: str
) -> None:
    refused = post(
        admin, "/operator/recipients/import", fields, files={"file": (name, body, "text/plain")}
    )
    assert refused.status_code == 422
    assert message in refused.text.replace("&#39;", "'")
    assert count(admin.app.state.db, Recipient) == 0


def test_an_import_without_a_file(admin: TestClient) -> None:
    refused = post(admin, "/operator/recipients/import", {"format": "csv"})
    assert refused.status_code == 422
    assert "Choose a CSV or JSON file to upload." in refused.text


# --- endpoint health, dead letters, live view -------------------------------------------------


@pytest.fixture
def failing_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(behaviour=lambda _p: (500, 0, {})).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def healthy_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def test_a_failing_endpoint_shows_its_open_breaker_and_its_dead_letters_replay(
    admin: TestClient,
    world: World,
    failing_receiver: WebhookReceiver,
    healthy_receiver: WebhookReceiver,
) -> None:
    db = admin.app.state.db
    bad, good = failing_receiver.url("/down"), healthy_receiver.url("/up")
    imported = post(
        admin,
        "/operator/recipients/import",
        {},
        files={"file": ("p.json", partners(bad, good), "application/json")},
    )
    assert imported.status_code == 200, imported.text
    clock = Clock()
    rid = publish(db, world, clock)
    for _ in range(5):  # five failures in a row, on the retry schedule
        deliver_round(db, clock)
        clock.advance(hours=3)
    assert len(failing_receiver.received) == 5 and len(healthy_receiver.received) == 1

    page = admin.get("/operator/endpoints")
    assert page.status_code == 200
    table = page.text.split('id="endpoint-health"')[1].split("</table>")[0]
    rows = table.split("<tr")[2:]  # after the header row
    assert bad in rows[0], "the troubled endpoint comes first"
    assert "open: paused" in rows[0] and "5 failure(s) in a row" in rows[0]
    assert "will retry" in rows[0] and "<code>500</code>" in rows[0]
    assert "1 pending" in rows[0]
    assert good in rows[1] and "closed: sending" in rows[1] and "1 delivered" in rows[1]
    totals = page.text.split('id="channel-totals"')[1].split("</table>")[0]
    assert "Webhook" in totals

    for _ in range(6):  # the rest of the schedule (24 h at most, +20% jitter): dead-lettered
        clock.advance(hours=30)
        deliver_round(db, clock)
    with db.session() as s:
        dead = s.scalars(select(Delivery).where(Delivery.state == "dead")).one()
        assert dead.address == bad and dead.attempts == 10
    letters = admin.get("/operator/dead-letters")
    assert dead.id in letters.text and rid in letters.text
    assert "Replay all shown (1)" in letters.text
    overview = re.sub(r"<[^>]+>", " ", admin.get("/operator").text)
    assert re.search(r"1\s+dead letters", overview)

    replayed = post(admin, "/operator/dead-letters/replay", {"ids": dead.id})
    assert replayed.status_code == 303
    done = admin.get(replayed.headers["location"])
    assert "1 dead letter(s) queued again" in done.text
    assert "No dead letters" in done.text
    with db.session() as s:
        again = s.get(Delivery, dead.id)
        assert again is not None and again.state == "pending" and again.attempts == 0

    gone = post(admin, "/operator/dead-letters/replay", {"ids": dead.id})
    assert gone.status_code == 404 and "not dead-lettered" in gone.text
    empty = post(admin, "/operator/dead-letters/replay", {})
    assert empty.status_code == 422 and "Choose at least one dead letter" in empty.text


def test_replay_all_shown(
    admin: TestClient, world: World, failing_receiver: WebhookReceiver
) -> None:
    db = admin.app.state.db
    urls = [failing_receiver.url(f"/d{i}") for i in range(3)]
    post(
        admin,
        "/operator/recipients/import",
        {},
        files={"file": ("p.json", partners(*urls), "application/json")},
    )
    publish(db, world, Clock())
    with db.session() as s:  # as if the schedule were spent
        for d in s.scalars(select(Delivery)):
            d.state, d.attempts = "dead", 10
    page = admin.get("/operator/dead-letters")
    form = page.text.split('id="replay-all"')[1].split("</form>")[0]
    ids = re.findall(r'name="ids" value="([^"]+)"', form)
    assert len(ids) == 3
    replayed = post(admin, "/operator/dead-letters/replay", {"ids": ids})
    assert replayed.headers["location"] == "/operator/dead-letters?done=replayed&count=3"
    with db.session() as s:
        assert {d.state for d in s.scalars(select(Delivery))} == {"pending"}


def import_partner_and_deliver(admin: TestClient, world: World, clock: Clock, url: str) -> str:
    """A partner at `url` imported on the page, a release published and one round delivered."""
    post(
        admin,
        "/operator/recipients/import",
        {},
        files={"file": ("p.json", partners(url), "application/json")},
    )
    release_id = publish(admin.app.state.db, world, clock)
    deliver_round(admin.app.state.db, clock)
    return release_id


def test_the_live_view_lists_attempts_and_its_json_returns_those_after_an_id(
    admin: TestClient, world: World, healthy_receiver: WebhookReceiver
) -> None:
    db = admin.app.state.db
    empty = admin.get("/operator/live")
    assert "No delivery has been attempted yet." in empty.text
    assert 'data-cursor="0"' in empty.text and 'src="/static/operator.js"' in empty.text
    assert admin.get("/operator/live.json?after=0").json() == {"cursor": 0, "rows": []}

    clock = Clock()
    import_partner_and_deliver(admin, world, clock, healthy_receiver.url("/one"))
    first = admin.get("/operator/live.json?after=0")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    data = first.json()
    [row] = data["rows"]
    assert row["address"] == healthy_receiver.url("/one")
    assert row["outcome"] == "delivered" and row["outcome_label"] == "delivered"
    assert row["headline"].startswith("Acme Renewables Commissions")
    assert data["cursor"] == row["id"]
    assert admin.get(f"/operator/live.json?after={data['cursor']}").json()["rows"] == []

    post(
        admin,
        "/operator/recipients/import",
        {},
        files={"file": ("q.json", partners(healthy_receiver.url("/two")), "application/json")},
    )
    second = publish(db, world, clock)
    deliver_round(db, clock)
    later = admin.get(f"/operator/live.json?after={data['cursor']}").json()
    assert {r["release"] for r in later["rows"]} == {second}
    assert {r["address"] for r in later["rows"]} == {
        healthy_receiver.url("/one"),
        healthy_receiver.url("/two"),
    }
    assert later["cursor"] == max(r["id"] for r in later["rows"]) > data["cursor"]
    page = admin.get("/operator/live")
    assert page.text.index(f'data-id="{later["cursor"]}"') < page.text.index(
        f'data-id="{data["cursor"]}"'
    ), "newest first"
    assert f'data-cursor="{later["cursor"]}"' in page.text
    assert admin.get("/operator/live.json?after=-1").status_code == 422
    german = admin.get("/operator/live.json?after=0&ui=de").json()["rows"][0]
    assert german["outcome_label"] == "zugestellt"


def test_a_try_a_crash_cut_short_reads_interrupted_in_the_operators_language(
    admin: TestClient, world: World, healthy_receiver: WebhookReceiver
) -> None:
    db = admin.app.state.db
    clock = Clock()
    import_partner_and_deliver(admin, world, clock, healthy_receiver.url("/one"))
    with db.session() as s:  # what the next worker records of a try its crashed owner left
        for attempt in s.scalars(select(Attempt)):
            attempt.outcome = "interrupted"
    [row] = admin.get("/operator/live.json?after=0").json()["rows"]
    assert row["outcome"] == "interrupted"
    assert row["outcome_label"] == "interrupted: the worker stopped mid-try"
    [german] = admin.get("/operator/live.json?after=0&ui=de").json()["rows"]
    assert german["outcome_label"] == "unterbrochen: der Worker brach während des Versuchs ab"
    assert "unterbrochen" in admin.get("/operator/live?ui=de").text


# --- the query functions behind the pages -----------------------------------------------------


def test_endpoint_health_replays_the_circuit_breaker(db: Database, world: World) -> None:
    """The state a worker's breaker would have after these attempts, at any moment."""
    clock = Clock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    address = "https://p.example/hook"
    rid = publish(db, world, clock)  # nobody subscribes: no deliveries yet
    with db.session() as s:
        person = RecipientRow(
            kind="partner", name="P", profile={}, status="active",
            created_at=clock(), updated_at=clock(),
        )  # fmt: skip
        s.add(person)
        s.flush()
        endpoint = Endpoint(
            recipient_id=person.id, channel="webhook", address=address, settings={},
            active=True, created_at=clock(),
        )  # fmt: skip
        s.add(endpoint)
        s.flush()
        target = outbox.Recipient(endpoint.id, person.id, "webhook", address, "en")
        outbox.enqueue(s, rid, 1, "original", [target], now=clock())
        delivery_id = outbox.delivery_id(rid, 1, endpoint.id)
        for number in range(1, 6):
            s.add(
                Attempt(
                    delivery_id=delivery_id, number=number, at=clock(), outcome="retry",
                    status="503", detail="Service Unavailable", latency_ms=5.0, worker="w",
                )
            )  # fmt: skip
            clock.advance(seconds=1)
    last = clock.now - timedelta(seconds=1)

    def health(at: datetime) -> outbox.EndpointHealth:
        with db.session() as s:
            [found] = outbox.endpoint_health(s, now=at)
            return found

    right_after = health(last + timedelta(seconds=5))
    assert right_after.address == address and right_after.channel == "webhook"
    assert right_after.breaker == "open" and right_after.consecutive_failures == 5
    assert 24 <= right_after.retry_in_s <= 25
    assert [a.number for a in right_after.failures] == [5, 4, 3, 2, 1]
    assert right_after.attempts == {"retry": 5} and right_after.deliveries == {"pending": 1}
    assert health(last + timedelta(seconds=31)).breaker == "half_open"
    with db.session() as s:
        s.add(
            Attempt(
                delivery_id=delivery_id, number=6, at=last + timedelta(seconds=40),
                outcome="delivered", status="200", latency_ms=3.0, worker="w",
            )
        )  # fmt: skip
    healed = health(last + timedelta(seconds=41))
    assert healed.breaker == "closed" and healed.consecutive_failures == 0
    with db.session() as s:
        assert outbox.state_counts(s) == {
            "pending": 1, "sending": 0, "delivered": 0, "failed": 0, "dead": 0,
        }  # fmt: skip
        latest = outbox.activity(s, after=None, limit=2)
        assert [a.outcome for a in latest] == ["retry", "delivered"]
        after = outbox.activity(s, after=latest[0].attempt_id)
        assert [a.attempt_id for a in after] == [latest[1].attempt_id]
