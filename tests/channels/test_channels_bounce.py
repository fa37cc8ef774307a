"""Bounces back to deliveries: DSNs (RFC 3464) as Postfix and others write them, addressed to the
per-delivery return path."""

from __future__ import annotations

from email.message import EmailMessage, Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from newswire.channels.base import OutboundMessage
from newswire.channels.bounce import Bounce, parse_bounce
from newswire.channels.email_render import EmailEdition, EmailPayload, EmailRenderer, EmailSettings

SETTINGS = EmailSettings(return_path_domain="bounces.wire.example.com")
EDITION = EmailEdition(
    key="v1:en",
    language="en",
    subject="Acme results",
    text_body="Results.",
    html_body="<p>Results.</p>",
    from_address="releases@wire.example.com",
)


def original(delivery_id: str) -> bytes:
    renderer = EmailRenderer(SETTINGS)
    payload = EmailPayload(EDITION, "https://wire.example.com/u/1", "Jane")
    return renderer.render(OutboundMessage(delivery_id, "jane@outlet.example", payload)).data


def dsn(
    *,
    to: str,
    action: str,
    status: str,
    diagnostic: str | None,
    returned: bytes | None = None,
    headers_only: bool = False,
) -> bytes:
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.outlet.example (Mail Delivery System)"
    report["To"] = to
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(MIMEText("This is the mail system at host mx.outlet.example.\n\nI'm sorry...\n"))
    status_part = Message()
    status_part.set_type("message/delivery-status")
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mx.outlet.example"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = "rfc822; jane@outlet.example"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    if diagnostic:
        per_recipient["Diagnostic-Code"] = diagnostic
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    if returned is not None:
        if headers_only:
            head = returned.split(b"\r\n\r\n", 1)[0].decode()
            part = MIMEText(head, "rfc822-headers")
            report.attach(part)
        else:
            from email import message_from_bytes

            report.attach(MIMEMessage(message_from_bytes(returned)))
    return report.as_bytes()


def test_hard_bounce_to_the_verp_address() -> None:
    raw = dsn(
        to="bounces+dlv-42@bounces.wire.example.com",
        action="failed",
        status="5.1.1",
        diagnostic="smtp; 550 5.1.1 <jane@outlet.example>: Recipient address rejected: User unknown",
        returned=original("dlv-42"),
    )
    bounce = parse_bounce(raw)
    assert bounce == Bounce("dlv-42", True, bounce.reason)
    delivery_id, hard, reason = bounce  # a plain tuple too
    assert delivery_id == "dlv-42" and hard
    assert "User unknown" in reason


def test_delayed_is_soft() -> None:
    raw = dsn(
        to="bounces+dlv-43@bounces.wire.example.com",
        action="delayed",
        status="4.2.2",
        diagnostic="smtp; 452 4.2.2 Mailbox full",
    )
    assert parse_bounce(raw) == ("dlv-43", False, "smtp; 452 4.2.2 Mailbox full")


def test_failed_with_a_temporary_status_is_soft() -> None:
    raw = dsn(
        to="bounces+dlv-44@bounces.wire.example.com",
        action="failed",
        status="4.4.7",
        diagnostic=None,
    )
    assert parse_bounce(raw) == ("dlv-44", False, "failed 4.4.7")


def test_the_envelope_recipient_header_wins_over_to() -> None:
    raw = dsn(to="postmaster@wire.example.com", action="failed", status="5.0.0", diagnostic="x")
    raw = b"Delivered-To: bounces+dlv-45@bounces.wire.example.com\r\n" + raw
    assert parse_bounce(raw).delivery_id == "dlv-45"


def test_falls_back_to_the_returned_message() -> None:
    full = dsn(
        to="postmaster@wire.example.com",
        action="failed",
        status="5.7.1",
        diagnostic="smtp; 554 5.7.1 rejected",
        returned=original("dlv-46"),
    )
    assert parse_bounce(full)[:2] == ("dlv-46", True)  # by Message-ID
    headers = dsn(
        to="postmaster@wire.example.com",
        action="failed",
        status="5.7.1",
        diagnostic="smtp; 554 5.7.1 rejected",
        returned=b"Return-Path: <bounces+dlv-47@bounces.wire.example.com>\r\n" + original("x"),
        headers_only=True,
    )
    assert parse_bounce(headers)[:2] == ("dlv-47", True)


def test_not_ours_and_not_a_dsn() -> None:
    plain = EmailMessage()
    plain["To"] = "someone@wire.example.com"
    plain["Subject"] = "Out of office"
    plain.set_content("I am away until Monday.")
    assert parse_bounce(plain.as_bytes()) == (None, False, "not a delivery status notification")

    legacy = EmailMessage()
    legacy["To"] = "bounces+dlv-48@bounces.wire.example.com"
    legacy["Subject"] = "failure notice"
    legacy.set_content("Sorry. <jane@outlet.example>: 550 5.1.1 user unknown\n")
    assert parse_bounce(legacy.as_string()) == ("dlv-48", True, "5.1.1")


def test_other_return_path_prefix() -> None:
    raw = dsn(to="rp+dlv-49@wire.example.com", action="failed", status="5.1.1", diagnostic="x")
    assert parse_bounce(raw, return_path_local="rp").delivery_id == "dlv-49"
    assert parse_bounce(raw).delivery_id is None
