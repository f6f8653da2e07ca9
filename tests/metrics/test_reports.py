"""Report kinds: time series (steps, layouts), growth between dates, rollups, freshness; streaming and query counts."""

import csv
import io
import tracemalloc
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from metrics.reports import tables, timeseries, writers
from metrics.standings import engine, freshness
from tests import factories

MONDAY = date(2025, 1, 6)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def table_rows(kind, **params):
    table = tables.build(kind, params)
    text = writers.csv_bytes(table).decode("utf-8")
    assert text.startswith("\ufeff")
    reader = csv.reader(io.StringIO(text[1:]))
    header = next(reader)
    return header, list(reader)


def day(offset):
    return (MONDAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def history(db):
    """One member with an X and a Facebook account, counts on scattered days of Jan–Feb 2025."""
    member = factories.member_with_counts(
        "Asha Kumari",
        series={
            Platform.X: {
                MONDAY: 100,
                MONDAY + timedelta(days=2): 110,
                MONDAY + timedelta(days=6): 120,  # Sunday: the week's last count
                MONDAY + timedelta(days=8): 130,
                MONDAY + timedelta(days=28): 200,
            },
            Platform.FACEBOOK: {MONDAY + timedelta(days=1): 50, MONDAY + timedelta(days=14): 60},
        },
    )
    return member


def test_weekly_time_series_takes_the_last_count_of_each_week(history):
    header, rows = table_rows("timeseries", start=day(0), end=day(30), step="weekly")
    assert header == ["Member id", "Member", "Member (Hindi)", "Platform", "Date", "Followers"]
    assert [row[3:] for row in rows] == [
        ["Facebook", day(6), "50"],
        ["Facebook", day(20), "60"],
        ["X", day(6), "120"],
        ["X", day(13), "130"],
        ["X", day(30), "200"],  # the last week is cut at the range's end
    ]


def test_monthly_wide_time_series_adds_platforms_carrying_each_forward(history):
    header, rows = table_rows("timeseries", start=day(0), end=day(30), step="monthly", layout="wide")
    assert header == ["Member id", "Member", "Member (Hindi)", "2025-01-31", day(30)]
    assert rows == [[str(history.pk), "Asha Kumari", "", "190", "260"]]


def test_daily_time_series_adds_two_accounts_on_one_platform(db):
    member = factories.member_with_counts("Two Handles", series={Platform.X: {MONDAY: 100, MONDAY + timedelta(2): 110}})
    factories.counts(factories.account(member, Platform.X), {MONDAY + timedelta(1): 1_000})
    _header, rows = table_rows("timeseries", start=day(0), end=day(3), step="daily")
    assert [(row[4], row[5]) for row in rows] == [(day(0), "100"), (day(1), "1100"), (day(2), "1110")]


def test_growth_between_two_dates_per_member_and_platform_with_who_reached_the_target(db):
    today = timezone.localdate()
    start = today - timedelta(days=30)
    crosser = factories.member_with_counts(
        "Crosses Over",
        electors=200_000,  # target 10,000
        series={Platform.X: {start: 6_000, today: 7_000}, Platform.FACEBOOK: {start: 3_000, today: 3_500}},
    )
    factories.member_with_counts("Stays Below", electors=200_000, series={Platform.X: {start: 100, today: 100}})
    header, rows = table_rows("growth", start=start.isoformat(), end=today.isoformat(), sort="name")
    by_key = {(row[0], row[4]): dict(zip(header, row, strict=True)) for row in rows}
    combined = by_key[(str(crosser.pk), "All platforms")]
    assert combined[f"Followers on {start.isoformat()}"] == "9000"
    assert combined[f"Followers on {today.isoformat()}"] == "10500"
    assert combined["Change"] == "1500"
    assert combined["Change %"] == "16.67"
    assert combined["Reached the target in between"] == "yes"
    assert combined["Fell below the target in between"] == "no"
    facebook = by_key[(str(crosser.pk), "Facebook")]
    assert (facebook["Change"], facebook["Change %"], facebook["Reached the target in between"]) == ("500", "16.67", "")
    assert [row[4] for row in rows if row[0] == str(crosser.pk)] == ["All platforms", "X", "Facebook"]
    assert [row[1] for row in rows][-2:] == ["Stays Below", "Stays Below"]


def test_a_newly_added_account_is_not_growth_in_the_report_nor_in_the_standings(db):
    today = timezone.localdate()
    start = today - timedelta(days=30)
    member = factories.member_with_counts("Adds Instagram", series={Platform.X: {start: 56_700, today: 57_000}})
    # Instagram was added (and first polled) last week: its 50,100 followers are not growth.
    factories.counts(factories.account(member, Platform.INSTAGRAM), {today - timedelta(days=7): 50_000, today: 50_100})

    header, rows = table_rows("growth", start=start.isoformat(), end=today.isoformat())
    by_platform = {row[4]: dict(zip(header, row, strict=True)) for row in rows}
    combined, instagram = by_platform["All platforms"], by_platform["Instagram"]

    assert combined["Change"] == "300"  # X's 56,700 → 57,000 only
    assert combined["Change %"] == "0.53"  # of X's 56,700, the accounts measured at both ends
    assert combined[f"Followers on {today.isoformat()}"] == "107100"
    assert (instagram["Change"], instagram["Change %"]) == ("n/a", "n/a")
    standing = engine.standings(day=today).members[0]
    assert standing.growth_30 == 300  # the same definition as the page's 30-day growth


def test_rollup_attainment_is_elector_weighted_and_leaves_n_a_out(db):
    today = timezone.localdate()
    north = factories.division("North")
    upper = factories.district(north, "Upper")
    factories.member_with_counts("Big Reach", district_=upper, electors=100_000, series={Platform.X: {today: 10_000}})
    factories.member_with_counts("Small Reach", district_=upper, electors=300_000, series={Platform.X: {today: 1_000}})
    factories.member_with_counts("No Roll", district_=upper, electors=None, series={Platform.X: {today: 50_000}})
    header, rows = table_rows("rollup", by="division")
    row = dict(zip(header, rows[0], strict=True))
    assert row["Division"] == "North"
    assert row["Members"] == "3" and row["Members with a share"] == "2" and row["n/a (left out)"] == "1"
    assert row["Followers, all platforms"] == "11000"
    assert row["Attainment % (elector-weighted)"] == "2.75"  # 11,000 / 4,00,000, not the mean of 10% and 0.33%


def test_freshness_lists_never_polled_then_oldest_success_first_and_flags_stale(db):
    now = timezone.now()
    member = factories.member_with_counts("Polled Member")
    recent = factories.account(member, Platform.X, last_success_at=now - timedelta(hours=3))
    old = factories.account(member, Platform.FACEBOOK, last_success_at=now - timedelta(days=5))
    never = factories.account(member, Platform.INSTAGRAM)
    accounts = freshness.freshness_accounts(now=now)
    assert [a.account_id for a in accounts] == [never.pk, old.pk, recent.pk]
    assert [a.stale for a in accounts] == [True, True, False]
    assert [a.account_id for a in freshness.freshness_accounts(now=now, stale_only=True)] == [never.pk, old.pk]
    _header, rows = table_rows("freshness", stale="on")
    assert [row[6] for row in rows] == [never.handle, old.handle]


def test_time_series_csv_starts_before_the_snapshots_are_read(history, django_assert_num_queries):
    table = tables.build("timeseries", {"start": day(0), "end": day(30)})
    chunks = writers.csv_chunks(table)
    with django_assert_num_queries(0):
        first = next(chunks)
    assert first.startswith("\ufeffMember id,")
    assert "Asha Kumari" in "".join(chunks)


def test_export_view_streams_the_time_series(client, analyst, history):
    client.force_login(analyst)
    url = reverse("metrics:export", kwargs={"kind": "timeseries", "fmt": "csv"})
    response = client.get(url, {"start": day(0), "end": day(30), "step": "weekly"})
    assert response.streaming
    assert "timeseries_weekly_long_2025-01-06-to-2025-02-05.csv" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode().count("Asha Kumari") == 5


def test_export_report_command_writes_the_same_file_as_the_download(client, analyst, history, tmp_path):
    client.force_login(analyst)
    params = {"start": day(0), "end": day(30), "step": "weekly", "platform": "x"}
    response = client.get(reverse("metrics:export", kwargs={"kind": "timeseries", "fmt": "csv"}), params)
    output = tmp_path / "series.csv"
    call_command(
        "export_report",
        "timeseries",
        "--start",
        day(0),
        "--end",
        day(30),
        "--step",
        "weekly",
        "--platform",
        "x",
        "--output",
        str(output),
    )
    assert output.read_bytes() == b"".join(response.streaming_content)
    workbook_path = tmp_path / "standings.xlsx"
    call_command("export_report", "standings", "--output", str(workbook_path))
    sheet = openpyxl.load_workbook(workbook_path).active
    assert sheet["B2"].value == "Asha Kumari"
    with pytest.raises(CommandError, match="start"):
        call_command("export_report", "growth", "--start", "2999-01-01", "--output", str(output))


@pytest.mark.django_db
def test_export_queries_are_bounded_and_the_same_for_10_and_500_members(client, analyst):
    days = [timezone.localdate() - timedelta(days=offset) for offset in (40, 8, 0)]
    small = factories.district(name="Small")
    large = factories.district(name="Large")
    factories.members_in_bulk(10, district_=small, days=days)
    factories.members_in_bulk(500, district_=large, days=days)
    client.force_login(analyst)

    def queries(kind, fmt, district, **params):
        url = reverse("metrics:export", kwargs={"kind": kind, "fmt": fmt})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"district": district.pk, **params})
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
        return len(captured)

    # On PostgreSQL the long time series is written by one COPY per TIMESERIES_MEMBERS_PER_COPY members
    # (so its first lines leave at once): a fixed number of statements a batch (here in the test's
    # transaction: a savepoint, two SET LOCALs, the COPY, the savepoint released).
    batches = (len(range(0, 500, timeseries.TIMESERIES_MEMBERS_PER_COPY)), 1)
    per_batch = 5 if connection.vendor == "postgresql" else 0
    for kind, fmt, params in [
        ("standings", "csv", {}),
        ("standings", "xlsx", {"status": "below"}),
        ("rollup", "csv", {"by": "district"}),
        ("freshness", "csv", {}),
        ("growth", "csv", {}),
        ("timeseries", "csv", {"step": "weekly"}),
        ("timeseries", "xlsx", {"layout": "wide"}),
    ]:
        few, many = queries(kind, fmt, small, **params), queries(kind, fmt, large, **params)
        if (kind, fmt) == ("timeseries", "csv"):
            many -= per_batch * (batches[0] - batches[1])
        assert few == many, (kind, fmt, few, many)
        assert many <= 12, (kind, fmt, many)


@pytest.mark.postgres
@pytest.mark.django_db
def test_time_series_export_memory_does_not_grow_with_the_rows_on_postgresql():
    """10,000 and 100,000 rows through the CSV writer: the same peak (one cursor chunk), not ten times it."""
    small, large = factories.district(name="Ten"), factories.district(name="Hundred")
    ids = [m.pk for m in factories.members_in_bulk(10, district_=small, days=[MONDAY])]
    ids += [m.pk for m in factories.members_in_bulk(100, district_=large, days=[MONDAY])]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO metrics_followersnapshot (account_id, day, followers, source, fetched_at, evidence_url)
            SELECT a.id, DATE '2022-01-01' + g, 1000 + g, 'api', now(), ''
            FROM legislators_socialaccount a CROSS JOIN generate_series(0, 999) g
            WHERE a.legislator_id = ANY(%s)
            """,
            [ids],
        )

    def stream(district):
        table = tables.build("timeseries", {"start": "2022-01-01", "end": "2024-12-31", "district": district.pk})
        tracemalloc.start()
        size = rows = 0
        for chunk in writers.csv_chunks(table):
            size += len(chunk)
            rows += chunk.count("\n")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return rows - 1, size, peak

    few_rows, _few_size, few_peak = stream(small)
    many_rows, many_size, many_peak = stream(large)
    assert (few_rows, many_rows) == (10_000, 100_000)
    assert many_peak < few_peak * 1.5, f"peak {few_peak} → {many_peak} bytes for 10× the rows"
    assert many_peak < many_size / 2, "the rows are never all in memory at once"


@pytest.mark.parametrize("step", ["daily", "weekly", "monthly"])
def test_time_series_fast_csv_path_writes_exactly_what_the_general_writer_would(db, step, monkeypatch):
    """The fast path (COPY on PostgreSQL, two members a COPY here, pre-made cells elsewhere) against
    csv_cell and csv.writer."""
    monkeypatch.setattr(timeseries, "TIMESERIES_MEMBERS_PER_COPY", 2)
    names = ["=cmd|' /C calc'!A0", "+91 98xxx", "आशा", 'Comma, "Quoted"', "Line\rBreak"]
    for index, name in enumerate(names):
        member = factories.member_with_counts(name, name_hi="" if index else "-हिन्दी")
        factories.counts(factories.account(member, Platform.YOUTUBE), {MONDAY: 10 + index, MONDAY + timedelta(1): 20})
    two = factories.member_with_counts(
        "Two Handles", series={Platform.X: {MONDAY: 100, MONDAY + timedelta(9): 150, MONDAY + timedelta(35): 180}}
    )
    factories.counts(factories.account(two, Platform.X), {MONDAY + timedelta(2): 1_000, MONDAY + timedelta(12): 1_200})
    factories.counts(factories.account(two, Platform.FACEBOOK), {MONDAY + timedelta(3): 7})
    params = {"start": day(0), "end": day(40), "step": step}
    fast = writers.csv_bytes(tables.build("timeseries", params))
    general = tables.build("timeseries", params)
    general.csv_rows = general.csv_text = None
    assert fast == writers.csv_bytes(general)
    text = fast.decode()
    assert "'=cmd|' /C calc'!A0" in text and "'-हिन्दी" in text and '"Comma, ""Quoted"""' in text
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert [row[1] for row in rows].count("Line\rBreak") == (2 if step == "daily" else 1)
    two_x = [(row[4], row[5]) for row in rows if row[1] == "Two Handles" and row[3] == "X"]
    expected = {
        "daily": [(day(0), "100"), (day(2), "1100"), (day(9), "1150"), (day(12), "1350"), (day(35), "1380")],
        "weekly": [(day(6), "1100"), (day(13), "1350"), (day(40), "1380")],
        "monthly": [("2025-01-31", "1350"), (day(40), "1380")],
    }[step]
    assert two_x == expected


def test_a_download_that_fails_after_its_header_ends_with_a_line_saying_it_is_incomplete(db):
    def rows():
        yield (1, "First Member")
        raise OSError("the database went away")

    columns = [writers.Column("id", "Member id", writers.INTEGER), writers.Column("name", "Member", writers.TEXT)]
    text = "".join(writers.csv_chunks(writers.Table("standings", columns, rows())))
    lines = text[1:].splitlines()
    assert lines[:2] == ["Member id,Member", "1,First Member"]
    assert lines[-1] == "ERROR: this download stopped early and is incomplete. Download it again."
