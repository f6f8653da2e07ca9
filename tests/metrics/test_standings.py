"""The standings engine on a small hand-built state, worked out by hand."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform, Role, VoterRoll
from metrics.arithmetic import Status
from metrics.models import Target
from metrics.standings import engine, rollups
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standings_source")]


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=10)


def test_reach_sums_the_latest_count_on_or_before_the_day_over_active_accounts(day):
    member = factories.legislator(constituency_=factories.constituency(electors=200_000))
    x = factories.account(member, Platform.X)
    facebook = factories.account(member, Platform.FACEBOOK)
    retired = factories.account(member, Platform.YOUTUBE, active=False)
    factories.counts(x, {day - timedelta(days=3): 4_000, day + timedelta(days=1): 9_999})
    factories.counts(facebook, {day: 3_000})
    factories.counts(retired, {day: 50_000})

    standing = engine.standings(day=day).members[0]

    assert standing.followers == {"x": 4_000, "facebook": 3_000}
    assert standing.reach == 7_000
    assert standing.share == pytest.approx(3.5)
    assert standing.status == Status.BELOW
    assert standing.needed == 3_000


def test_voter_roll_in_force_is_the_newest_published_on_or_before_the_day(day):
    place = factories.constituency()
    factories.voter_roll(place, 100_000, published_on=day - timedelta(days=100))
    factories.voter_roll(place, 200_000, published_on=day - timedelta(days=1))
    factories.voter_roll(place, 400_000, published_on=day + timedelta(days=1))
    member = factories.legislator(constituency_=place)
    factories.counts(factories.account(member), {day: 10_000})

    assert engine.standings(day=day).members[0].electors == 200_000
    assert engine.standings(day=day - timedelta(days=50)).members[0].electors == 100_000


def test_oldest_roll_is_used_before_the_first_publication(day):
    place = factories.constituency()
    factories.voter_roll(place, 300_000, published_on=day + timedelta(days=5))
    factories.voter_roll(place, 350_000, published_on=day + timedelta(days=8))
    member = factories.legislator(constituency_=place)
    factories.counts(factories.account(member), {day: 15_000})

    standing = engine.standings(day=day).members[0]
    assert standing.electors == 300_000
    assert standing.status == Status.MEETS


def test_members_without_constituency_or_roll_are_na_and_left_out_of_statistics(day):
    with_roll = factories.legislator(name="Counted", constituency_=factories.constituency(electors=100_000))
    factories.counts(factories.account(with_roll), {day: 6_000})
    no_roll = factories.legislator(name="No roll", constituency_=factories.constituency())
    factories.counts(factories.account(no_roll), {day: 6_000})
    no_seat = factories.legislator(name="No seat")
    factories.counts(factories.account(no_seat), {day: 6_000})

    standings = engine.standings(day=day)
    by_name = {m.name: m for m in standings.members}

    assert by_name["No roll"].status == Status.NOT_APPLICABLE
    assert by_name["No roll"].share is None and by_name["No roll"].needed is None
    assert by_name["No seat"].na_reason == "no constituency"
    summary = standings.summary()
    assert summary["tracked"] == 3
    assert summary["counted"] == 1
    assert summary["not_applicable"] == 2
    assert summary["not_applicable_reasons"] == {"no voter roll": 1, "no constituency": 1}
    assert summary["meets"] == 1 and summary["meets_share"] == pytest.approx(100.0)
    assert summary["stretch"] == 1


def test_growth_stagnation_and_projection(day):
    place = factories.constituency(electors=100_000)
    grower = factories.legislator(name="Grower", constituency_=place)
    flat = factories.legislator(name="Flat", constituency_=factories.constituency(electors=100_000))
    factories.counts(
        factories.account(grower),
        {day - timedelta(days=90): 1_000, day - timedelta(days=30): 2_000, day - timedelta(days=7): 2_600, day: 2_900},
    )
    factories.counts(factories.account(flat), {day - timedelta(days=40): 3_000, day: 3_000})

    by_name = {m.name: m for m in engine.standings(day=day).members}
    grower_standing = by_name["Grower"]
    assert grower_standing.growth_7 == 300
    assert grower_standing.growth_30 == 900
    assert grower_standing.growth_90 == 1_900
    assert grower_standing.stagnant is False
    # 2,100 still needed at 900 per 30 days → 70 days.
    assert grower_standing.projection.day == day + timedelta(days=70)

    flat_standing = by_name["Flat"]
    assert flat_standing.growth_30 == 0
    assert flat_standing.stagnant is True
    assert flat_standing.projection.not_at_this_rate


def test_account_first_polled_inside_the_window_is_not_counted_as_growth(day):
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    factories.counts(factories.account(member, Platform.X), {day - timedelta(days=31): 1_000, day: 1_100})
    factories.counts(factories.account(member, Platform.YOUTUBE), {day - timedelta(days=2): 5_000, day: 5_000})

    standing = engine.standings(day=day).members[0]
    assert standing.reach == 6_100
    assert standing.growth_30 == 100


def test_target_in_force_on_the_day(day):
    Target.objects.all().delete()
    Target.objects.create(effective_from=day - timedelta(days=100), percent=Decimal("4"), stretch_percent=Decimal("5"))
    Target.objects.create(effective_from=day + timedelta(days=1), percent=Decimal("8"), stretch_percent=Decimal("9"))
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    factories.counts(factories.account(member), {day - timedelta(days=200): 4_500, day: 4_500})

    assert engine.standings(day=day).members[0].status == Status.MEETS
    assert engine.standings(day=day + timedelta(days=1)).members[0].status == Status.BELOW
    # Before any Target, the default 5% / 6% holds.
    assert engine.standings(day=day - timedelta(days=150)).target.percent == 5.0


def test_filters_and_term_dates(day):
    district = factories.district()
    minister = factories.legislator(
        name="Minister", role=Role.CABINET_MINISTER, constituency_=factories.constituency(district, electors=1)
    )
    factories.legislator(name="Backbencher", constituency_=factories.constituency(electors=1))
    factories.legislator(name="Former", term_end=day - timedelta(days=1), term_start=day - timedelta(days=900))
    factories.legislator(name="Future", term_start=day + timedelta(days=1))

    assert [m.name for m in engine.standings(day=day).members] == ["Backbencher", "Minister"]
    assert [m.name for m in engine.standings(day=day, role="ministers").members] == ["Minister"]
    assert [m.name for m in engine.standings(day=day, district=district.pk).members] == ["Minister"]
    assert [m.name for m in engine.standings(day=day, search="bench").members] == ["Backbencher"]
    assert [m.id for m in engine.standings(day=day, search="Minister").members] == [minister.pk]


def test_today_uses_the_maintained_latest_count():
    today = timezone.localdate()
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    account = factories.account(member)
    factories.counts(account, {today - timedelta(days=1): 7_000})

    assert engine.standings().members[0].reach == 7_000


def test_platform_filter_counts_only_that_platform(day):
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    factories.counts(factories.account(member, Platform.X), {day: 1_000})
    factories.counts(factories.account(member, Platform.INSTAGRAM), {day: 4_000})

    standing = engine.standings(day=day, platform=Platform.INSTAGRAM).members[0]
    assert standing.reach == 4_000
    assert standing.share == pytest.approx(4.0)


def test_rollups_weight_by_electors(day):
    district = factories.district()
    small = factories.legislator(constituency_=factories.constituency(district, electors=10_000))
    large = factories.legislator(constituency_=factories.constituency(district, electors=100_000))
    factories.counts(factories.account(small), {day: 1_000})
    factories.counts(factories.account(large), {day: 1_000})

    (rollup,) = rollups.rollups(engine.standings(day=day), by="district")
    assert rollup.members == 2
    assert rollup.attainment == pytest.approx(2_000 * 100 / 110_000)
    assert rollup.meets == 1


def test_a_day_before_the_seats_first_roll_uses_that_roll_and_says_so(client, viewer):
    from metrics.reports import tables

    today = timezone.localdate()
    member = factories.member_with_counts("Early Day", series={Platform.X: {today - timedelta(days=400): 5_000}})
    roll = VoterRoll.objects.get(constituency=member.constituency)
    roll.published_on = today - timedelta(days=100)
    roll.save()
    early, late = today - timedelta(days=300), today

    before = engine.standings(day=early).members[0]
    after = engine.standings(day=late).members[0]
    assert (before.electors, before.roll_day, before.roll_after_day) == (roll.total_electors, roll.published_on, True)
    assert (after.roll_day, after.roll_after_day) == (roll.published_on, False)

    client.force_login(viewer)
    page = client.get(reverse("metrics:member", args=[member.pk]), {"date": early.isoformat()}).content.decode()
    assert "from the first roll, published" in page
    assert "from the first roll" not in client.get(reverse("metrics:member", args=[member.pk])).content.decode()
    row = tables.standing_record(before, engine.target_in_force(day=early))
    assert (row["roll_day"], row["roll_after_day"]) == (roll.published_on, True)
