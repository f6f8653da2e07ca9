"""write_csv: an export's query written as CSV (COPY on PostgreSQL, csv elsewhere), the same text on both."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from legislators.models import Platform
from metrics.models import FollowerSnapshot
from metrics.reports.csv_copy import write_csv
from tests import factories

pytestmark = pytest.mark.django_db


def test_rows_are_written_after_the_header_with_missing_values_empty(django_assert_max_num_queries):
    member = factories.legislator(name='Member "One", Jr')
    account = factories.account(member, Platform.X, handle="one")
    today = timezone.localdate()
    factories.counts(account, {today - timedelta(days=1): (1_000, None), today: (1_010, 7)})
    rows = FollowerSnapshot.objects.order_by("day").values_list(
        "account__legislator__name", "account__handle", "day", "followers", "posts"
    )
    out = io.StringIO()

    with django_assert_max_num_queries(1):
        write_csv(rows, out, header=["member", "handle", "day", "followers", "posts"])

    assert out.getvalue().splitlines() == [
        "member,handle,day,followers,posts",
        f'"Member ""One"", Jr",one,{today - timedelta(days=1)},1000,',
        f'"Member ""One"", Jr",one,{today},1010,7',
    ]
