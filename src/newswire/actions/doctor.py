"""`newswire doctor`: what works and what is missing on the machine and configuration a wire
runs on, in plain words. Each check gives a `Finding`; a required part that is broken makes
the whole answer a failure (the command's exit status)."""

from __future__ import annotations

import asyncio
import shutil
import smtplib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from newswire.config import Settings, sqlite_url
from newswire.deliver.setup import BadConfiguration, dkim_signer, smtp_settings
from newswire.intake.language import WIRE_LANGUAGES
from newswire.provenance.keys import KeyRingError, key_ring, keys_path
from newswire.store.migrate import alembic_config
from newswire.translate.engines import EngineRegistry

OK, WARN, FAIL = "ok", "warn", "fail"
MIN_FREE_BYTES = 100_000_000  # below this the wire cannot be trusted to keep what it accepts
LOW_FREE_BYTES = 1_000_000_000


@dataclass(frozen=True)
class Finding:
    status: str  # ok | warn | fail
    part: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"status": self.status, "part": self.part, "message": self.message}


def _database(settings: Settings) -> Finding:
    embedded = settings.database_url == sqlite_url(settings.data_dir)
    where = f"SQLite at {settings.data_dir / 'newswire.db'}" if embedded else "PostgreSQL"
    if embedded and not (settings.data_dir / "newswire.db").exists():
        return Finding(
            WARN,
            "database",
            f"no wire in {settings.data_dir} yet; `newswire serve` or `newswire demo` makes one",
        )
    engine = create_engine(settings.database_url, connect_args=_connect_timeout(settings))
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    except Exception as exc:  # any driver's error: say it, do not raise
        return Finding(FAIL, "database", f"{where} cannot be reached: {str(exc).splitlines()[0]}")
    finally:
        engine.dispose()
    if current != head:
        return Finding(
            WARN,
            "database",
            f"{where} is at migration {current}, the code at {head}: run `newswire db-upgrade` "
            f"(serve does it at start)",
        )
    return Finding(OK, "database", f"{where}, at the latest migration ({head})")


def _connect_timeout(settings: Settings) -> dict[str, object]:
    return {} if settings.is_sqlite else {"connect_timeout": 3}


def _bus(settings: Settings) -> Finding:
    if not settings.bus_url:
        return Finding(OK, "bus", "in-process (one process serves, schedules and delivers)")

    async def probe() -> str:
        import nats

        async def quiet(_error: Exception) -> None:
            """The failure is the finding: no traceback from nats-py's default error callback."""

        client = await nats.connect(
            settings.bus_url,
            connect_timeout=3,
            max_reconnect_attempts=1,  # 0 retried a refused connection until the timeout
            reconnect_time_wait=0.1,
            allow_reconnect=False,
            error_cb=quiet,
        )
        try:
            info = await client.jetstream().account_info()
            return f"{info.streams} stream(s)"
        finally:
            await client.close()

    try:
        streams = asyncio.run(asyncio.wait_for(probe(), 6))
    except Exception as exc:
        return Finding(
            FAIL,
            "bus",
            f"NATS at {settings.bus_url} with JetStream cannot be used: "
            + (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__),
        )
    return Finding(OK, "bus", f"NATS JetStream at {settings.bus_url} ({streams})")


def _smtp(settings: Settings) -> Finding:
    if not settings.smtp_url:
        return Finding(
            WARN,
            "mail",
            f"no SMTP server: mail goes to the local mail folder {settings.mail_dir} (set "
            f"NEWSWIRE_SMTP_URL to send it)",
        )
    try:
        smtp = smtp_settings(settings.smtp_url)
    except BadConfiguration as exc:
        return Finding(FAIL, "mail", exc.message)
    try:
        cls = smtplib.SMTP_SSL if smtp.use_tls else smtplib.SMTP
        with cls(smtp.host, smtp.port, timeout=5) as client:
            client.ehlo()
            tls = smtp.use_tls or client.has_extn("starttls")
    except (OSError, smtplib.SMTPException) as exc:
        return Finding(
            FAIL, "mail", f"SMTP server {smtp.host}:{smtp.port} cannot be reached: {exc}"
        )
    if not tls:
        return Finding(
            WARN,
            "mail",
            f"SMTP server {smtp.host}:{smtp.port} answers but offers no STARTTLS: mail travels "
            f"unencrypted",
        )
    return Finding(
        OK,
        "mail",
        f"SMTP server {smtp.host}:{smtp.port} answers, with "
        + ("TLS" if smtp.use_tls else "STARTTLS"),
    )


def _dkim(settings: Settings) -> Finding:
    try:
        signer = dkim_signer(settings)
    except BadConfiguration as exc:
        return Finding(FAIL, "dkim", exc.message)
    if signer is None:
        return Finding(
            WARN,
            "dkim",
            "mail is not DKIM-signed: set NEWSWIRE_DKIM_KEY to a PEM RSA key (receivers trust "
            "signed mail more)",
        )
    domain = settings.dkim_domain or settings.mail_from.rpartition("@")[2]
    return Finding(
        OK,
        "dkim",
        f"mail is signed for {domain}; publish this TXT record at "
        f"{settings.dkim_selector}._domainkey.{domain}: {signer.dns_record()}",
    )


def _base_url(settings: Settings) -> Finding:
    parts = urlsplit(settings.base_url)
    if parts.scheme == "https":
        return Finding(OK, "base URL", f"{settings.base_url} (https)")
    return Finding(
        WARN,
        "base URL",
        f"{settings.base_url} is not https: emails carry List-Unsubscribe without "
        f"List-Unsubscribe-Post (RFC 8058 one-click needs https), and links in mail and feeds are "
        f"not encrypted",
    )


def _translation(settings: Settings) -> Finding:
    try:
        registry = EngineRegistry.for_data_dir(settings.data_dir)
    except ValueError as exc:
        return Finding(FAIL, "translation", str(exc))
    routes = [registry.route(s, t) for s in WIRE_LANGUAGES for t in WIRE_LANGUAGES if s != t]
    covered = [r for r in routes if r.kind != "none"]
    from_english = sorted(r.tgt for r in covered if r.src == "en")
    missing = sorted(r.tgt for r in routes if r.src == "en" and r.kind == "none")
    message = (
        f"{len(covered)} of {len(routes)} language pairs have an engine; from English: "
        f"{', '.join(from_english) or 'none'}"
    )
    if missing:
        message += (
            f"; a translator translates into {', '.join(missing)} "
            "(`newswire translate engines` says how to add an engine)"
        )
    return Finding(OK if not missing else WARN, "translation", message)


def _webhooks(settings: Settings) -> Finding:
    if settings.webhook_allow:
        return Finding(
            OK,
            "webhooks",
            f"may reach these private networks: {', '.join(settings.webhook_allow)}; everything "
            f"else private or local is refused",
        )
    return Finding(
        OK,
        "webhooks",
        "private and local addresses are refused (NEWSWIRE_WEBHOOK_ALLOW lets a network through, "
        "e.g. a receiver on this machine)",
    )


def _disk(settings: Settings) -> Finding:
    folder = settings.data_dir if settings.data_dir.exists() else Path(settings.data_dir).parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        return Finding(FAIL, "disk", f"cannot read the disk of {folder}: {exc.strerror}")
    said = f"{free / 1e9:.1f} GB free for the data folder {settings.data_dir}"
    if free < MIN_FREE_BYTES:
        return Finding(FAIL, "disk", said + ": too little to accept releases safely")
    return Finding(WARN if free < LOW_FREE_BYTES else OK, "disk", said)


def _signing(settings: Settings) -> Finding:
    path = keys_path(settings.data_dir)
    if not path.exists():
        return Finding(OK, "signing", f"no key ring yet: the first publication makes one at {path}")
    try:
        ring = key_ring(settings.data_dir)
        active = ring.active()
        count = len(ring.keys())
    except KeyRingError as exc:
        return Finding(FAIL, "signing", str(exc))
    return Finding(
        OK,
        "signing",
        f"signing with key {active.kid} ({count} key(s) in {path}); public keys at "
        f"{settings.base_url}/.well-known/newswire-keys.json",
    )


CHECKS = (_database, _bus, _smtp, _dkim, _base_url, _translation, _webhooks, _signing, _disk)


def examine(settings: Settings) -> list[Finding]:
    return [check(settings) for check in CHECKS]


def examine_shared_services(settings: Settings) -> list[Finding]:
    """The database and bus checks alone: what processes sharing a wire need reachable."""
    return [_database(settings), _bus(settings)]
