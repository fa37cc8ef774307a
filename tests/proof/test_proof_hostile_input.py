"""Proof suite 8 (issue 15): hostile input. Fuzzed intake (Markdown with front matter, HTML in
bodies, JSON releases, CSV and JSON recipient imports, bounce messages) never escapes as a 500
or a traceback, and refused input leaves no record; XSS payloads in every text field of a
release and of a recipient never reach a page, an email or a feed unescaped; CSV exports never
start a cell like a formula.

Hypothesis, bounded: `proof_scale` examples per property (small in CI), no deadline."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import World, release_payload, sqlite_url
from newswire.actions.scheduler import run_once
from newswire.channels.bounce import parse_bounce
from newswire.channels.mailfolder import list_messages
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.domain.errors import NewswireError
from newswire.domain.spreadsheet import FORMULA_STARTS
from newswire.intake import parse_markdown_release
from newswire.store.models import Recipient, Release
from proof_scale import proof_scale

EXAMPLES = proof_scale(15, 400)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """About what users see, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


def _figures(what: str, tally: Counter[str], stored: bool = True) -> str:
    examples = sum(v for k, v in tally.items() if k != "cells checked")
    listed = ", ".join(f"{k} {v}" for k, v in sorted(tally.items()))
    after = "500s 0, half-written records 0" if stored else "exceptions other than a refusal 0"
    return f"{what}: {examples} examples ({listed}); {after}"


def _count(client: TestClient, model: type) -> int:
    with client.app.state.db.session() as s:
        return s.query(model).count()


# --- fuzzed intake --------------------------------------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "---\n---\n---",
            "{{7*7}}",
            "\ufeff\u202e\u0000",
            "&#x3C;script&#x3E;",
            "*" * 500,
            "[x](javascript:alert(1))",
            "<!--",
            "]]>",
            "\r\n.\r\n",
        ]
    ),
)
YAML_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither
        HOSTILE_TEXT,
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=10,
)
FIELDS = ["headline", "subheadline", "body", "language", "industries", "regions", "dateline",
          "contacts", "embargo", "boilerplate", "keywords", "tickers", "target_languages"]  # fmt: skip


@st.composite
def markdown_files(draw: st.DrawFn) -> bytes:
    """A Markdown release: front matter of hostile keys and values (or hostile YAML text), then
    a hostile body; sometimes not even UTF-8."""
    how = draw(st.sampled_from(["valid", "hostile keys", "hostile text"]))
    if how == "valid":  # a real release (JSON is YAML) with a few fields made hostile
        fields = {k: v for k, v in release_payload().items() if k != "body"}
        for name in draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)):
            fields[name] = draw(YAML_VALUES)
        header = json.dumps(fields, default=str)
    elif how == "hostile keys":
        header = json.dumps(
            draw(st.dictionaries(st.sampled_from(FIELDS) | HOSTILE_TEXT, YAML_VALUES, max_size=6)),
            default=str,
        )
    else:
        header = draw(HOSTILE_TEXT)
    body = draw(HOSTILE_TEXT)
    if how == "valid":
        body = release_payload()["body"] + "\n\n" + body
    text = f"---\n{header}\n---\n{body}"
    raw = text.encode("utf-8", "surrogatepass")
    return raw + draw(st.binary(max_size=8)) if draw(st.integers(0, 3)) == 0 else raw


@FUZZ
@given(raw=markdown_files())
def _markdown_files_parse_or_refuse(tally: Counter[str], raw: bytes) -> None:
    try:
        content = parse_markdown_release(raw, now=NOW)
    except NewswireError as exc:
        assert exc.as_dict()["message"], exc
        tally["refused"] += 1
    else:
        assert content.headline
        tally["parsed"] += 1


def test_fuzzed_markdown_files_are_parsed_or_refused_with_named_fields(
    proof_figures: Callable[[str], None],
) -> None:
    """What `newswire release submit FILE` parses: a release, or a refusal naming fields."""
    tally: Counter[str] = Counter()
    _markdown_files_parse_or_refuse(tally)
    proof_figures(_figures("Markdown files", tally, stored=False))


@st.composite
def json_releases(draw: st.DrawFn) -> Any:
    """A valid release with a few fields replaced by hostile values (HTML bodies included)."""
    payload = release_payload()
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        payload[name] = draw(YAML_VALUES)
    if draw(st.booleans()):
        payload["body"] = draw(
            st.sampled_from(
                [
                    "<div onclick=alert(1)>Hi</div> " * 3,
                    "<table><tr><td><script>x</script></td></tr></table>" * 2,
                    "<img src=x onerror=alert(1)><style>*{}</style> body text here",
                    "<" * 2000,
                ]
            )
        )
    return payload


@FUZZ
@given(body=json_releases())
def _json_release_created_or_refused(
    client: TestClient, world: World, tally: Counter[str], body: Any
) -> None:
    before = _count(client, Release)
    response = client.post("/api/v1/releases", json=body, headers=world.headers("issuer"))
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")
    if response.status_code >= 400:
        assert response.json()["error"], response.text
        assert _count(client, Release) == before
    else:
        assert response.status_code == 201
        assert _count(client, Release) == before + 1
    tally[str(response.status_code)] += 1


def test_fuzzed_json_releases_are_4xx_or_created_and_a_refusal_stores_nothing(
    client: TestClient, world: World, proof_figures: Callable[[str], None]
) -> None:
    tally: Counter[str] = Counter()
    _json_release_created_or_refused(client, world, tally)
    proof_figures(_figures("JSON releases via the API", tally))


CSV_HEADER = "kind,name,email,languages,countries,webhook_url,industries,regions\n"


@st.composite
def csv_imports(draw: st.DrawFn) -> bytes:
    rows = draw(
        st.lists(
            st.lists(HOSTILE_TEXT | st.sampled_from(["journalist", "partner", "a@b.example"]),
                     min_size=0, max_size=10),
            max_size=5,
        )
    )  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    header = draw(st.sampled_from([CSV_HEADER, "", "name\n", "\ufeff" + CSV_HEADER]))
    return (header + buffer.getvalue()).encode("utf-8", "surrogatepass") + draw(
        st.binary(max_size=4)
    )


JSON_IMPORTS = st.one_of(
    st.lists(st.dictionaries(st.sampled_from(["kind", "name", "email", "webhook_url",
                             "subscriptions", "outlet", "languages"]) | HOSTILE_TEXT,
                             YAML_VALUES, max_size=6), max_size=4),
    YAML_VALUES,
).map(lambda value: json.dumps(value, default=str).encode())  # fmt: skip


@FUZZ
@given(fmt_raw=st.one_of(st.tuples(st.just("csv"), csv_imports()),
                         st.tuples(st.just("json"), JSON_IMPORTS)))  # fmt: skip
def _import_all_or_nothing(
    client: TestClient, world: World, tally: Counter[str], fmt_raw: tuple[str, bytes]
) -> None:
    fmt, raw = fmt_raw
    before = _count(client, Recipient)
    response = client.post(
        f"/api/v1/recipients/import?format={fmt}",
        content=raw,
        headers={**world.headers("editor"), "Content-Type": f"text/{fmt}"},
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"], response.text
        assert _count(client, Recipient) == before
    tally[f"{fmt} {response.status_code}"] += 1


def test_fuzzed_recipient_imports_are_all_or_nothing_and_never_a_500(
    client: TestClient, world: World, proof_figures: Callable[[str], None]
) -> None:
    tally: Counter[str] = Counter()
    _import_all_or_nothing(client, world, tally)
    proof_figures(_figures("CSV/JSON recipient imports", tally))


BOUNCE_HEADERS = st.sampled_from(
    [
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n",
        "Content-Type: multipart/report; boundary=\r\n",
        "Content-Type: message/delivery-status\r\n",
        "To: bounces+d-1@wire.example\r\n",
        "To: bounces+\u00e9@wire.example\r\n",
        "Content-Transfer-Encoding: base64\r\n",
        "Content-Type: text/plain; charset=x-unknown\r\n",
    ]
)


@FUZZ
@given(
    headers=st.lists(BOUNCE_HEADERS, max_size=4),
    body=st.one_of(
        HOSTILE_TEXT,
        st.just("--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n"
                "Status: 5.1.1\r\nFinal-Recipient: rfc822; \udcff\r\n--b--"),
    ),
    tail=st.binary(max_size=16),
)  # fmt: skip
def _bounce_judged(tally: Counter[str], headers: list[str], body: str, tail: bytes) -> None:
    raw = ("".join(headers) + "\r\n" + body).encode("utf-8", "surrogateescape") + tail
    bounce = parse_bounce(raw)
    assert bounce.delivery_id is None or bounce.delivery_id.startswith("d-")
    tally["about a delivery" if bounce.delivery_id else "about none"] += 1


def test_fuzzed_bounce_messages_are_judged_without_raising(
    proof_figures: Callable[[str], None],
) -> None:
    tally: Counter[str] = Counter()
    _bounce_judged(tally)
    proof_figures(_figures("bounce messages", tally, stored=False))


# --- XSS ------------------------------------------------------------------------------------------

PAYLOADS = [
    '<script>alert("xss0")</script>',
    '<img src=x onerror=alert("xss1")>',
    '"><svg onload=alert("xss2")>',
    "'><iframe src=javascript:alert('xss3')></iframe>",
    "<a href=\"javascript:alert('xss4')\">xss4</a>",
    '</title></script><script>alert("xss5")</script>',
    ']]><script>alert("xss6")</script>',
    "<xss7-tag>",
]
# elements a page of the wire never has, so a payload made them (scripts: by what they run)
ACTIVE_TAGS = {"iframe", "object", "embed", "xss7-tag"}


class _Findings(HTMLParser):
    """Whatever in an HTML document could run a payload: an element only a payload makes, an
    on* attribute or javascript: URL mentioning a payload, a script (not JSON-LD data that
    parses) mentioning one."""

    def __init__(self, allowed: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.found: list[str] = []
        self._script: str | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name.startswith("on") and "xss" in text:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and text.startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ACTIVE_TAGS and tag not in self.allowed:
            self.found.append(f"<{tag}> element")
        if tag == "script":
            self._script = dict(attrs).get("type") or ""
            self._script_text = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            text = "".join(self._script_text)
            if self._script == "application/ld+json":
                try:
                    json.loads(text)
                except ValueError:
                    self.found.append("a JSON-LD script broken out of")
            elif "xss" in text:
                self.found.append(f"<script> running {text[:60]!r}")
            self._script = None


def unescaped_payloads(html: str, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """What of a payload is live in ``html`` (empty: everything arrived escaped or sanitized)."""
    parser = _Findings(set(allowed))
    parser.feed(html)
    parser.close()
    return parser.found


def _xss_release() -> dict[str, Any]:
    p = PAYLOADS
    return release_payload(
        headline=f"Acme news {p[0]} {p[5]}",
        subheadline=f"More {p[1]} {p[2]}",
        dateline={"city": f"Hamburg {p[3]}"[:100], "country": "DE"},
        body=(
            f"Acme Renewables AG today commissioned a wind farm. {p[0]} {p[1]}\n\n"
            f"{p[2]} {p[3]} {p[4]} {p[6]} {p[7]}\n\n"
            "[click](javascript:alert('xss8')) and <a href=\"javascript:alert('xss9')\">x</a>"
        ),
        boilerplate=f"Acme Renewables AG builds wind farms. {p[4]} {p[6]}",
        contacts=[{"name": f"Jana {p[1]}"[:100], "email": "press@acme.example"}],
        keywords=[f"wind {p[7]}"[:50]],
        target_languages=[],  # no machine translation: about escaping, not translating
    )


def _publish(client: TestClient, world: World, body: dict[str, Any]) -> str:
    created = client.post(
        "/api/v1/releases?submit=true", json=body, headers=world.headers("issuer")
    )
    assert created.status_code == 201, created.text
    release_id = created.json()["id"]
    approved = client.post(
        f"/api/v1/releases/{release_id}/approve",
        json={"override_reason": "the payloads are the test"},
        headers=world.headers("editor"),
    )
    assert approved.status_code == 200, approved.text
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    return release_id


def _feed_html(fmt: str, raw: bytes) -> list[tuple[str, str]]:
    """(where, html) for every part of a feed that readers show as HTML (RSS description and
    content:encoded, Atom content and summary of type html, JSON Feed content_html); text parts
    are checked by the XML and JSON parsers, which must still read the feed."""
    if fmt == "json":
        feed = json.loads(raw)
        return [(f"json {k}", item[k]) for item in feed["items"] for k in item if "html" in k]
    root = ET.fromstring(raw)
    for element in root.iter():
        assert element.tag.rsplit("}", 1)[-1].lower() not in ACTIVE_TAGS, element.tag
    parts = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        as_text = name in ("content", "summary") and element.get("type", "text") == "text"
        if (
            name in ("description", "encoded", "content", "summary")
            and element.text
            and not as_text
        ):
            parts.append((f"{fmt} {name}", element.text))
    return parts


def test_xss_payloads_in_every_text_field_never_reach_a_page_email_or_feed_unescaped(
    client: TestClient, world: World, proof_figures: Callable[[str], None]
) -> None:
    db = client.app.state.db
    add = client.post(
        "/api/v1/recipients",
        json={
            "name": f"Mia {PAYLOADS[0]}"[:200],
            "email": "mia@x.example",
            "languages": ["en"],
            "outlet": {"name": f"Daily {PAYLOADS[1]}"[:200]},
            "subscriptions": [{"industries": ["wind-power"]}],
        },
        headers=world.headers("editor"),
    )
    assert add.status_code == 201, add.text
    release_id = _publish(client, world, _xss_release())
    checked: dict[str, list[str]] = {}
    page = client.get(f"/releases/{release_id}")
    assert page.status_code == 200
    assert "xss0" in page.text  # the payload is there, as text
    checked["public page"] = unescaped_payloads(page.text)
    for fmt in ("rss", "atom", "json"):
        feed = client.get(f"/feeds/releases.{fmt}")
        assert feed.status_code == 200 and b"xss" in feed.content, fmt
        for where, html in _feed_html(fmt, feed.content):
            checked.setdefault(f"{fmt} feed", []).extend(
                f"{where}: {found}" for found in unescaped_payloads(html)
            )
    later = datetime.now(UTC) + timedelta(minutes=1)  # the deliveries are due (published at +1 s)
    worker = DeliveryWorker(db, make_channels(db.settings), name="xss", clock=lambda: later)
    asyncio.run(worker.run_once())
    mails = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in list_messages(db.settings.mail_dir)
    ]
    mails = [m for m in mails if "mia@x.example" in str(m["To"])]
    assert mails, "the journalist was mailed the release"
    for mail in mails:
        html_part = mail.get_body(("html",))
        assert html_part is not None
        html = html_part.get_content()  # type: ignore[attr-defined]
        assert "xss" in html
        checked.setdefault("email html", []).extend(unescaped_payloads(html))
    assert {where: found for where, found in checked.items() if found} == {}
    proof_figures(
        f"XSS: {len(PAYLOADS)} payloads in every text field; checked {', '.join(checked)}; "
        "unescaped 0"
    )


# --- CSV export -----------------------------------------------------------------------------------

_SERIAL = itertools.count()
CELL_STARTS = st.sampled_from([*FORMULA_STARTS, "'", " ", "\u3000", "\uff1d"])


@FUZZ
@given(start=CELL_STARTS, rest=st.text(min_size=1, max_size=30))
def _export_cells_safe(
    client: TestClient, world: World, tally: Counter[str], start: str, rest: str
) -> None:
    name = (start + "Ana " + rest).replace("\x00", "")
    email = f"ana{next(_SERIAL)}@x.example"
    added = client.post(
        "/api/v1/recipients",
        json={"name": name, "email": email, "subscriptions": [{"industries": ["energy"]}]},
        headers=world.headers("editor"),
    )
    if added.status_code != 201:
        assert added.status_code == 422, added.text
        tally["refused"] += 1
        return
    exported = client.get("/api/v1/recipients/export?format=csv", headers=world.headers("editor"))
    assert exported.status_code == 200
    for row in csv.reader(io.StringIO(exported.text)):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell
            tally["cells checked"] += 1
    tally["exported"] += 1


def test_csv_export_cells_never_start_like_a_formula(
    client: TestClient, world: World, proof_figures: Callable[[str], None]
) -> None:
    tally: Counter[str] = Counter()
    _export_cells_safe(client, world, tally)
    proof_figures(_figures("CSV export (formula starts)", tally))
