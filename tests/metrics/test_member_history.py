"""One member's daily history: per platform and combined, gaps carried forward."""

from datetime import timedelta

import pytest
from django.utils import timezone

from legislators.models import Platform
from metrics.standings.history import member_history
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_missed_day_carries_the_last_count_forward_instead_of_a_drop(django_assert_num_queries):
    member = factories.legislator()
    x = factories.account(member, Platform.X)
    facebook_one = factories.account(member, Platform.FACEBOOK, handle="one")
    facebook_two = factories.account(member, Platform.FACEBOOK, handle="two")
    retired = factories.account(member, Platform.YOUTUBE, active=False)
    d0 = timezone.localdate() - timedelta(days=3)
    d1, d2 = d0 + timedelta(days=1), d0 + timedelta(days=2)
    factories.counts(x, {d0: 100, d1: 110, d2: 120})
    factories.counts(facebook_one, {d0: 50, d2: 70})  # missed d1
    factories.counts(facebook_two, {d1: 5, d2: 6})  # first polled on d1
    factories.counts(retired, {d0: 9_999})

    with django_assert_num_queries(1):
        history = member_history(legislator_id=member.pk)

    assert history["platforms"] == {
        "x": [(d0, 100), (d1, 110), (d2, 120)],
        "facebook": [(d0, 50), (d1, 55), (d2, 76)],
    }
    assert history["combined"] == [(d0, 150), (d1, 165), (d2, 196)]


def test_a_window_of_days_and_a_member_without_history(django_assert_num_queries):
    member = factories.legislator()
    d0 = timezone.localdate() - timedelta(days=3)
    factories.counts(
        factories.account(member, Platform.X), {d0: 1, d0 + timedelta(days=1): 2, d0 + timedelta(days=2): 3}
    )

    window = member_history(legislator_id=member.pk, start=d0 + timedelta(days=1), end=d0 + timedelta(days=1))
    assert window == {"platforms": {"x": [(d0 + timedelta(days=1), 2)]}, "combined": [(d0 + timedelta(days=1), 2)]}
    assert member_history(legislator_id=factories.legislator().pk) == {"platforms": {}, "combined": []}
