"""Published versions to render: one full original, and a factory for variations."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from newswire.domain.release import (
    Attachment,
    Contact,
    Dateline,
    Issuer,
    PublishedVersion,
    ReleaseContent,
    VersionKind,
)

PUBLISHED = datetime(2024, 5, 14, 9, 0, tzinfo=UTC)

FULL_CONTENT = ReleaseContent(
    headline="Acme Bank opens solar-powered data centre in Berlin",
    subheadline="The 40 MW site runs on renewable energy & cuts emissions by 60 %",
    body_markdown="**Berlin** - Acme Bank today opened ...",
    body_html=(
        "<p><strong>Berlin</strong> – Acme Bank today opened its first data centre powered "
        'entirely by <a href="https://acme.example/solar">solar energy</a>.<br>'
        "The site serves 12 countries.</p>\n"
        "<ul><li>40&nbsp;MW</li><li>60 % fewer emissions</li></ul>\n"
        "<blockquote><p>“A milestone”, said the CEO.</p></blockquote>"
    ),
    dateline=Dateline("Berlin", "DE", date(2024, 5, 14)),
    language="en",
    boilerplate="About Acme Bank\n\nAcme Bank is a European bank founded in 1901.",
    contacts=(
        Contact(
            "Jane Doe",
            organization="Acme Bank",
            email="press@acme.example",
            phone="+49 30 1234567",
            role="Head of Communications",
        ),
        Contact("Max Mustermann", email="max@acme.example"),
        Contact("Nobody Reachable"),
    ),
    attachments=(
        Attachment(
            url="https://cdn.acme.example/img/datacentre.jpg",
            alt="Rows of solar panels on the roof of the data centre",
            caption="The new data centre in Berlin-Adlershof",
            width=1600,
            height=900,
        ),
        Attachment(url="/media/acme-logo.svg", alt="Acme Bank logo", media_type="image/svg+xml"),
    ),
    industries=("banking", "renewable-energy"),
    regions=("DE", "EU"),
    keywords=("data centre", "solar", "sustainability"),
    tickers=("NASDAQ:ACME", "XETRA:ACM"),
    publish_at=PUBLISHED,
)

ISSUER = Issuer(id=7, name="Acme Bank AG", slug="acme-bank", website="https://acme.example")


def make(content: ReleaseContent | None = None, **fields: Any) -> PublishedVersion:
    base = PublishedVersion(
        release_id="01HXRELEASE0000000000000001",
        number=1,
        kind=VersionKind.ORIGINAL,
        content=content or FULL_CONTENT,
        issuer=ISSUER,
        published_at=PUBLISHED,
        first_published_at=PUBLISHED,
        sections=("daily-news", "business"),
        canonical_url="https://wire.example/releases/01HXRELEASE0000000000000001/v1",
        wire_name="Example Newswire",
    )
    return dataclasses.replace(base, **fields)


@pytest.fixture
def make_version() -> Callable[..., PublishedVersion]:
    """``make_version(content=None, **version_fields)``; content defaults to FULL_CONTENT."""
    return make


@pytest.fixture
def full_content() -> ReleaseContent:
    return FULL_CONTENT


@pytest.fixture
def original() -> PublishedVersion:
    return make()


@pytest.fixture
def minimal() -> PublishedVersion:
    content = ReleaseContent(
        headline="Acme publishes annual report",
        body_markdown="Acme published its annual report.",
        body_html="<p>Acme published its annual report.</p>",
        dateline=Dateline("Paris", "FR", date(2024, 3, 1)),
        language="fr",
    )
    return make(content, sections=(), issuer=Issuer(id=9, name="Acme SA", slug="acme-sa"))


@pytest.fixture
def embargoed() -> PublishedVersion:
    lift = datetime(2024, 5, 15, 6, 0, tzinfo=UTC)
    return make(dataclasses.replace(FULL_CONTENT, embargo_until=lift, publish_at=None))


@pytest.fixture
def correction() -> PublishedVersion:
    return make(
        number=2,
        kind=VersionKind.CORRECTION,
        amends=1,
        reason="Corrects the site's capacity from 30 MW to 40 MW.",
        published_at=datetime(2024, 5, 14, 11, 30, 15, 123456, tzinfo=UTC),
        canonical_url="https://wire.example/releases/01HXRELEASE0000000000000001/v2",
    )


@pytest.fixture
def retraction() -> PublishedVersion:
    return make(
        number=3,
        kind=VersionKind.RETRACTION,
        amends=2,
        reason="Released in error.",
        published_at=datetime(2024, 5, 14, 15, 0, tzinfo=UTC),
        canonical_url="https://wire.example/releases/01HXRELEASE0000000000000001/v3",
    )


@pytest.fixture
def top_story() -> PublishedVersion:
    return make(sections=("top-story", "daily-news"), top_story=True)


NON_LATIN = {
    "ar": ReleaseContent(
        headline="بنك أكمي يفتتح مركز بيانات يعمل بالطاقة الشمسية",
        subheadline="خطوة نحو الحياد الكربوني",
        body_markdown="...",
        body_html="<p>افتتح <strong>بنك أكمي</strong> اليوم مركز بيانات جديداً في دبي.</p>",
        dateline=Dateline("دبي", "AE", date(2024, 5, 14)),
        language="ar",
        industries=("banking", "solar-power"),
        regions=("AE", "GCC"),
        keywords=("طاقة شمسية",),
        tickers=("DFM:ACME",),
    ),
    "ja": ReleaseContent(
        headline="アクメ銀行、太陽光発電のデータセンターを開設",
        body_markdown="...",
        body_html="<p>アクメ銀行は本日、東京に新しいデータセンターを開設しました。</p>",
        dateline=Dateline("東京", "JP", date(2024, 5, 14)),
        language="ja",
        boilerplate="アクメ銀行について\n\n1901年創業。",
        industries=("banking",),
        regions=("JP",),
        tickers=("TSE:1234",),
    ),
    "zh-Hant": ReleaseContent(
        headline="愛克米銀行於台北啟用太陽能資料中心",
        subheadline="邁向碳中和",
        body_markdown="...",
        body_html="<p>愛克米銀行今日在台北啟用新的資料中心。</p>",
        dateline=Dateline("台北", "TW", date(2024, 5, 14)),
        language="zh-Hant",
        industries=("semiconductors", "banking"),
        regions=("TW", "HK"),
    ),
}


@pytest.fixture(params=sorted(NON_LATIN))
def non_latin(request: pytest.FixtureRequest) -> PublishedVersion:
    return make(NON_LATIN[request.param])
