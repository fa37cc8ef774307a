"""Fixtures of the verified-issuer page and API tests: the DNS and HTTP servers of domain
proofs, and settings that point the proofs at them."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswire.config import Settings, load_settings
from proof_servers import ProofServers


@pytest.fixture
def settings(tmp_path: Path, database_url: str, proofs: ProofServers) -> Settings:
    return load_settings(
        tmp_path,
        database_url=database_url,
        base_url="http://testserver",
        wire_url="https://newswire.example/",
        dns_resolver=proofs.dns_resolver,
        domain_check_url_template=proofs.url_template,
        webhook_allow=("127.0.0.0/8",),
    )
