"""The party's progress over time, from the stored daily standings: the selector, the overview chart, the report."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from legislators import services
from legislators.models import Role
from metrics.counts import counts_upsert
from metrics.models import Source
from metrics.standings.progress import period_days, period_end, progress
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def party_over_time():
    """Three members (100,000 electors each; 5% is 5,000, 6% is 6,000), polled daily for 20 days:
    the minister rises from 4,000 to 6,090, one MLA flat at 5,500, one MLA with no seat (n/a)."""
    today = timezone.localdate()
    start = today - timedelta(days=19)
    red = factories.party("RED")
    division = factories.division(name="North")
    district = factories.district(division)
    seats = [factories.constituency(district, electors=100_000, published_on=start) for _ in range(2)]
    minister, flat, seatless = (factories.person(name=name) for name in ("Minister", "Flat", "Seatless"))
    services.term_record(legislator=minister, constituency=seats[0], party=red, start=start)
    services.term_record(legislator=flat, constituency=seats[1], party=red, start=start)
    services.term_record(legislator=seatless, constituency=None, party=red, start=start)
    services.appointment_record(legislator=minister, role=Role.CABINET_MINISTER, start=start)
    accounts = [factories.account(person) for person in (minister, flat, seatless)]
    rows = []
    for offset in range(20):
        day = start + timedelta(days=offset)
        rows += [(accounts[0].pk, day, 4_000 + 110 * offset, None), (accounts[1].pk, day, 5_500, None)]
        rows.append((accounts[2].pk, day, 100, None))
    with transaction.atomic():  # twenty days of counts at once (as an import writes them)
        counts_upsert(rows, source=Source.API, now=timezone.now())
    call_command("rebuild_standings", "--quiet")  # the stored days the progress reads
    return {"today": today, "start": start, "division": division, "red": red}


def test_periods_end_on_sundays_and_month_ends_and_the_last_one_on_the_last_day():
    from datetime import date

    assert period_end(date(2025, 1, 1), "week") == date(2025, 1, 5)  # a Wednesday → Sunday
    assert period_end(date(2024, 2, 10), "month") == date(2024, 2, 29)
    assert period_end(date(2024, 12, 10), "month") == date(2024, 12, 31)
    assert period_days(date(2025, 1, 1), date(2025, 1, 14), "week") == [
        date(2025, 1, 5),
        date(2025, 1, 12),
        date(2025, 1, 14),
    ]


def test_daily_progress_counts_members_meeting_the_target_and_the_stretch_line(party_over_time):
    points = {point.day: point for point in progress(period="day")}
    assert len(points) == 20
    first, last = points[party_over_time["start"]], points[party_over_time["today"]]
    # Day one: the minister below (4,000), the flat MLA meets (5,500), the seatless one left out.
    assert (first.tracked, first.counted, first.meets, first.stretch, first.not_applicable) == (3, 2, 1, 0, 1)
    assert first.meets_share == 50.0
    assert first.attainment == pytest.approx((4_000 + 5_500) * 100 / 200_000)
    # Day 20: the minister at 6,090 is past the stretch line.
    assert (last.meets, last.stretch, last.meets_share, last.stretch_share) == (2, 1, 100.0, 50.0)
    assert last.attainment == pytest.approx((6_090 + 5_500) * 100 / 200_000)
    assert last.stagnant == 0  # no 30-day window yet: unknown growth is not stagnant


def test_progress_by_role_group_and_division(party_over_time):
    today = party_over_time["today"]
    by_role = {(p.day, p.label): p for p in progress(period="week", group="role")}
    ministers, mlas = by_role[(today, "Ministers")], by_role[(today, "MLAs")]
    assert (ministers.tracked, ministers.stretch) == (1, 1)
    assert (mlas.tracked, mlas.counted, mlas.meets) == (2, 1, 1)
    by_division = [p for p in progress(period="month", group="division") if p.day == today]
    assert sorted((p.label, p.tracked) for p in by_division) == [("North", 2), ("—", 1)]
    assert [p.tracked for p in progress(period="month", division=party_over_time["division"].pk)][-1] == 2


def test_the_progress_report_gives_the_series_as_csv_and_xlsx(client, analyst, party_over_time):
    client.force_login(analyst)
    response = client.get(reverse("metrics:export", kwargs={"kind": "progress", "fmt": "csv"}), {"step": "daily"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["As on", "Group", "Members tracked"] and len(rows) == 21
    assert rows[-1][0] == party_over_time["today"].isoformat() and rows[-1][2:5] == ["3", "2", "2"]
    response = client.get(
        reverse("metrics:export", kwargs={"kind": "progress", "fmt": "xlsx"}), {"step": "weekly", "group": "role"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_overview_draws_meeting_the_target_week_by_week(client, viewer, party_over_time):
    client.force_login(viewer)
    page = client.get(reverse("metrics:overview")).content.decode()
    assert 'data-chart="progress-data"' in page and "Meeting the target, week by week" in page
