"""Helpers for tests of the signed-in pages: sign in through the login form, read CSRF tokens."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct-horse"  # builders.make_world's password for every user
EMAILS = {
    "editor": "editor@newswire.example",
    "admin": "admin@newswire.example",
    "issuer": "press@acme.example",
}


def csrf(page_html: str) -> str:
    """The page's CSRF token (every form on a page carries the same one)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def login(client: TestClient, who: str, password: str = PASSWORD) -> object:
    """Sign in as one of make_world's users ("editor", "admin", "issuer") through the form."""
    token = csrf(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": EMAILS.get(who, who), "password": password, "csrf_token": token},
        follow_redirects=False,
    )
