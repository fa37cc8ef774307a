"""Settings, read once from the environment; every default is documented here and in the README."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    base_url: str = "http://127.0.0.1:8000"
    wire_name: str = "Newswire"
    wire_url: str = "http://127.0.0.1:8000/"
    scheduler_interval_s: float = 1.0
    max_request_bytes: int = 2_000_000
    bus_url: str = ""  # "" = in-process; nats://host:4222 = NATS JetStream
    smtp_url: str = ""  # "" = the local mail folder; smtp://user:pass@host:587
    mail_from: str = "releases@newswire.local"
    bounce_domain: str = "newswire.local"  # load_settings: default the domain of mail_from
    webhook_allow: tuple[str, ...] = ()  # networks webhooks may reach despite being private
    trusted_proxies: tuple[str, ...] = ()  # addresses whose X-Forwarded-For is believed
    shutdown_grace_s: float = 3.0  # on SIGTERM, requests (streams) still open are then ended
    run_workers: bool = True  # embedded: the server process also delivers
    delivery_lease_s: float = 120.0  # a claimed delivery is another worker's after this
    webhook_timeout_s: float = 15.0
    digest_hour: int = 7  # UTC hour at which the daily digest goes out
    dkim_key: str = ""  # path to a PEM RSA private key; "" = no DKIM signing
    dkim_selector: str = "newswire"
    dkim_domain: str = ""  # default: the domain of mail_from
    # host:port of the DNS server for domain proofs and the SSRF guard; "" = the system's
    dns_resolver: str = ""
    domain_check_url_template: str = "https://{domain}/.well-known/newswire-verification.txt"
    domain_recheck_s: float = 86400.0  # verified domains are checked again after this
    country_header: str = ""  # a trusted proxy's country header for readership (CF-IPCountry)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def mail_dir(self) -> Path:
        """Where mail goes when no SMTP server is configured (the embedded default)."""
        return self.data_dir / "mail"

    @property
    def secret_key(self) -> bytes:
        """Signs unsubscribe links and other tokens: $NEWSWIRE_SECRET_KEY, else a random key
        kept in the data folder (created on first use, readable by the owner only)."""
        configured = os.environ.get("NEWSWIRE_SECRET_KEY")
        if configured:
            return configured.encode()
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_hex(32).encode())
        return path.read_bytes().strip()


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'newswire.db'}"


def normalize_database_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` URLs and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings(data_dir: Path | str | None = None, **overrides: object) -> Settings:
    """Settings from the environment: NEWSWIRE_DATA (default ./var), DATABASE_URL (default SQLite
    in the data folder), NEWSWIRE_BASE_URL, NEWSWIRE_WIRE_NAME, NEWSWIRE_WIRE_URL,
    NEWSWIRE_BUS_URL, NEWSWIRE_SMTP_URL, NEWSWIRE_MAIL_FROM, NEWSWIRE_BOUNCE_DOMAIN (default:
    the domain of NEWSWIRE_MAIL_FROM),
    NEWSWIRE_WEBHOOK_ALLOW (comma-separated networks), NEWSWIRE_TRUSTED_PROXIES (comma-separated
    addresses or networks), NEWSWIRE_DNS_RESOLVER, NEWSWIRE_DOMAIN_CHECK_URL_TEMPLATE,
    NEWSWIRE_DOMAIN_RECHECK_S (domain proofs)."""
    data = Path(data_dir or os.environ.get("NEWSWIRE_DATA") or "var").resolve()
    base_url = os.environ.get("NEWSWIRE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    values: dict[str, object] = {
        "data_dir": data,
        "database_url": normalize_database_url(os.environ.get("DATABASE_URL") or sqlite_url(data)),
        "base_url": base_url,
        "wire_name": os.environ.get("NEWSWIRE_WIRE_NAME", "Newswire"),
        "wire_url": os.environ.get("NEWSWIRE_WIRE_URL", base_url + "/"),
    }
    values |= {
        "bus_url": os.environ.get("NEWSWIRE_BUS_URL", ""),
        "smtp_url": os.environ.get("NEWSWIRE_SMTP_URL", ""),
        "mail_from": os.environ.get("NEWSWIRE_MAIL_FROM", "releases@newswire.local"),
        "bounce_domain": os.environ.get("NEWSWIRE_BOUNCE_DOMAIN", ""),
        "delivery_lease_s": float(os.environ.get("NEWSWIRE_DELIVERY_LEASE_S", "120")),
        "dkim_key": os.environ.get("NEWSWIRE_DKIM_KEY", ""),
        "dkim_selector": os.environ.get("NEWSWIRE_DKIM_SELECTOR", "newswire"),
        "dkim_domain": os.environ.get("NEWSWIRE_DKIM_DOMAIN", ""),
        "country_header": os.environ.get("NEWSWIRE_COUNTRY_HEADER", "").strip(),
        "digest_hour": int(os.environ.get("NEWSWIRE_DIGEST_HOUR", "7")),
        "webhook_timeout_s": float(os.environ.get("NEWSWIRE_WEBHOOK_TIMEOUT_S", "15")),
        "dns_resolver": os.environ.get("NEWSWIRE_DNS_RESOLVER", ""),
        "domain_check_url_template": os.environ.get(
            "NEWSWIRE_DOMAIN_CHECK_URL_TEMPLATE",
            "https://{domain}/.well-known/newswire-verification.txt",
        ),
        "domain_recheck_s": float(os.environ.get("NEWSWIRE_DOMAIN_RECHECK_S", "86400")),
        "webhook_allow": _listed("NEWSWIRE_WEBHOOK_ALLOW"),
        "trusted_proxies": _listed("NEWSWIRE_TRUSTED_PROXIES"),
        "shutdown_grace_s": float(os.environ.get("NEWSWIRE_SHUTDOWN_GRACE_S", "3")),
    }
    values.update(overrides)
    if not values["bounce_domain"]:
        # the return path in the From address's domain: bounces reach a domain the operator
        # runs, and receivers see one domain (SPF/DMARC alignment; SpamAssassin's
        # HEADER_FROM_DIFFERENT_DOMAINS fires when the envelope sender's domain differs)
        values["bounce_domain"] = str(values["mail_from"]).rpartition("@")[2]
    return Settings(**values)  # type: ignore[arg-type]


def _listed(name: str) -> tuple[str, ...]:
    """A comma-separated environment variable as a tuple of its non-empty items."""
    return tuple(n.strip() for n in os.environ.get(name, "").split(",") if n.strip())
