"""`manage.py standings --format csv` reading the stored rows as CSV lines (PostgreSQL: the cells written by
the database, ``stored_csv_lines``) gives the very text the Python path writes (``standing_values`` through
``csv.writer``): names with commas, quotes, line breaks and a leading "=", every status and projection, a
member without a seat, a roll or a count, a roll published after the day."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from legislators.models import Platform, Role
from metrics.management.commands import standings as command
from metrics.models import DailyStanding
from metrics.standings import daily, engine
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def today():
    today = timezone.localdate()
    district = factories.district(name='Hill, "North"')
    party = factories.party("A,B")

    def seat(electors, published_on=today - timedelta(days=400), name=None):
        return factories.constituency(district, electors=electors, published_on=published_on, name=name)

    def member(name, place, series_by_platform, role=Role.MLA):
        person = factories.legislator(name, place, role, party)
        for platform, series in series_by_platform.items():
            factories.counts(factories.account(person, platform), series)

    ago = lambda n: today - timedelta(days=n)  # noqa: E731
    member('Asha "Didi", Example', seat(100_000, name="Lake, East"), {Platform.X: {ago(30): 6_000, today: 7_000}})
    member("Line\nbreak", seat(100_000), {Platform.X: {ago(30): 5_000, today: 5_000}}, role=Role.CHIEF_MINISTER)
    member("Carriage\rreturn", seat(200_001), {Platform.X: {ago(30): (8_000, 3), today: (8_900, 9)}})
    member("=HYPERLINK(1)", seat(2_000_000), {Platform.YOUTUBE: {ago(30): 1_000, today: 1_001}})
    member("Shrinking", seat(150_000), {Platform.INSTAGRAM: {ago(30): 4_000, today: 3_900}})
    member("Slipping", seat(50_000), {Platform.X: {ago(30): 3_600, today: 3_500}})
    member("आशा देवी", seat(123_457), {Platform.X: {ago(3): 12_000, today: 12_345}})
    member("No seat", None, {Platform.X: {ago(30): 700, today: 800}}, role=Role.MINISTER_OF_STATE)
    member("No roll", seat(None), {Platform.X: {ago(30): 700, today: 800}})
    member("Roll later", seat(90_000, published_on=ago(5)), {Platform.X: {ago(30): 700, today: 800}})
    member("Not counted", seat(80_000), {Platform.X: {}, Platform.FACEBOOK: {ago(1): 10}})
    member("No accounts", seat(80_000), {})
    daily.write_days(ago(40), today)
    return today


def python_csv(day):
    """The text the Python path writes: standing_values of the standings through csv.writer."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(command.COLUMNS)
    writer.writerows(command.csv_values(member) for member in engine.standings(day=day).members)
    return text.getvalue()


def command_csv(*args):
    out = io.StringIO()
    call_command("standings", "--format", "csv", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("days_ago", [0, 10])
def test_the_csv_read_from_the_stored_rows_is_the_python_paths_text(today, days_ago):
    day = today - timedelta(days=days_ago)
    assert DailyStanding.objects.filter(day=day).count() == 12
    with CaptureQueriesContext(connection) as queries:
        text = command_csv("--date", day.isoformat())
    assert len(queries) == 2  # the table's state, then the day's rows as CSV lines
    assert "CHR(34)" in queries[-1]["sql"]  # read as CSV lines, not as members
    assert text == python_csv(day)
    # (csv.writer leaves a lone carriage return unquoted with "\n" lines: the reader is spared it.)
    rows = list(csv.DictReader(io.StringIO(text.replace("\r", " "))))
    assert len(rows) == 12
    if days_ago == 0:
        by_name = {row["name"]: row for row in rows}
        assert by_name['Asha "Didi", Example']["constituency"] == "Lake, East"
        assert by_name["Line\nbreak"]["projected_date"] == "met"
        assert by_name["Roll later"]["first_roll_after_day"] == "no"
        assert "'=HYPERLINK(1)" in by_name and "=HYPERLINK(1)" not in by_name  # kept as text in a spreadsheet
        assert {row["status"] for row in rows} == {"stretch", "meets", "below", "n/a"}
        assert {row["projected_date"] for row in rows} >= {"met", "beyond 5 years", "not at this rate", "n/a"}


def test_a_day_the_table_does_not_hold_is_written_by_the_python_path(today):
    tomorrow = today + timedelta(days=1)
    with CaptureQueriesContext(connection) as queries:
        text = command_csv("--date", tomorrow.isoformat())
    assert not any("CHR(34)" in query["sql"] for query in queries)
    assert text == python_csv(tomorrow)
