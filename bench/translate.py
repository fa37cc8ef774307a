"""Translation benchmark: each pair's engine (or chain) alone against the whole pipeline.

    .venv/bin/python bench/translate.py [--pair en-de | --all-installed] [--data DIR]
                                        [--words N] [--seed S] [--round-trip]

The pair's route is the one the wire would use (`EngineRegistry.for_data_dir`: the data
folder's translation.json and installed models, then the built-in engines); a pivot pair
through English is measured as its chain, so every hop counts on both sides. Releases in a
source language other than English are the English ones translated into it before any clock
starts. `--round-trip` has the pipeline back-translate as the editions job does where a
reverse engine exists (QA's second opinion: one more engine pass a machine-translated
sentence, counted as pipeline time).

Generates English press releases (Markdown: a headline, a dateline paragraph, body
paragraphs with figures, a quote, a bullet list, a link, a contact address and the issuer's
boilerplate) from paragraphs written for this benchmark, with names, places, products and
figures drawn at random so that sentences rarely repeat, until at least N words (default
50,000). Then, in the same run, for each pair, with the pair's engine:

1. engine alone: every release's sentences (split before the clock starts) go to
   `engine.translate_batch`, one call per release;
2. pipeline: every release goes through `translate_document` with segmentation, the
   translation memory, the issuer's glossary (names, products, tickers as placeholders) and
   the QA gate on every engine-translated sentence.

The two alternate release by release (which one goes first alternates too), so that other
load on the machine weighs on both alike; each sums its own wall-clock time.

The translation memory holds approved translations of the boilerplate of a third of the
issuers (as a desk would have approved them before); its hit share is reported. The language
detector used by the QA gate is loaded before the clock starts, as a server does at startup.

Progress goes to stderr; the last line of stdout is one JSON object {"pairs": [...]}, one
entry a pair: pair, engine (or chain), hops, words, engine_words_per_s, pipeline_words_per_s,
overhead (pipeline time / engine time - 1), and what the pipeline did: its own time outside
the engine (pipeline_own_seconds, and as a share of the engine-alone time: the overhead the
memory's savings do not hide), memory hits, engine inputs, flags by kind.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from newswire.config import load_settings
from newswire.intake.language import WIRE_LANGUAGES, detector
from newswire.translate.base import TranslationEngine
from newswire.translate.engines import EngineRegistry
from newswire.translate.glossary import Glossary
from newswire.translate.memory import InMemoryTranslationMemory
from newswire.translate.pipeline import translate_document
from newswire.translate.plain import plain_text
from newswire.translate.routes import ChainEngine, Route
from newswire.translate.segment import segment, translatable

Issuer = tuple[str, str, str, str, str]

ISSUERS = [
    ("Acme Renewables", "ACR", "wind and solar farms", "Hamburg", "WindMaster 5000"),
    ("Harbor Bank", "HBK", "retail and commercial banking", "Boston", "HarborPay"),
    ("Sakura Robotics", "SKR", "industrial robots", "Osaka", "Sakura Arm X2"),
    ("Gulf Solar", "GSL", "utility-scale solar plants", "Dubai", "DesertCell"),
    ("Northwind Logistics", "NWL", "freight and warehousing", "Rotterdam", "FleetView"),
    ("Verde Foods", "VRD", "plant-based foods", "São Paulo", "VerdeMilk"),
    ("Helios Pharma", "HLP", "oncology medicines", "Basel", "Heliomab"),
    ("Kestrel Aerospace", "KST", "regional aircraft", "Toulouse", "Kestrel K90"),
    ("BlueRiver Software", "BRS", "cloud software for hospitals", "Dublin", "CareCloud"),
    ("Andes Mining", "ADM", "copper and lithium mines", "Santiago", "LithiumOne"),
    ("Lumen Telecom", "LMT", "fibre broadband networks", "Lisbon", "LumenFiber"),
    ("Tern Motors", "TRN", "electric buses", "Gothenburg", "Tern eBus 12"),
]
PEOPLE = [
    ("Jana Becker", "chief executive officer"),
    ("Martin Vogel", "chief financial officer"),
    ("Aiko Tanaka", "head of research"),
    ("Carlos Mendes", "managing director"),
    ("Sarah Whitfield", "chief operating officer"),
    ("Omar Haddad", "head of sustainability"),
    ("Lucía Romero", "head of investor relations"),
    ("Pieter de Vries", "chief technology officer"),
]
CITIES = [
    "Lisbon",
    "Madrid",
    "Berlin",
    "Paris",
    "Milan",
    "Warsaw",
    "Chicago",
    "Toronto",
    "Mexico City",
    "Bogotá",
    "Lima",
    "Seoul",
    "Singapore",
    "Jakarta",
    "Nairobi",
    "Cairo",
]
COUNTRIES = [
    "Brazil",
    "Portugal",
    "Spain",
    "Germany",
    "France",
    "Japan",
    "Chile",
    "Canada",
    "Mexico",
    "Colombia",
    "Poland",
    "Italy",
    "India",
    "Australia",
    "Kenya",
    "Egypt",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
QUARTERS = ["first", "second", "third", "fourth"]
ADJ = ["strong", "steady", "record", "solid", "better-than-expected", "robust"]
DRIVERS = [
    "higher demand in {country}",
    "new contracts in {country}",
    "lower energy costs",
    "the launch of {product}",
    "growth in its service business",
    "a weaker euro",
    "cost savings from its efficiency programme",
    "the acquisition of a rival in {city}",
]

HEADLINES = [
    "{org} reports {adj} {q} quarter results",
    "{org} opens new site in {city}",
    "{org} launches {product} in {country}",
    "{org} signs agreement with partners in {country}",
    "{org} raises its outlook for {year}",
    "{org} completes acquisition in {city}",
]
OPENERS = [
    "{org} today announced that revenue for the {q} quarter of {year} rose {pct}% to "
    "{money} million, driven by {driver}.",
    "{org} ({exchange}: {ticker}) said on {weekday} that it will invest {money} million in a "
    "new facility in {city}, creating about {jobs} jobs over the next {n} years.",
    "{org} has signed a {n}-year agreement with a group of partners in {country} to expand "
    "its {business}, the company said on {weekday}.",
    "{org} today launched {product} in {country}, where it expects sales of about {money} "
    "million in the first full year.",
    "{org} completed the acquisition of a smaller rival based in {city} for {money} million, "
    "adding {jobs} employees and customers in {n} countries.",
]
BODY = [
    "Operating profit increased {pct}% to {money} million, and the operating margin improved "
    "to {pct2}%.",
    "The company now expects revenue growth of between {small}% and {small2}% for the full "
    "year, up from its earlier forecast.",
    "Construction of the new site will begin in {month} {year} and is scheduled to finish by "
    "the end of {year2}.",
    "The new facility in {city} will have a capacity of {capacity} units a year when it is "
    "fully operational.",
    "Net debt fell to {money} million at the end of the quarter, while cash and equivalents "
    "rose to {money2} million.",
    "The agreement covers {n} countries and includes an option to extend it for a further "
    "{n2} years.",
    "More than {jobs} customers in {country} already use the company's services, and the "
    "number grew by {pct}% compared with the same period last year.",
    "The board will propose a dividend of {cents} cents per share at the annual general "
    "meeting on {month} {day}.",
    "The company said that supply chain problems in {country} had eased during the quarter "
    "and that delivery times had returned to normal levels.",
    "Orders received rose {pct}% to {money} million, the highest level in the company's history.",
    "The project is supported by a loan of {money} million from a group of European banks "
    "and by public funding from the government of {country}.",
    "Employees at the site in {city} will receive training in digital tools and safety over "
    "the next {n} months.",
    "Research and development spending rose to {money} million, or {pct2}% of revenue, as "
    "the company prepared {n} new products for launch.",
    "Demand was particularly strong in {country} and {country2}, where sales rose {pct}% and "
    "{pct2}% respectively.",
]
QUOTES = [
    '"These results show that our strategy is working, and we are confident about the rest '
    'of the year," said {person}, {role} of {org}.',
    '"The new site in {city} brings us closer to our customers in {country}," said '
    "{person}, {role}.",
    '"We are proud of our teams, who delivered this project on time and on budget," said '
    "{person}, {role} of {org}.",
    '"{product} will help our customers cut their costs and their emissions," said '
    "{person}, {role}.",
]
BULLETS = [
    "Revenue up {pct}% to {money} million",
    "{jobs} new jobs in {city}",
    "Operating margin of {pct2}%",
    "Orders of {money2} million in {country}",
    "Launch of {product} planned for {month} {year}",
    "Investment of {money} million over {n} years",
]
BOILERPLATE = (
    "{org} is a leading provider of {business} with operations in {n} countries. The "
    "company employs {jobs} people and is listed on the {exchange} under the symbol "
    "{ticker}. For more information, visit https://www.{slug}.example."
)


def words(text: str) -> int:
    return len(re.findall(r"\w+", plain_text(text)))


def make_release(rng: random.Random, issuer: tuple[str, str, str, str, str]) -> str:
    org, ticker, business, city, product = issuer
    person, role = rng.choice(PEOPLE)
    year = rng.choice([2024, 2025, 2026])

    def fill(template: str) -> str:
        country, country2 = rng.sample(COUNTRIES, 2)
        values = {
            "org": org,
            "ticker": ticker,
            "business": business,
            "product": product,
            "person": person,
            "role": role,
            "exchange": rng.choice(["NYSE", "XETRA", "LSE"]),
            "city": rng.choice(CITIES),
            "country": country,
            "country2": country2,
            "q": rng.choice(QUARTERS),
            "year": year,
            "year2": year + rng.randint(1, 3),
            "adj": rng.choice(ADJ),
            "month": rng.choice(MONTHS),
            "day": rng.randint(1, 28),
            "weekday": rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
            "pct": round(rng.uniform(1, 40), 1),
            "pct2": round(rng.uniform(5, 30), 1),
            "small": rng.randint(2, 5),
            "small2": rng.randint(6, 9),
            "money": f"{rng.randint(12, 9_900):,}",
            "money2": f"{rng.randint(12, 9_900):,}",
            "jobs": f"{rng.randint(40, 25_000):,}",
            "n": rng.randint(2, 12),
            "n2": rng.randint(2, 5),
            "capacity": f"{rng.randint(10, 900) * 1000:,}",
            "cents": rng.randint(5, 95),
            "slug": org.lower().replace(" ", "-"),
        }
        values["driver"] = rng.choice(DRIVERS).format(**values)
        return template.format(**values)

    parts = [f"# {fill(rng.choice(HEADLINES))}", ""]
    parts.append(
        f"**{city.upper()}, {rng.choice(MONTHS)} {rng.randint(1, 28)}, {year}** – "
        + fill(rng.choice(OPENERS))
        + " "
        + fill(rng.choice(BODY))
    )
    parts.append("")
    for _ in range(rng.randint(2, 4)):
        parts.append(" ".join(fill(t) for t in rng.sample(BODY, rng.randint(2, 3))))
        parts.append("")
    parts.append(fill(rng.choice(QUOTES)))
    parts.append("")
    parts.append("Highlights:")
    parts.append("")
    parts.extend(f"- {fill(b)}" for b in rng.sample(BULLETS, 3))
    parts.append("")
    parts.append(
        f"Read the full report on the [investor relations page]"
        f"(https://www.{org.lower().replace(' ', '-')}.example/investors) or write to "
        f"press@{org.lower().replace(' ', '-')}.example."
    )
    parts.append("")
    parts.append("## About " + org)
    parts.append("")
    parts.append(boilerplate(issuer))
    return "\n".join(parts) + "\n"


def boilerplate(issuer: tuple[str, str, str, str, str]) -> str:
    org, ticker, business, _, _ = issuer
    index = ISSUERS.index(issuer)
    return BOILERPLATE.format(
        org=org,
        business=business,
        n=5 + index,
        jobs=f"{1_200 + 700 * index:,}",
        exchange=["NYSE", "XETRA", "LSE"][index % 3],
        ticker=ticker,
        slug=org.lower().replace(" ", "-"),
    )


def glossary_for(issuer: tuple[str, str, str, str, str]) -> Glossary:
    org, ticker, _, _, product = issuer
    return Glossary.from_mapping({org: None, ticker: None, product: None})


class Timed:
    """The engine, with the time spent inside it counted (to tell the pipeline's own time)."""

    def __init__(self, engine: TranslationEngine) -> None:
        self.engine = engine
        self.name = engine.name
        self.seconds = 0.0

    def supports(self, src: str, tgt: str) -> bool:
        return self.engine.supports(src, tgt)

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        start = time.perf_counter()
        try:
            return self.engine.translate_batch(segments, src, tgt)
        finally:
            self.seconds += time.perf_counter() - start


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def english_releases(rng: random.Random, target_words: int) -> list[tuple[Issuer, str]]:
    releases: list[tuple[Issuer, str]] = []
    total = 0
    while total < target_words:
        issuer = rng.choice(ISSUERS)
        text = make_release(rng, issuer)
        releases.append((issuer, text))
        total += words(text)
    return releases


def in_language(
    releases: list[tuple[Issuer, str]], registry: EngineRegistry, src: str
) -> tuple[list[tuple[Issuer, str]], dict[Issuer, str]]:
    """The English releases and the issuers' boilerplate in `src` (translated before any
    clock starts)."""
    boilerplates = {issuer: boilerplate(issuer) for issuer in ISSUERS}
    if src == "en":
        return releases, boilerplates
    engine = registry.route("en", src).engine
    if engine is None:
        sys.exit(f"cannot write the releases in {src}: no engine translates en to {src} here")

    def translated(text: str) -> str:
        return translate_document(text, "en", src, engine=engine).text

    return (
        [(i, translated(t)) for i, t in releases],
        {i: translated(b) for i, b in boilerplates.items()},
    )


def measure(
    releases: list[tuple[Issuer, str]],
    boilerplates: dict[Issuer, str],
    src: str,
    tgt: str,
    engine: TranslationEngine,
    reverse: TranslationEngine | None = None,
) -> dict[str, object]:
    """Engine alone against the pipeline for one pair, release by release in turn."""
    sentences = [[s.plain for s in translatable(segment(text, src))] for _, text in releases]
    total = sum(words(text) for _, text in releases)
    distinct = len({s for group in sentences for s in group})
    log(
        f"{src}->{tgt} ({engine.name}): {len(releases)} releases, {total} words, "
        f"{sum(map(len, sentences))} sentences ({distinct} distinct)"
    )
    engine.translate_batch(["Warm-up sentence.", "Another one."], src, tgt)

    # The desk approved the boilerplate of a third of the issuers before.
    memory = InMemoryTranslationMemory()
    for issuer in ISSUERS[::3]:
        for seg in translatable(segment(boilerplates[issuer], src)):
            (approved,) = engine.translate_batch([seg.text], src, tgt)
            memory.store(src, tgt, seg.text, approved)

    # Release by release, engine alone and pipeline in turn (alternating which goes first),
    # so that anything else running on the machine weighs on both alike.
    stats: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    engine_time = pipeline_time = 0.0
    timed = Timed(engine)
    for n, ((issuer, text), group) in enumerate(zip(releases, sentences, strict=True)):
        for step in (0, 1) if n % 2 == 0 else (1, 0):
            start = time.perf_counter()
            if step == 0:
                engine.translate_batch(group, src, tgt)
                engine_time += time.perf_counter() - start
            else:
                result = translate_document(
                    text, src, tgt, engine=timed, memory=memory, glossary=glossary_for(issuer),
                    reverse_engine=reverse,
                )  # fmt: skip
                pipeline_time += time.perf_counter() - start
                stats.update(result.stats)
                flags.update(f.kind for f in result.flags)
        if n % 20 == 19:
            log(f"  {n + 1} releases: engine {engine_time:.1f} s, pipeline {pipeline_time:.1f} s")
    return {
        "pair": f"{src}-{tgt}",
        "engine": engine.name,
        "hops": len(engine.hops) if isinstance(engine, ChainEngine) else 1,
        "round_trip": reverse.name if reverse is not None else None,
        "words": total,
        "engine_words_per_s": round(total / engine_time, 1),
        "pipeline_words_per_s": round(total / pipeline_time, 1),
        "overhead": round(pipeline_time / engine_time - 1, 4),
        "releases": len(releases),
        "sentences": sum(map(len, sentences)),
        "distinct_sentences": distinct,
        "engine_seconds": round(engine_time, 2),
        "pipeline_seconds": round(pipeline_time, 2),
        "pipeline_engine_seconds": round(timed.seconds, 2),
        "pipeline_own_seconds": round(pipeline_time - timed.seconds, 2),
        "pipeline_own_share_of_engine": round((pipeline_time - timed.seconds) / engine_time, 4),
        "memory_hit_share": round(stats["memory"] / max(1, stats["segments"]), 4),
        "pipeline_segments": stats["segments"],
        "engine_inputs": stats["engine_inputs"],
        "engine_inputs_distinct": stats["engine_calls"],
        "flags_by_kind": dict(flags.most_common()),
    }


def pairs_to_measure(args: argparse.Namespace, registry: EngineRegistry) -> list[Route]:
    if args.all_installed:
        routes = [registry.route(s, t) for s in WIRE_LANGUAGES for t in WIRE_LANGUAGES if s != t]
        return [r for r in routes if r.kind != "none"]
    src, _, tgt = args.pair.partition("-")
    try:
        route = registry.route(src, tgt)
    except ValueError as exc:
        sys.exit(f"--pair {args.pair}: {exc}")
    if route.engine is None:
        sys.exit(f"--pair {args.pair}: {route.reason}")
    return [route]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pair", default="en-pt", help="SOURCE-TARGET (default en-pt)")
    parser.add_argument(
        "--all-installed", action="store_true", help="every pair that has an engine here"
    )
    parser.add_argument("--data", type=Path, default=None, help="data folder (models, config)")
    parser.add_argument(
        "--round-trip",
        action="store_true",
        help="the pipeline also back-translates for the QA gate's round trip, as editions do",
    )
    args = parser.parse_args()

    data_dir = load_settings(args.data).data_dir
    registry = EngineRegistry.for_data_dir(data_dir)
    routes = pairs_to_measure(args, registry)
    detector()  # the QA gate's language detector, loaded once per process
    english = english_releases(random.Random(args.seed), args.words)
    results = []
    for route in routes:
        engine = route.engine
        assert engine is not None
        releases, boilerplates = in_language(english, registry, route.src)
        reverse = registry.round_trip_engine(route.src, route.tgt) if args.round_trip else None
        results.append(measure(releases, boilerplates, route.src, route.tgt, engine, reverse))
        log(json.dumps(results[-1]))
    print(json.dumps({"pairs": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
