"""Targeting benchmark: the subscription index against a brute-force scan of the same data.

    .venv/bin/python bench/targeting.py [--subscriptions N] [--releases M] [--seed S]
                                        [--scan-releases K]

Builds N synthetic subscriptions with realistic skew (Zipf-like over the real industry list,
countries, languages and issuers; region groups; ~20% with keyword queries in several
languages and scripts, with phrases, OR, NOT and parentheses; some issuer filters and
exclusions), builds the index, matches M synthetic releases (text drawn from the same
vocabularies) with the index, then scans the first K releases with the brute-force oracle
in the same run and compares results on each of them. The scan's per-release time is its
measured mean over those K releases; speedup_vs_scan divides it by the engine's mean on the
same K releases.

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import sys
import time
from bisect import bisect
from itertools import accumulate

import pycountry

from newswire.target import Criteria, ReleaseFacts, TargetingIndex
from newswire.target.oracle import brute_force_many
from newswire.taxonomy import industries

# --- vocabularies ---------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


EN = _words("""
company announces launch new product platform market growth revenue quarter results
solution customers partnership agreement technology service global data cloud software
energy investment million billion report first innovation expansion acquisition merger
shares financial strategy network security digital health patients clinical trial drug
approval research development manufacturing production plant capacity supply chain
sustainability emissions carbon renewable wind solar offshore turbine battery storage grid
hydrogen electric vehicle vehicles charging mobility automotive semiconductor chip chips
artificial intelligence machine learning analytics quantum computing cybersecurity breach
ransomware payments fintech banking bank loan credit insurance insurer reinsurance bond
dividend earnings profit guidance outlook forecast ceo cfo board appointment executive
director officer president chairman retail ecommerce store stores consumer brand fashion
food beverage restaurant hotel travel airline airport aviation aircraft shipping port
logistics freight rail construction real estate property housing mining copper lithium gold
oil gas pipeline refinery lng utility utilities telecom wireless 5g satellite broadband
biotech vaccine oncology therapy medical device hospital diagnostics genomics startup
funding series venture capital ipo listing exchange nasdaq nyse index fund asset management
wealth pension regulator regulation compliance lawsuit settlement court patent license
education university students school nonprofit foundation charity award prize sports league
season championship game games gaming esports film music streaming media advertising
campaign marketing agency survey study index climate biodiversity water recycling waste
steel aluminium chemicals fertilizer agriculture farm crop coffee cocoa wine beer tourism
defence defense security contract government ministry minister election policy tax tariff
trade export import inflation interest rates central economy employment jobs workforce
""")

DE = _words("""
unternehmen gibt bekannt neue produkt markt wachstum umsatz quartal ergebnis kunden
partnerschaft vereinbarung technologie energie investition millionen milliarden bericht
nachhaltigkeit windkraft windpark solarenergie speicher batterie netz wasserstoff
elektromobilität fahrzeug automobil halbleiter forschung entwicklung produktion werk
übernahme fusion aktien vorstand aufsichtsrat geschäftsführer bank versicherung
bundesregierung energiewende nordsee ostsee kohle kernkraft klimaschutz mittelstand
""")

FR = _words("""
entreprise annonce lancement nouveau produit marché croissance chiffre affaires résultats
partenariat accord technologie énergie investissement éolien solaire stockage hydrogène
véhicule électrique recherche développement usine acquisition fusion actionnaires banque
""")

ES = _words("""
empresa anuncia lanzamiento nuevo producto mercado crecimiento ingresos resultados acuerdo
tecnología energía inversión eólica solar almacenamiento hidrógeno vehículo eléctrico
investigación desarrollo planta adquisición fusión banco seguros exportaciones
""")

PT = _words("""
empresa anuncia lançamento novo produto mercado crescimento receita resultados parceria
tecnologia energia investimento eólica solar armazenamento hidrogênio veículo elétrico
""")

ID_MS = _words("""
perusahaan mengumumkan peluncuran produk baru pasar pertumbuhan pendapatan kerja sama
teknologi energi investasi tenaga surya angin kendaraan listrik syarikat pelaburan
""")

VI = _words("""
công ty công bố ra mắt sản phẩm mới thị trường tăng trưởng doanh thu hợp tác công nghệ
năng lượng đầu tư điện gió mặt trời xe điện ngân hàng
""")

RU = _words("""
компания объявляет запуск новый продукт рынок рост выручка квартал результаты партнерство
технологии энергия инвестиции ветровая солнечная хранение водород электромобиль банк
""")

AR = _words("""
شركة تعلن إطلاق منتج جديد السوق نمو الإيرادات الربع النتائج شراكة اتفاقية التكنولوجيا
الطاقة الاستثمار الرياح الطاقة الشمسية التخزين الهيدروجين المركبات الكهربائية البنك
""")

ZH = _words("""
公司 宣布 推出 新产品 市场 增长 收入 季度 业绩 合作 协议 技术 能源 投资 风电 海上风电
光伏 储能 电池 氢能 新能源汽车 电动汽车 半导体 芯片 人工智能 云计算 数据中心 银行 保险
上海 北京 深圳 香港 台湾 东京 合作伙伴 战略 可持续发展 碳中和
""")

JA = _words("""
株式会社 発表 新製品 市場 成長 売上高 四半期 決算 提携 契約 技術 エネルギー 投資 洋上風力
太陽光 蓄電池 水素 電気自動車 半導体 人工知能 クラウド 銀行 保険 東京 大阪 提供開始
""")

KO = _words("""
회사 발표 출시 신제품 시장 성장 매출 분기 실적 협력 계약 기술 에너지 투자 풍력 해상풍력
태양광 배터리 수소 전기차 반도체 인공지능 클라우드 은행 보험 서울 부산 삼성전자
""")

TH = _words("""
บริษัท ประกาศ เปิดตัว ผลิตภัณฑ์ใหม่ ตลาด การเติบโต รายได้ ไตรมาส ผลประกอบการ ความร่วมมือ
เทคโนโลยี พลังงาน การลงทุน พลังงานลม พลังงานแสงอาทิตย์ แบตเตอรี่ ยานยนต์ไฟฟ้า ธนาคาร กรุงเทพ
""")

STOP = {
    "latin": _words("the and of to in for with on at by from a an is are will its this that as"),
    "de": _words("der die das und in für mit von zu auf ein eine ist wird"),
    "fr": _words("le la les et de des du en pour avec un une est"),
    "es": _words("el la los las y de del en para con un una es"),
    "pt": _words("o a os as e de do da em para com um uma"),
    "id": _words("dan yang di ke dari untuk dengan ini itu"),
    "vi": _words("và của là các có cho được trong những với"),
    "ru": _words("и в на с для по из от что"),
    "ar": _words("في من على إلى مع عن أن"),
    "cjk": [],
    "ko": [],
    "th": [],
}

# language -> (words, stop words, word separator)
LANG_TEXT = {
    "en": (EN, "latin", " "),
    "de": (DE + EN[:80], "de", " "),
    "fr": (FR + EN[:60], "fr", " "),
    "es": (ES + EN[:60], "es", " "),
    "pt": (PT + EN[:60], "pt", " "),
    "id": (ID_MS + EN[:60], "id", " "),
    "ms": (ID_MS + EN[:60], "id", " "),
    "vi": (VI + EN[:40], "vi", " "),
    "ru": (RU, "ru", " "),
    "ar": (AR, "ar", " "),
    "zh-Hans": (ZH, "cjk", ""),
    "zh-Hant": (ZH, "cjk", ""),
    "ja": (JA, "cjk", ""),
    "ko": (KO, "ko", " "),
    "th": (TH, "th", ""),
}

LANGUAGE_WEIGHTS = {
    "en": 40,
    "de": 10,
    "zh-Hans": 8,
    "ja": 7,
    "fr": 6,
    "es": 6,
    "ko": 4,
    "pt": 4,
    "ar": 3,
    "ru": 3,
    "zh-Hant": 2,
    "id": 2,
    "vi": 2,
    "th": 2,
    "ms": 1,
}

POPULAR_INDUSTRIES = [
    "technology",
    "business-finance",
    "health",
    "energy",
    "software",
    "financial-markets",
    "pharmaceuticals",
    "automotive",
    "renewable-energy",
    "consumer-retail",
    "banking",
    "telecommunications",
    "media-entertainment",
    "biotechnology",
    "semiconductors",
    "cybersecurity",
    "oil-gas",
    "real-estate",
]

POPULAR_COUNTRIES = _words(
    "US DE GB CN JP FR IN KR CA AU IT ES BR NL CH SE SG HK TW AE SA MX ID TH VN MY PL BE AT "
    "IE DK NO FI IL TR ZA NG KE EG AR CL CO PH NZ PT CZ GR RU UA"
)

# Company and product names: many, each rare, as in real press releases.
_SYLLABLES = _words("ka lo mi ra ven tor zen qua lex dor bri sol nex tra vi on ar el ix cor")


class Zipf:
    """Draw from a ranked list with probability ~ 1 / rank**s."""

    def __init__(self, items: list, s: float) -> None:
        self.items = items
        self.cum = list(accumulate(1.0 / (r + 1) ** s for r in range(len(items))))

    def draw(self, rng: random.Random) -> object:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]

    def sample(self, rng: random.Random, k: int) -> list:
        out: list = []
        for _ in range(k * 4):
            x = self.draw(rng)
            if x not in out:
                out.append(x)
                if len(out) == k:
                    break
        return out


class World:
    """Everything drawn from one seed: taxonomies with skew, vocabularies, names."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        codes = [i.code for i in industries()]
        rest = [c for c in codes if c not in POPULAR_INDUSTRIES]
        rng.shuffle(rest)
        self.industries = Zipf(POPULAR_INDUSTRIES + rest, 1.1)
        countries = [c.alpha_2 for c in pycountry.countries]
        rest_c = sorted(set(countries) - set(POPULAR_COUNTRIES))
        rng.shuffle(rest_c)
        self.countries = Zipf(POPULAR_COUNTRIES + rest_c, 1.2)
        self.groups = Zipf(["EU", "G7", "ASEAN", "DACH", "MENA", "NORDICS", "GCC", "LATAM"], 1.0)
        self.languages = list(LANGUAGE_WEIGHTS)
        self.language_cum = list(accumulate(LANGUAGE_WEIGHTS.values()))
        self.issuers = Zipf(list(range(1, 50_001)), 1.05)
        names = set()
        while len(names) < 3000:
            names.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))))
        self.names = Zipf(sorted(names), 0.8)
        self.words = {lang: Zipf(words, 1.0) for lang, (words, _, _) in LANG_TEXT.items()}
        self.query_words = {lang: Zipf(words, 0.7) for lang, (words, _, _) in LANG_TEXT.items()}

    def language(self, rng: random.Random) -> str:
        return self.languages[bisect(self.language_cum, rng.random() * self.language_cum[-1])]

    def regions(self, rng: random.Random, k: int) -> list[str]:
        return [
            str(self.groups.draw(rng)) if rng.random() < 0.12 else str(self.countries.draw(rng))
            for _ in range(k)
        ]


# --- subscriptions --------------------------------------------------------------------------


class Interner:
    def __init__(self) -> None:
        self.seen: dict = {}

    def __call__(self, values: object) -> frozenset:
        s = frozenset(values)  # type: ignore[arg-type]
        return self.seen.setdefault(s, s)


def make_query(world: World, rng: random.Random, lang: str) -> str:
    words = world.query_words[lang]

    def term() -> str:
        if rng.random() < 0.15:
            return str(world.names.draw(rng))
        word = str(words.draw(rng))
        return f'"{word}"' if " " in word else word

    def phrase() -> str:
        sep = LANG_TEXT[lang][2]
        if sep == "":  # CJK / Thai: a longer run of two vocabulary words
            return f'"{words.draw(rng)}{words.draw(rng)}"' if rng.random() < 0.3 else term()
        return f'"{words.draw(rng)} {words.draw(rng)}"'

    form = rng.random()
    if form < 0.35:
        return term()
    if form < 0.50:
        return " OR ".join(term() for _ in range(rng.randint(2, 4)))
    if form < 0.62:
        return f"{term()} AND {term()}" if rng.random() < 0.5 else f"{term()} {term()}"
    if form < 0.72:
        return phrase()
    if form < 0.82:
        return f"{phrase()} AND ({term()} OR {term()}) NOT {term()}"
    if form < 0.92:
        return f"{term()} NOT {term()}"
    if form < 0.97:
        return f"({term()} OR {term()}) AND ({term()} OR {term()})"
    return f"{term()} OR ({term()} AND NOT {term()})"


def make_subscriptions(world: World, n: int, seed: int) -> list[tuple[int, Criteria]]:
    rng = random.Random(seed)
    intern = Interner()
    queries: dict[str, str] = {}
    out = []
    for sub_id in range(1, n + 1):
        r = rng.random
        inds = world.industries.sample(rng, rng.choice((1, 1, 2, 3))) if r() < 0.85 else ()
        regs = world.regions(rng, rng.choice((1, 1, 2, 3))) if r() < 0.75 else ()
        langs = {world.language(rng) for _ in range(rng.choice((1, 1, 2)))} if r() < 0.6 else ()
        issuers = world.issuers.sample(rng, rng.randint(1, 3)) if r() < 0.05 else ()
        query = None
        if r() < 0.2:
            lang = min(langs) if langs else ("en" if r() < 0.6 else world.language(rng))
            text = make_query(world, rng, lang)
            query = queries.setdefault(text, text)
        x_inds = world.industries.sample(rng, 1) if r() < 0.05 else ()
        x_regs = world.regions(rng, 1) if r() < 0.03 else ()
        x_iss = world.issuers.sample(rng, 1) if r() < 0.02 else ()
        out.append(
            (
                sub_id,
                Criteria(
                    industries=intern(inds),
                    regions=intern(regs),
                    languages=intern(langs),
                    issuers=intern(issuers),
                    query=query,
                    exclude_industries=intern(x_inds),
                    exclude_regions=intern(x_regs),
                    exclude_issuers=intern(x_iss),
                ),
            )
        )
    return out


# --- releases -------------------------------------------------------------------------------


def make_text(world: World, rng: random.Random, lang: str, n_words: int) -> str:
    words = world.words[lang]
    stop = STOP[LANG_TEXT[lang][1]]
    sep = LANG_TEXT[lang][2]
    parts = []
    for i in range(n_words):
        x = rng.random()
        if stop and x < 0.35:
            parts.append(rng.choice(stop))
        elif x < 0.42:
            name = str(world.names.draw(rng))
            parts.append(f" {name.capitalize()} " if sep == "" else name.capitalize())
        else:
            parts.append(str(words.draw(rng)))
        if sep == "" and i % 12 == 11:
            parts.append("。" if lang != "th" else " ")
    text = sep.join(parts)
    return text[0].upper() + text[1:] if sep else text


def make_releases(world: World, m: int, seed: int) -> list[ReleaseFacts]:
    rng = random.Random(seed + 1)
    out = []
    for _ in range(m):
        lang = world.language(rng)
        editions = {world.language(rng) for _ in range(rng.choice((0, 0, 1, 2, 4)))}
        out.append(
            ReleaseFacts(
                industries=frozenset(world.industries.sample(rng, rng.choice((1, 2, 2, 3)))),
                regions=frozenset(world.regions(rng, rng.choice((0, 1, 1, 2, 3)))),
                languages=frozenset({lang, *editions}),
                issuer_id=int(world.issuers.draw(rng)),  # type: ignore[call-overload]
                headline=make_text(world, rng, lang, rng.randint(8, 14)),
                body_text=make_text(world, rng, lang, rng.randint(150, 450)),
                language=lang,
            )
        )
    return out


# --- measuring ------------------------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def percentile(sorted_values: list[float], p: float) -> float:
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, default=1_000_000)
    parser.add_argument("--releases", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scan-releases", type=int, default=50)
    args = parser.parse_args()

    t0 = time.perf_counter()
    world = World(args.seed)
    subscriptions = make_subscriptions(world, args.subscriptions, args.seed)
    releases = make_releases(world, args.releases, args.seed)
    with_query = sum(1 for _, c in subscriptions if c.query)
    log(
        f"generated {len(subscriptions):,} subscriptions ({with_query:,} with queries) and "
        f"{len(releases):,} releases in {time.perf_counter() - t0:.1f} s; rss {rss_mb():.0f} MB"
    )

    gc.collect()
    gc.freeze()  # the generated data is permanent: keep the collector from rescanning it
    rss_before = rss_mb()
    t0 = time.perf_counter()
    index = TargetingIndex.build(subscriptions)
    build_s = time.perf_counter() - t0
    gc.collect()
    index_mb = rss_mb() - rss_before
    log(f"index built in {build_s:.1f} s; +{index_mb:.0f} MB; {index.stats()}")

    for facts in releases[:5]:  # warm-up: caches of taxonomy expansions
        index.match(facts)
    times: list[float] = []
    cpu_times: list[float] = []
    results = []
    targets = 0
    load_before = os.getloadavg()[0]
    for i, facts in enumerate(releases):
        c = time.thread_time()
        t = time.perf_counter()
        matched = index.match(facts)
        times.append(time.perf_counter() - t)
        cpu_times.append(time.thread_time() - c)
        targets += len(matched)
        if i < args.scan_releases:
            results.append(matched)
        if (i + 1) % 200 == 0:
            log(f"matched {i + 1} releases")
    load_after = os.getloadavg()[0]
    ordered = sorted(times)
    engine_p50 = percentile(ordered, 50) * 1e3
    engine_p99 = percentile(ordered, 99) * 1e3
    cpu_ordered = sorted(cpu_times)
    log(f"engine: p50 {engine_p50:.2f} ms, p99 {engine_p99:.2f} ms, max {ordered[-1] * 1e3:.1f}")

    k = min(args.scan_releases, len(releases))
    log(f"brute-force scan of {len(subscriptions):,} subscriptions for {k} releases ...")
    t = time.perf_counter()
    expected = brute_force_many(subscriptions, releases[:k])
    scan_s = time.perf_counter() - t
    mismatches = [i for i in range(k) if set(results[i]) != expected[i]]
    identical = not mismatches
    scan_ms = scan_s / k * 1e3 if k else 0.0
    engine_ms_same = sum(times[:k]) / k * 1e3 if k else 0.0
    log(
        f"scan: {scan_ms:.0f} ms per release (mean of {k}); identical: {identical}"
        + (f"; mismatching releases {mismatches[:10]}" if mismatches else "")
    )
    summary = {
        "subscriptions": len(subscriptions),
        "subscriptions_with_query": with_query,
        "releases": len(releases),
        "p50_ms": round(engine_p50, 3),
        "p99_ms": round(engine_p99, 3),
        "mean_ms": round(sum(times) / len(times) * 1e3, 3),
        "cpu_p50_ms": round(percentile(cpu_ordered, 50) * 1e3, 3),
        "cpu_p99_ms": round(percentile(cpu_ordered, 99) * 1e3, 3),
        "mean_targets": round(targets / len(releases), 1),
        "scan_releases": k,
        "scan_ms_per_release": round(scan_ms, 1),
        "engine_ms_per_release_on_scanned": round(engine_ms_same, 3),
        "speedup_vs_scan": round(scan_ms / engine_ms_same, 1) if engine_ms_same else None,
        "identical": identical,
        "index_build_s": round(build_s, 2),
        "index_rss_mb": round(index_mb, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "seed": args.seed,
        "load_avg_1m": [round(load_before, 2), round(load_after, 2)],
        "note": (
            f"scan measured on the first {k} releases (speedup compares means on those); "
            "peak_rss_mb is the whole process, generated data and oracle included; "
            "cpu_*_ms is the matching thread's CPU time; load_avg_1m before/after matching"
        ),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
