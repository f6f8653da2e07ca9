"""The standings table kept in the writers' transactions equals a rebuild, row for row.

A data set is built the way it is in use: polls through the batch path,
a count entered by hand on the page, a backfilled count before the first
poll and a corrected past count, a new voter roll and a new target entered
in the admin, a party switch and a reshuffle through the services; and
aspirants: one recorded through the services (polled, counted by hand, then
its aspiration ended in the admin) and a sitting member seeking another seat
(added in the admin), both for the seat whose roll changes. The table is
kept as they happen (settle in their transactions, or before the next read);
then ``rebuild_standings`` writes it again from the counts, and every column
of every row, the aspirants' rows too, must be the same.
"""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legislators import services
from legislators.models import Aspirant, ChangeMark, Platform, Role
from metrics.counts import counts_upsert
from metrics.models import DailyStanding, Source, Target
from metrics.polling import runs
from metrics.polling.clients.base import AccountResult
from metrics.standings import aspirants, daily, engine, live, stored
from tests import factories

pytestmark = pytest.mark.django_db

COLUMNS = [f.attname for f in DailyStanding._meta.concrete_fields if f.name != "id"]  # member_id, day first


def stored_rows():
    return sorted(DailyStanding.objects.values_list(*COLUMNS))


def at_noon(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


def poll(platform, day, followers_of):
    """A poll of ``platform``'s accounts on ``day`` through the batch path (plan, then record the batch)."""
    run = runs.fetch_run_plan(platform=platform, now=at_noon(day))
    for batch in run.batches.all():
        results = [AccountResult(account_id=pk, followers=followers_of(pk), posts=pk) for pk in batch.account_ids]
        runs.record_batch_results(batch=batch, results=results, now=at_noon(day))


@pytest.fixture
def assembly(settings):
    # The plan needs a client for the platform (the demo's: no token); the polls' results are this test's.
    settings.FOLLOWER_CLIENT = "demo"
    today = timezone.localdate()
    start = today - timedelta(days=200)
    red, blue = factories.party("RED"), factories.party("BLUE")
    district = factories.district()
    first = factories.constituency(district, number=1, electors=100_000, published_on=start)
    second = factories.constituency(district, number=2, electors=20_000, published_on=start)
    people = {name: factories.person(name=name) for name in ("Chief", "Cabinet", "Backbench", "Hopeful", "Runner")}
    services.term_record(legislator=people["Chief"], constituency=first, party=red, start=start)
    cabinet_term = services.term_record(legislator=people["Cabinet"], constituency=second, party=red, start=start)
    services.term_record(legislator=people["Backbench"], constituency=None, party=blue, start=start)
    services.appointment_record(legislator=people["Chief"], role=Role.CHIEF_MINISTER, start=start)
    accounts = {
        "chief_x": factories.account(people["Chief"], Platform.X, handle="chief_x"),
        "chief_fb": factories.account(people["Chief"], Platform.FACEBOOK, handle="chief_fb"),
        "cabinet_x": factories.account(people["Cabinet"], Platform.X, handle="cabinet_x"),
        "backbench_ig": factories.account(people["Backbench"], Platform.INSTAGRAM, handle="backbench_ig"),
        # An aspirant's accounts (no term: never a member), polled and counted by hand like a member's.
        "hopeful_x": factories.account(people["Hopeful"], Platform.X, handle="hopeful_x"),
        "hopeful_ig": factories.account(people["Hopeful"], Platform.INSTAGRAM, handle="hopeful_ig"),
    }
    # An aspirant for seat 1 from before the first count, without accounts (no follower count).
    runner = services.aspirant_record(legislator=people["Runner"], constituency=first, start=today - timedelta(70))
    return {
        "today": today,
        "people": people,
        "accounts": accounts,
        "blue": blue,
        "red": red,
        "first": first,
        "second": second,
        "cabinet_term": cabinet_term,
        "runner": runner,
    }


def keep_through_a_season(assembly, client, analyst, editor):
    """Everything that changes the standings, as it happens in use; the table kept all along.

    Each aspirant change is the last to touch its rows, so a change that did not mark its people
    leaves rows a rebuild writes otherwise."""
    today, accounts, people = assembly["today"], assembly["accounts"], assembly["people"]
    for days_ago in (60, 45, 33, 20, 9, 2, 1, 0):
        day = today - timedelta(days=days_ago)
        poll(Platform.X, day, lambda pk, d=days_ago: 5_000 + 40 * pk - 35 * d)
        if days_ago % 2 == 0:
            poll(Platform.FACEBOOK, day, lambda pk, d=days_ago: 1_000 + 10 * pk - 12 * d)
    # The stagnant member's Instagram is read by hand, on the page an analyst uses.
    client.force_login(analyst)
    for days_ago, followers in ((50, 700), (25, 700), (3, 650)):
        enter_count(client, "backbench_ig", today - timedelta(days=days_ago), followers)
    # A count from before the first poll (an import of old figures) and a corrected past count.
    counts_upsert(
        [(accounts["cabinet_x"].pk, today - timedelta(days=75), 4_000, None)],
        source=Source.IMPORT,
        now=timezone.now(),
    )
    counts_upsert(
        [(accounts["chief_x"].pk, today - timedelta(days=33), 9_999, 3)], source=Source.MANUAL, now=timezone.now()
    )
    daily.settle()
    # The Chief seeks seat 2 as well, in the admin: a member of seat 1 and an aspirant for seat 2 on the same days.
    client.force_login(editor)
    response = client.post(
        reverse("admin:legislators_aspirant_add"),
        {
            "legislator": people["Chief"].pk,
            "constituency": assembly["second"].pk,
            "party": assembly["red"].pk,
            "start": (today - timedelta(days=20)).isoformat(),
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    settled_by_a_read()
    # A higher target and a new voter roll for seat 2 (its member's and its aspirants' electors), in the admin.
    response = client.post(
        reverse("admin:metrics_target_add"),
        {
            "percent": "5.50",
            "stretch_percent": "6.50",
            "effective_from": (today - timedelta(days=30)).isoformat(),
            "note": "raised",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    settled_by_a_read()
    response = client.post(
        reverse("admin:legislators_voterroll_add"),
        {
            "constituency": assembly["second"].pk,
            "published_on": (today - timedelta(days=40)).isoformat(),
            "total_electors": "25000",
            "source": "revision",
        },
    )
    assert response.status_code == 302
    settled_by_a_read()
    # A party switch and a reshuffle through the services.
    services.term_change_party(term=assembly["cabinet_term"], party=assembly["blue"], day=today - timedelta(days=15))
    settled_by_a_read()
    services.legislator_change_role(
        legislator=people["Cabinet"],
        role=Role.CABINET_MINISTER,
        effective_from=today - timedelta(days=10),
        portfolio="Roads",
    )
    settled_by_a_read()
    # An aspirant for seat 2 recorded through the services from 50 days ago (after its polls: its rows written
    # from then), then a count of its Instagram entered by hand.
    services.aspirant_record(
        legislator=people["Hopeful"],
        constituency=assembly["second"],
        party=assembly["blue"],
        start=today - timedelta(50),
    )
    settled_by_a_read()
    client.force_login(analyst)
    enter_count(client, "hopeful_ig", today - timedelta(days=30), 300)
    assert not ChangeMark.objects.exists()  # the page settles in its transaction
    # The runner's aspiration for seat 1 ended 5 days ago, in the admin: its later rows go.
    client.force_login(editor)
    runner = assembly["runner"]
    response = client.post(
        reverse("admin:legislators_aspirant_change", args=[runner.pk]),
        {
            "legislator": runner.legislator_id,
            "constituency": runner.constituency_id,
            "party": "",
            "start": runner.start.isoformat(),
            "end": (today - timedelta(days=5)).isoformat(),
            "note": "withdrew",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    settled_by_a_read()


def enter_count(client, handle, day, followers):
    """A count entered by hand on the page an analyst uses."""
    response = client.post(
        reverse("metrics:count_enter"),
        {
            "platform": "instagram",
            "handle": handle,
            "day": day.isoformat(),
            "followers": str(followers),
            "evidence_url": "https://example.org/shot.png",
        },
    )
    assert response.status_code == 302


def settled_by_a_read():
    """The next read settles what the admin and the services marked before it reads."""
    assert ChangeMark.objects.exists()
    engine.standings()
    assert not ChangeMark.objects.exists()


def test_the_standings_kept_incrementally_equal_a_rebuild_row_for_row(assembly, client, analyst, editor):
    keep_through_a_season(assembly, client, analyst, editor)
    today = assembly["today"]
    kept = stored_rows()
    # Three members, every day from the first count (75 days ago) to today; the aspirants: Hopeful from 50 days
    # ago, the Chief (for seat 2) from 20 days ago, to today; the runner from 70 days ago to 5 days ago.
    assert DailyStanding.objects.filter(aspirant=False).count() == 3 * 76
    assert DailyStanding.objects.filter(aspirant=True).count() == 51 + 21 + 66
    assert len(kept) == 3 * 76 + 51 + 21 + 66
    assert Target.objects.filter(percent=5.5).exists()

    call_command("rebuild_standings", "--quiet")

    rebuilt = stored_rows()
    assert len(rebuilt) == len(kept)
    for kept_row, rebuilt_row in zip(kept, rebuilt, strict=True):
        assert kept_row == rebuilt_row, dict(zip(COLUMNS, zip(kept_row, rebuilt_row, strict=True), strict=True))
    # The changes are in the rows: the new roll, the switch, the reshuffle and the target.
    cabinet = assembly["people"]["Cabinet"]
    row = DailyStanding.objects.get(member=cabinet, day=today)
    assert (row.electors, row.party_id, row.role, row.portfolio) == (25_000, assembly["blue"].pk, "CABINET", "Roads")
    assert DailyStanding.objects.get(member=cabinet, day=today - timedelta(days=41)).electors == 20_000
    # The aspirant against seat 2's electors, with its polled X and its Instagram counted by hand; the Chief
    # both a member of seat 1 and an aspirant for seat 2 on the same day, with the same reach.
    hopeful, chief = assembly["people"]["Hopeful"], assembly["people"]["Chief"]
    ten_days_ago = today - timedelta(days=10)
    row = DailyStanding.objects.get(member=hopeful, day=ten_days_ago)
    x_followers = 5_000 + 40 * assembly["accounts"]["hopeful_x"].pk - 35 * 20  # the last poll before: 20 days ago
    assert (row.aspirant, row.constituency_id, row.party_id, row.electors) == (
        True,
        assembly["second"].pk,
        assembly["blue"].pk,
        25_000,
    )
    assert (row.followers_x, row.followers_instagram, row.reach) == (x_followers, 300, x_followers + 300)
    assert row.share == pytest.approx((x_followers + 300) * 100 / 25_000)
    runner = assembly["runner"].legislator
    assert DailyStanding.objects.filter(member=runner).latest("day").day == today - timedelta(days=5)
    runner_row = DailyStanding.objects.get(member=runner, day=today - timedelta(days=70))
    assert (runner_row.constituency_id, runner_row.electors, runner_row.reach, runner_row.na_reason) == (
        assembly["first"].pk,
        100_000,
        None,
        "no follower count",
    )
    as_member = DailyStanding.objects.get(member=chief, day=today, aspirant=False)
    as_aspirant = DailyStanding.objects.get(member=chief, day=today, aspirant=True)
    assert (as_member.constituency_id, as_member.electors) == (assembly["first"].pk, 100_000)
    assert (as_aspirant.constituency_id, as_aspirant.electors, as_aspirant.role) == (assembly["second"].pk, 25_000, "")
    assert as_aspirant.reach == as_member.reach and as_aspirant.share == pytest.approx(as_member.share * 4)


def test_the_stored_read_gives_the_live_standings_of_every_day(assembly, client, analyst, editor):
    keep_through_a_season(assembly, client, analyst, editor)
    first, last = daily.table_bounds()
    day = first
    while day <= last:
        stored_read = engine.standings(day=day)
        assert stored_read.members == live.live_standings(day=day).members, day
        # Each seat's aspirants, read from the table and worked out live: the same standings.
        for seat in (assembly["first"].pk, assembly["second"].pk):
            target = stored_read.target
            stored_aspirants = aspirants.stored_aspirants(day=day, target=target, constituency_id=seat)
            assert stored_aspirants == aspirants.live_aspirants(day=day, target=target, constituency_id=seat), day
            assert [a.id for a in stored_aspirants] == sorted(
                Aspirant.objects.filter(start__lte=day, constituency_id=seat)
                .exclude(end__lt=day)
                .values_list("legislator_id", flat=True)
            )
        day += timedelta(days=1)


def test_a_stored_read_is_two_queries_and_a_new_day_reads_live_until_a_poll_fills_it(
    assembly, client, analyst, editor, monkeypatch
):
    keep_through_a_season(assembly, client, analyst, editor)
    today = assembly["today"]
    read = []
    real = stored.stored_members
    monkeypatch.setattr(stored, "stored_members", lambda **kwargs: read.append(kwargs["day"]) or real(**kwargs))
    with CaptureQueriesContext(connection) as queries:
        engine.standings(day=today - timedelta(days=5))
    assert len(queries) == 2 and read == [today - timedelta(days=5)]
    # Tomorrow: not in the table yet, so worked out live (the same two queries).
    tomorrow = today + timedelta(days=1)
    with CaptureQueriesContext(connection) as queries:
        engine.standings(day=tomorrow)
    assert len(queries) == 2 and read == [today - timedelta(days=5)]
    # The first settle of a new day fills it for everyone.
    daily.settle(today=tomorrow)
    assert DailyStanding.objects.filter(day=tomorrow, aspirant=False).count() == 3
    assert DailyStanding.objects.filter(day=tomorrow, aspirant=True).count() == 2  # Hopeful and the Chief


def test_the_member_figures_leave_the_aspirants_rows_out(assembly, client, analyst, editor):
    """Every member figure (the standings, their summary, the exports, the progress over time) is the same
    with the aspirants' rows in the table and with them deleted."""
    from metrics.reports.tables import build
    from metrics.reports.writers import csv_bytes
    from metrics.standings import progress

    keep_through_a_season(assembly, client, analyst, editor)
    today = assembly["today"]

    def figures():
        standings = engine.standings(day=today - timedelta(days=3))
        return (
            standings.members,
            standings.summary(),
            [csv_bytes(build(kind, {})) for kind in ("standings", "rollup", "progress", "growth")],
            progress.progress(period="day", group="party"),
        )

    assert daily.ready_for(today)[0]
    with_aspirants = figures()
    assert DailyStanding.objects.filter(aspirant=True).delete()[0] == 51 + 21 + 66
    assert with_aspirants == figures()
    assert len(with_aspirants[0]) == 3 and with_aspirants[3][-1].tracked == 2  # RED and BLUE per day
