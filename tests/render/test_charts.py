"""Server-side SVG charts: well-formed, accessible (role img, title, description), coloured with
presentation attributes only (the Content-Security-Policy forbids style), and time buckets that
keep the axis even."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from newswire.render import charts

SVG = "{http://www.w3.org/2000/svg}"
STATES = [
    charts.Series("delivered", "Delivered", "#1d6b35"),
    charts.Series("failed", "Failed", "#8a1c1c"),
]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_stacked_bars_are_accessible_svg_without_style() -> None:
    svg = charts.stacked_bars(
        "chart-country",
        "Deliveries by country",
        "Deliveries per country, by state.",
        [("Germany", {"delivered": 3, "failed": 1}), ("<Script> & Co", {"delivered": 1})],
        STATES,
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-country-title chart-country-desc"
    assert root.find(f"{SVG}title").text == "Deliveries by country"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Deliveries per country, by state."  # type: ignore[union-attr]
    assert "style" not in str(svg)
    tips = [t.text for t in root.iter(f"{SVG}title")][1:]
    assert tips == ["Germany: Delivered 3", "Germany: Failed 1", "<Script> & Co: Delivered 1"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Delivered" in texts and "Failed" in texts  # the legend
    assert "Germany" in texts and "4" in texts and "<Script> & Co" in texts  # labels, totals
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = [float(r.get("width", 0)) for r in bars]
    assert widths[0] == 3 * widths[1] == 3 * widths[2]  # one scale for every row


def test_stacked_columns_thin_their_labels_and_scale_to_a_round_maximum() -> None:
    columns = [(f"10:{m:02d}", {"email": m % 4, "webhook": 1}) for m in range(24)]
    svg = charts.stacked_columns(
        "chart-time",
        "Deliveries over time",
        "Per minute.",
        columns,
        [
            charts.Series("email", "Email", "#0b5cad"),
            charts.Series("webhook", "Webhook", "#7a3e9d"),
        ],
    )
    root = parse(svg)
    labels = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.startswith("10:")]
    assert 1 < len(labels) < 24 and labels[0] == "10:00"
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.isdigit()]
    assert ticks == ["0", "5"]  # the tallest column is 4: the axis ends at 5
    assert len([r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]) == 42


def test_time_buckets_choose_a_step_and_keep_empty_buckets() -> None:
    start = datetime(2026, 3, 1, 9, 0, 2, tzinfo=UTC)
    events = [
        (start, "email"),
        (start + timedelta(seconds=3), "webhook"),
        (start + timedelta(minutes=20), "email"),
    ]
    buckets, step = charts.time_buckets(events, max_buckets=24)
    assert step == 60
    assert len(buckets) == 21
    assert buckets[0] == ("09:00", {"email": 1, "webhook": 1})
    assert buckets[5] == ("09:05", {})
    assert buckets[-1] == ("09:20", {"email": 1})


def test_time_buckets_across_days_and_within_seconds() -> None:
    start = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    buckets, step = charts.time_buckets([(start, "a"), (start + timedelta(hours=3), "a")])
    assert (
        step == 600
        and len(buckets) == 19
        and buckets[0][0] == "03-01 23:00"
        and buckets[-1][0] == "03-02 02:00"
    )
    quick, step = charts.time_buckets([(start, "a"), (start + timedelta(seconds=4), "b")])
    assert step == 1 and [label for label, _ in quick][:2] == ["23:00:00", "23:00:01"]
    naive, _ = charts.time_buckets([(datetime(2026, 3, 1, 12, 0), "a")])
    assert naive == [("12:00:00", {"a": 1})]
    assert charts.time_buckets([]) == ([], 0)


def test_choose_step_never_exceeds_the_bucket_limit() -> None:
    for seconds in (0, 1, 59, 61, 3599, 86400 * 3, 86400 * 400):
        step = charts.choose_step(timedelta(seconds=seconds), 24)
        assert seconds / step + 2 <= 24 + 1, (seconds, step)
