"""Sentence alignment for the QA gate: which source sentences became which target sentences.

A length-and-anchor dynamic programme (the translate stage's QA gate): a bead is one source
and one target sentence, one dropped or added sentence, or two merged into one (or one split
into two). A bead costs the difference of the two sides' lengths from what such translations
are (`text.CHAR_RATIO`) plus the share of anchors (numbers, URLs, addresses, capitalized
words) they do not have in common, plus LINK_ANCHOR_COST for each URL or address on one side
only.
"""

from __future__ import annotations

import math
import re

from newswire.translate.facts import extract
from newswire.translate.qa.text import expected_ratio, translatable_part

__all__ = ["DROP_COST", "MERGE_COST", "Bead", "align"]

DROP_COST = 1.4
MERGE_COST = 1.2
LINK_ANCHOR_COST = 0.4

Bead = tuple[list[int], list[int]]


def _anchors(text: str, lang: str) -> tuple[set[str], set[str]]:
    """The anchors of a sentence, and those of them that are URLs or addresses."""
    facts = extract(text, lang)
    links = set(facts.urls) | set(facts.emails)
    out = {str(max(n.values)) for n in facts.numbers} | links
    out.update(re.findall(r"(?<![A-Za-z])[A-Z][A-Za-z]{3,}(?![a-z])", text))
    return out, links


def align(source: list[str], target: list[str], src: str, tgt: str) -> list[Bead]:
    """Alignment beads (source indices, target indices), in order."""
    ratio = expected_ratio(src, tgt)
    sa, sl = (
        map(list, zip(*(_anchors(s, src) for s in source), strict=True)) if source else ([], [])
    )
    ta, tl = (
        map(list, zip(*(_anchors(t, tgt) for t in target), strict=True)) if target else ([], [])
    )

    def cost(si: list[int], ti: list[int]) -> float:
        s_text, t_text = translatable_part(
            " ".join(source[i] for i in si), " ".join(target[j] for j in ti)
        )
        ls, lt = len(s_text) + 10, len(t_text) + 10
        c = abs(math.log(lt / (ls * ratio)))
        a = set().union(*(sa[i] for i in si))
        b = set().union(*(ta[j] for j in ti))
        if a or b:
            c += 0.8 * (1 - len(a & b) / len(a | b))
        # A URL or address on one side only: a dropped sentence more likely than a merge
        # (into Chinese or Japanese a merged pair is about as long as one sentence).
        links_a = set().union(*(sl[i] for i in si))
        links_b = set().union(*(tl[j] for j in ti))
        c += min(1.0, LINK_ANCHOR_COST * len(links_a ^ links_b))
        return c

    n, m = len(source), len(target)
    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    moves = [(1, 1), (1, 0), (0, 1), (2, 1), (1, 2)]
    band = 8 + abs(n - m)  # alignments far off the diagonal are never the cheapest
    for i in range(n + 1):
        centre = round(i * m / n) if n else 0
        for j in range(max(0, centre - band), min(m, centre + band) + 1):
            if best[i][j] == inf:
                continue
            for di, dj in moves:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                si, ti = list(range(i, ni)), list(range(j, nj))
                if di == 0 or dj == 0:
                    c = DROP_COST
                elif di + dj == 2:
                    c = cost(si, ti)
                else:
                    c = MERGE_COST + cost(si, ti)
                if best[i][j] + c < best[ni][nj]:
                    best[ni][nj] = best[i][j] + c
                    back[ni][nj] = (i, j)
    beads: list[Bead] = []
    i, j = n, m
    while (i, j) != (0, 0):
        prev = back[i][j]
        assert prev is not None
        pi, pj = prev
        beads.append((list(range(pi, i)), list(range(pj, j))))
        i, j = pi, pj
    beads.reverse()
    return beads
