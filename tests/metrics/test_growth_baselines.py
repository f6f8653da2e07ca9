"""Growth baselines: the count on the window's first day, found by joining
that day's rows, falling back to the latest count before it only when the
account missed that day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from legislators.models import Platform
from metrics.standings import engine
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=5)


def test_exact_days_count_is_the_baseline_even_with_older_counts_around(day):
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    factories.counts(
        factories.account(member),
        {day - timedelta(days=35): 100, day - timedelta(days=30): 1_000, day - timedelta(days=29): 1_050, day: 1_500},
    )

    assert engine.standings(day=day).members[0].growth_30 == 500


def test_a_missed_baseline_day_falls_back_to_the_latest_count_before_it(day):
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    polled = factories.account(member, Platform.X)
    missed = factories.account(member, Platform.FACEBOOK)
    factories.counts(polled, {day - timedelta(days=7): 2_000, day: 2_100})
    factories.counts(missed, {day - timedelta(days=9): 700, day - timedelta(days=6): 750, day: 800})

    standing = engine.standings(day=day).members[0]

    assert standing.growth_7 == 100 + 100  # 2,100 − 2,000 and 800 − 700 (day −9, not day −6)


def test_posts_missing_on_the_baseline_day_are_not_taken_from_an_older_day(day):
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    factories.counts(
        factories.account(member),
        {day - timedelta(days=40): (900, 10), day - timedelta(days=30): (1_000, None), day: (1_200, 25)},
    )

    standing = engine.standings(day=day).members[0]

    assert standing.growth_30 == 200
    assert standing.posts_30 == {}


def test_a_past_day_uses_that_days_count_else_the_latest_before_it(day):
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    factories.counts(factories.account(member, Platform.X), {day - timedelta(days=1): 3_000, day: 3_300})
    factories.counts(factories.account(member, Platform.YOUTUBE), {day - timedelta(days=2): 400})

    standing = engine.standings(day=day).members[0]

    assert standing.followers == {"x": 3_300, "youtube": 400}
    assert standing.reach == 3_700


def test_growth_query_count_does_not_depend_on_missed_days(day, django_assert_num_queries):
    for _member in range(3):
        member = factories.legislator(constituency_=factories.constituency(electors=100_000))
        series = {day - timedelta(days=offset): 1_000 + offset for offset in (0, 8, 31, 95)}
        factories.counts(factories.account(member), series)

    with django_assert_num_queries(2):
        engine.standings(day=day)
