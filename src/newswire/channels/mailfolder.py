"""The embedded default's mail: each message is written as an .eml file to the data folder's
mail folder, where an operator (and the tests) can read it, when no SMTP server is configured."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path


def write_message(folder: Path, message: EmailMessage) -> Path:
    if "Date" not in message:
        message["Date"] = formatdate(localtime=False)
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain="newswire.local")
    return write_raw(folder, bytes(message))


def write_raw(folder: Path, data: bytes) -> Path:
    """A finished message (signed, if it is) as one more .eml file of the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}.eml"
    path = folder / name
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(data)
    temporary.rename(path)  # readers never see a half-written message
    return path


def list_messages(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.eml")) if folder.exists() else []
