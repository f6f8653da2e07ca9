"""The share-of-voters arithmetic, without a database."""

from datetime import date

import pytest

from metrics import arithmetic
from metrics.arithmetic import Status


def test_share_is_reach_over_electors_times_100():
    assert arithmetic.share_percent(10_000, 200_000) == pytest.approx(5.0)


@pytest.mark.parametrize("electors", [None, 0, -5])
def test_share_without_electors_is_not_applicable_never_zero(electors):
    assert arithmetic.share_percent(10_000, electors) is None
    assert arithmetic.standing_status(10_000, electors, 5.0, 6.0) == Status.NOT_APPLICABLE
    assert arithmetic.followers_needed(10_000, electors, 5.0) is None


def test_required_followers_round_up_exactly():
    # 5% of 2,00,001 is 10,000.05: 10,000 followers is not enough.
    assert arithmetic.required_followers(5.0, 200_001) == 10_001
    assert arithmetic.standing_status(10_000, 200_001, 5.0, 6.0) == Status.BELOW
    assert arithmetic.standing_status(10_001, 200_001, 5.0, 6.0) == Status.MEETS


def test_status_bands():
    assert arithmetic.standing_status(9_999, 200_000, 5.0, 6.0) == Status.BELOW
    assert arithmetic.standing_status(10_000, 200_000, 5.0, 6.0) == Status.MEETS
    assert arithmetic.standing_status(11_999, 200_000, 5.0, 6.0) == Status.MEETS
    assert arithmetic.standing_status(12_000, 200_000, 5.0, 6.0) == Status.STRETCH


def test_followers_needed_never_negative():
    assert arithmetic.followers_needed(15_000, 200_000, 5.0) == 0
    assert arithmetic.followers_needed(4_000, 200_000, 5.0) == 6_000


def test_stagnant_means_no_growth_and_unknown_is_not_stagnant():
    assert arithmetic.is_stagnant(0) is True
    assert arithmetic.is_stagnant(-12) is True
    assert arithmetic.is_stagnant(1) is False
    assert arithmetic.is_stagnant(None) is False


def test_projection_at_the_recent_rate():
    today = date(2026, 1, 1)
    # 3,000 needed at 30 followers a day (900 in 30 days) → 100 days.
    projection = arithmetic.project_target_date(needed=3_000, growth=900, window_days=30, today=today)
    assert projection.day == date(2026, 4, 11)


def test_projection_edge_cases():
    today = date(2026, 1, 1)
    assert arithmetic.project_target_date(needed=0, growth=5, window_days=30, today=today).reached
    assert arithmetic.project_target_date(needed=10, growth=0, window_days=30, today=today).not_at_this_rate
    assert arithmetic.project_target_date(needed=10, growth=-3, window_days=30, today=today).not_at_this_rate
    assert arithmetic.project_target_date(needed=1_000_000, growth=1, window_days=30, today=today).beyond
    assert arithmetic.project_target_date(needed=None, growth=1, window_days=30, today=today).unknown


def test_daily_gain_needed_by_deadline():
    assert arithmetic.daily_gain_needed(needed=1_000, today=date(2026, 1, 1), deadline=date(2026, 1, 11)) == 100
    assert arithmetic.daily_gain_needed(needed=0, today=date(2026, 1, 1), deadline=date(2026, 1, 11)) == 0
    assert arithmetic.daily_gain_needed(needed=5, today=date(2026, 1, 11), deadline=date(2026, 1, 1)) is None


def test_weighted_attainment_is_not_a_mean_of_percentages():
    # 1,000 of 10,000 (10%) and 1,000 of 1,00,000 (1%): the mean would be 5.5%.
    assert arithmetic.weighted_attainment(2_000, 110_000) == pytest.approx(1.818, abs=1e-3)
