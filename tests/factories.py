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


def csv_bytes(header, rows):
    """A CSV file's bytes (UTF-8) from a header and rows: for import tests."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(header, rows):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()
