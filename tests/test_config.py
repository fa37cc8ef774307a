"""Settings from the environment (`newswire.config.load_settings`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswire.config import load_settings


def test_return_paths_are_in_the_from_addresss_domain_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An operator who sets only NEWSWIRE_MAIL_FROM gets bounces at that domain, not at
    newswire.local (where they were lost, and which SpamAssassin scores as
    HEADER_FROM_DIFFERENT_DOMAINS)."""
    monkeypatch.delenv("NEWSWIRE_BOUNCE_DOMAIN", raising=False)
    monkeypatch.setenv("NEWSWIRE_MAIL_FROM", "press-office@wire.example")
    assert load_settings(tmp_path).bounce_domain == "wire.example"
    assert load_settings(tmp_path, mail_from="desk@news.example").bounce_domain == "news.example"
    monkeypatch.setenv("NEWSWIRE_BOUNCE_DOMAIN", "bounces.wire.example")
    assert load_settings(tmp_path).bounce_domain == "bounces.wire.example"
    monkeypatch.delenv("NEWSWIRE_MAIL_FROM")
    monkeypatch.delenv("NEWSWIRE_BOUNCE_DOMAIN")
    assert load_settings(tmp_path).bounce_domain == "newswire.local"
