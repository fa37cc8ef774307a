"""Email channel (channels stage): personalised release mail over a pool of persistent,
pipelined SMTP connections (`newswire.channels.smtp`), or into the local mail folder when no
SMTP server is configured (the embedded default). Messages are built by
`newswire.channels.email_render`; bounces are read by `newswire.channels.bounce`.

Each message goes to one recipient, with a return path of its own (VERP), so every SMTP reply
and every later bounce belongs to exactly one delivery.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import aiosmtplib

from newswire.channels.base import OutboundMessage, Outcome, Receipt, elapsed_ms
from newswire.channels.dkim import DkimSigner
from newswire.channels.email_render import EmailPayload, EmailRenderer, EmailSettings, RenderedEmail
from newswire.channels.smtp import SmtpBatch, SmtpConnection, SmtpSettings, describe_error


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
        self._idle: list[SmtpConnection] = []
        self._slots: asyncio.Semaphore | None = None
        self._signing = ThreadPoolExecutor(2, "dkim") if dkim is not None else None

    async def send_batch(self, messages: Sequence[OutboundMessage[EmailPayload]]) -> list[Receipt]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.smtp.connections)
        batch = SmtpBatch(messages, self.renderer, self._signing)

        async def worker() -> None:
            assert self._slots is not None
            async with self._slots:
                while batch.has_more():
                    try:
                        connection = await self._acquire()
                    except (OSError, TimeoutError, aiosmtplib.SMTPException) as exc:
                        where = f"{self.smtp.host}:{self.smtp.port}"
                        batch.give_up(f"cannot connect to {where}: {describe_error(exc)}")
                        return
                    try:
                        await connection.run(batch, self.smtp)
                    finally:
                        self._release(connection)

        await asyncio.gather(*(worker() for _ in range(min(self.smtp.connections, len(messages)))))
        return [r for r in batch.receipts if r is not None]

    async def _acquire(self) -> SmtpConnection:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                return connection
            connection.close(polite=False)
        async with asyncio.timeout(self.smtp.timeout_s):
            return await SmtpConnection.open(self.smtp)

    def _release(self, connection: SmtpConnection) -> None:
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
