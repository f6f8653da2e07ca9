"""The standings rows written by one INSERT ... SELECT (``standings.daily_sql``, PostgreSQL) equal the
rows the Python path builds with ``metrics.arithmetic`` (``daily.day_rows``), column for column.

Members in every state the arithmetic tells apart: at the stretch line, meeting the target exactly
(needed 0), below it with a projected day, beyond the five-year horizon, shrinking (not at this rate),
without a 30-day baseline (unknown), without a seat, without a voter roll (the database refuses a roll
of 0 electors), without any count, with an account not yet counted, without accounts, before their
seat's first roll; with posts falling and missing; under the default target and under targets of
5.25% / 6.75% and 4.10% / 7.30% (fractions the ceiling division must get exactly); on today (LatestCount)
and on past days.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from legislators.models import Platform, Role
from metrics.models import DailyStanding, Target
from metrics.standings import daily, daily_sql, live
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

COLUMNS = daily.COLUMNS


@pytest.fixture
def members():
    today = timezone.localdate()
    long_ago = today - timedelta(days=400)
    district = factories.district()
    red = factories.party("RED")

    def seat(electors, published_on=long_ago):
        return factories.constituency(district, electors=electors, published_on=published_on)

    def member(name, place, series_by_platform, role=Role.MLA):
        person = factories.legislator(name, place, role, red)
        for platform, series in series_by_platform.items():
            factories.counts(factories.account(person, platform), series)
        return person

    def days_ago(n):
        return today - timedelta(days=n)

    member(  # at the stretch line, posts falling on X
        "Stretch",
        seat(100_000),
        {
            Platform.X: {days_ago(90): (5_000, 40), days_ago(30): (6_000, 50), days_ago(7): 6_500, today: (7_000, 45)},
            Platform.FACEBOOK: {days_ago(30): 100, today: 120},
        },
        role=Role.CABINET_MINISTER,
    )
    member("Exactly", seat(100_000), {Platform.X: {days_ago(30): 5_000, today: 5_000}})  # 5% of 100,000: needed 0
    member("Exactly 5.25", seat(100_001), {Platform.X: {days_ago(30): 5_200, today: 5_251}})
    member("Below", seat(200_001), {Platform.X: {days_ago(30): (8_000, 3), days_ago(7): 8_300, today: (8_900, 9)}})
    member("Horizon", seat(2_000_000), {Platform.YOUTUBE: {days_ago(30): 1_000, today: 1_001}})
    member("Shrinking", seat(150_000), {Platform.INSTAGRAM: {days_ago(30): 4_000, today: 3_900}})
    member("Flat", seat(150_000), {Platform.INSTAGRAM: {days_ago(30): 4_000, today: 4_000}})
    member("Slipping", seat(50_000), {Platform.X: {days_ago(30): 3_600, today: 3_500}})
    member("No baseline", seat(123_457), {Platform.X: {days_ago(3): 12_000, today: 12_345}})
    member("No seat", None, {Platform.X: {days_ago(30): 700, today: 800}}, role=Role.MINISTER_OF_STATE)
    member("No roll", seat(None), {Platform.X: {days_ago(30): 700, today: 800}})
    member("Roll later", seat(90_000, published_on=days_ago(5)), {Platform.X: {days_ago(30): 700, today: 800}})
    member("Not counted", seat(80_000), {Platform.X: {}, Platform.FACEBOOK: {days_ago(1): 10}})
    member("Never counted", seat(80_000), {Platform.YOUTUBE: {}})
    member("No accounts", seat(80_000), {})
    return today


def stored(day):
    return sorted(DailyStanding.objects.filter(day=day).values_list(*COLUMNS))


def python_and_sql_rows(day, member_ids=None):
    """The day's rows as the Python path builds them, and as the SQL path writes them (read back)."""
    target = live.target_in_force(day=day)
    assert daily_sql.usable(target)
    by_python = daily.day_rows(day, member_ids=member_ids, target=target)
    DailyStanding.objects.filter(day=day).delete()
    written = daily_sql.insert_day(day, columns=COLUMNS, member_ids=member_ids, target=target)
    by_sql = stored(day)
    assert written == len(by_sql)
    return by_python, by_sql


def assert_same(by_python, by_sql):
    assert len(by_python) == len(by_sql)
    for python_row, sql_row in zip(by_python, by_sql, strict=True):
        assert python_row == sql_row, {
            column: values for column, values in zip(COLUMNS, zip(python_row, sql_row, strict=True), strict=True)
        }


@pytest.mark.parametrize("days_ago", [0, 1, 6, 40])
def test_the_sql_rows_equal_the_python_rows_under_the_default_target(members, days_ago):
    by_python, by_sql = python_and_sql_rows(members - timedelta(days=days_ago))
    assert len(by_python) == 15
    assert_same(by_python, by_sql)
    if days_ago == 0:  # the states the data set is for are there
        statuses = {row[COLUMNS.index("status")] for row in by_python}
        projections = {row[COLUMNS.index("projection")] for row in by_python}
        reasons = {row[COLUMNS.index("na_reason")] for row in by_python}
        assert statuses == {"stretch", "meets", "below", "n/a"}
        assert projections == {"day", "reached", "beyond", "not_at_this_rate", "unknown"}
        assert reasons == {"", "no constituency", "no voter roll", "no follower count"}


@pytest.mark.parametrize("days_ago", [0, 2])
def test_the_sql_rows_equal_the_python_rows_under_a_fractional_target(members, days_ago):
    Target.objects.create(percent=Decimal("5.25"), stretch_percent=Decimal("6.75"), effective_from=members)
    Target.objects.create(
        percent=Decimal("4.10"), stretch_percent=Decimal("7.30"), effective_from=members - timedelta(3)
    )
    day = members - timedelta(days=days_ago)
    by_python, by_sql = python_and_sql_rows(day)
    assert_same(by_python, by_sql)


def test_the_sql_rows_of_some_members_only(members):
    some = [member.id for member in live.live_standings(day=members).members if member.name in ("Below", "No seat")]
    by_python, by_sql = python_and_sql_rows(members, member_ids=some)
    assert len(by_sql) == 2
    assert_same(by_python, by_sql)
    assert daily_sql.insert_day(members, columns=COLUMNS, member_ids=[], target=live.target_in_force(day=members)) == 0
