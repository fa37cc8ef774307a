"""Missing subjects (targets in German, French, Spanish, Portuguese; the translate stage's
name checks).

The seed's sentence "Am Dienstag empfing seinen nordkoreanischen Amtskollegen ..." has the
shape: an adverbial ("Am Dienstag"), a finite verb ("empfing"), then straight away an object
("seinen ...") and no subject anywhere before the object ends. German and French always need
a subject there; Spanish and Portuguese drop subject pronouns, so for them the rule fires only
when the source sentence opened with a named subject (not "He", "She", "It", ...).
"""

from __future__ import annotations

import re

from newswire.translate.base import base_lang
from newswire.translate.names.recognize import WORD, is_capitalized, strip_lead_in, word_set

__all__ = ["missing_subject", "source_subject"]

_PRONOUN_STARTS = word_set(
    """
    he she it they we i you this that these those there his her its their our one
    """
)

# German
_DE_PREPOSITIONS = word_set(
    """
    am im an in auf nach vor seit bei beim während mit zu zum zur für gegen laut trotz wegen um
    vom von ab bis anlässlich
    """
)
_DE_ADVERBS = word_set(
    """
    gestern heute morgen später zuvor zudem außerdem bereits dann danach nun jetzt anschließend
    erstmals kürzlich ebenfalls zugleich damals inzwischen
    """
)
_DE_OBJECT_STARTS = word_set(
    """
    seinen seinem ihren ihrem unseren unserem euren eurem den dem einen einem keinen keinem
    diesen diesem jenen jenem ihn ihm mich mir dich dir
    """
)
_DE_NOMINATIVE = frozenset(
    ["der", "die", "das", "ein", "eine", "er", "sie", "es", "man", "wir", "ich", "du", "ihr"]
)
_DE_DETERMINERS = word_set(
    """
    der die das dem den des ein eine einem einen einer eines diesem diesen dieser dieses
    vergangenen letzten kommenden nächsten frühen späten
    """
)

# French, Spanish, Portuguese
_ROMANCE = {
    "fr": {
        "adverbials": word_set(
            """
            hier aujourd'hui demain lundi mardi mercredi jeudi vendredi samedi dimanche
            ensuite puis lors après avant pendant en dans à au
            """
        ),
        "possessives": word_set("son sa ses leur leurs"),
        "glue": word_set("le la l' ce cette dernier dernière matin soir de du la"),
    },
    "es": {
        "adverbials": word_set(
            """
            ayer hoy mañana el este lunes martes miércoles jueves viernes sábado domingo
            luego después tras durante en
            """
        ),
        "possessives": word_set("su sus"),
        "glue": word_set("a al pasado por la tarde mañana noche de"),
    },
    "pt": {
        "adverbials": word_set(
            """
            ontem hoje amanhã na no nesta neste nessa nesse em durante após depois
            segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado
            domingo
            """
        ),
        "possessives": word_set("seu sua seus suas"),
        "glue": word_set("o a os as passada passado última último de à"),
    },
}
_SUBJECT_PRONOUNS = word_set(
    """
    il elle ils elles on nous je tu vous él ella ellos ellas usted ele ela eles elas você nós eu
    """
)
_EN_OPENING_PREPOSITIONS = word_set(
    """
    on in at during after before since following today yesterday earlier later
    """
)


def source_subject(sentence: str) -> str | None:
    """The named subject a source sentence (English) opens with, or None."""
    body = strip_lead_in(sentence)
    words = WORD.findall(body)
    if not words or words[0].lower() in _PRONOUN_STARTS:
        return None
    if words[0].lower() in _EN_OPENING_PREPOSITIONS or not is_capitalized(words[0]):
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
    return re.findall(r"[\w'’-]+|,", strip_lead_in(text))


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
    base = base_lang(tgt)
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
