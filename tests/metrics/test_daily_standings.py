"""The standings table kept day by day: the incrementally kept rows are what a rebuild gives, row for row."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from legislators import services
from legislators.models import Platform, Role
from metrics.counts import counts_upsert, snapshot_enter, snapshots_upsert
from metrics.models import DailyStanding, Source, Target
from metrics.polling.clients import AccountResult
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


def test_the_kept_rows_equal_a_rebuild_after_polls_manual_counts_a_roll_a_target_and_a_party_switch(assembly):
    today, people, accounts = assembly["today"], assembly["people"], assembly["accounts"]
    for days_ago in range(45, 0, -3):  # polls every third day, each upkeeping its members
        poll(accounts, today - timedelta(days=days_ago), 4_000 + 50 * (45 - days_ago))
    with transaction.atomic():  # today's poll, as the poller records it
        snapshots_upsert(
            results=[AccountResult(account_id=a.pk, followers=7_000 + i) for i, a in enumerate(accounts[:3])],
            source=Source.API,
        )
    assert DailyStanding.objects.filter(day=today).count() == 3
    # A count entered by hand on a past day (the days after it move), and one before the table's first day.
    snapshot_enter(account=accounts[2], day=today - timedelta(days=20), followers=1_500)
    snapshot_enter(account=accounts[3], day=today - timedelta(days=60), followers=900)
    # A new voter roll, a new target and a party switch, each from a past day.
    factories.voter_roll(assembly["second"], 25_000, published_on=today - timedelta(days=12))
    Target.objects.create(percent=4, stretch_percent=5.5, effective_from=today - timedelta(days=8))
    services.term_change_party(
        term=people["Cabinet"].terms.get(), party=assembly["blue"], day=today - timedelta(days=5)
    )
    services.legislator_change_role(
        legislator=people["Cabinet"], role=Role.CABINET_MINISTER, effective_from=today - timedelta(days=4)
    )

    kept = stored_rows()
    assert kept[0][1] == today - timedelta(days=60)  # the table starts at the first count's day
    assert len(kept) == 3 * 61
    call_command("rebuild_standings", "--quiet")
    assert stored_rows() == kept

    # The rows are the engine's results, as on those days.
    row = DailyStanding.objects.get(member=people["Cabinet"], day=today)
    live = {m.id: m for m in engine.standings(day=today).members}[people["Cabinet"].pk]
    assert (row.reach, row.electors, row.status, row.needed, row.party_id, row.role) == (
        live.reach,
        25_000,
        live.status.value,
        live.needed,
        assembly["blue"].pk,
        Role.CABINET_MINISTER,
    )
    before = DailyStanding.objects.get(member=people["Cabinet"], day=today - timedelta(days=6))
    assert (before.party_id, before.role, before.electors) == (assembly["red"].pk, Role.MLA, 25_000)
    assert DailyStanding.objects.get(member=people["Backbench"], day=today).status == "n/a"


def test_a_rebuild_of_a_range_replaces_only_that_range(assembly):
    today, accounts = assembly["today"], assembly["accounts"]
    poll(accounts, today - timedelta(days=3), 5_000)
    assert DailyStanding.objects.count() == 3 * 4
    DailyStanding.objects.filter(day=today - timedelta(days=1)).update(reach=1)
    call_command("rebuild_standings", "--since", (today - timedelta(days=1)).isoformat(), "--quiet")
    assert not DailyStanding.objects.filter(reach=1).exists()
    assert DailyStanding.objects.count() == 3 * 4


def test_a_retired_account_leaves_every_day_of_its_member(assembly):
    today, accounts = assembly["today"], assembly["accounts"]
    poll(accounts, today - timedelta(days=2), 5_000)
    chief = assembly["people"]["Chief"]
    assert set(DailyStanding.objects.filter(member=chief).values_list("accounts", flat=True)) == {2}
    services.accounts_retire(accounts=[accounts[1]])
    assert set(DailyStanding.objects.filter(member=chief).values_list("accounts", flat=True)) == {1}
