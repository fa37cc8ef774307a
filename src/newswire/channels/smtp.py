"""SMTP sessions (channels stage): persistent, pipelined connections that carry the messages of
one `EmailChannel.send_batch` call.

Connections are opened with aiosmtplib, which does the delicate part (implicit TLS or
STARTTLS, EHLO, AUTH); the open, authenticated transport is then handed to `SmtpConnection`.
Where the server offers PIPELINING (RFC 2920) it writes once per message: the content of one
message together with MAIL, RCPT and DATA of the next. aiosmtplib alone sends one command per
round trip and cannot read pipelined replies: on the dev machine it managed 1,600 messages/s
to Postfix's smtp-sink, where smtp-source did ~9,000/s; two writes per message (envelope,
then content) ~4,600/s and one write ~6,400/s in a bare loop (see bench/fanout_email.py).

`SmtpBatch` holds the messages of one call, shared by its connections; each reply becomes a
receipt (`newswire.channels.outcomes.classify_smtp`). A message whose content never went out
(the connection broke first) is sent again over a new connection at once; one whose content
went out without a verdict is reported ``retry`` (at least once).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import NamedTuple

import aiosmtplib

from newswire.channels.base import OutboundMessage, Outcome, Receipt, elapsed_ms
from newswire.channels.email_render import EmailPayload, EmailRenderer, RenderedEmail
from newswire.channels.outcomes import classify_smtp


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


class SmtpBatch:
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


class SmtpConnection:
    """One open, greeted, possibly TLS and authenticated SMTP session."""

    def __init__(self, transport: asyncio.WriteTransport, pipelining: bool) -> None:
        self.replies = _Replies(transport)
        transport.set_protocol(self.replies)
        self.transport = transport
        self.pipelining = pipelining
        self.sent = 0  # messages whose content went over this connection
        self.spent = False  # in a state where it must not carry another message

    @classmethod
    async def open(cls, settings: SmtpSettings) -> SmtpConnection:
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

    async def run(self, batch: SmtpBatch, settings: SmtpSettings) -> None:
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

    async def _run_pipelined(self, batch: SmtpBatch, settings: SmtpSettings) -> None:
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
                batch.again(job, describe_error(exc))
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
                batch.unknown(job, describe_error(exc))
                if following is not None:
                    batch.again(following, describe_error(exc))
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

    async def _run_lockstep(self, batch: SmtpBatch, settings: SmtpSettings) -> None:
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
                batch.again(job, describe_error(exc))
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
                batch.unknown(job, describe_error(exc))
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


def describe_error(exc: BaseException) -> str:
    return "timeout" if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__
