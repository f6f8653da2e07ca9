"""Small builders for test data: one place, explicit arguments, no magic."""

import itertools
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from legislators.models import (
    Constituency,
    District,
    Division,
    Legislator,
    Party,
    Platform,
    Role,
    SocialAccount,
    UserScope,
    VoterRoll,
)
from metrics.models import FollowerSnapshot, LatestCount, Source

_seq = itertools.count(1)


def division(name=None):
    return Division.objects.create(name=name or f"Division {next(_seq)}")


def district(division_=None, name=None):
    return District.objects.create(division=division_ or division(), name=name or f"District {next(_seq)}")


def constituency(district_=None, number=None, name=None, electors=None, published_on=None, state_code="TS"):
    place = Constituency.objects.create(
        state_code=state_code,
        number=number or next(_seq),
        name=name or f"Place {next(_seq)}",
        district=district_ or district(),
    )
    if electors is not None:
        voter_roll(place, electors, published_on=published_on)
    return place


def voter_roll(place, electors, published_on=None):
    return VoterRoll.objects.create(
        constituency=place,
        published_on=published_on or timezone.localdate() - timedelta(days=400),
        total_electors=electors,
    )


def party(short_name=None):
    short = short_name or f"P{next(_seq)}"
    return Party.objects.get_or_create(short_name=short, defaults={"name": f"Party {short}"})[0]


def legislator(name=None, constituency_=None, role=Role.MLA, party_=None, **extra):
    return Legislator.objects.create(
        name=name or f"Member {next(_seq)}",
        constituency=constituency_,
        role=role,
        party=party_,
        **extra,
    )


def account(member, platform=Platform.X, handle=None, **extra):
    return SocialAccount.objects.create(
        legislator=member, platform=platform, handle=handle or f"handle_{next(_seq)}", **extra
    )


def counts(account_, series, *, source=Source.API):
    """Store {day: followers} (or {day: (followers, posts)}) and keep LatestCount in step."""
    now = timezone.now()
    last = None
    for day, value in sorted(series.items()):
        followers, posts = value if isinstance(value, tuple) else (value, None)
        FollowerSnapshot.objects.update_or_create(
            account=account_,
            day=day,
            defaults={"followers": followers, "posts": posts, "source": source, "fetched_at": now},
        )
        last = (day, followers, posts)
    if last:
        LatestCount.objects.update_or_create(
            account=account_,
            defaults={"day": last[0], "followers": last[1], "posts": last[2], "source": source, "fetched_at": now},
        )


def user(username, group=None, *, divisions=(), districts=(), **extra):
    person = User.objects.create_user(username=username, password="correct horse battery", **extra)
    if group:
        person.groups.add(Group.objects.get(name=group))
    if divisions or districts:
        scope = UserScope.objects.create(user=person)
        scope.divisions.set(divisions)
        scope.districts.set(districts)
    return person


# --- reports and exports --------------------------------------------------------


def member_with_counts(name, *, district_=None, electors=200_000, series=None, role=Role.MLA, party_=None, **extra):
    """A member in a constituency of ``electors`` with accounts and counts.

    ``series`` maps a platform to {day: followers}; electors=None means no voter roll.
    """
    place = constituency(district_ or district(), electors=electors)
    member = legislator(name, place, role=role, party_=party_, **extra)
    for platform, days in (series or {}).items():
        counts(account(member, platform), days)
    return member


def members_in_bulk(count, *, district_, days, base=1_000):
    """``count`` members with one X account each and a count on each of ``days`` (bulk, few queries)."""
    batch = next(_seq)
    state_code = chr(65 + batch // 26 % 26) + chr(65 + batch % 26)  # a state of its own: numbers 1..count are free
    start = batch * 10_000
    places = Constituency.objects.bulk_create(
        Constituency(state_code=state_code, number=i + 1, name=f"Bulk {start + i}", district=district_)
        for i in range(count)
    )
    VoterRoll.objects.bulk_create(
        VoterRoll(constituency=place, published_on=days[0] - timedelta(days=400), total_electors=100_000 + i)
        for i, place in enumerate(places)
    )
    members = Legislator.objects.bulk_create(
        Legislator(name=f"Bulk member {start + i:06d}", constituency=place) for i, place in enumerate(places)
    )
    accounts = SocialAccount.objects.bulk_create(
        SocialAccount(legislator=member, platform=Platform.X, handle=f"bulk_{start + i}")
        for i, member in enumerate(members)
    )
    now = timezone.now()
    FollowerSnapshot.objects.bulk_create(
        FollowerSnapshot(account=acc, day=day, followers=base + i * 7 + d * 3, source=Source.API, fetched_at=now)
        for i, acc in enumerate(accounts)
        for d, day in enumerate(days)
    )
    LatestCount.objects.bulk_create(
        LatestCount(
            account=acc, day=days[-1], followers=base + i * 7 + (len(days) - 1) * 3, source=Source.API, fetched_at=now
        )
        for i, acc in enumerate(accounts)
    )
    return members
