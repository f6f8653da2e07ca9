"""The standings table day by day: `rebuild_standings` stores the engine's standings of every day (the upkeep in
the writers' transactions: test_standings_kept.py)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from legislators import services
from legislators.models import Platform, Role
from metrics.counts import counts_upsert
from metrics.models import DailyStanding, Source
from metrics.standings import engine
from tests import factories

pytestmark = pytest.mark.django_db

COLUMNS = [f.attname for f in DailyStanding._meta.concrete_fields if f.name != "id"]  # member_id, day first


def stored_rows():
    return sorted(DailyStanding.objects.values_list(*COLUMNS))


def poll(accounts, day, level):
    """A day's poll of every account (a past day's poll written as the poller writes it)."""
    rows = [(account.pk, day, level + 37 * i, 10 + i) for i, account in enumerate(accounts)]
    with transaction.atomic():
        counts_upsert(rows, source=Source.API, now=timezone.now())


@pytest.fixture
def assembly():
    today = timezone.localdate()
    start = today - timedelta(days=120)
    red, blue = factories.party("RED"), factories.party("BLUE")
    district = factories.district()
    first = factories.constituency(district, number=1, electors=100_000, published_on=start)
    second = factories.constituency(district, number=2, electors=20_000, published_on=start)
    people = {name: factories.person(name=name) for name in ("Chief", "Cabinet", "Backbench")}
    services.term_record(legislator=people["Chief"], constituency=first, party=red, start=start)
    services.term_record(legislator=people["Cabinet"], constituency=second, party=red, start=start)
    services.term_record(legislator=people["Backbench"], constituency=None, party=blue, start=start)
    services.appointment_record(legislator=people["Chief"], role=Role.CHIEF_MINISTER, start=start)
    accounts = [
        factories.account(people["Chief"], Platform.X),
        factories.account(people["Chief"], Platform.FACEBOOK),
        factories.account(people["Cabinet"], Platform.X),
        factories.account(people["Backbench"], Platform.INSTAGRAM),
    ]
    return {"today": today, "people": people, "accounts": accounts, "red": red, "blue": blue, "second": second}


def test_a_rebuild_stores_the_engines_standings_of_every_day(assembly):
    today, accounts = assembly["today"], assembly["accounts"]
    for days_ago in range(30, 0, -3):
        poll(accounts, today - timedelta(days=days_ago), 5_000 - 40 * days_ago)
    call_command("rebuild_standings", "--quiet")

    first = today - timedelta(days=30)
    assert DailyStanding.objects.count() == 31 * 3  # three members, every day from the first count to today
    for offset in range(31):
        day = first + timedelta(days=offset)
        computed = {
            m.id: (m.reach, m.electors, m.needed, m.growth_30, m.status.value)
            for m in engine.standings(day=day).members
        }
        stored = {
            row.member_id: (row.reach, row.electors, row.needed, row.growth_30, row.status)
            for row in DailyStanding.objects.filter(day=day)
        }
        assert stored == computed, day


def test_a_rebuild_of_a_range_replaces_only_that_range(assembly):
    today, accounts = assembly["today"], assembly["accounts"]
    poll(accounts, today - timedelta(days=3), 5_000)
    call_command("rebuild_standings", "--quiet")
    assert DailyStanding.objects.count() == 3 * 4
    DailyStanding.objects.filter(day=today - timedelta(days=1)).update(reach=1)
    call_command("rebuild_standings", "--since", (today - timedelta(days=1)).isoformat(), "--quiet")
    assert not DailyStanding.objects.filter(reach=1).exists()
    assert DailyStanding.objects.count() == 3 * 4
