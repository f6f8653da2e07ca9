"""Slipping: a member who meets the target but lost followers over 30 days, and the day the share
falls below 5% (and 6%) at that rate: hand-computed dates, the filter, the overview list, the member page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from metrics import arithmetic
from metrics.arithmetic import Status
from metrics.standings import engine
from tests import factories

DAY = date(2026, 3, 1)


def fall(reach, growth, percent=5.0, electors=200_000):
    return arithmetic.project_fall_date(
        reach=reach, electors=electors, percent=percent, growth=growth, window_days=30, today=DAY
    )


def test_a_member_at_5_25_percent_losing_258_a_month_falls_below_5_percent_on_day_59():
    # 5% of 2,00,000 is 10,000. 10,500 - 258 × t / 30 < 10,000 ⇔ t > 58.14: day 59.
    # Day 58: 10,500 - 498.8 = 10,001.2 (still on target); day 59: 10,500 - 507.4 = 9,992.6.
    assert fall(10_500, -258) == arithmetic.Projection(day=DAY + timedelta(days=59))
    assert DAY + timedelta(days=59) == date(2026, 4, 29)


def test_a_member_exactly_on_the_line_falls_below_the_next_day():
    # 10,000 of 2,00,000 is exactly 5%: any loss takes the share under it after one day.
    assert fall(10_000, -1) == arithmetic.Projection(day=date(2026, 3, 2))
    assert fall(10_000, -30_000) == arithmetic.Projection(day=date(2026, 3, 2))


def test_a_fall_that_lands_on_a_whole_day_counts_that_day_as_still_on_target():
    # 10,300 - 300 × t / 30 = 10,000 at t = 30 exactly: still 5% (not below) on day 30, below on day 31.
    assert fall(10_300, -300) == arithmetic.Projection(day=DAY + timedelta(days=31))


def test_the_stretch_line_is_worked_out_the_same_way():
    # 6% of 2,00,000 is 12,000; 12,600 losing 600 a month (20 a day) is under 12,000 after 30 days: day 31.
    assert fall(12_600, -600, percent=6.0) == arithmetic.Projection(day=DAY + timedelta(days=31))
    # And falls below 5% (10,000) when 2,600 more are lost: 2,600 × 30 / 600 = 130 → day 131.
    assert fall(12_600, -600, percent=5.0) == arithmetic.Projection(day=DAY + timedelta(days=131))


def test_the_required_followers_round_up_before_the_fall_is_worked_out():
    # 5% of 2,00,001 is 10,000.05 → 10,001 needed; 10,031 losing 30 a month: 30 × 30 / 30 = 30 → day 31.
    assert fall(10_031, -30, electors=200_001) == arithmetic.Projection(day=DAY + timedelta(days=31))


def test_a_very_slow_fall_is_beyond_the_horizon():
    assert fall(20_000, -1) == arithmetic.BEYOND


@pytest.mark.parametrize(
    "reach, growth, electors",
    [
        (10_500, 0, 200_000),  # flat: not falling
        (10_500, 300, 200_000),  # growing
        (9_999, -300, 200_000),  # below already
        (10_500, None, 200_000),  # growth unknown
        (None, -300, 200_000),  # no count
        (10_500, -300, None),  # no voter roll
    ],
)
def test_no_fall_date_unless_on_or_above_the_line_and_losing(reach, growth, electors):
    assert fall(reach, growth, electors=electors) is None


def test_slipping_means_meeting_the_target_and_losing_followers():
    assert arithmetic.is_slipping(status=Status.MEETS, growth=-1)
    assert arithmetic.is_slipping(status=Status.STRETCH, growth=-1)
    assert not arithmetic.is_slipping(status=Status.MEETS, growth=0)  # stagnant, not slipping
    assert not arithmetic.is_slipping(status=Status.BELOW, growth=-500)
    assert not arithmetic.is_slipping(status=Status.MEETS, growth=None)
    assert not arithmetic.is_slipping(status=Status.NOT_APPLICABLE, growth=-5)


# --- on the pages ----------------------------------------------------------------


@pytest.fixture
def slipping_state(db):
    """Slipper at 5.25% losing 258 a month; Steady at 5.5% growing; Stretchy at 6.3% losing 600; Low below."""
    today = timezone.localdate()

    def member(name, now, before):
        return factories.member_with_counts(
            name,
            electors=200_000,
            series={Platform.X: {today - timedelta(days=30): before, today: now}},
        )

    return {
        "slipper": member("Slipper Singh", 10_500, 10_758),
        "steady": member("Steady Sharma", 11_000, 10_900),
        "stretchy": member("Stretchy Sen", 12_600, 13_200),
        "low": member("Low Lal", 8_000, 8_100),
        "today": today,
    }


def test_the_engine_marks_slipping_members_with_both_dates(slipping_state):
    today = slipping_state["today"]
    members = {m.name: m for m in engine.standings().members}
    slipper = members["Slipper Singh"]
    assert slipper.slipping and slipper.status == Status.MEETS
    assert slipper.falls_below_target.day == today + timedelta(days=59)
    assert slipper.falls_below_stretch is None  # never reached 6%
    stretchy = members["Stretchy Sen"]
    assert stretchy.slipping and stretchy.status == Status.STRETCH
    assert stretchy.falls_below_stretch.day == today + timedelta(days=31)
    assert stretchy.falls_below_target.day == today + timedelta(days=131)
    assert not members["Steady Sharma"].slipping
    assert not members["Low Lal"].slipping  # losing, but below already: not "slipping"
    assert engine.standings().summary()["slipping"] == 2


def test_the_status_filter_lists_only_slipping_members(viewer_client, slipping_state):
    response = viewer_client.get(reverse("metrics:overview"), {"status": "slipping"})
    assert response.status_code == 200
    names = [m.name for m in response.context["page"].object_list]
    assert sorted(names) == ["Slipper Singh", "Stretchy Sen"]


def test_the_overview_lists_the_slipping_soonest_first(viewer_client, slipping_state):
    response = viewer_client.get(reverse("metrics:overview"))
    slipping = response.context["table"].slipping
    assert [m.name for m in slipping] == ["Slipper Singh", "Stretchy Sen"]  # day 59 before day 131
    html = response.content.decode()
    assert 'data-list="slipping"' in html
    assert (slipping_state["today"] + timedelta(days=59)).strftime("%-d %b %Y") in html


def test_the_member_page_says_when_the_share_falls_below_each_line(viewer_client, slipping_state):
    today = slipping_state["today"]
    response = viewer_client.get(reverse("metrics:member", args=[slipping_state["stretchy"].pk]))
    text = " ".join(response.content.decode().split())
    below_6 = (today + timedelta(days=31)).strftime("%-d %b %Y")
    below_5 = (today + timedelta(days=131)).strftime("%-d %b %Y")
    assert f"Falls below 6.0% around {below_6} at the current rate." in text
    assert f"Falls below 5.0% around {below_5} at the current rate." in text
    steady = viewer_client.get(reverse("metrics:member", args=[slipping_state["steady"].pk]))
    assert 'data-note="slipping"' not in steady.content.decode()
