"""Names in a source sentence and their counterparts in its translation; missing subjects.

No word alignment and no tagger: crude, explainable heuristics that catch what MT engines
actually drop.

**Names.** In a source sentence written in a cased script, a name is a run of capitalized
words ("Sergei Lavrov", "North Korean", "Acme Energy GmbH") holding at least one word that is
not a common capitalized word (titles, weekdays, "North", "The", ...). The first word of a
sentence counts only when it is clearly a name: possessive ("Russia's"), followed by another
capitalized word, written in capitals or CamelCase, a country or language name, or seen
capitalized inside a sentence elsewhere in the document. A name has a counterpart in the
target when any of its distinctive words does:

* the same word, or a compound holding it ("nordkoreanischen" holds "korean");
* a cross-lingual spelling variant: both folded (accents, case, "w"->"v", "c"->"k", "j"->"y",
  doubled letters squeezed) and sharing a 4-letter prefix or ~75% of their letters
  ("Moscow"/"Moskau", "Lavrov"/"Lawrow", "Pyongyang"/"Pjöngjang", "Russia"/"Rusia");
* for country and language names, the target language's own name from Babel's CLDR data
  ("Russia" -> "Russland", "ロシア", "روسيا"; "German" -> "Deutsch");
* a glossary term (checked by the glossary rule instead).

Into scripts without capitals (Japanese, Chinese, Arabic, Thai, ...) only what stays
recognizable is required: country and language names (via Babel) and words written in
capitals or with digits (tickers, product codes).

**Missing subject** (targets in German, French, Spanish, Portuguese). The seed's sentence "Am
Dienstag empfing seinen nordkoreanischen Amtskollegen ..." has the shape: an adverbial
("Am Dienstag"), a finite verb ("empfing"), then straight away an object ("seinen ...") and
no subject anywhere before the object ends. German and French always need a subject there;
Spanish and Portuguese drop subject pronouns, so for them the rule fires only when the
source sentence opened with a named subject (not "He", "She", "It", ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from newswire.translate.facts import babel_locale, fold

__all__ = [
    "Name",
    "find_counterpart",
    "known_names",
    "missing_subject",
    "source_names",
    "source_subject",
]

_WORD = re.compile(r"[^\W\d_](?:[\w'’.&-]*\w)?")
_LEAD_IN = re.compile(
    r"^\s*(?:\([^)]{1,40}\)\s*)?(?:[A-ZÀ-Ý][\w .,/-]{0,60}?\s[–—-]{1,2}\s+|[–—-]\s+)"
)

# Capitalized words that are not names on their own (English).
_COMMON = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "who",
        "what",
        "when",
        "where",
        "why",
        "how",
        "which",
        "while",
        "after",
        "before",
        "since",
        "during",
        "following",
        "according",
        "about",
        "also",
        "and",
        "but",
        "or",
        "nor",
        "so",
        "yet",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "to",
        "of",
        "as",
        "if",
        "into",
        "over",
        "under",
        "per",
        "via",
        "today",
        "yesterday",
        "tomorrow",
        "now",
        "meanwhile",
        "however",
        "moreover",
        "furthermore",
        "additionally",
        "earlier",
        "later",
        "last",
        "next",
        "first",
        "second",
        "third",
        "new",
        "old",
        "all",
        "any",
        "each",
        "every",
        "both",
        "some",
        "many",
        "most",
        "more",
        "other",
        "such",
        "no",
        "not",
        "yes",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sir",
        "madam",
        "chief",
        "executive",
        "officer",
        "ceo",
        "cfo",
        "coo",
        "cto",
        "cio",
        "president",
        "vice",
        "minister",
        "ministry",
        "foreign",
        "prime",
        "secretary",
        "general",
        "director",
        "manager",
        "head",
        "senior",
        "junior",
        "chairman",
        "chairwoman",
        "chair",
        "founder",
        "co-founder",
        "partner",
        "managing",
        "board",
        "member",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "leader",
        "deputy",
        "ambassador",
        "governor",
        "mayor",
        "senator",
        "representative",
        "professor",
        "doctor",
        "company",
        "group",
        "holding",
        "holdings",
        "inc",
        "ltd",
        "corp",
        "corporation",
        "co",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "se",
        "kg",
        "nv",
        "bv",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "upper",
        "lower",
        "united",
        "federal",
        "national",
        "international",
        "global",
        "world",
        "annual",
        "general",
        "republic",
        "kingdom",
        "states",
        "union",
        "department",
        "council",
        "commission",
        "agency",
        "office",
        "committee",
        "authority",
        "press",
        "release",
        "news",
        "media",
        "investor",
        "investors",
        "relations",
        "contact",
        "contacts",
        "note",
        "notes",
        "editor",
        "editors",
        "street",
        "avenue",
        "road",
        "square",
        "building",
        "floor",
        "suite",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "q1",
        "q2",
        "q3",
        "q4",
        "h1",
        "h2",
        "fy",
        "am",
        "pm",
        "ai",
        "eu",
        "un",
        "us",
        "usa",
        "uk",
        "uae",
        "gdp",
        "ipo",
        "esg",
        "it",
        "hr",
        "pr",
        "ev",
        "r&d",
        "b2b",
        "b2c",
        "nato",
        "opec",
        "who",
        "imf",
        "top",
        "daily",
        "story",
        "breaking",
        "update",
        "live",
        "latest",
    ]
)
_PRONOUN_STARTS = frozenset(
    [
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "this",
        "that",
        "these",
        "those",
        "there",
        "his",
        "her",
        "its",
        "their",
        "our",
        "one",
    ]
)


@dataclass(frozen=True, slots=True)
class Name:
    text: str  # as written in the source ("Russia's", "North Korean")
    keys: tuple[str, ...]  # its distinctive words, possessive dropped ("Russia",)
    words: tuple[str, ...] = ()  # every word of 4+ letters, any of which may be the match

    def match_words(self) -> list[str]:
        """Words that count as a counterpart when found: the name's words, and the country
        behind a demonym ("Korean" -> "Korea", "Japanese" -> "Japan")."""
        out = list(dict.fromkeys([*self.keys, *self.words]))
        for key in self.keys:
            if key.endswith("an") and len(key) >= 6:
                out.append(key[:-1])
            elif key.endswith(("ese", "ish")) and len(key) >= 7:
                out.append(key[:-3])
        return out


def _core(word: str) -> str:
    word = re.sub(r"['’]s?$", "", word)
    return word.rstrip(".")


def _is_capitalized(word: str) -> bool:
    return word[:1].isupper()


def _distinctive(word: str) -> bool:
    core = _core(word)
    if len(core) < 2 or core.lower() in _COMMON:
        return False
    # "EU", "CEO", "US": usually translated or spelled out
    return not (core.isupper() and len(core) <= 3)


def _strong(word: str) -> bool:
    """Clearly a name even at the start of a sentence."""
    core = _core(word)
    return (
        (word != core and word[len(core) :].startswith(("'", "’")))  # possessive
        or (core.isupper() and len(core) >= 4)
        or any(ch.isdigit() for ch in core)
        or any(ch.isupper() for ch in core[1:])  # CamelCase
        or _country_code(core) is not None
        or _language_code(core) is not None
    )


def known_names(texts: Iterable[str]) -> frozenset[str]:
    """Words seen capitalized inside a sentence (not first) in the document."""
    found: set[str] = set()
    for text in texts:
        words = _WORD.findall(_strip_lead_in(text))
        for word in words[1:]:
            if _is_capitalized(word) and _distinctive(word):
                found.add(_core(word))
    return frozenset(found)


def _strip_lead_in(text: str) -> str:
    m = _LEAD_IN.match(text)
    return text[m.end() :] if m else text


def source_names(sentence: str, *, known: frozenset[str] = frozenset()) -> list[Name]:
    """The names in a source sentence in a cased script."""
    body = _strip_lead_in(sentence)
    names: list[Name] = []
    group: list[tuple[str, bool]] = []  # (word, sentence-initial)
    last_end = -1

    def close() -> None:
        if not group:
            return
        words = [w for w, _ in group]
        keys = []
        for i, (word, initial) in enumerate(group):
            if not _distinctive(word):
                continue
            if initial and not (
                _strong(word) or _core(word) in known or (len(group) > 1 and i == 0)
            ):
                continue
            keys.append(_core(word))
        if keys:
            every = tuple(_core(w) for w in words if len(_core(w)) >= 4 and w.lower() != "with")
            names.append(Name(" ".join(words), tuple(keys), every))
        group.clear()

    for index, m in enumerate(_WORD.finditer(body)):
        word = m.group()
        between = body[last_end : m.start()] if last_end >= 0 else ""
        initial = index == 0 or bool(re.search(r"[:;\"“„«(]\s*$|[.!?]\s+$", between))
        if _is_capitalized(word):
            if group and between not in (" ", "-", "\u00a0"):
                close()
            group.append((word, initial))
        else:
            close()
        last_end = m.end()
    close()
    return names


_PHONETIC = [
    ("ph", "f"),
    ("th", "t"),
    ("kh", "h"),
    ("ck", "k"),
    ("ch", "k"),
    ("sch", "sh"),
    ("w", "v"),
    ("c", "k"),
    ("q", "k"),
    ("j", "y"),
    ("ou", "u"),
    ("ie", "i"),
    ("x", "ks"),
    ("z", "s"),
]


def _phonetic(word: str) -> str:
    word = re.sub(r"c(?=[eiy])", "s", fold(word))  # soft c: "Cingapura" ~ "Singapore"
    for a, b in _PHONETIC:
        word = word.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", word)


def _similar(key: str, token: str) -> bool:
    k, t = fold(key), fold(token)
    if not k or not t:
        return False
    if k == t:
        return True
    if len(k) >= 4 and k in t:
        return True
    if len(k) >= 3 and t.startswith(k):
        return True
    if len(t) >= 5 and k.startswith(t):
        return True
    pk, pt = _phonetic(key), _phonetic(token)
    prefix = 0
    for a, b in zip(pk, pt, strict=False):
        if a != b:
            break
        prefix += 1
    if prefix >= 4 or (prefix >= 3 and prefix == min(len(pk), len(pt))):
        return True
    return len(pk) >= 4 and SequenceMatcher(None, pk, pt).ratio() >= 0.75


@cache
def _english_names(kind: str) -> dict[str, str]:
    loc = babel_locale("en")
    assert loc is not None
    table = loc.territories if kind == "territories" else loc.languages
    out: dict[str, str] = {}
    for code, name in table.items():
        if "_" in code or len(code) > 3 or (kind == "territories" and code.isdigit()):
            continue
        out.setdefault(name.lower(), code)
    return out


def _country_code(word: str) -> str | None:
    return _english_names("territories").get(word.lower())


def _language_code(word: str) -> str | None:
    return _english_names("languages").get(word.lower())


def _local_names(text: str, tgt: str) -> tuple[list[str], list[str]]:
    """The target-language names of the country, and of the language, `text` names."""
    loc = babel_locale(tgt)
    if loc is None:
        return [], []
    countries: list[str] = []
    languages: list[str] = []
    country = _country_code(text)
    if country and country in loc.territories:
        countries.append(loc.territories[country])
    language = _language_code(text)
    if language and language in loc.languages:
        languages.append(loc.languages[language])
    return countries, languages


def _cased_script(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    cased = sum(1 for ch in letters if ch.lower() != ch.upper())
    return cased / len(letters) > 0.6


def _stems_in(local: str, folded_target: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_]+", fold(local)) if len(w) >= 2]
    return bool(words) and all(w[: max(4, len(w) - 2)] in folded_target for w in words)


def find_counterpart(name: Name, target: str, tgt: str) -> bool:
    """True when the target sentence has something standing for `name`."""
    folded_target = fold(target)
    cased_target = _cased_script(target)
    countries: list[str] = []
    languages: list[str] = []
    for candidate in [name.text, *name.keys]:
        c, lang = _local_names(_core(candidate), tgt)
        countries += c
        languages += lang
    for local in countries + languages:
        if _stems_in(local, folded_target) if _cased_script(local) else local in target:
            return True
    if not cased_target:
        if countries:
            return False  # a country keeps a recognizable name in every script
        # Only what survives into a script without capitals is required.
        required = [
            k for k in name.keys if (k.isupper() and len(k) >= 4) or any(c.isdigit() for c in k)
        ]
        return all(fold(k) in folded_target for k in required)
    target_words = _WORD.findall(target)
    return any(_similar(key, word) for key in name.match_words() for word in target_words)


# --- missing subject -----------------------------------------------------------------

_DE_PREPOSITIONS = frozenset(
    [
        "am",
        "im",
        "an",
        "in",
        "auf",
        "nach",
        "vor",
        "seit",
        "bei",
        "beim",
        "während",
        "mit",
        "zu",
        "zum",
        "zur",
        "für",
        "gegen",
        "laut",
        "trotz",
        "wegen",
        "um",
        "vom",
        "von",
        "ab",
        "bis",
        "anlässlich",
    ]
)
_DE_ADVERBS = frozenset(
    [
        "gestern",
        "heute",
        "morgen",
        "später",
        "zuvor",
        "zudem",
        "außerdem",
        "bereits",
        "dann",
        "danach",
        "nun",
        "jetzt",
        "anschließend",
        "erstmals",
        "kürzlich",
        "ebenfalls",
        "zugleich",
        "damals",
        "inzwischen",
    ]
)
_DE_OBJECT_STARTS = frozenset(
    [
        "seinen",
        "seinem",
        "ihren",
        "ihrem",
        "unseren",
        "unserem",
        "euren",
        "eurem",
        "den",
        "dem",
        "einen",
        "einem",
        "keinen",
        "keinem",
        "diesen",
        "diesem",
        "jenen",
        "jenem",
        "ihn",
        "ihm",
        "mich",
        "mir",
        "dich",
        "dir",
    ]
)
_DE_NOMINATIVE = frozenset(
    ["der", "die", "das", "ein", "eine", "er", "sie", "es", "man", "wir", "ich", "du", "ihr"]
)
_DE_DETERMINERS = frozenset(
    [
        "der",
        "die",
        "das",
        "dem",
        "den",
        "des",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "diesem",
        "diesen",
        "dieser",
        "dieses",
        "vergangenen",
        "letzten",
        "kommenden",
        "nächsten",
        "frühen",
        "späten",
    ]
)
_ROMANCE = {
    "fr": {
        "adverbials": frozenset(
            [
                "hier",
                "aujourd'hui",
                "demain",
                "lundi",
                "mardi",
                "mercredi",
                "jeudi",
                "vendredi",
                "samedi",
                "dimanche",
                "ensuite",
                "puis",
                "lors",
                "après",
                "avant",
                "pendant",
                "en",
                "dans",
                "à",
                "au",
            ]
        ),
        "possessives": frozenset(["son", "sa", "ses", "leur", "leurs"]),
        "glue": frozenset(
            [
                "le",
                "la",
                "l'",
                "ce",
                "cette",
                "dernier",
                "dernière",
                "matin",
                "soir",
                "de",
                "du",
                "la",
            ]
        ),
    },
    "es": {
        "adverbials": frozenset(
            [
                "ayer",
                "hoy",
                "mañana",
                "el",
                "este",
                "lunes",
                "martes",
                "miércoles",
                "jueves",
                "viernes",
                "sábado",
                "domingo",
                "luego",
                "después",
                "tras",
                "durante",
                "en",
            ]
        ),
        "possessives": frozenset(["su", "sus"]),
        "glue": frozenset(["a", "al", "pasado", "por", "la", "tarde", "mañana", "noche", "de"]),
    },
    "pt": {
        "adverbials": frozenset(
            [
                "ontem",
                "hoje",
                "amanhã",
                "na",
                "no",
                "nesta",
                "neste",
                "nessa",
                "nesse",
                "em",
                "durante",
                "após",
                "depois",
                "segunda-feira",
                "terça-feira",
                "quarta-feira",
                "quinta-feira",
                "sexta-feira",
                "sábado",
                "domingo",
            ]
        ),
        "possessives": frozenset(["seu", "sua", "seus", "suas"]),
        "glue": frozenset(
            ["o", "a", "os", "as", "passada", "passado", "última", "último", "de", "à"]
        ),
    },
}
_SUBJECT_PRONOUNS = frozenset(
    [
        "il",
        "elle",
        "ils",
        "elles",
        "on",
        "nous",
        "je",
        "tu",
        "vous",
        "él",
        "ella",
        "ellos",
        "ellas",
        "usted",
        "ele",
        "ela",
        "eles",
        "elas",
        "você",
        "nós",
        "eu",
    ]
)
_EN_OPENING_PREPOSITIONS = frozenset(
    [
        "on",
        "in",
        "at",
        "during",
        "after",
        "before",
        "since",
        "following",
        "today",
        "yesterday",
        "earlier",
        "later",
    ]
)


def source_subject(sentence: str) -> str | None:
    """The named subject a source sentence (English) opens with, or None."""
    body = _strip_lead_in(sentence)
    words = _WORD.findall(body)
    if not words or words[0].lower() in _PRONOUN_STARTS:
        return None
    if words[0].lower() in _EN_OPENING_PREPOSITIONS or not _is_capitalized(words[0]):
        return None
    stop = {
        "on",
        "in",
        "at",
        "for",
        "with",
        "during",
        "after",
        "before",
        "today",
        "yesterday",
        "said",
        "says",
        "has",
        "have",
        "had",
        "will",
        "is",
        "was",
        "are",
        "were",
        "would",
    }
    out: list[str] = []
    for word in words[:6]:
        if word.lower() in stop or (out and word.endswith("ed") and word.islower()):
            break
        out.append(word)
    return " ".join(out) if out else None


def _tokens(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+|,", _strip_lead_in(text))


def _german(words: list[str]) -> str | None:
    if not words:
        return None
    first = words[0].lower()
    i: int
    if first in _DE_ADVERBS:
        i = 1
    elif first in _DE_PREPOSITIONS:
        i = 1
        while i < len(words) and words[i].lower() in _DE_DETERMINERS | {","}:
            i += 1
        while i < len(words) and (words[i][:1].isdigit() or words[i].endswith(".")):
            i += 1
        if i >= len(words) or not words[i][:1].isupper():
            return None
        i += 1
        while (
            i + 1 < len(words) and words[i].lower() in ("des", "der") and words[i + 1][:1].isupper()
        ):
            i += 2
    else:
        return None
    if i + 1 >= len(words):
        return None
    verb, obj = words[i], words[i + 1]
    if not verb.islower() or verb in _DE_DETERMINERS or obj.lower() not in _DE_OBJECT_STARTS:
        return None
    j = i + 2
    if obj.lower() in ("ihn", "ihm", "mich", "mir", "dich", "dir"):
        nxt = words[j].lower() if j < len(words) else ""
        return None if nxt in _DE_NOMINATIVE else " ".join(words[: i + 2])
    while j < len(words) and words[j].islower() and words[j] != ",":
        j += 1  # adjectives of the object
    j += 1  # the object's noun
    nxt = words[j].lower() if j < len(words) else ""
    if nxt in _DE_NOMINATIVE:
        return None
    return " ".join(words[: i + 2])


def _romance(words: list[str], lang: str) -> str | None:
    rules = _ROMANCE[lang]
    if not words or words[0].lower() not in rules["adverbials"]:
        return None
    i = 1
    while i < len(words) and (
        words[i].lower() in rules["adverbials"]
        or words[i].lower() in rules["glue"]
        or words[i][:1].isdigit()
    ):
        i += 1
    if i < len(words) and words[i] == ",":
        i += 1
    # clitics and auxiliaries before the main verb
    start = i
    while i < len(words) and words[i].lower() in {
        "se",
        "le",
        "lo",
        "la",
        "lhe",
        "a",
        "ha",
        "ont",
        "avait",
        "est",
        "foi",
        "tem",
        "había",
    }:
        i += 1
    if i >= len(words) or not words[i].islower() or words[i].lower() in _SUBJECT_PRONOUNS:
        return None
    i += 1  # the verb
    if i < len(words) and words[i].lower() in ("a", "o", "al"):
        i += 1  # Spanish personal "a", Portuguese article before a possessive
    if i < len(words) and words[i].lower() in rules["possessives"] and i - start <= 4:
        return " ".join(words[: i + 1])
    return None


def missing_subject(source: str, target: str, tgt: str) -> str | None:
    """The opening of a target sentence that has a verb and an object but no subject."""
    base = tgt.split("-")[0].lower()
    words = _tokens(target)
    if base == "de":
        opening = _german(words)
    elif base in _ROMANCE:
        opening = _romance(words, base)
        if opening is not None and base in ("es", "pt") and source_subject(source) is None:
            return None
    else:
        return None
    return opening
