"""Times of day in a sentence ("3:30 p.m.", "15.30 Uhr", "15h30", "午後3時"), each as the
minutes since midnight it may stand for."""

from __future__ import annotations

import re

from newswire.translate.facts.record import Facts, blank

__all__ = ["read_times"]


_AMPM = r"(?P<ampm>[ap]\.?\s?m\.?(?!\w))"
_TIME_PATTERNS = [
    re.compile(rf"(?<![\d.,:])(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?!\d)(?:\s*{_AMPM})?", re.I),
    re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\.(?P<m>\d{2})\s*(?=Uhr\b)", re.I),
    re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\s?h\s?(?P<m>\d{2})(?!\d)", re.I),
    re.compile(rf"(?<![\d.,:])(?P<h>\d{{1,2}})\s*{_AMPM}", re.I),
    re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\s*(?:Uhr|h|horas|hs|heures)(?!\w)", re.I),
    re.compile(
        r"(?P<pre>午前|午後|上午|下午|晚上|早上|오전|오후)?\s*(?P<h>\d{1,2})\s*[時时点點시]"
        r"(?:\s*(?P<m>\d{1,2})\s*[分분])?"
    ),
]
# What every one of them has after its hour: most sentences have no time of day.
_MAYBE_TIME = re.compile(r"\d(?:[:.]\d{2}|\s*(?:h|[ap]\.?\s?m|uhr|[時时点點시]))", re.I)


def read_times(text: str, facts: Facts) -> str:
    if not _MAYBE_TIME.search(text):
        return text
    spans: list[tuple[int, int]] = []
    for pattern in _TIME_PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in spans):
                continue
            hour = int(m.group("h"))
            minute = int(m.group("m") or 0) if "m" in m.groupdict() else 0
            if hour > 24 or minute > 59:
                continue
            groups = m.groupdict()
            ampm = (groups.get("ampm") or "").lower().replace(".", "").replace(" ", "")
            pre = groups.get("pre") or ""
            if ampm == "pm" or pre in ("午後", "下午", "晚上", "오후"):
                hours = {hour % 12 + 12}
            elif ampm == "am" or pre in ("午前", "上午", "早上", "오전"):
                hours = {hour % 12}
            elif hour <= 12:
                hours = {hour, (hour + 12) % 24}
            else:
                hours = {hour}
            facts.times.append(frozenset(h * 60 + minute for h in hours))
            facts.time_texts.append(m.group().strip())
            spans.append(m.span())
    return blank(text, spans)
