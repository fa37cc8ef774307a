"""The email channel against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives parses with
Python's email package, is personalised, carries the RFC 8058 one-click headers, decodes in
Japanese and Arabic, and its DKIM signature verifies with dkimpy."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import re
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import dkim
import pytest

from newswire.channels.base import OutboundMessage, Outcome, Receipt
from newswire.channels.dkim import DkimSigner
from newswire.channels.email import EmailChannel, MailFolderChannel
from newswire.channels.email_render import EmailEdition, EmailPayload, EmailRenderer, EmailSettings
from newswire.channels.mailfolder import list_messages
from newswire.channels.smtp import SmtpSettings
from smtp_servers import SmtpServer, free_port

SETTINGS = EmailSettings(return_path_domain="bounces.wire.example.com")

EDITIONS = {
    "en": EmailEdition(
        key="v7:en",
        language="en",
        subject="Acme switches on the North Sea's largest offshore wind farm",
        text_body="HAMBURG, 3 March 2026 — Acme today switched on Nordlicht.\n\n"
        + "The farm's 120 turbines will power 1.2 million homes. " * 8
        + "\n.A line that starts with a dot.",
        html_body="<p>HAMBURG, 3 March 2026 — Acme today switched on <b>Nordlicht</b>.</p>\n<p>"
        + "The farm's 120 turbines will power 1.2 million homes. " * 8
        + "</p>",
        from_address="releases@wire.example.com",
        from_name="Newswire",
        list_id="Newswire releases <releases.wire.example.com>",
    ),
    "ja": EmailEdition(
        key="v7:ja",
        language="ja",
        subject="さくらロボティクス、介護用ロボットの新モデルを発表",
        text_body="東京、2026年3月3日 — さくらロボティクス株式会社は本日、介護用ロボットの新モデルを発表しました。"
        * 6,
        html_body="<p>東京、2026年3月3日 — さくらロボティクス株式会社は本日、"
        "介護用ロボットの新モデルを発表しました。</p>" * 6,
        from_address="releases@wire.example.com",
        from_name="ニュースワイヤー",
    ),
    "ar": EmailEdition(
        key="v7:ar",
        language="ar",
        subject="الخليج للطاقة الشمسية تفتتح أكبر محطة في المنطقة",
        text_body="دبي، 3 مارس 2026 — افتتحت شركة الخليج للطاقة الشمسية اليوم أكبر محطة للطاقة الشمسية."
        * 6,
        html_body="<p>دبي، 3 مارس 2026 — افتتحت شركة الخليج للطاقة الشمسية اليوم أكبر محطة.</p>"
        * 6,
        from_address="releases@wire.example.com",
        from_name="نيوزواير",
    ),
}

RECIPIENTS = [
    ("d-en-1", "jane.doe@outlet.example", "en", "Jane Doe"),
    ("d-en-2", "obrien@outlet.example", "en", "Dr. Seán O'Brien, Jr."),
    ("d-ja-1", "yamada@shimbun.example", "ja", "山田 太郎"),
    ("d-ar-1", "layla@akhbar.example", "ar", "ليلى حسن"),
    ("d-en-3", "anon@outlet.example", "en", None),
]


def unsubscribe_url(delivery_id: str) -> str:
    return f"https://wire.example.com/unsubscribe/{delivery_id}.sig?lang=x&a=1"


def messages() -> list[OutboundMessage[EmailPayload]]:
    return [
        OutboundMessage(did, address, EmailPayload(EDITIONS[lang], unsubscribe_url(did), name))
        for did, address, lang, name in RECIPIENTS
    ]


def smtp(server: SmtpServer, **overrides: Any) -> SmtpSettings:
    values: dict[str, Any] = {"host": server.host, "port": server.port, "start_tls": False}
    values.update(overrides)
    return SmtpSettings(**values)


def send(channel: Any, batch: list[OutboundMessage[EmailPayload]]) -> list[Receipt]:
    async def scenario() -> list[Receipt]:
        try:
            return await channel.send_batch(batch)
        finally:
            await channel.aclose()

    return asyncio.run(scenario())


def parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(message: EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text, page = list(message.iter_parts())
    assert text.get_content_type() == "text/plain" and page.get_content_type() == "text/html"
    return text.get_content().replace("\r\n", "\n"), page.get_content().replace("\r\n", "\n")


def dns_for(signer: DkimSigner) -> Callable[..., bytes]:
    def lookup(name: bytes, timeout: int = 5) -> bytes:
        assert name == f"{signer.selector}._domainkey.{signer.domain}.".encode()
        return signer.dns_record().encode()

    return lookup


@pytest.mark.parametrize("pipelining", [True, False])
def test_personalised_mail_arrives_signed_and_parses(
    smtp_server: Callable[..., SmtpServer], dkim_signer: DkimSigner, pipelining: bool
) -> None:
    server = smtp_server(pipelining=pipelining)
    receipts = send(EmailChannel(smtp(server), SETTINGS, dkim_signer), messages())

    assert [r.delivery_id for r in receipts] == [r[0] for r in RECIPIENTS]
    assert all(r.outcome is Outcome.DELIVERED and r.code == 250 for r in receipts), receipts
    assert all("Ok: queued" in r.detail and r.latency_ms > 0 for r in receipts)
    received = {m.rcpt_tos[0]: m for m in server.handler.messages}
    assert len(received) == len(RECIPIENTS)

    for delivery_id, address, lang, name in RECIPIENTS:
        raw = received[address]
        assert raw.mail_from == f"bounces+{delivery_id}@bounces.wire.example.com"  # VERP
        assert raw.data.isascii()  # 7-bit clean: no 8BITMIME needed
        assert max(len(line) for line in raw.data.split(b"\r\n")) <= 998
        assert dkim.verify(raw.data, dnsfunc=dns_for(dkim_signer)), delivery_id

        message = parse(raw.data)
        assert message["Message-ID"] == f"<{delivery_id}@bounces.wire.example.com>"
        assert message["To"].addresses[0].addr_spec == address
        if name:
            assert message["To"].addresses[0].display_name == name
        assert message["Subject"] == EDITIONS[lang].subject
        assert message["From"].addresses[0].addr_spec == "releases@wire.example.com"
        assert message["From"].addresses[0].display_name == EDITIONS[lang].from_name
        assert message["Content-Language"] == lang
        assert message["Date"].datetime is not None
        url = unsubscribe_url(delivery_id)
        assert message["List-Unsubscribe"] == f"<{url}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        signature = message["DKIM-Signature"]
        assert "list-unsubscribe:" in signature and "list-unsubscribe-post" in signature

        text, page = parts(message)
        greeting = {"en": "Hello {name},", "ja": "{name} 様", "ar": "مرحبًا {name}،"}[lang]
        expected = greeting.format(name=name or address.partition("@")[0])
        assert text.startswith(expected + "\n\n")
        assert EDITIONS[lang].text_body.strip() in text
        assert text.rstrip("\n").endswith(url)
        assert f"<p>{expected.replace(chr(39), '&#x27;')}</p>" in page or (
            f"<p>{expected}</p>" in page
        )
        assert f'href="{url.replace("&", "&amp;")}"' in page
        assert EDITIONS[lang].html_body in page
        assert f'lang="{lang}"' in page
        assert ('dir="rtl"' in page) == (lang == "ar")

    assert server.handler.sessions <= len(RECIPIENTS)  # one connection per worker at most


def test_replies_are_classified(smtp_server: Callable[..., SmtpServer]) -> None:
    server = smtp_server()
    edition = EDITIONS["en"]
    batch = [
        OutboundMessage(
            f"r-{local}", f"{local}@outlet.example", EmailPayload(edition, "https://w.example/u")
        )
        for local in ("ok", "unknown", "full", "blocked", "spamtrap", "later", "ok2")
    ]
    receipts = {r.delivery_id: r for r in send(EmailChannel(smtp(server), SETTINGS), batch)}
    assert receipts["r-ok"].outcome is Outcome.DELIVERED
    assert receipts["r-ok2"].outcome is Outcome.DELIVERED
    assert receipts["r-unknown"].outcome is Outcome.GONE and receipts["r-unknown"].code == 550
    assert "User unknown" in receipts["r-unknown"].detail
    assert receipts["r-full"].outcome is Outcome.RETRY and receipts["r-full"].code == 452
    assert receipts["r-blocked"].outcome is Outcome.FAILED and receipts["r-blocked"].code == 554
    assert receipts["r-spamtrap"].outcome is Outcome.FAILED
    assert "spam" in receipts["r-spamtrap"].detail
    assert receipts["r-later"].outcome is Outcome.RETRY and receipts["r-later"].code == 451
    assert {m.rcpt_tos[0] for m in server.handler.messages} == {
        "ok@outlet.example",
        "ok2@outlet.example",
    }


def test_unsendable_messages_fail_without_touching_the_server(
    smtp_server: Callable[..., SmtpServer],
) -> None:
    server = smtp_server()
    edition = EDITIONS["en"]
    batch = [
        OutboundMessage("x-1", "not an address", EmailPayload(edition, "https://w.example/u")),
        OutboundMessage(
            "x-2", "a@b.example\r\nRCPT TO:<c@d>", EmailPayload(edition, "https://w/u")
        ),
        OutboundMessage("x-3", "a@b.example", EmailPayload(edition, "javascript:alert(1)")),
        OutboundMessage("bad id", "a@b.example", EmailPayload(edition, "https://w.example/u")),
        OutboundMessage("x-5", "ok@outlet.example", EmailPayload(edition, "https://w.example/u")),
    ]
    receipts = send(EmailChannel(smtp(server), SETTINGS), batch)
    assert [r.outcome for r in receipts] == [Outcome.FAILED] * 4 + [Outcome.DELIVERED]
    assert len(server.handler.messages) == 1


def test_connections_are_pooled_and_recycled(smtp_server: Callable[..., SmtpServer]) -> None:
    server = smtp_server()
    batch = [
        OutboundMessage(
            f"p-{i}",
            f"j{i}@outlet.example",
            EmailPayload(EDITIONS["en"], "https://w.example/u", f"J {i}"),
        )
        for i in range(40)
    ]
    channel = EmailChannel(smtp(server, connections=3, max_messages_per_connection=7), SETTINGS)

    async def scenario() -> list[Receipt]:
        first = await channel.send_batch(batch[:20])
        second = await channel.send_batch(batch[20:])
        await channel.aclose()
        return first + second

    receipts = asyncio.run(scenario())
    assert all(r.ok for r in receipts)
    assert len(server.handler.messages) == 40
    assert 6 <= server.handler.sessions <= 3 + 40 // 7 + 3  # recycled every 7 messages, reused


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_421_ends_the_session_and_the_rest_goes_on_a_new_one(
    smtp_server: Callable[..., SmtpServer], pipelining: bool
) -> None:
    server = smtp_server(pipelining=pipelining)
    locals_ = ["a", "b", "closing", "c", "d"]
    batch = [
        OutboundMessage(
            f"s-{x}", f"{x}@outlet.example", EmailPayload(EDITIONS["en"], "https://w.example/u")
        )
        for x in locals_
    ]
    receipts = send(EmailChannel(smtp(server, connections=1), SETTINGS), batch)
    outcomes = {r.delivery_id: (r.outcome, r.code) for r in receipts}
    assert outcomes.pop("s-closing") == (Outcome.RETRY, 421)
    assert all(o == (Outcome.DELIVERED, 250) for o in outcomes.values()), outcomes
    assert sorted(m.rcpt_tos[0][0] for m in server.handler.messages) == ["a", "b", "c", "d"]
    assert server.handler.sessions == 2


def test_a_server_that_stops_answering_times_out(smtp_server: Callable[..., SmtpServer]) -> None:
    server = smtp_server()
    batch = [
        OutboundMessage(
            f"t-{x}", f"{x}@outlet.example", EmailPayload(EDITIONS["en"], "https://w.example/u")
        )
        for x in ["a", "slow", "b"]
    ]
    receipts = send(EmailChannel(smtp(server, connections=1, timeout_s=0.4), SETTINGS), batch)
    outcomes = {r.delivery_id: r for r in receipts}
    assert outcomes["t-slow"].outcome is Outcome.RETRY and outcomes["t-slow"].detail == "timeout"
    assert 350 <= outcomes["t-slow"].latency_ms < 1000
    assert outcomes["t-a"].ok and outcomes["t-b"].ok


def test_a_dropped_idle_connection_is_reopened(smtp_server: Callable[..., SmtpServer]) -> None:
    server = smtp_server()
    port = server.port
    channel = EmailChannel(smtp(server, connections=1), SETTINGS)
    edition = EDITIONS["en"]

    async def scenario() -> tuple[list[Receipt], list[Receipt], SmtpServer]:
        first = await channel.send_batch(
            [
                OutboundMessage(
                    "i-1", "a@outlet.example", EmailPayload(edition, "https://w.example/u")
                )
            ]
        )
        server.stop()  # the server goes away and comes back: the pooled connection is dead
        again = smtp_server(port=port)
        second = await channel.send_batch(
            [
                OutboundMessage(
                    "i-2", "b@outlet.example", EmailPayload(edition, "https://w.example/u")
                )
            ]
        )
        await channel.aclose()
        return first, second, again

    first, second, again = asyncio.run(scenario())
    assert first[0].ok and second[0].ok, (first, second)
    assert [m.rcpt_tos for m in again.handler.messages] == [["b@outlet.example"]]


def test_an_unreachable_relay_means_retry_for_everyone() -> None:

    channel = EmailChannel(SmtpSettings(host="127.0.0.1", port=free_port(), timeout_s=2), SETTINGS)
    receipts = send(channel, messages())
    assert all(r.outcome is Outcome.RETRY for r in receipts)
    assert all("cannot connect" in r.detail for r in receipts)


def test_starttls_and_auth(
    smtp_server: Callable[..., SmtpServer], tls_server_context: Any, dkim_signer: DkimSigner
) -> None:
    server = smtp_server(tls=tls_server_context, auth=("wire", "s3cret"))
    settings = smtp(
        server,
        start_tls=True,
        cert_bundle=str(server.cert_file),
        username="wire",
        password="s3cret",
    )
    receipts = send(EmailChannel(settings, SETTINGS, dkim_signer), messages())
    assert all(r.ok for r in receipts), receipts
    assert len(server.handler.messages) == len(RECIPIENTS)
    for received in server.handler.messages:
        assert dkim.verify(received.data, dnsfunc=dns_for(dkim_signer))

    wrong = smtp(
        server, start_tls=True, cert_bundle=str(server.cert_file), username="wire", password="nope"
    )
    refused = send(EmailChannel(wrong, SETTINGS), messages()[:1])
    assert refused[0].outcome is Outcome.RETRY and "cannot connect" in refused[0].detail


def test_mail_folder_channel_writes_the_same_messages(
    tmp_path: Path, dkim_signer: DkimSigner
) -> None:
    folder = tmp_path / "mail"
    receipts = send(MailFolderChannel(folder, SETTINGS, dkim_signer), messages())
    assert all(r.ok for r in receipts)
    files = list_messages(folder)
    assert len(files) == len(RECIPIENTS)
    by_to = {}
    for path in files:
        data = path.read_bytes()
        assert data.startswith(b"Return-Path: <bounces+d-")
        assert dkim.verify(data, dnsfunc=dns_for(dkim_signer))
        parsed = parse(data)
        by_to[parsed["To"].addresses[0].addr_spec] = parsed
    text, page = parts(by_to["yamada@shimbun.example"])
    assert text.startswith("山田 太郎 様\n")
    assert "介護用ロボットの新モデル" in page
    assert not list(folder.glob(".*.tmp"))


def test_templates_are_reused_and_rebuilt_when_an_edition_changes() -> None:
    renderer = EmailRenderer(SETTINGS)
    edition = EDITIONS["en"]
    compiled = renderer.compiled(edition)
    assert renderer.compiled(edition) is compiled
    changed = dataclasses.replace(edition, subject="Corrected: Acme")
    assert renderer.compiled(changed) is not compiled


def test_headers_cannot_be_injected_through_names() -> None:
    renderer = EmailRenderer(SETTINGS)
    payload = EmailPayload(EDITIONS["en"], "https://w.example/u", "Eve\r\nBcc: victim@example.org")
    rendered = renderer.render(OutboundMessage("inj-1", "eve@outlet.example", payload))
    message = parse(rendered.data)
    assert message["Bcc"] is None
    assert re.search(rb"^Bcc:", rendered.data, re.MULTILINE) is None
    assert message["To"].addresses[0].display_name == "Eve Bcc: victim@example.org"


def test_plain_http_unsubscribe_links_get_no_one_click_header() -> None:
    renderer = EmailRenderer(SETTINGS)
    payload = EmailPayload(EDITIONS["en"], "http://127.0.0.1:8000/unsubscribe/1.x", "Dev")
    message = parse(renderer.render(OutboundMessage("h-1", "dev@localhost.example", payload)).data)
    assert message["List-Unsubscribe"] == "<http://127.0.0.1:8000/unsubscribe/1.x>"
    assert message["List-Unsubscribe-Post"] is None
