"""Realistic clean releases for the review check tests, and a helper to plant defects."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from newswire.domain.release import Contact, Dateline, ReleaseContent
from newswire.review.checks import CheckResult, run_checks

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

CLEAN_EN = ReleaseContent(
    headline="Northwind Energy to Build 400-Megawatt Solar and Storage Plant in Nevada",
    subheadline="The plant will supply power to about 120,000 homes from 2027",
    body_markdown="""\
Northwind Energy, a developer of utility-scale renewable power, today announced plans to \
build a 400-megawatt solar plant with 1.6 gigawatt-hours of battery storage near Tonopah, \
Nevada. Construction is scheduled to begin in the second quarter of 2025, and the plant is \
expected to enter commercial service in 2027.

The plant will supply electricity to about 120,000 homes under a 20-year power purchase \
agreement with Silver State Utilities. Construction will create about 600 jobs, and the \
plant will employ 40 people once it is running.

"Nevada has some of the best solar resources in the country, and storage lets us deliver \
that power after sunset, when demand peaks," said Maria Lopez, chief executive officer of \
Northwind Energy.

Northwind will invest about $650 million in the project, financed with a mix of equity and \
green bonds. Details of the financing are available at \
[investors.northwind-energy.com](https://investors.northwind-energy.com/nevada-solar).

Maps and images of the project are available at \
https://www.northwind-energy.com/projects/tonopah.
""",
    body_html="<p>…</p>",
    dateline=Dateline("Denver", "US", date(2025, 3, 3)),
    language="en",
    boilerplate=(
        "**About Northwind Energy**\n\nNorthwind Energy develops, builds and operates solar, "
        "wind and storage plants in the United States. Founded in 2009 and based in Denver, "
        "Colorado, the company has 3.2 gigawatts of capacity in operation. Learn more at "
        "https://www.northwind-energy.com."
    ),
    contacts=(
        Contact(
            "Jane Park",
            "Northwind Energy",
            "press@northwind-energy.com",
            "+1 303 555 0142",
            "Media relations",
        ),
    ),
    industries=("medtop:20000249",),
    regions=("US-NV",),
    keywords=("solar", "energy storage"),
    tickers=("NYSE:NWE",),
    target_languages=("de", "es"),
    publish_at=NOW + timedelta(days=1),
)

CLEAN_DE = ReleaseContent(
    headline="Nordwind AG baut neues Werk für Wärmepumpen in Sachsen",
    subheadline="Rund 300 Millionen Euro Investition und bis zu 600 neue Arbeitsplätze",
    body_markdown="""\
Die Nordwind AG hat heute den Bau eines neuen Werks für Wärmepumpen in Zwickau angekündigt. \
Das Unternehmen investiert rund 300 Millionen Euro und schafft bis zu 600 neue \
Arbeitsplätze. Die Produktion soll im Herbst 2026 beginnen.

In dem Werk sollen jährlich bis zu 200.000 Wärmepumpen für Ein- und Mehrfamilienhäuser \
entstehen. Nordwind reagiert damit auf die steigende Nachfrage nach klimafreundlichen \
Heizungen in Deutschland und den Nachbarländern.

„Mit dem neuen Standort verkürzen wir die Lieferzeiten für unsere Kunden deutlich und \
stärken die industrielle Basis in Sachsen“, sagte Dr. Katrin Weber, Vorstandsvorsitzende \
der Nordwind AG.

Weitere Informationen und Bildmaterial finden Sie unter \
[www.nordwind.de/presse](https://www.nordwind.de/presse).
""",
    body_html="<p>…</p>",
    dateline=Dateline("Leipzig", "DE", date(2025, 3, 3)),
    language="de",
    boilerplate=(
        "Über die Nordwind AG: Die Nordwind AG mit Sitz in Leipzig entwickelt und fertigt "
        "Heizsysteme und Wärmepumpen. Das Unternehmen beschäftigt rund 4.500 Mitarbeiterinnen "
        "und Mitarbeiter in zwölf Ländern."
    ),
    contacts=(Contact("Stefan Braun", "Nordwind AG", "presse@nordwind.de", "+49 341 555 210"),),
    industries=("medtop:20000249",),
    regions=("DE-SN",),
    target_languages=("en",),
    embargo_until=NOW + timedelta(hours=6),
)

CLEAN_JA = ReleaseContent(
    headline="ミライ製薬、糖尿病治療薬の第3相臨床試験で良好な結果を発表",
    body_markdown="""\
株式会社ミライ製薬(本社:東京都中央区、代表取締役社長:佐藤健一)は本日、2型糖尿病の新しい治療薬\
「MR-201」の第3相臨床試験において、主要評価項目を達成したと発表しました。

試験は国内の45の医療機関で約1,200人の患者を対象に実施され、MR-201を投与した群では、52週間後の\
HbA1c値が既存の治療薬と比べて有意に低下しました。重い副作用の発生率は両群で同程度でした。

佐藤健一社長は「この結果は、治療の選択肢を求める多くの患者さんにとって大きな一歩です。年内の承認申請に\
向けて準備を進めてまいります」と述べています。

同社は年内に厚生労働省へ製造販売承認を申請する予定です。詳しい試験結果は\
[当社ウェブサイト](https://www.mirai-pharma.co.jp/news/2025/0303)をご覧ください。
""",
    body_html="<p>…</p>",
    dateline=Dateline("東京", "JP", date(2025, 3, 3)),
    language="ja",
    boilerplate=(
        "ミライ製薬について:株式会社ミライ製薬は1952年に創業し、糖尿病や循環器疾患の治療薬を中心に"
        "研究開発と製造販売を行っています。従業員数は約3,000人です。"
    ),
    contacts=(Contact("広報部 山田花子", "株式会社ミライ製薬", "pr@mirai-pharma.co.jp"),),
    industries=("medtop:20000455",),
    regions=("JP",),
    target_languages=("en", "zh-Hans", "zh-Hant"),
)

CLEAN_AR = ReleaseContent(
    headline="الخليج للطاقة المتجددة توقع اتفاقية لبناء محطة طاقة شمسية في المنطقة الشرقية",
    body_markdown="""\
أعلنت شركة الخليج للطاقة المتجددة اليوم عن توقيع اتفاقية مع وزارة الطاقة لبناء محطة طاقة \
شمسية بقدرة ألف ميغاواط في المنطقة الشرقية، بتكلفة استثمارية تبلغ نحو ثلاثة مليارات ريال.

ومن المتوقع أن تبدأ المحطة التشغيل التجاري في الربع الأخير من عام 2027، وأن توفر الكهرباء \
لنحو مئة وخمسين ألف منزل، إلى جانب خفض الانبعاثات الكربونية بأكثر من مليون طن سنويا.

وقال المهندس خالد العتيبي، الرئيس التنفيذي للشركة: "يمثل هذا المشروع خطوة مهمة في خطتنا \
لتنويع مصادر الطاقة وتوفير فرص عمل جديدة للشباب في المملكة".

وسيتم الإعلان عن تفاصيل المناقصات الخاصة بأعمال البناء خلال الأشهر المقبلة على موقع الشركة \
https://www.gulf-renewables.com.sa/ar/news.
""",
    body_html="<p>…</p>",
    dateline=Dateline("الرياض", "SA", date(2025, 3, 3)),
    language="ar",
    boilerplate=(
        "نبذة عن الخليج للطاقة المتجددة: تأسست شركة الخليج للطاقة المتجددة عام 2012، ومقرها "
        "الرياض، وتعمل في تطوير وتشغيل مشاريع الطاقة الشمسية وطاقة الرياح في منطقة الخليج."
    ),
    contacts=(Contact("نورة القحطاني", "الخليج للطاقة المتجددة", "media@gulf-renewables.com.sa"),),
    industries=("medtop:20000249",),
    regions=("SA",),
    target_languages=("en",),
)

CLEAN_RELEASES = {"en": CLEAN_EN, "de": CLEAN_DE, "ja": CLEAN_JA, "ar": CLEAN_AR}


def release(base: ReleaseContent = CLEAN_EN, **changes: Any) -> ReleaseContent:
    """A clean release with some fields changed (the planted defect)."""
    return replace(base, **changes)


def check(content: ReleaseContent, name: str, **kwargs: Any) -> CheckResult:
    """The result of the check called `name` on `content`."""
    kwargs.setdefault("now", NOW)
    (result,) = [r for r in run_checks(content, **kwargs) if r.name == name]
    return result


def body(*paragraphs: str) -> str:
    """A body: the clean English one with extra paragraphs appended."""
    return CLEAN_EN.body_markdown + "\n" + "\n\n".join(paragraphs) + "\n"
