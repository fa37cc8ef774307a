"""The journalist's pages in a real browser (Chromium via Playwright, as test_browser_desk.py), with
a real SMTP server receiving the mail: a journalist signs up (filtering the industries tree as
they type), follows the confirmation link from the mail, signs in by emailed link, sets
preferences and unsubscribes on the one-click page. axe-core and the Nu HTML Checker on every
account page type and on the confirm and unsubscribe pages; no CSP violation in the console;
screenshots at desktop and phone widths when NEWSWIRE_SCREENSHOTS=DIR is set."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from browser import browser_kit as kit
from builders import World, in_hours, release_payload
from newswire.config import Settings
from newswire.store.models import Recipient
from newswire.web.api.audience import unsubscribe_url
from newswire.web.app import create_app
from smtp_servers import (
    SmtpServer,
    smtp_server,  # noqa: F401  (the fixture, found by name)
)

tools = kit.tools  # Chromium, axe-core, vnu.jar
database_url = kit.database_url  # SQLite only
SECRET = "Zeppelinfabrik"  # only the embargoed release says it


@dataclass
class Site:
    url: str
    settings: Settings
    smtp: SmtpServer
    app: Any
    embargoed: str

    def link(self, address: str, path: str) -> str:
        for received in reversed(self.smtp.handler.messages):
            if address not in received.rcpt_tos:
                continue
            message = message_from_bytes(received.data, policy=policy.default)
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            found = re.search(rf"(https?://\S+{re.escape(path)}\S+)", text)
            if found:
                return found.group(1)
        raise AssertionError(f"no mail to {address} with a {path} link")


@pytest.fixture
def account_site(
    tools: dict[str, Path], settings: Settings, db: object, world: World, request: Any
) -> Iterator[Site]:
    server: SmtpServer = request.getfixturevalue("smtp_server")()
    port, settings = kit.live_settings(settings, smtp_url=f"smtp://{server.host}:{server.port}")
    with TestClient(create_app(settings, run_scheduler=False)) as client:
        editor, issuer = world.headers("editor"), world.headers("issuer")
        for name, email, accredited in (
            ("Ada Lovelace", "ada@paper.example", True),
            ("Ben Kramer", "ben@paper.example", False),
        ):
            body = {
                "name": name,
                "email": email,
                "accredited": accredited,
                "outlet": {"name": "Morning Paper", "country": "DE"},
                "languages": ["en"],
                "subscriptions": [{"industries": ["energy"], "regions": ["EU"]}],
            }
            assert client.post("/api/v1/recipients", json=body, headers=editor).status_code == 201
        made = client.post(
            "/api/v1/releases?submit=true",
            json=release_payload(
                headline=f"Acme and Globex agree to merge their {SECRET} units",
                body=f"The {SECRET} merger is embargoed. Details follow at the lift time.",
                embargo_until=in_hours(3),
            ),
            headers=issuer,
        )
        rid = made.json()["id"]
        approved = client.post(f"/api/v1/releases/{rid}/approve", headers=editor)
        assert approved.json()["state"] == "embargoed"
    app = create_app(settings, run_scheduler=False, migrate=False)
    with kit.Server(app, port) as live:
        yield Site(live.url, settings, server, app, rid)


def _sign_in(page: Any, site: Site, address: str) -> None:
    page.goto(site.url + "/account/login")
    page.fill("#email-field", address)
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("text=Check your inbox")
    page.goto(site.link(address, "/account/enter/"))
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/account?done=signed-in")


def test_journalist_signs_up_signs_in_sets_preferences_and_unsubscribes(
    account_site: Site, tools: dict[str, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    site = account_site
    check = kit.Checker(tools, tmp_path, prefix="account-")
    with sync_playwright() as p:
        browser = kit.launch(p)
        try:
            # the journalist's flow, under the real Content-Security-Policy
            page = check.watch(browser.new_page(viewport=kit.DESKTOP))
            page.goto(site.url + "/account/signup")
            page.fill("#name-field", "Mia Wagner")
            page.fill("#email-field", "mia@paper.example")
            page.fill("#outlet-field", "Morning Paper")
            assert page.is_visible("#industries-filter")  # shown by tree-filter.js
            page.fill("#industries-filter", "wind")
            wind = page.locator("#industries-list input[value='wind-power']")
            assert wind.is_visible()
            assert page.locator("#industries-list input[value='software']").is_hidden()
            assert page.locator("#industries-list input[value='energy']").is_visible()  # above
            assert "shown" in page.locator("#industries-count").inner_text()
            page.keyboard.press("Enter")  # does not submit the form
            assert page.url.endswith("/account/signup")
            wind.check()
            page.fill("#industries-filter", "")
            assert page.locator("#industries-list input[value='software']").is_visible()
            page.fill("#regions-filter", "deutsch")  # accents and case do not matter
            page.fill("#regions-filter", "germ")
            page.locator("#regions-list input[value='DE']").check()
            page.locator("input[name=languages][value='en']").check()
            page.locator("input[name=frequency][value='realtime']").check()
            page.click("form.account-form > button[type=submit]")
            page.wait_for_selector("h1:text('Check your inbox')")

            page.goto(site.link("mia@paper.example", "/confirm/"))
            assert page.locator("h1").inner_text() == "Confirm your subscription"
            page.click("main form button[type=submit]")
            page.wait_for_selector("text=your subscription is confirmed")

            _sign_in(page, site, "mia@paper.example")
            assert page.locator(".flash-ok").inner_text() == "You are signed in."
            assert page.locator("#industries-list input[value='wind-power']").is_checked()
            page.locator("#industries-list input[value='energy']").check()
            page.locator("input[name=frequency][value='digest']").check()
            page.fill("#keywords-field", "offshore, Nordlicht")
            page.click("form.account-form > button[type=submit]")
            page.wait_for_url("**/account?done=saved*")
            assert page.locator(".flash-ok").inner_text() == "Your preferences are saved."
            assert page.locator("input[name=frequency][value='digest']").is_checked()
            assert page.input_value("#keywords-field") == "offshore, Nordlicht"

            with site.app.state.db.session() as s:
                mia = s.query(Recipient).filter_by(email="mia@paper.example").one()
                unsubscribe = unsubscribe_url(site.settings, mia.id)
            page.goto(unsubscribe)
            page.click("main form button[type=submit]")
            page.wait_for_selector("text=You are unsubscribed")
            page.goto(site.url + "/account")
            assert "nothing is sent to mia@paper.example" in page.locator("main").inner_text()
            page.close()

            # every page type: axe (injected, so the CSP is bypassed here) and the HTML
            anonymous = browser.new_context(bypass_csp=True).new_page()
            check.visit(anonymous, site.url + "/account/signup", "signup")
            anonymous.fill("#email-field", "not-an-address")
            anonymous.fill("#name-field", "X")
            anonymous.evaluate("document.querySelector('form.account-form').noValidate = true")
            anonymous.click("form.account-form > button[type=submit]")
            anonymous.wait_for_selector("#problems")
            check.here(anonymous, "signup-invalid")
            check.visit(anonymous, site.url + "/account/login", "login")
            anonymous.fill("#email-field", "ada@paper.example")
            anonymous.click("form.stack button[type=submit]")
            anonymous.wait_for_selector("text=Check your inbox")
            check.here(anonymous, "sent")
            check.visit(anonymous, site.link("ada@paper.example", "/account/enter/"), "enter")
            check.visit(anonymous, site.url + "/account/enter/1.2.3", "bad-link", status=404)
            with site.app.state.db.session() as s:
                ada_id = s.query(Recipient).filter_by(email="ada@paper.example").one().id
            ada_unsubscribe = unsubscribe_url(site.settings, ada_id)
            check.visit(anonymous, ada_unsubscribe, "unsubscribe")
            anonymous.context.close()

            signing_up = browser.new_context(bypass_csp=True).new_page()
            signing_up.goto(site.url + "/account/signup")
            signing_up.fill("#name-field", "Lea Roth")
            signing_up.fill("#email-field", "lea@zeitung.example")
            signing_up.locator("input[name=languages][value='de']").check()
            signing_up.click("form.account-form > button[type=submit]")
            signing_up.wait_for_selector("h1:text('Check your inbox')")
            confirm = site.link("lea@zeitung.example", "/confirm/")
            check.visit(signing_up, confirm, "confirm")
            assert signing_up.locator("html").get_attribute("lang") == "de"
            signing_up.click("main form button[type=submit]")
            signing_up.wait_for_selector("[role=status]")
            check.here(signing_up, "confirmed")
            signing_up.context.close()

            ada = browser.new_context(bypass_csp=True).new_page()
            _sign_in(ada, site, "ada@paper.example")
            check.here(ada, "preferences")
            check.visit(ada, site.url + "/account/embargoed", "embargoed")
            assert SECRET in ada.locator("main").inner_text()
            assert "Embargoed until" in ada.locator(".embargo-mark").first.inner_text()
            check.visit(ada, site.url + f"/account/embargoed/{site.embargoed}", "embargoed-release")
            check.visit(ada, site.url + "/account/data", "data")
            ada.evaluate(
                "document.querySelector(\"form[action='/account/data/delete']\").noValidate = true"
            )
            ada.click("form[action='/account/data/delete'] button[type=submit]")  # unticked
            ada.wait_for_selector("#problems")
            check.here(ada, "data-invalid")
            ada.context.close()

            ben = browser.new_context(bypass_csp=True).new_page()
            _sign_in(ben, site, "ben@paper.example")
            check.visit(ben, site.url + "/account/embargoed", "not-accredited")
            assert SECRET not in ben.locator("main").inner_text()
            ben.goto(site.url + "/account/data")
            ben.locator("#confirm-field").check()
            ben.click("form[action='/account/data/delete'] button[type=submit]")
            ben.wait_for_url("**/account/deleted")
            assert "Your data is deleted" in ben.locator("h1").inner_text()
            check.here(ben, "deleted")
            ben.context.close()
            done = browser.new_context(bypass_csp=True).new_page()
            done.goto(ada_unsubscribe)
            done.click("main form button[type=submit]")
            done.wait_for_selector("[role=status]")
            check.here(done, "unsubscribed")
            done.context.close()
        finally:
            browser.close()
    check.assert_clean()
