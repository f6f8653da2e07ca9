"""The chart figures as data (no browser): colours no line shares, unified hover in Indian grouping,
range buttons, ticks in Indian grouping, and no doubled "%" in a hover."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import translation

from legislators.models import Platform
from metrics.standings.engine import TargetInForce
from metrics.web import charts

TARGET = TargetInForce(5.0, 6.0, None)


def rgb(colour):
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def distance(first, second):
    return sum((a - b) ** 2 for a, b in zip(rgb(first), rgb(second), strict=True)) ** 0.5


def test_no_platform_colour_resembles_a_line_or_another_platform():
    platforms = [charts.COLOURS[platform] for platform in Platform]
    lines = [charts.COLOURS[name] for name in charts.LINE_COLOURS]
    # In RGB space: X (was #111111) was 24 from Combined, YouTube (was #e62117) 50 from the target line.
    assert min(distance(p, line) for p in platforms for line in lines) > 100
    assert min(distance(a, b) for i, a in enumerate(platforms) for b in platforms[i + 1 :]) > 100


def page(days=40):
    start = date(2026, 1, 1)
    history_days = [start + timedelta(days=offset) for offset in range(days)]
    x = [(day, 1_20_000 + 100 * index) for index, day in enumerate(history_days)]
    facebook = [(day, 30_000 + 10 * index) for index, day in enumerate(history_days)]
    combined = [(day, a + b) for (day, a), (_d, b) in zip(x, facebook, strict=True)]
    roll = SimpleNamespace(published_on=start - timedelta(days=300), total_electors=3_00_000)
    return SimpleNamespace(
        history={"platforms": {"x": x, "facebook": facebook}, "combined": combined},
        target=TARGET,
        rolls=[roll],
        unusual=[],
        day=history_days[-1],
    )


def test_the_member_chart_hovers_every_line_at_once_in_indian_grouping():
    figure = charts.history_chart(page())
    assert figure["layout"]["hovermode"] == "x unified"
    by_name = {trace["name"]: trace for trace in figure["data"]}
    assert set(by_name) == {"X", "Facebook", "Combined", "Target 5.0%", "Stretch 6.0%"}
    assert by_name["X"]["customdata"][0] == "1,20,000"
    assert by_name["Combined"]["customdata"][-1] == "1,54,290"  # 1,23,900 + 30,390
    assert by_name["Target 5.0%"]["customdata"][0] == "15,000"
    assert all(trace["hovertemplate"] == "%{customdata}" for trace in figure["data"])
    assert by_name["X"]["line"]["color"] != by_name["Combined"]["line"]["color"]


def test_the_followers_axis_has_round_ticks_written_in_indian_grouping():
    axis = charts.history_chart(page())["layout"]["yaxis"]
    assert axis["tickvals"] == [0, 50_000, 1_00_000, 1_50_000, 2_00_000]
    assert axis["ticktext"] == ["0", "50,000", "1,00,000", "1,50,000", "2,00,000"]
    assert axis["range"] == [0, 2_00_000]


@pytest.mark.parametrize(
    "top, ticks",
    [
        (15_000, [0, 2_500, 5_000, 7_500, 10_000, 12_500, 15_000]),
        (15_001, [0, 5_000, 10_000, 15_000, 20_000]),
        (3, [0, 1, 2, 3]),
        (0, []),
    ],
)
def test_nice_ticks(top, ticks):
    assert charts.nice_ticks(top) == ticks


def test_range_buttons_30_days_90_days_a_year_and_all_in_the_chosen_language():
    buttons = charts.history_chart(page())["layout"]["xaxis"]["rangeselector"]["buttons"]
    assert [(b.get("count"), b["step"], b["label"]) for b in buttons] == [
        (30, "day", "30 d"),
        (90, "day", "90 d"),
        (1, "year", "1 y"),
        (None, "all", "All"),
    ]
    with translation.override("hi"):
        buttons = charts.history_chart(page())["layout"]["xaxis"]["rangeselector"]["buttons"]
    assert [b["label"] for b in buttons] == ["30 दिन", "90 दिन", "1 वर्ष", "सब"]


def test_the_distribution_hover_names_the_band_once_with_one_percent_sign():
    members = [SimpleNamespace(share=share) for share in (2.25, 2.4, 5.1, 6.3)]
    trace = charts.distribution_chart(members, TARGET)["data"][0]
    # %{x} would carry the axis's "%" suffix, and a literal "%" after it read "2.25%%".
    assert "%{x}" not in trace["hovertemplate"]
    assert trace["customdata"][4] == "2.0–2.5%"
    assert trace["y"][4] == 2
