import io

import pytest
from django.core.management import CommandError, call_command

from legislators.models import MINISTER_ROLES, Constituency, Legislator, SocialAccount, VoterRoll
from metrics.models import FollowerSnapshot, LatestCount
from tests import factories

pytestmark = pytest.mark.django_db


def seed(*args):
    call_command("seed_demo", *args, stdout=io.StringIO())


def electors_by_seat():
    return list(VoterRoll.objects.order_by("constituency__number", "published_on").values_list("total_electors"))


def curves():
    """Every snapshot as (member, platform, day, followers, posts), ids left out."""
    return list(
        FollowerSnapshot.objects.order_by("account__legislator__name", "account__platform", "day").values_list(
            "account__legislator__name", "account__platform", "day", "followers", "posts"
        )
    )


def test_seed_builds_a_small_state_deterministically():
    seed("--members", "23", "--days", "20", "--seed", "7")
    first = list(Legislator.objects.order_by("pk").values_list("name", "role"))
    rolls = electors_by_seat()
    # Ids move on between seedings; the curves (a member's trend comes from its name) do not.
    snapshots = curves()
    assert Constituency.objects.count() == 23
    assert Legislator.objects.filter(role__in=MINISTER_ROLES).exists()
    assert SocialAccount.objects.filter(legislator__in=Legislator.objects.all()).count() >= 2 * 23
    assert LatestCount.objects.count() == SocialAccount.objects.count()
    electors = VoterRoll.objects.order_by().values_list("total_electors", flat=True)
    assert all(100_000 < e <= 330_000 for e in electors)

    for model in (FollowerSnapshot, LatestCount, SocialAccount, Legislator, VoterRoll, Constituency):
        model.objects.all().delete()
    from legislators.models import District, Division, Party

    District.objects.all().delete()
    Division.objects.all().delete()
    Party.objects.all().delete()
    seed("--members", "23", "--days", "20", "--seed", "7")
    assert list(Legislator.objects.order_by("pk").values_list("name", "role")) == first
    assert (
        list(VoterRoll.objects.order_by("constituency__number", "published_on").values_list("total_electors")) == rolls
    )
    assert curves() == snapshots


def test_seed_refuses_a_database_with_real_members():
    factories.legislator("A real member")
    with pytest.raises(CommandError, match="non-demo"):
        seed("--members", "5", "--days", "5")
    assert Legislator.objects.count() == 1


def test_seed_if_empty_leaves_existing_data_alone():
    factories.legislator("A real member")
    seed("--if-empty", "--members", "5", "--days", "5")
    assert Legislator.objects.count() == 1


def test_the_seeded_history_ends_at_each_accounts_latest_count(monkeypatch):
    from metrics.management.commands import seed_demo

    monkeypatch.setattr(seed_demo.SnapshotWriter, "BATCH", 97)  # several bulk writes, one ending mid-account
    seed("--members", "6", "--days", "30", "--seed", "3")
    for latest in LatestCount.objects.select_related("account"):
        last = FollowerSnapshot.objects.filter(account=latest.account).latest("day")
        assert (last.day, last.followers, last.posts, last.source, last.fetched_at) == (
            latest.day,
            latest.followers,
            latest.posts,
            "demo",
            latest.fetched_at,
        )
        assert (last.posts is None) == (latest.account.platform == "facebook")  # Facebook gives no post count
    accounts_with_history = FollowerSnapshot.objects.values("account").distinct().count()
    assert accounts_with_history == SocialAccount.objects.count()
    assert FollowerSnapshot.objects.count() > 97 * 2
