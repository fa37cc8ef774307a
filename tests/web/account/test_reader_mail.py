"""What readers find in their mail, end to end on the embedded server (scheduler, translate
stage and delivery worker running, mail into the data folder's mail folder): a journalist who
reads Portuguese first signs up on the public page, the issuer composes in the portal with
Portuguese among the target languages, the desk approves, and she gets the Portuguese edition
seconds later; confirmation mails and pages in pt, ja and ar; release mails whose two parts
carry the whole release and link to its public page and to "Verify this release"."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import dkim
import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient

from builders import World, release_payload
from newswire.channels.dkim import DkimSigner
from newswire.config import Settings
from newswire.web.app import create_app
from smtp_servers import dkim_key  # noqa: F401  (the fixture, found by name)
from web_pages import csrf, login

MAIL_FROM = "press-office@wire.example"


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path, dkim_key: bytes) -> Settings:  # noqa: F811
    key = tmp_path / "dkim.pem"
    key.write_bytes(dkim_key)
    return replace(settings, mail_from=MAIL_FROM, dkim_key=str(key), dkim_selector="nw")


@pytest.fixture
def client(app_settings: Settings, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client


def mails(settings: Settings, to: str) -> list[tuple[bytes, EmailMessage]]:
    found = []
    for path in sorted(settings.mail_dir.glob("*.eml")):
        raw = path.read_bytes()
        message = message_from_bytes(raw, policy=policy.default)
        if to in str(message["To"]):
            found.append((raw, message))  # type: ignore[arg-type]
    return found


def wait_for(settings: Settings, to: str, count: int, seconds: float = 20) -> list[EmailMessage]:
    deadline = time.monotonic() + seconds
    while True:
        found = [m for _, m in mails(settings, to)]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def part(message: EmailMessage, kind: str) -> str:
    body = message.get_body((kind,))
    assert body is not None, f"no text/{kind} part"
    return str(body.get_content()).replace("\r\n", "\n")


def signed_by_the_wire(raw: bytes, settings: Settings) -> bool:
    signer = DkimSigner.from_file("wire.example", "nw", settings.dkim_key)
    record = signer.dns_record().encode()
    return bool(dkim.verify(raw, dnsfunc=lambda name, timeout=5: record))


def sign_up_on_the_page(client: TestClient, email: str, languages: list[str], accept: str) -> Any:
    page = client.get("/account/signup", headers={"Accept-Language": accept})
    form = {
        "name": "Ana Souza", "email": email, "outlet": "Jornal do Porto",
        "languages": languages, "industries": ["science"], "regions": ["EU"], "keywords": "",
        "frequency": "realtime", "csrf_token": csrf(page.text),
    }  # fmt: skip
    sent = client.post("/account/signup", data=form, headers={"Accept-Language": accept})
    assert sent.status_code == 200, sent.text
    return sent


def confirm_from_the_mail(client: TestClient, settings: Settings, email: str) -> str:
    [(_, mail)] = mails(settings, email)
    found = re.search(r"http://testserver(/confirm/\S+)", part(mail, "plain"))
    assert found, part(mail, "plain")
    page = client.get(found.group(1))
    assert client.post(found.group(1)).status_code == 200
    client.cookies.clear()
    return page.text


COMPOSE = {
    "body_format": "markdown",
    "headline": "Acme Opens A Research Centre In Lisbon",
    "subheadline": "200 researchers will work on battery chemistry",
    "language": "en", "dateline_city": "Lisbon", "dateline_country": "PT",
    "body": "Acme today opened a research centre in Lisbon.\n\nIt employs 200 people.",
    "boilerplate": "Acme makes batteries.", "contact-0-name": "Ann Lee",
    "contact-0-email": "press@acme.example", "contact-0-phone": "+1 555 0100",
    "contact-1-name": "", "attachment-0-url": "", "attachment-0-media_type": "image/jpeg",
    "industries": ["science"], "regions": ["PT", "EU"], "keywords": "batteries",
    "tickers": "", "target_languages": ["pt", "de"], "allow_machine_translation": "1",
    "timing": "now", "when": "", "timezone": "UTC", "action": "submit",
}  # fmt: skip


def compose_in_the_portal(client: TestClient) -> str:
    assert login(client, "issuer").status_code == 303
    token = csrf(client.get("/portal/releases/new").text)
    made = client.post("/portal/releases", data={**COMPOSE, "csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert made.status_code == 303, made.text
    found = re.match(r"^/portal/releases/([0-9a-f]+)", made.headers["location"])
    assert found
    client.cookies.clear()
    return found.group(1)


def approve_on_the_desk(client: TestClient, release_id: str) -> None:
    assert login(client, "editor").status_code == 303
    page = client.get(f"/desk/releases/{release_id}")
    done = client.post(f"/desk/releases/{release_id}/approve",
                       data={"csrf_token": csrf(page.text)}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    client.cookies.clear()


def test_a_reader_of_portuguese_gets_the_portuguese_edition_from_portal_and_desk(
    client: TestClient, app_settings: Settings
) -> None:
    settings = app_settings
    # Ana reads Portuguese first (her browser says so) and English; Bia reads only Portuguese
    sign_up_on_the_page(client, "ana@jornal.example", ["en", "pt"], "pt-BR,pt;q=0.9,en;q=0.5")
    page = confirm_from_the_mail(client, settings, "ana@jornal.example")
    assert '<html lang="pt"' in page and "Confirme sua assinatura" in page
    sign_up_on_the_page(client, "bia@jornal.example", ["pt"], "")
    confirm_from_the_mail(client, settings, "bia@jornal.example")

    rid = compose_in_the_portal(client)
    approve_on_the_desk(client, rid)
    started = time.monotonic()
    ana = wait_for(settings, "ana@jornal.example", 3)  # confirmation, original, edition
    bia = wait_for(settings, "bia@jornal.example", 2)  # confirmation, edition
    assert time.monotonic() - started < 20
    assert [str(m["Content-Language"]) for m in ana[1:]] == ["en", "pt"]
    # she reads English too, so the original came at once and the edition right after it;
    # Bia reads no English: the Portuguese edition is the only release mail she gets
    assert [str(m["Content-Language"]) for m in bia[1:]] == ["pt"]
    edition = bia[1]
    assert edition["Subject"] == "Acme abre um centro de investigação em Lisboa"
    text, page_html = part(edition, "plain"), part(edition, "html")
    for expected in (
        "200 pesquisadores",  # the subheadline
        f"LISBON, Portugal, {format_date(datetime.now(UTC).date(), 'long', locale='pt')}",  # dateline
        "(Newswire) –",  # the attribution
        "Sobre Acme Renewables AG\nAcme makes batteries.",  # the boilerplate
        "Contatos para a imprensa\nAnn Lee\nE-mail: press@acme.example",
        "O artigo é fornecido por um provedor de conteúdo terceirizado.",  # the disclaimer
        "Setores: Ciência",  # the tags
        f"Ver no navegador: http://testserver/releases/{rid}/pt\n",
        f"Verificar este comunicado: http://testserver/verify?url=http%3A%2F%2Ftestserver"
        f"%2Freleases%2F{rid}%2Fpt%2Fv1\n",
    ):
        assert expected in text, expected
    assert "em Lisboa.\n\nEle emprega 200 pessoas." in text  # paragraphs kept apart
    assert all(len(line) <= 72 or "://" in line for line in text.splitlines())
    assert f'href="http://testserver/releases/{rid}/pt"' in page_html
    assert (
        f"%2Freleases%2F{rid}%2Fpt%2Fv1" in page_html and "Verificar este comunicado" in page_html
    )
    original = part(ana[1], "plain")
    assert f"View in browser: http://testserver/releases/{rid}\n" in original
    assert f"%2Freleases%2F{rid}%2Fv1" in original and "Verify this release" in original


def test_confirmation_mail_is_multipart_signed_and_in_the_readers_language(
    client: TestClient, app_settings: Settings
) -> None:
    settings = app_settings
    sign_up_on_the_page(client, "ana@jornal.example", ["pt"], "")
    [(raw, mail)] = mails(settings, "ana@jornal.example")
    assert mail["From"].addresses[0].addr_spec == MAIL_FROM
    assert mail["Content-Language"] == "pt" and "Confirme sua assinatura" in mail["Subject"]
    assert mail.get_content_type() == "multipart/alternative"
    text, page = part(mail, "plain"), part(mail, "html")
    assert text.startswith("Olá, Ana Souza,\n\n") and "nada será enviado a você" in " ".join(
        text.split()
    )
    assert '<html lang="pt" dir="ltr">' in page and 'href="http://testserver/confirm/' in page
    assert signed_by_the_wire(raw, settings)
    # whoever did not sign up can stop every further mail to the address with one click
    assert re.fullmatch(r"<http://testserver/unsubscribe/\S+>", mail["List-Unsubscribe"])
    unsubscribe = mail["List-Unsubscribe"][len("<http://testserver") : -1]
    assert client.post(unsubscribe).status_code == 200
    sign_up_on_the_page(client, "ana@jornal.example", ["pt"], "")
    assert len(mails(settings, "ana@jornal.example")) == 1  # suppressed: nothing more


def test_sign_in_mail_is_multipart_signed_without_list_unsubscribe(
    client: TestClient, app_settings: Settings
) -> None:
    settings = app_settings
    sign_up_on_the_page(client, "ana@jornal.example", ["pt"], "")
    confirm_from_the_mail(client, settings, "ana@jornal.example")
    page = client.get("/account/login?ui=pt")
    client.post(
        "/account/login", data={"email": "ana@jornal.example", "csrf_token": csrf(page.text)}
    )
    raw, mail = mails(settings, "ana@jornal.example")[-1]
    assert mail["From"].addresses[0].addr_spec == MAIL_FROM and mail["Content-Language"] == "pt"
    assert "/account/enter/" in part(mail, "plain") and "/account/enter/" in part(mail, "html")
    assert mail["List-Unsubscribe"] is None  # asked for just now; it subscribes to nothing
    assert signed_by_the_wire(raw, settings)


JA = release_payload(
    headline="アクメ、リスボンに電池研究センターを開設",
    subheadline="二百人の研究者が電池化学に取り組む",
    dateline={"city": "Tokyo", "country": "JP"},
    body=(
        "アクメは本日、リスボンに新しい研究センターを開設したと発表しました。このセンターでは"
        "二百人の研究者が次世代の電池化学と再生可能エネルギーの貯蔵技術に取り組みます。\n\n"
        "同社の社長は、欧州の研究者と協力して新しい技術を開発することを楽しみにしていると述べました。"
    ),
    boilerplate="アクメは電池を製造しています。", language="ja", industries=["science"],
    target_languages=[],
)  # fmt: skip
AR = release_payload(
    headline="أكمي تفتتح مركزاً لأبحاث البطاريات في لشبونة",
    subheadline="مئتا باحث سيعملون على كيمياء البطاريات",
    dateline={"city": "Dubai", "country": "AE"},
    body=(
        "أعلنت شركة أكمي اليوم عن افتتاح مركز جديد للأبحاث في مدينة لشبونة، حيث سيعمل مئتا باحث "
        "على تطوير الجيل القادم من كيمياء البطاريات وتقنيات تخزين الطاقة المتجددة.\n\n"
        "وقال رئيس الشركة إنه يتطلع إلى التعاون مع الباحثين في أوروبا لتطوير تقنيات جديدة."
    ),
    boilerplate="أكمي شركة تصنع البطاريات.", language="ar", industries=["science"],
    target_languages=[],
)  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "release", "page_words", "direction"),
    [("ja", JA, "購読の確認", "ltr"), ("ar", AR, "أكِّد اشتراكك", "rtl")],
)
def test_readers_in_japanese_and_arabic_get_pages_and_mail_in_their_language(
    client: TestClient,
    app_settings: Settings,
    world: World,
    lang: str,
    release: dict[str, Any],
    page_words: str,
    direction: str,
) -> None:
    settings, address = app_settings, f"reader-{lang}@paper.example"
    signup = {"name": "Reader", "email": address, "languages": [lang],
              "subscriptions": [{"industries": ["science"]}]}  # fmt: skip
    assert client.post("/api/v1/signup", json=signup).status_code == 202
    [(raw, confirmation)] = mails(settings, address)
    assert confirmation["Content-Language"] == lang and signed_by_the_wire(raw, settings)
    assert f'<html lang="{lang}" dir="{direction}">' in part(confirmation, "html")
    page = confirm_from_the_mail(client, settings, address)
    assert f'<html lang="{lang}" dir="{direction}"' in page and page_words in page

    made = client.post("/api/v1/releases?submit=true", json=release,
                       headers=world.headers("issuer"))  # fmt: skip
    assert made.status_code == 201, made.text
    approve_on_the_desk(client, made.json()["id"])
    [_, mail] = wait_for(settings, address, 2)
    assert mail["Content-Language"] == lang and mail["Subject"] == release["headline"]
    text, page_html = part(mail, "plain"), part(mail, "html")
    assert release["subheadline"] in text and release["boilerplate"] in text
    assert "\n\n" in text.split(release["subheadline"], 1)[1]  # paragraphs apart
    width = [sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in text.splitlines()]
    assert all(w <= 72 or "://" in line for w, line in zip(width, text.splitlines(), strict=True))
    assert f"http://testserver/releases/{made.json()['id']}\n" in text
    assert "verify?url=" in text and "verify?url=" in page_html
    assert f'<html lang="{lang}" dir="{direction}">' in page_html
    unsubscribe = client.get(mail["List-Unsubscribe"][len("<http://testserver") : -1])
    assert f'<html lang="{lang}" dir="{direction}"' in unsubscribe.text
