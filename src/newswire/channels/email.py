"""Email channel: personalised release mail over pooled, persistent, pipelined SMTP connections,
or into the local mail folder when no SMTP server is configured (the embedded default).

Connections are opened with aiosmtplib, which does the delicate part (implicit TLS or
STARTTLS, EHLO, AUTH); the open, authenticated transport is then handed to `_SmtpConnection`.
Where the server offers PIPELINING (RFC 2920) it writes once per message: the content of one
message together with MAIL, RCPT and DATA of the next. aiosmtplib alone sends one command per
round trip and cannot read pipelined replies: on the dev machine it managed 1,600 messages/s
to Postfix's smtp-sink, where smtp-source did ~9,000/s; two writes per message (envelope,
then content) ~4,600/s and one write ~6,400/s in a bare loop (see bench/fanout_email.py).

Each message goes to one recipient, with a return path of its own (VERP), so every SMTP reply
and every later bounce (`parse_bounce`) belongs to exactly one delivery. A message whose
content never went out (the connection broke first) is sent again over a new connection at
once; one whose content went out without a verdict is reported ``retry`` (at least once).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import NamedTuple

import aiosmtplib

from newswire.channels.base import OutboundMessage, Outcome, Receipt, elapsed_ms
from newswire.channels.dkim import DkimSigner
from newswire.channels.email_render import (
    EmailEdition,
    EmailPayload,
    EmailRenderer,
    EmailSettings,
    RenderedEmail,
)
from newswire.channels.outcomes import classify_smtp

__all__ = [
    "Bounce",
    "EmailChannel",
    "EmailEdition",
    "EmailPayload",
    "EmailSettings",
    "MailFolderChannel",
    "SmtpSettings",
    "parse_bounce",
]


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    use_tls: bool = False  # implicit TLS (port 465)
    start_tls: bool | None = None  # None: upgrade when the server offers STARTTLS
    username: str | None = None
    password: str | None = None
    validate_certs: bool = True
    cert_bundle: str | None = None
    local_hostname: str | None = None
    timeout_s: float = 30.0  # connecting, and each message's whole transaction
    connections: int = 8  # connections to the relay at most (the per-endpoint limit)
    max_messages_per_connection: int = 1000


class _Reply(NamedTuple):
    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


class _Disconnected(ConnectionError):
    pass


class _Replies(asyncio.Protocol):
    """Collects SMTP replies from a transport; any number may be outstanding (pipelining)."""

    def __init__(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self._buffer = bytearray()
        self._replies: deque[_Reply] = deque()
        self._lines: list[str] = []
        self._waiter: asyncio.Future[None] | None = None
        self._error: Exception | None = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > 65536:  # no reply line is this long: a broken or hostile server
            self._error = _Disconnected("reply too long")
            self.transport.close()
            self._wake()
            return
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                break
            line = bytes(self._buffer[: end + 1]).rstrip(b"\r\n")
            del self._buffer[: end + 1]
            self._lines.append(line[4:].decode("utf-8", "replace"))
            if line[3:4] != b"-":
                try:
                    code = int(line[:3])
                except ValueError:
                    code = 0  # a garbled reply: fails the transaction, never delivers
                self._replies.append(_Reply(code, "\n".join(self._lines)))
                self._lines = []
        if self._replies:
            self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        self._error = _Disconnected(f"connection lost: {exc}" if exc else "connection closed")
        self._wake()

    def eof_received(self) -> bool:
        self._error = _Disconnected("the server closed the connection")
        self._wake()
        return False

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def reply(self) -> _Reply:
        while not self._replies:
            if self._error is not None:
                raise self._error
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        return self._replies.popleft()


@dataclass(slots=True)
class _Job:
    index: int
    message: RenderedEmail
    started: float
    requeued: bool = False

    def envelope(self) -> bytes:
        return (
            f"MAIL FROM:<{self.message.sender}>\r\nRCPT TO:<{self.message.recipient}>\r\n".encode(
                "ascii"
            )
        )

    def content(self) -> bytes:
        """The message, dot-stuffed, with the terminating dot (RFC 5321 §4.5.2)."""
        data = self.message.data
        if data.startswith(b"."):
            data = b"." + data
        return data.replace(b"\r\n.", b"\r\n..") + b".\r\n"


class _Batch:
    """The messages of one `send_batch` call, shared by its connections: each takes the next
    message (rendered as it is taken) and reports what became of it."""

    def __init__(
        self,
        messages: Sequence[OutboundMessage[EmailPayload]],
        renderer: EmailRenderer,
        signing: Executor | None,
    ) -> None:
        self.messages = messages
        self._signing = signing if renderer.dkim is not None else None
        self.receipts: list[Receipt | None] = [None] * len(messages)
        self._renderer = renderer
        self._next = 0
        self._again: deque[_Job] = deque()

    def has_more(self) -> bool:
        return bool(self._again) or self._next < len(self.messages)

    async def take(self) -> _Job | None:
        if self._again:
            return self._again.popleft()
        while self._next < len(self.messages):
            index = self._next
            self._next += 1
            started = time.perf_counter()
            try:
                rendered = self._renderer.render(self.messages[index], sign=False)
            except ValueError as exc:  # unsendable as it is: permanent
                self._receipt(index, Outcome.FAILED, None, started, str(exc))
                continue
            if self._signing is not None:  # RSA releases the GIL: sign on another core
                loop = asyncio.get_running_loop()
                rendered = await loop.run_in_executor(self._signing, self._renderer.sign, rendered)
            return _Job(index, rendered, started)
        return None

    def done(self, job: _Job, reply: _Reply) -> None:
        outcome = classify_smtp(reply.code, reply.text) if reply.code else Outcome.RETRY
        self._receipt(job.index, outcome, reply.code, job.started, str(reply))

    def again(self, job: _Job, detail: str) -> None:
        """The connection broke before the message's content was sent: nothing was delivered,
        so it may go over another connection at once (once; then it waits for a retry)."""
        if job.requeued:
            self._receipt(job.index, Outcome.RETRY, None, job.started, detail)
        else:
            job.requeued = True
            self._again.append(job)

    def unknown(self, job: _Job, detail: str) -> None:
        """The content went out but no verdict came back: retry later (at least once)."""
        self._receipt(job.index, Outcome.RETRY, None, job.started, detail)

    def give_up(self, detail: str) -> None:
        """No connection can be opened: everything not yet sent waits for a retry."""
        now = time.perf_counter()
        while self._again:
            job = self._again.popleft()
            self._receipt(job.index, Outcome.RETRY, None, job.started, detail)
        for index in range(self._next, len(self.messages)):
            self._receipt(index, Outcome.RETRY, None, now, detail)
        self._next = len(self.messages)

    def _receipt(
        self, index: int, outcome: Outcome, code: int | None, started: float, detail: str
    ) -> None:
        delivery_id = self.messages[index].delivery_id
        self.receipts[index] = Receipt(
            delivery_id, outcome, code, elapsed_ms(started), None, detail
        )


class _SmtpConnection:
    """One open, greeted, possibly TLS and authenticated SMTP session."""

    def __init__(self, transport: asyncio.WriteTransport, pipelining: bool) -> None:
        self.replies = _Replies(transport)
        transport.set_protocol(self.replies)
        self.transport = transport
        self.pipelining = pipelining
        self.sent = 0  # messages whose content went over this connection
        self.spent = False  # in a state where it must not carry another message

    @classmethod
    async def open(cls, settings: SmtpSettings) -> _SmtpConnection:
        client = aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            use_tls=settings.use_tls,
            start_tls=settings.start_tls,
            username=settings.username,
            password=settings.password,
            validate_certs=settings.validate_certs,
            cert_bundle=settings.cert_bundle,
            local_hostname=settings.local_hostname,
            timeout=settings.timeout_s,
        )
        await client.connect()
        try:
            if client.last_ehlo_response is None:
                await client.ehlo()
        except aiosmtplib.SMTPHeloError:
            await client.helo()
        protocol = client.protocol
        transport = protocol.transport if protocol is not None else None
        if transport is None or transport.is_closing():
            raise _Disconnected("the server closed the connection after the greeting")
        return cls(transport, client.supports_extension("pipelining"))  # type: ignore[arg-type]

    @property
    def usable(self) -> bool:
        return not self.spent and not self.transport.is_closing() and self.replies._error is None

    async def run(self, batch: _Batch, settings: SmtpSettings) -> None:
        """Carry messages of ``batch`` until it has none left, or this connection must go
        (broken, closing, or at its message limit: then ``usable`` is false)."""
        try:
            if self.pipelining:
                await self._run_pipelined(batch, settings)
            else:
                await self._run_lockstep(batch, settings)
        except BaseException:
            self.spent = True
            raise
        if self.sent >= settings.max_messages_per_connection:
            self.spent = True

    async def _run_pipelined(self, batch: _Batch, settings: SmtpSettings) -> None:
        """RFC 2920: one write per message. The content of one message travels with the
        envelope (MAIL, RCPT, DATA) of the next; the replies come back in order."""
        reply, write = self.replies.reply, self.transport.write
        job = await batch.take()
        if job is None:
            return
        write(job.envelope() + b"DATA\r\n")
        while True:
            try:
                async with asyncio.timeout(settings.timeout_s):
                    mail, rcpt, go = await reply(), await reply(), await reply()
            except (ConnectionError, TimeoutError) as exc:
                self.spent = True
                batch.again(job, _describe(exc))
                return
            if mail.code != 250 or rcpt.code not in (250, 251) or go.code != 354:
                batch.done(job, await self._abandon(mail, rcpt, go, settings))
                if self.spent:
                    return
                job = await batch.take()
                if job is None:
                    return
                write(job.envelope() + b"DATA\r\n")
                continue
            last = self.sent + 1 >= settings.max_messages_per_connection
            following = None if last else await batch.take()
            write(job.content() + (following.envelope() + b"DATA\r\n" if following else b""))
            self.sent += 1
            try:
                async with asyncio.timeout(settings.timeout_s):
                    final = await reply()
            except (ConnectionError, TimeoutError) as exc:
                self.spent = True
                batch.unknown(job, _describe(exc))
                if following is not None:
                    batch.again(following, _describe(exc))
                return
            batch.done(job, final)
            if final.code == 421:  # the server is closing the session
                self.spent = True
                if following is not None:
                    batch.again(following, str(final))
                return
            if following is None:
                return
            job = following

    async def _run_lockstep(self, batch: _Batch, settings: SmtpSettings) -> None:
        """Servers without PIPELINING: one command, one reply."""
        reply, write = self.replies.reply, self.transport.write
        while self.sent < settings.max_messages_per_connection:
            job = await batch.take()
            if job is None:
                return
            mail_line, _, rcpt_line = job.envelope().partition(b"\r\n")
            try:
                async with asyncio.timeout(settings.timeout_s):
                    write(mail_line + b"\r\n")
                    mail = rcpt = go = await reply()
                    if mail.code == 250:
                        write(rcpt_line)
                        rcpt = go = await reply()
                        if rcpt.code in (250, 251):
                            write(b"DATA\r\n")
                            go = await reply()
            except (ConnectionError, TimeoutError) as exc:
                self.spent = True
                batch.again(job, _describe(exc))
                return
            if go.code != 354:
                batch.done(job, await self._abandon(mail, rcpt, go, settings))
                if self.spent:
                    return
                continue
            write(job.content())
            self.sent += 1
            try:
                async with asyncio.timeout(settings.timeout_s):
                    final = await reply()
            except (ConnectionError, TimeoutError) as exc:
                self.spent = True
                batch.unknown(job, _describe(exc))
                return
            batch.done(job, final)
            if final.code == 421:
                self.spent = True
                return

    async def _abandon(
        self, mail: _Reply, rcpt: _Reply, go: _Reply, settings: SmtpSettings
    ) -> _Reply:
        """A transaction that was refused: close it so the session can go on, and return the
        reply that refused it."""
        refusal = next(r for r in (mail, rcpt, go) if r.code not in (250, 251, 354))
        if refusal.code == 421:
            self.spent = True
            return refusal
        try:
            async with asyncio.timeout(settings.timeout_s):
                if go.code == 354:  # DATA accepted without a recipient: send nothing, void
                    self.transport.write(b".\r\n")
                    await self.replies.reply()
                if mail.code == 250:  # a transaction is open: reset it before the next MAIL
                    self.transport.write(b"RSET\r\n")
                    await self.replies.reply()
        except (ConnectionError, TimeoutError):
            self.spent = True
        return refusal

    def close(self, *, polite: bool = True) -> None:
        if not self.transport.is_closing():
            if polite and self.replies._error is None:
                self.transport.write(b"QUIT\r\n")
            self.transport.close()


def _describe(exc: BaseException) -> str:
    return "timeout" if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__


class EmailChannel:
    """Sends `EmailPayload` messages through an SMTP relay over at most ``connections``
    persistent connections, shared by concurrent `send_batch` calls."""

    name = "email"

    def __init__(
        self,
        smtp: SmtpSettings,
        settings: EmailSettings,
        dkim: DkimSigner | None = None,
    ) -> None:
        self.smtp = smtp
        self.renderer = EmailRenderer(settings, dkim)
        self._idle: list[_SmtpConnection] = []
        self._slots: asyncio.Semaphore | None = None
        self._signing = ThreadPoolExecutor(2, "dkim") if dkim is not None else None

    async def send_batch(self, messages: Sequence[OutboundMessage[EmailPayload]]) -> list[Receipt]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.smtp.connections)
        batch = _Batch(messages, self.renderer, self._signing)

        async def worker() -> None:
            assert self._slots is not None
            async with self._slots:
                while batch.has_more():
                    try:
                        connection = await self._acquire()
                    except (OSError, TimeoutError, aiosmtplib.SMTPException) as exc:
                        where = f"{self.smtp.host}:{self.smtp.port}"
                        batch.give_up(f"cannot connect to {where}: {_describe(exc)}")
                        return
                    try:
                        await connection.run(batch, self.smtp)
                    finally:
                        self._release(connection)

        await asyncio.gather(*(worker() for _ in range(min(self.smtp.connections, len(messages)))))
        return [r for r in batch.receipts if r is not None]

    async def _acquire(self) -> _SmtpConnection:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                return connection
            connection.close(polite=False)
        async with asyncio.timeout(self.smtp.timeout_s):
            return await _SmtpConnection.open(self.smtp)

    def _release(self, connection: _SmtpConnection) -> None:
        if connection.usable:
            self._idle.append(connection)
        else:
            connection.close()

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()
        if self._signing is not None:
            self._signing.shutdown(wait=False)


class MailFolderChannel:
    """The embedded default: the same messages, written to the local mail folder (one .eml
    file each, named and written like `newswire.channels.mailfolder.write_message` does, with
    the Return-Path a delivering MTA would add)."""

    name = "email"

    def __init__(
        self, folder: Path, settings: EmailSettings, dkim: DkimSigner | None = None
    ) -> None:
        self.folder = folder
        self.renderer = EmailRenderer(settings, dkim)

    async def send_batch(self, messages: Sequence[OutboundMessage[EmailPayload]]) -> list[Receipt]:
        prepared: list[tuple[OutboundMessage[EmailPayload], RenderedEmail | str]] = []
        for message in messages:
            try:
                prepared.append((message, self.renderer.render(message)))
            except ValueError as exc:
                prepared.append((message, str(exc)))
        return await asyncio.to_thread(self._write_all, prepared)

    def _write_all(
        self, prepared: list[tuple[OutboundMessage[EmailPayload], RenderedEmail | str]]
    ) -> list[Receipt]:
        receipts: list[Receipt] = []
        for message, rendered in prepared:
            started = time.perf_counter()
            if isinstance(rendered, str):
                receipts.append(Receipt(message.delivery_id, Outcome.FAILED, detail=rendered))
                continue
            try:
                path = self._write(message.delivery_id, rendered)
            except OSError as exc:
                receipts.append(Receipt(message.delivery_id, Outcome.RETRY, detail=str(exc)))
                continue
            receipts.append(
                Receipt(
                    message.delivery_id,
                    Outcome.DELIVERED,
                    None,
                    elapsed_ms(started),
                    None,
                    path.name,
                )
            )
        return receipts

    def _write(self, delivery_id: str, rendered: RenderedEmail) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{delivery_id}.eml"
        path = self.folder / name
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(
            f"Return-Path: <{rendered.sender}>\r\n".encode("ascii") + rendered.data
        )
        temporary.rename(path)  # readers never see a half-written message
        return path

    async def aclose(self) -> None:
        return None


class Bounce(NamedTuple):
    delivery_id: str | None  # None: not addressed to one of our return paths
    hard: bool  # permanent: the address should not be mailed again
    reason: str


_ENVELOPE_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "X-Envelope-To", "To")


def parse_bounce(raw: bytes | str, *, return_path_local: str = "bounces") -> Bounce:
    """Which delivery a bounce is about, and whether it is permanent.

    The delivery comes from the address the bounce was sent to (our VERP return path,
    ``bounces+<delivery id>@domain``, as the receiving MTA recorded it), else from the returned
    message's own return path or Message-ID. A DSN (RFC 3464) is hard when a recipient's
    Action is ``failed`` with a 5.x.x Status, soft for ``delayed`` or 4.x.x; a bounce that is
    no DSN at all is judged by the first enhanced status code in its text, soft if none.
    """
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    message = message_from_bytes(data, policy=policy.compat32)
    verp = re.compile(
        re.escape(return_path_local) + r"\+([A-Za-z0-9][A-Za-z0-9._-]{0,127})@", re.IGNORECASE
    )

    delivery_id = None
    for header in _ENVELOPE_HEADERS:
        for value in message.get_all(header, []):
            match = verp.search(str(value))
            if match:
                delivery_id = match.group(1)
                break
        if delivery_id:
            break

    hard, reason, found = False, "", False
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks[1:] if isinstance(blocks, list) else []:
                action = str(block.get("Action", "")).strip().lower()
                status = str(block.get("Status", "")).strip()
                diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
                found = True
                hard = action == "failed" and status.startswith("5")
                reason = diagnostic or f"{action} {status}".strip()
                if hard:
                    break
        elif content_type in ("message/rfc822", "text/rfc822-headers") and delivery_id is None:
            delivery_id = _returned_delivery_id(part, verp)
    if not found:
        body = _plain_text(message)
        status = enhanced_status_in(body)
        hard = bool(status and status.startswith("5"))
        reason = status or "not a delivery status notification"
    return Bounce(delivery_id, hard, reason)


def _returned_delivery_id(part: Message, verp: re.Pattern[str]) -> str | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        original: Message = payload[0]
    else:
        text = payload if isinstance(payload, str) else ""
        original = message_from_bytes(text.encode("utf-8", "replace"), policy=policy.compat32)
    for header in ("Return-Path", "Sender"):
        match = verp.search(str(original.get(header, "")))
        if match:
            return match.group(1)
    message_id = re.fullmatch(
        r"\s*<([A-Za-z0-9][A-Za-z0-9._-]{0,127})@[^>]+>\s*", str(original.get("Message-ID", ""))
    )
    return message_id.group(1) if message_id else None


def _plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode("utf-8", "replace")
    return ""


_ENHANCED_ANYWHERE = re.compile(r"\b([45]\.\d{1,3}\.\d{1,3})\b")


def enhanced_status_in(text: str) -> str | None:
    """The first RFC 3463 status code anywhere in ``text`` (non-DSN bounces)."""
    match = _ENHANCED_ANYWHERE.search(text)
    return match.group(1) if match else None
