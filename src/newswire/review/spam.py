"""Signals of promotional spam: shouting, hype, link farms and keyword stuffing.

Each signal is weak (the desk should look: WARNING) or strong (ERROR). Three weak signals
together count as strong. Thresholds are set so that an ordinary release, acronyms, company
names and a few links included, raises none.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from newswire.domain.release import ReleaseContent
from newswire.review import tokens

# Hype phrases, matched case-insensitively on word boundaries, whatever the declared language.
HYPE_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "act now", "limited time", "guaranteed", "100% free", "best ever", "risk-free",
        "risk free", "click here", "buy now", "once in a lifetime", "order now", "call now",
        "don't miss out", "lowest price ever", "no obligation", "what are you waiting for",
    ),
    "de": (
        "jetzt kaufen", "jetzt zugreifen", "nur für kurze zeit", "nur noch heute", "garantiert",
        "100% kostenlos", "einmalige gelegenheit", "hier klicken", "klicken sie hier",
        "risikofrei", "ohne risiko", "unschlagbar günstig",
    ),
    "fr": (
        "achetez maintenant", "agissez maintenant", "offre limitée", "durée limitée", "garanti",
        "100% gratuit", "cliquez ici", "sans risque", "occasion unique", "à ne pas manquer",
    ),
    "es": (
        "compre ahora", "compra ahora", "actúe ahora", "tiempo limitado", "oferta limitada",
        "garantizado", "100% gratis", "haga clic aquí", "haz clic aquí", "sin riesgo",
        "única en la vida", "no se lo pierda",
    ),
    "pt": (
        "compre agora", "aja agora", "tempo limitado", "oferta limitada", "garantido",
        "100% grátis", "clique aqui", "sem risco", "única na vida", "imperdível", "não perca",
    ),
}  # fmt: skip
_ALL_PHRASES = sorted({p for phrases in HYPE_PHRASES.values() for p in phrases}, key=len)[::-1]
_HYPE = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in _ALL_PHRASES) + r")(?!\w)")

# Function words that may legitimately make up a large share of a text, by language.
_STOPWORDS: frozenset[str] = frozenset(
    word
    for line in (
        # en
        "that with from this have will which their they them been were said also about more "
        "into than other over such these those would could there when where what while after "
        "before through including",
        # de
        "dass nicht sich eine einer eines einem einen auch oder wird werden wurde sind haben "
        "über unter nach sowie durch diese dieser dieses diesem mehr bereits sein seine seiner "
        "ihre ihren wenn noch zwischen gegen beim damit dabei heute",
        # fr
        "dans avec pour sont mais plus cette leur leurs nous vous elle elles ainsi comme aussi "
        "être avoir fait sera entre depuis tout tous toutes très dont sous vers chez selon lors",
        # es, pt
        "para como pero más este esta estos estas sobre entre desde hasta también porque "
        "cuando donde todo todos será sido tiene cual según mais pelo pela pelos pelas essa "
        "esse seus suas quando onde pode hoje está após",
        # ru
        "этот этого этой также который которая которые более будет было были чтобы после "
        "между через сегодня",
        # id, ms
        "yang dengan untuk dalam pada dari akan juga telah atau oleh kepada tersebut sebagai "
        "bahwa adalah ialah kami mereka serta",
        # ar
        "التي الذي هذه وقال التى",
    )
    for word in line.split()
)
# Languages whose words are separated by spaces and carry meaning on their own (not
# Vietnamese syllables or Korean word-plus-particle forms), where word counts mean something.
_DENSITY_LANGUAGES = frozenset({"en", "de", "fr", "es", "pt", "ru", "id", "ms", "ar"})


CAPS_RUN = 6  # this many words in capitals in a row is shouting, not an acronym
WINDOW = 50  # keyword stuffing: a word repeated WINDOW_REPEATS times within WINDOW words
WINDOW_REPEATS = 6


@dataclass(frozen=True)
class Signal:
    name: str  # "exclamation_marks", "all_caps", "hype_phrases", "link_density", "keyword_stuffing"
    strong: bool
    field: str
    detail: str  # "12 exclamation marks in the body"


def _normalize(text: str) -> str:
    text = text.casefold().replace("’", "'").replace("\u00a0", " ")
    text = re.sub(r"(\d)\s+%", r"\1%", text)
    return re.sub(r"\s+", " ", text)


def _exclamations(headline: str, body: str) -> list[Signal]:
    signals = []
    marks = body.count("!") + body.count("！")
    runs = re.search(r"[!！]{3,}", headline + "\n" + body)
    if "!" in headline or "！" in headline:
        signals.append(
            Signal("exclamation_marks", False, "headline", "exclamation mark in the headline")
        )
    if marks >= 8 or runs:
        detail = f"{marks} exclamation marks in the body" + (
            f' (including "{runs.group(0)}")' if runs else ""
        )
        signals.append(Signal("exclamation_marks", True, "body_markdown", detail))
    elif marks >= 3:
        signals.append(
            Signal(
                "exclamation_marks",
                False,
                "body_markdown",
                f"{marks} exclamation marks in the body",
            )
        )
    return signals


def _cased(text: str) -> list[str]:
    return [w for w in tokens.words(text) if w.lower() != w.upper() and len(w) >= 2]


def _all_caps(headline: str, body: str, tickers: set[str]) -> list[Signal]:
    signals = []
    head_words = _cased(headline)
    if len(head_words) >= 3 and sum(w.isupper() for w in head_words) >= 0.8 * len(head_words):
        signals.append(Signal("all_caps", False, "headline", "the headline is in capitals"))
    words = [w for w in _cased(body) if w.upper() not in tickers]
    caps = [w for w in words if w.isupper()]
    if not words:
        return signals
    ratio = len(caps) / len(words)
    detail = f"{len(caps)} of {len(words)} words in the body are in capitals ({ratio:.0%})"
    if len(caps) >= 10 and ratio >= 0.4:
        signals.append(Signal("all_caps", True, "body_markdown", detail))
    elif len(caps) >= 5 and ratio >= 0.2:
        signals.append(Signal("all_caps", False, "body_markdown", detail))
    elif run := _longest_caps_run(words):
        shown = " ".join(run[:6]) + (" …" if len(run) > 6 else "")
        signals.append(
            Signal("all_caps", False, "body_markdown", f'a passage in capitals: "{shown}"')
        )
    return signals


def _longest_caps_run(words: list[str], minimum: int = CAPS_RUN) -> list[str]:
    """The longest run of at least `minimum` consecutive words in capitals (a shouted line)."""
    best: list[str] = []
    run: list[str] = []
    for word in words:
        run = [*run, word] if word.isupper() else []
        if len(run) > len(best):
            best = run
    return best if len(best) >= minimum else []


def _hype(headline: str, body: str) -> list[Signal]:
    hits = Counter(m.group(0) for m in _HYPE.finditer(_normalize(headline + "\n" + body)))
    if not hits:
        return []
    field = "headline" if _HYPE.search(_normalize(headline)) else "body_markdown"
    listed = ", ".join(f'"{p}"' + (f" ({n}×)" if n > 1 else "") for p, n in hits.most_common())
    strong = len(hits) >= 3 or hits.total() >= 5
    return [Signal("hype_phrases", strong, field, f"hype phrases {listed}")]


def _link_density(body: str, link_count: int) -> list[Signal]:
    words = max(tokens.word_count(body), 1)
    per_100 = link_count * 100 / words
    detail = f"{link_count} links in {words} words ({per_100:.1f} per 100 words)"
    if link_count >= 6 and per_100 > 8:
        return [Signal("link_density", True, "body_markdown", detail)]
    if link_count >= 3 and per_100 > 3:
        return [Signal("link_density", False, "body_markdown", detail)]
    return []


def _keyword_stuffing(body: str, keywords: tuple[str, ...], language: str) -> list[Signal]:
    """Stuffing in the keyword list, then in the body (in the languages whose words we count)."""
    signals = _stuffed_keywords(keywords)
    if language.split("-")[0].lower() in _DENSITY_LANGUAGES:
        signals += _stuffed_body(body)
    return signals


def _stuffed_keywords(keywords: tuple[str, ...]) -> list[Signal]:
    """A keyword given twice (whatever the case), or more than 25 keywords."""
    folded = [k.strip().casefold() for k in keywords if k.strip()]
    repeated = sorted({k for k, n in Counter(folded).items() if n > 1})
    if repeated:
        listed = ", ".join(f'"{k}"' for k in repeated)
        return [Signal("keyword_stuffing", False, "keywords", f"keywords repeated: {listed}")]
    if len(folded) > 25:
        detail = f"{len(folded)} keywords (more than 25)"
        return [Signal("keyword_stuffing", False, "keywords", detail)]
    return []


def _is_content_word(word: str) -> bool:
    return len(word) >= 4 and word not in _STOPWORDS and not word.isdigit()


def _stuffed_body(body: str) -> list[Signal]:
    """One content word making up too much of the body, or crowded into one stretch of it."""
    words = [w.casefold() for w in tokens.words(body)]
    content_words = [w for w in words if _is_content_word(w)]
    if not content_words:
        return []
    word, count = Counter(content_words).most_common(1)[0]
    share = count / len(words)
    detail = f'the word "{word}" makes up {share:.0%} of the body ({count} times)'
    if count >= 12 and share >= 0.15:
        return [Signal("keyword_stuffing", True, "body_markdown", detail)]
    if count >= 8 and share >= 0.08:
        return [Signal("keyword_stuffing", False, "body_markdown", detail)]
    if dense := _densest(words):
        word, count = dense
        detail = f'the word "{word}" appears {count} times within {WINDOW} words'
        return [Signal("keyword_stuffing", False, "body_markdown", detail)]
    return []


def _densest(words: list[str]) -> tuple[str, int] | None:
    """A content word repeated at least WINDOW_REPEATS times within WINDOW words, if any:
    a stuffed paragraph inside an otherwise ordinary body."""
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        if _is_content_word(word):
            positions.setdefault(word, []).append(i)
    best: tuple[str, int] | None = None
    for word, where in positions.items():
        start = 0
        for end in range(len(where)):
            while where[end] - where[start] >= WINDOW:
                start += 1
            count = end - start + 1
            if count >= WINDOW_REPEATS and (best is None or count > best[1]):
                best = (word, count)
    return best


def find_signals(content: ReleaseContent, body_text: str, body_links: int) -> list[Signal]:
    """Spam signals in the headline, subheadline and body (`body_text`: the body as plain text)."""
    headline = content.headline
    body = "\n".join(filter(None, (content.subheadline, body_text)))
    tickers = {t.rsplit(":", 1)[-1].strip().upper() for t in content.tickers}
    return [
        *_exclamations(headline, body),
        *_all_caps(headline, body, tickers),
        *_hype(headline, body),
        *_link_density(body_text, body_links),
        *_keyword_stuffing(body_text, content.keywords, content.language),
    ]
