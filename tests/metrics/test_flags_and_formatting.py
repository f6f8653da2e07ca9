"""Sudden changes, daily rates and the dashboard's formatting, without a database."""

from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from metrics import arithmetic
from metrics.web.templatetags import tracker

START = date(2026, 1, 1)


def steady(days, *, start=10_000, per_day=20, wobble=(0, 3, -2, 1)):
    return [(START + timedelta(days=i), start + i * per_day + wobble[i % len(wobble)]) for i in range(days)]


def test_a_steady_account_has_no_unusual_change():
    assert arithmetic.unusual_changes(steady(30)) == []


def test_a_jump_far_beyond_the_normal_variation_is_a_spike_and_a_fall_a_drop():
    points = steady(30)
    day, level = points[-1]
    spiked = points + [(day + timedelta(days=1), level + 2_000)]
    (change,) = arithmetic.unusual_changes(spiked)
    assert change.kind == "spike" and change.day == day + timedelta(days=1)
    dropped = points + [(day + timedelta(days=1), level - 1_500)]
    assert [c.kind for c in arithmetic.unusual_changes(dropped)] == ["drop"]


def test_a_gap_in_the_data_is_spread_over_its_days_not_taken_as_a_spike():
    points = steady(30)
    day, level = points[-1]
    # Five days missing, then the usual 20 a day: 100 in one step is not a spike.
    assert arithmetic.unusual_changes(points + [(day + timedelta(days=5), level + 100)]) == []


def test_a_flat_account_does_not_flag_a_change_of_a_few_followers():
    flat = [(START + timedelta(days=i), 50_000) for i in range(30)]
    assert arithmetic.unusual_changes(flat + [(START + timedelta(days=30), 50_004)]) == []
    assert [c.kind for c in arithmetic.unusual_changes(flat + [(START + timedelta(days=30), 51_000)])] == ["spike"]


def test_too_little_history_is_not_judged():
    assert arithmetic.unusual_changes(steady(5) + [(START + timedelta(days=5), 99_999)]) == []


def test_daily_rate():
    assert arithmetic.daily_rate(300, 30) == 10
    assert arithmetic.daily_rate(None, 30) is None


@pytest.mark.parametrize(
    ("value", "text"), [(None, "n/a"), (0, "0"), (0.04, "0.0"), (2.25, "2.2"), (60, "60"), (123456.7, "1,23,457")]
)
def test_gain_is_a_followers_a_day_figure_in_indian_grouping(value, text):
    assert tracker.gain(value) == text


def test_names_show_in_the_chosen_script_when_present():
    with translation.override("hi"):
        assert tracker.script("Asha", "आशा") == "आशा"
        assert tracker.script("Asha", "") == "Asha"
    with translation.override("en"):
        assert tracker.script("Asha", "आशा") == "Asha"


def test_lakh_and_crore_in_hindi():
    with translation.override("hi"):
        assert tracker.lakh_crore(55_703_414) == "5.57 करोड़"
        assert tracker.lakh_crore(245_000) == "2.45 लाख"


def render_header(sort, query=""):
    template = Template('{% load tracker %}{% sort_header "reach" "Followers" True True %}')
    return template.render(Context({"sort": sort, "sort_query": query}))


def test_a_header_sorts_descending_first_then_reverses_and_keeps_the_filters():
    assert 'href="?district=3&amp;sort=-reach"' in render_header("share", "district=3")
    assert 'href="?sort=reach"' in render_header("-reach") and "▼" in render_header("-reach")
    assert 'aria-sort="ascending"' in render_header("reach")
