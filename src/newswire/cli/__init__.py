"""The command line (Typer): one thin module per command group over `newswire.actions`; errors
are messages and exit codes, never tracebacks. `app` holds the groups and what they share; the
modules below register their commands on it, in the order `newswire --help` lists them."""

# ruff: noqa: I001  (the import order is the order of the commands in --help)
from __future__ import annotations

from newswire.cli import serve, release, accounts, recipients, deliveries, i18n, translate
from newswire.cli import provenance, doctor, cluster
from newswire.cli.app import app

__all__ = [
    "accounts",
    "app",
    "cluster",
    "deliveries",
    "doctor",
    "i18n",
    "main",
    "provenance",
    "recipients",
    "release",
    "serve",
    "translate",
]


def main() -> None:
    app()
