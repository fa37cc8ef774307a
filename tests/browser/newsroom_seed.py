"""A small public newsroom for the newsroom tests (HTTP and browser): releases in five languages
(en, de, ja, th, ar) from two issuers, placed by the desk (the English one is the top story,
with an image), approved editions of one of them, and an embargoed and a scheduled release
that must stay invisible."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from builders import World, in_hours, release_payload
from newswire.actions.scheduler import run_once
from newswire.store.models import Edition, Release

SECRET = "Zeppelinfabrik"  # a word only the embargoed and scheduled releases contain

RELEASES: dict[str, dict[str, Any]] = {
    "en": {},
    "de": {
        "headline": "Globex eröffnet Rechenzentrum in Frankfurt am Main",
        "subheadline": "Das neue Rechenzentrum läuft vollständig mit Ökostrom",
        "dateline": {"city": "Frankfurt", "country": "DE"},
        "body": (
            "Die Globex Corp hat heute in Frankfurt am Main ein neues Rechenzentrum eröffnet. "
            "Die Anlage bietet Platz für 4.000 Server und wird vollständig mit Ökostrom "
            "betrieben.\n\nMehr unter [globex.example](https://globex.example/ffm)."
        ),
        "boilerplate": "Globex Corp betreibt Rechenzentren in Europa.",
        "contacts": [{"name": "Max Müller", "email": "presse@globex.example"}],
        "industries": ["software"],
        "regions": ["DE"],
        "language": "de",
        "keywords": ["Rechenzentrum"],
        "tickers": [],
        "target_languages": [],
        "_issuer": "other_issuer",
    },
    "ja": {
        "headline": "アクメ、東京に新しい半導体工場を開設",
        "subheadline": "年間生産能力は二倍に",
        "dateline": {"city": "Tokyo", "country": "JP"},
        "body": (
            "アクメ・リニューアブルズは本日、東京に新しい半導体工場を開設したと発表しました。"
            "新工場により年間生産能力は二倍になります。"
        ),
        "boilerplate": "アクメは欧州とアジアで事業を展開しています。",
        "contacts": [{"name": "Yuki Tanaka", "email": "press@acme.example"}],
        "industries": ["semiconductors"],
        "regions": ["JP"],
        "language": "ja",
        "keywords": [],
        "tickers": [],
        "target_languages": [],
    },
    "th": {
        "headline": "แอคมี่เปิดโรงไฟฟ้าพลังงานแสงอาทิตย์ในกรุงเทพฯ",
        "subheadline": "โครงการขนาด 120 เมกะวัตต์",
        "dateline": {"city": "Bangkok", "country": "TH"},
        "body": (
            "แอคมี่ รีนิวเอเบิลส์ ประกาศเปิดโรงไฟฟ้าพลังงานแสงอาทิตย์แห่งใหม่ในกรุงเทพฯ "
            "วันนี้ โครงการนี้จะผลิตไฟฟ้าให้บ้านเรือนกว่าหนึ่งแสนหลัง"
        ),
        "boilerplate": "แอคมี่ดำเนินธุรกิจพลังงานหมุนเวียนในเอเชีย",
        "contacts": [{"name": "Somchai Prasert", "email": "press@acme.example"}],
        "industries": ["solar-power"],
        "regions": ["TH"],
        "language": "th",
        "keywords": [],
        "tickers": [],
        "target_languages": [],
    },
    "ar": {
        "headline": "أكمي تفتتح محطة للطاقة الشمسية في دبي",
        "subheadline": "مشروع بقدرة 200 ميغاواط",
        "dateline": {"city": "Dubai", "country": "AE"},
        "body": (
            "أعلنت شركة أكمي للطاقة المتجددة اليوم افتتاح محطة جديدة للطاقة الشمسية في دبي. "
            "وستوفر المحطة الكهرباء لأكثر من مئة ألف منزل."
        ),
        "boilerplate": "تعمل أكمي في مجال الطاقة المتجددة في الشرق الأوسط.",
        "contacts": [{"name": "Layla Haddad", "email": "press@acme.example"}],
        "industries": ["solar-power"],
        "regions": ["AE"],
        "language": "ar",
        "keywords": [],
        "tickers": [],
        "target_languages": [],
    },
}

# the desk's placement of each release (`actions.releases.place`): sections, top story
PLACEMENT: dict[str, tuple[list[str], bool]] = {
    "en": (["business"], True),
    "de": (["daily-news", "business"], False),
    "ja": (["business"], False),
    "th": (["daily-news"], False),
    "ar": (["feature"], False),
}
IMAGE_PATH = "/media/nordlicht-ii.svg"  # tests/browser/media, served by the browser tests
IMAGE_ALT = "Three wind turbines of Nordlicht II standing in the North Sea"

EDITIONS = {
    "de": {
        "headline": "Acme Renewables nimmt 640-MW-Windpark in der Nordsee in Betrieb",
        "subheadline": "Nordlicht II versorgt rund 680.000 Haushalte",
        "body": "Acme Renewables AG hat heute **Nordlicht II** in Betrieb genommen, einen "
        "Offshore-Windpark mit 640 Megawatt in der deutschen Nordsee.",
    },
    "ar": {
        "headline": "أكمي للطاقة المتجددة تشغّل مزرعة رياح بقدرة 640 ميغاواط في بحر الشمال",
        "subheadline": "نوردليشت 2 ستزود نحو 680 ألف منزل بالكهرباء",
        "body": "شغّلت شركة أكمي للطاقة المتجددة اليوم مزرعة الرياح البحرية **نوردليشت 2** "
        "بقدرة 640 ميغاواط في بحر الشمال الألماني.",
    },
}


@dataclass
class Seeded:
    ids: dict[str, str] = field(default_factory=dict)  # language (or "embargoed"...) -> id


def ensure_sitemaps(app: FastAPI) -> None:
    """Mount the sitemap router when app.py does not (yet)."""
    from newswire.web.public import sitemaps

    if not any(getattr(r, "path", None) == "/sitemap.xml" for r in app.routes):
        app.include_router(sitemaps.router)


def _create(
    client: TestClient,
    world: World,
    who: str,
    payload: dict[str, Any],
    placement: tuple[list[str], bool] | None = None,
) -> str:
    created = client.post("/api/v1/releases?submit=true", json=payload, headers=world.headers(who))
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    approved = client.post(f"/api/v1/releases/{rid}/approve", headers=world.headers("editor"))
    assert approved.status_code == 200, approved.text
    if placement is not None:
        sections, top_story = placement
        placed = client.post(
            f"/api/v1/releases/{rid}/placement",
            json={"sections": sections, "top_story": top_story},
            headers=world.headers("editor"),
        )
        assert placed.status_code == 200, placed.text
    return rid


def seed(client: TestClient, world: World, image_base: str = "https://acme.example") -> Seeded:
    """Publish the newsroom; the top story's image is at `image_base` + IMAGE_PATH."""
    out = Seeded()
    db = client.app.state.db
    start = datetime.now(UTC)
    for n, (lang, overrides) in enumerate(RELEASES.items()):
        overrides = dict(overrides)
        who = overrides.pop("_issuer", "issuer")
        payload = release_payload(**overrides)
        if lang == "en":
            payload["target_languages"] = ["de", "ar"]
            payload["attachments"] = [
                {
                    "url": image_base + IMAGE_PATH,
                    "alt": IMAGE_ALT,
                    "caption": "Nordlicht II, 640 MW, in the German North Sea",
                    "media_type": "image/svg+xml",
                    "width": 1200,
                    "height": 675,
                }
            ]
        rid = _create(client, world, who, payload, PLACEMENT[lang])
        published = run_once(db, now=max(datetime.now(UTC), start) + timedelta(seconds=1 + n))
        assert published == [rid], (published, rid, lang)
        out.ids[lang] = rid
    secret = {
        "headline": f"Acme and Globex agree to merge their {SECRET} units",
        "body": f"The {SECRET} merger is embargoed. Details to follow at the lift time.",
        "target_languages": ["de"],
    }
    out.ids["embargoed"] = _create(
        client, world, "issuer", release_payload(embargo_until=in_hours(3), **secret)
    )
    scheduled = {
        "headline": f"Globex schedules the opening of its {SECRET} museum",
        "body": f"The {SECRET} museum opens next week in Friedrichshafen with 40 exhibits.",
        "target_languages": [],
    }
    out.ids["scheduled"] = _create(
        client, world, "other_issuer", release_payload(publish_at=in_hours(5), **scheduled)
    )
    now = datetime.now(UTC)
    with db.session() as s:
        for rid in (out.ids["en"], out.ids["embargoed"]):
            for lang, content in EDITIONS.items():
                edition = s.query(Edition).filter_by(release_id=rid, language=lang).one_or_none()
                if edition is None:
                    edition = Edition(release_id=rid, language=lang, created_at=now)
                    s.add(edition)
                edition.status, edition.content = "approved", dict(content)
                edition.machine_translated, edition.post_edited = True, lang == "de"
                edition.approved_by, edition.approved_at, edition.updated_at = "desk", now, now
        # one release that is older than the news sitemap's two days
        old = s.get(Release, out.ids["th"])
        assert old is not None
        old.first_published_at = now - timedelta(days=5)
    return out
