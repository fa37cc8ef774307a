"""The journalist's pages over HTTP, with a real SMTP server receiving the mail: sign up through
the form, confirm from the mailed link, sign in by emailed link, change the beats and see the
targeting follow, embargoed releases for accredited journalists only, the data download and
"delete my data", and the readers' confirm and unsubscribe pages in the recipient's language."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient

from builders import World, in_hours, release_payload
from newswire.audience import tokens
from newswire.config import Settings
from newswire.store.db import Database
from newswire.web.account import sign_in as account
from newswire.web.app import create_app
from smtp_servers import (
    SmtpServer,
    smtp_server,  # noqa: F401  (the fixture, found by name)
)
from web_pages import csrf, login

BASE = "http://testserver"


@dataclass
class Wire:
    client: TestClient
    smtp: SmtpServer
    world: World

    def mails_to(self, address: str) -> list[EmailMessage]:
        return [
            message_from_bytes(m.data, policy=policy.default)  # type: ignore[misc]
            for m in self.smtp.handler.messages
            if address in m.rcpt_tos
        ]

    def last_link(self, address: str, path: str) -> str:
        """The path of the link under `path` in the newest mail to `address`."""
        for message in reversed(self.mails_to(address)):
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            found = re.search(rf"{BASE}({re.escape(path)}\S+)", text)
            if found:
                return found.group(1)
        raise AssertionError(f"no mail to {address} with a {path} link")

    def targets(self, release_id: str) -> dict[str, dict[str, object]]:
        response = self.client.get(
            f"/api/v1/releases/{release_id}/targets", headers=self.world.headers("editor")
        )
        assert response.status_code == 200, response.text
        return {str(t["address"]): t for t in response.json()}


@pytest.fixture
def wire(
    settings: Settings, db: Database, world: World, request: pytest.FixtureRequest
) -> Iterator[Wire]:
    start: Callable[..., SmtpServer] = request.getfixturevalue("smtp_server")
    server = start()
    settings = replace(settings, smtp_url=f"smtp://{server.host}:{server.port}")
    with TestClient(create_app(settings, run_scheduler=False)) as client:
        yield Wire(client, server, world)


def sign_up(client: TestClient, **fields: object) -> object:
    form: dict[str, object] = {
        "name": "Mia Wagner",
        "email": "mia@paper.example",
        "outlet": "Morning Paper",
        "languages": ["en"],
        "industries": ["software"],
        "regions": ["EU"],
        "keywords": "",
        "frequency": "realtime",
    }
    form.update(fields)
    page = client.get("/account/signup")
    return client.post("/account/signup", data={**form, "csrf_token": csrf(page.text)})


def sign_in(wire: Wire, address: str) -> str:
    """Ask for a link on the sign-in page, follow it from the mail; returns the link's path."""
    page = wire.client.get("/account/login")
    sent = wire.client.post(
        "/account/login", data={"email": address, "csrf_token": csrf(page.text)}
    )
    assert sent.status_code == 200 and "Check your inbox" in sent.text
    link = wire.last_link(address, "/account/enter/")
    button = wire.client.get(link)
    assert button.status_code == 200 and "Continue to your account" in button.text
    entered = wire.client.post(link, data={"csrf_token": csrf(button.text)}, follow_redirects=False)
    assert entered.status_code == 303 and entered.headers["location"].startswith("/account")
    return link


def release(wire: Wire, **overrides: object) -> str:
    made = wire.client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(**overrides),
        headers=wire.world.headers("issuer"),
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def add_recipient(wire: Wire, name: str, email: str, **fields: object) -> dict[str, object]:
    body = {"name": name, "email": email, "subscriptions": [{"industries": ["energy"]}], **fields}
    made = wire.client.post("/api/v1/recipients", json=body, headers=wire.world.headers("editor"))
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_a_journalist_signs_up_confirms_signs_in_and_changes_beats(wire: Wire) -> None:
    client = wire.client
    form = client.get("/account/signup")
    assert form.status_code == 200
    assert "data-tree-filter-control hidden" in form.text  # the filter box needs the script
    assert '<script src="/static/tree-filter.js" defer></script>' in form.text
    assert 'value="renewable-energy"' in form.text and 'value="DE"' in form.text

    done = sign_up(client)
    assert done.status_code == 200 and "Check your inbox" in done.text
    [confirmation] = wire.mails_to("mia@paper.example")
    assert "Confirm your" in str(confirmation["Subject"])
    wind = release(wire)  # industries: wind-power, under energy
    assert "mia@paper.example" not in wire.targets(wind)  # pending, and not her beat

    link = wire.last_link("mia@paper.example", "/confirm/")
    page = client.get(link)
    assert page.status_code == 200 and "Confirm your subscription" in page.text
    confirmed = client.post(link)
    assert confirmed.status_code == 200 and "your subscription is confirmed" in confirmed.text
    assert 'href="/account/login"' in confirmed.text  # "Manage your preferences"
    software = release(wire, industries=["software"])
    assert "mia@paper.example" in wire.targets(software)
    assert "mia@paper.example" not in wire.targets(wind)

    entered = sign_in(wire, "mia@paper.example")
    preferences = client.get("/account?done=signed-in")
    assert preferences.status_code == 200
    assert "You are signed in." in preferences.text and "Mia Wagner" in preferences.text
    assert re.search(r'value="software" checked', preferences.text)
    assert "Active" in preferences.text

    saved = client.post(
        "/account",
        data={
            "csrf_token": csrf(preferences.text),
            "industries": ["energy"],
            "regions": ["DE"],
            "languages": ["de"],
            "keywords": "offshore wind, Nordlicht",
            "frequency": "digest",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert "Your preferences are saved." in page.text
    assert re.search(r'value="energy" checked', page.text)
    assert 'value="offshore wind, Nordlicht"' in page.text
    found = wire.targets(wind)
    assert found["mia@paper.example"]["frequency"] == "digest"  # the index saw the change
    assert found["mia@paper.example"]["language"] == "de"  # a German edition is planned
    assert "mia@paper.example" not in wire.targets(software)
    assert "mia@paper.example" not in wire.targets(
        release(wire, body="Acme commissions a wind farm in the North Sea.")
    )  # energy, but neither keyword

    again = client.get(entered)  # the sign-in link works once
    assert again.status_code == 404 and "already used" in again.text


def test_bad_input_names_the_field_and_keeps_what_was_typed(wire: Wire) -> None:
    refused = sign_up(
        wire.client, name="", email="mia-at-paper", industries=["software", "no-such-industry"]
    )
    assert refused.status_code == 422
    assert "Enter your name" in refused.text
    assert "Enter a valid email address" in refused.text
    assert "Choose industries from the list" in refused.text
    assert 'value="mia-at-paper"' in refused.text and 'value="Morning Paper"' in refused.text
    assert re.search(r'value="software" checked', refused.text)
    assert 'aria-invalid="true"' in refused.text
    assert not wire.smtp.handler.messages
    listed = wire.client.get("/api/v1/recipients", headers=wire.world.headers("editor"))
    assert listed.json() == []

    bad_keywords = sign_up(wire.client, keywords="x" * 2100)
    assert bad_keywords.status_code == 422 and "These keywords cannot be used" in bad_keywords.text
    bad_country = sign_up(wire.client, based_in="XX")
    assert bad_country.status_code == 422 and "Choose a country from the list" in bad_country.text


def test_signing_up_again_reveals_nothing_about_the_address(wire: Wire) -> None:
    first = sign_up(wire.client)
    second = sign_up(wire.client, name="Someone Else")
    never = sign_up(wire.client, email="new@paper.example")
    pages = [re.sub(r"\S+@paper\.example", "ADDRESS", r.text) for r in (first, second, never)]
    pages = [re.sub(r'name="csrf_token" value="[^"]+"', "", p) for p in pages]
    assert first.status_code == second.status_code == never.status_code == 200
    assert pages[0] == pages[1] == pages[2]
    confirmation, signin = wire.mails_to("mia@paper.example")
    assert "/confirm/" in confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    text = signin.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "already has a subscription" in text and "/account/enter/" in text

    added = add_recipient(wire, "Gone", "gone@paper.example")
    from newswire.web.api.audience import unsubscribe_url

    wire.client.post(unsubscribe_url(wire.client.app.state.settings, int(added["id"]))[len(BASE) :])
    suppressed = sign_up(wire.client, email="gone@paper.example")
    assert suppressed.status_code == 200 and "Check your inbox" in suppressed.text
    assert not wire.mails_to("gone@paper.example")  # a suppressed address gets nothing


def test_sign_in_links_are_signed_expire_and_work_once(wire: Wire) -> None:
    added = add_recipient(wire, "Ola", "ola@paper.example")
    page = wire.client.get("/account/login")
    unknown = wire.client.post(
        "/account/login", data={"email": "nobody@paper.example", "csrf_token": csrf(page.text)}
    )
    assert unknown.status_code == 200 and "Check your inbox" in unknown.text
    assert not wire.mails_to("nobody@paper.example")
    assert wire.client.get("/account", follow_redirects=False).headers["location"] == (
        "/account/login"
    )

    settings = wire.client.app.state.settings
    rid = int(added["id"])
    old = tokens.sign_timed(
        settings.secret_key, account.SIGN_IN, rid, bound_to="ola@paper.example",
        at=time.time() - account.SIGN_IN_MAX_AGE_S - 5,
    )  # fmt: skip
    forged = tokens.sign_timed(b"another key", account.SIGN_IN, rid, bound_to="ola@paper.example")
    other = tokens.sign_timed(settings.secret_key, account.SIGN_IN, rid, bound_to="x@y.example")
    for token in (old, forged, other, "1.2.3", "nonsense"):
        response = wire.client.get(f"/account/enter/{token}")
        assert response.status_code == 404, token
        assert "invalid, has expired or was already used" in response.text

    link = sign_in(wire, "ola@paper.example")
    assert wire.client.get("/account").status_code == 200
    assert wire.client.get(link).status_code == 404  # used
    out = wire.client.post(
        "/account/logout",
        data={"csrf_token": csrf(wire.client.get("/account").text)},
        follow_redirects=False,
    )
    assert out.headers["location"] == "/account/login?done=signed-out"
    assert wire.client.get("/account", follow_redirects=False).status_code == 303
    refused = wire.client.post("/account", data={"industries": ["energy"]})
    assert refused.status_code == 403  # no CSRF token


def test_a_desk_user_stays_signed_in_beside_the_journalist(wire: Wire) -> None:
    add_recipient(wire, "Ola", "ola@paper.example")
    assert login(wire.client, "editor").status_code == 303  # type: ignore[attr-defined]
    sign_in(wire, "ola@paper.example")
    assert wire.client.get("/desk", follow_redirects=False).status_code == 200
    assert wire.client.get("/account", follow_redirects=False).status_code == 200


def test_accredited_journalists_read_embargoed_releases_others_do_not(wire: Wire) -> None:
    add_recipient(wire, "Ada", "ada@paper.example", accredited=True)
    add_recipient(wire, "Ben", "ben@paper.example")
    add_recipient(wire, "Cy", "cy@paper.example", accredited=True,
                  subscriptions=[{"industries": ["software"]}])  # fmt: skip
    secret = "Zeppelinfabrik merger agreed"
    rid = release(wire, headline=secret, embargo_until=in_hours(3))
    approved = wire.client.post(
        f"/api/v1/releases/{rid}/approve", headers=wire.world.headers("editor")
    )
    assert approved.json()["state"] == "embargoed"

    sign_in(wire, "ada@paper.example")
    listed = wire.client.get("/account/embargoed")
    assert listed.status_code == 200
    assert secret in listed.text and "Embargoed until" in listed.text
    full = wire.client.get(f"/account/embargoed/{rid}")
    assert full.status_code == 200
    assert full.text.count("<strong>Embargoed until") == 2  # above and below the text
    assert "43 turbines" in full.text and "Jana Becker" in full.text

    sign_in(wire, "cy@paper.example")  # accredited, but the release is not on Cy's beat
    assert secret not in wire.client.get("/account/embargoed").text
    assert wire.client.get(f"/account/embargoed/{rid}").status_code == 404

    sign_in(wire, "ben@paper.example")
    refused = wire.client.get("/account/embargoed")
    assert "not accredited" in refused.text and secret not in refused.text
    direct = wire.client.get(f"/account/embargoed/{rid}")
    assert direct.status_code == 403 and secret not in direct.text

    for path in ("/", "/releases/", f"/releases/{rid}", "/feeds/releases.atom"):
        assert secret not in wire.client.get(path).text, path


def test_the_data_download_and_delete_my_data(wire: Wire) -> None:
    sign_up(wire.client, keywords="wind")
    wire.client.post(wire.last_link("mia@paper.example", "/confirm/"))
    rid = release(wire, body="Acme software for wind farms.", industries=["software"])
    assert "mia@paper.example" in wire.targets(rid)
    sign_in(wire, "mia@paper.example")
    page = wire.client.get("/account/login")
    wire.client.post(
        "/account/login", data={"email": "mia@paper.example", "csrf_token": csrf(page.text)}
    )
    unused = wire.last_link("mia@paper.example", "/account/enter/")
    assert wire.client.get(unused).status_code == 200  # a good link, kept for later

    page = wire.client.get("/account/data")
    assert page.status_code == 200
    assert "mia@paper.example" in page.text and "Morning Paper" in page.text
    assert "Download your data" in page.text and "double opt-in confirmed" in page.text
    download = wire.client.get("/account/data.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    data = json.loads(download.text)
    assert data["recipient"]["email"] == "mia@paper.example"
    assert data["recipient"]["outlet"]["name"] == "Morning Paper"
    assert data["subscriptions"][0]["criteria"]["industries"] == ["software"]
    assert data["subscriptions"][0]["criteria"]["query"] == '"wind"'
    assert data["endpoints"][0]["address"] == "mia@paper.example"
    recipient_id = data["recipient"]["id"]

    unconfirmed = wire.client.post("/account/data/delete", data={"csrf_token": csrf(page.text)})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    assert wire.client.get("/account/data").status_code == 200  # nothing deleted
    deleted = wire.client.post(
        "/account/data/delete",
        data={"csrf_token": csrf(page.text), "confirm": "yes"},
        follow_redirects=False,
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/account/deleted"
    shown = wire.client.get("/account/deleted")
    assert "Your data is deleted" in shown.text
    assert wire.client.get("/account", follow_redirects=False).status_code == 303  # signed out
    gone = wire.client.get(
        f"/api/v1/recipients/{recipient_id}", headers=wire.world.headers("editor")
    )
    assert gone.status_code == 404
    assert "mia@paper.example" not in wire.targets(rid)
    assert wire.client.get(unused).status_code == 404  # the old sign-in link is dead


def test_confirm_and_unsubscribe_pages_speak_the_readers_language(wire: Wire) -> None:
    added = add_recipient(wire, "Jonas", "jonas@zeitung.example", languages=["de"])
    from newswire.web.api.audience import unsubscribe_url

    url = unsubscribe_url(wire.client.app.state.settings, int(added["id"]))[len(BASE) :]
    page = wire.client.get(url)
    assert page.status_code == 200 and '<html lang="de"' in page.text
    assert "Abbestellen" in page.text and "Keine Pressemitteilungen mehr von" in page.text
    done = wire.client.post(url)
    assert done.status_code == 200
    assert "Sie sind abgemeldet" in done.text

    sign_up(wire.client, email="lea@zeitung.example", languages=["de"])
    link = wire.last_link("lea@zeitung.example", "/confirm/")
    german = wire.client.get(link)
    assert '<html lang="de"' in german.text and "Abonnement bestätigen" in german.text
    assert "Vielen Dank" in wire.client.post(link).text
    again = wire.client.post(link, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert again.status_code == 404 and '<html lang="fr"' in again.text


def test_sign_in_mail_is_limited_per_address(wire: Wire) -> None:
    add_recipient(wire, "Ola", "ola@paper.example")
    token = csrf(wire.client.get("/account/login").text)
    answers = [
        wire.client.post("/account/login", data={"email": "ola@paper.example", "csrf_token": token})
        for _ in range(account.MAILS_PER_WINDOW + 1)
    ]
    assert [a.status_code for a in answers] == [200] * account.MAILS_PER_WINDOW + [429]
    assert "Retry-After" in answers[-1].headers
    assert len(wire.mails_to("ola@paper.example")) == account.MAILS_PER_WINDOW


def test_the_pages_and_the_sign_in_mail_speak_the_interface_language(wire: Wire) -> None:
    add_recipient(wire, "Jonas", "jonas@zeitung.example")
    page = wire.client.get("/account/login?ui=de")
    assert '<html lang="de"' in page.text and "Anmeldelink per E-Mail senden" in page.text
    wire.client.post(
        "/account/login", data={"email": "jonas@zeitung.example", "csrf_token": csrf(page.text)}
    )
    [mail] = wire.mails_to("jonas@zeitung.example")
    assert mail["Subject"] == "Bei Newswire anmelden"
    assert "Guten Tag Jonas," in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    signup = wire.client.get("/account/signup?ui=ar")
    assert 'dir="rtl"' in signup.text and "الاشتراك في البيانات الصحفية" in signup.text


@pytest.mark.parametrize(
    ("tag", "button", "subject"),
    [
        ("ko", "로그인 링크를 이메일로 받기", "Newswire에 로그인"),
        ("zh-Hant", "以電子郵件寄送登入連結給我", "登入 Newswire"),
        ("vi", "Gửi cho tôi liên kết đăng nhập qua email", "Đăng nhập vào Newswire"),
        ("th", "ส่งลิงก์เข้าสู่ระบบทางอีเมล", "เข้าสู่ระบบ Newswire"),
    ],
)
def test_the_sign_in_page_and_mail_speak_the_asian_interface_languages(
    wire: Wire, tag: str, button: str, subject: str
) -> None:
    add_recipient(wire, "Mai", "mai@paper.example")
    page = wire.client.get(f"/account/login?ui={tag}")
    assert f'<html lang="{tag}"' in page.text and button in page.text
    wire.client.post(
        "/account/login", data={"email": "mai@paper.example", "csrf_token": csrf(page.text)}
    )
    [mail] = wire.mails_to("mai@paper.example")
    assert mail["Subject"] == subject
