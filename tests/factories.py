"""Small builders for test data: one place, explicit arguments, no magic."""

import itertools
from datetime import timedelta

from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from legislators.access import ensure_groups
from legislators.models import (
    MINISTER_ROLES,
    Appointment,
    Constituency,
    ConstituencyShape,
    District,
    Division,
    Legislator,
    Party,
    Platform,
    Role,
    SocialAccount,
    Term,
    UserScope,
    VoterRoll,
)
from legislators.services import EARLIEST_ROLE_DAY
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


def shape(place, *, lon=77.0, lat=23.0, size=0.1, source="test boundaries", licence="CC-BY 4.0"):
    """A square boundary for ``place`` (what the boundaries import writes, without the import)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return ConstituencyShape.objects.create(
        constituency=place,
        geometry=f'{{"type": "Polygon", "coordinates": [{ring}]}}',
        west=lon,
        south=lat,
        east=lon + size,
        north=lat + size,
        points=len(ring),
        source=source,
        licence=licence,
        imported_at=timezone.now(),
    )


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
    """A person with one term (the seat, party and ``term_start``/``term_end`` given; from 1950 when no
    start is given) and, for a minister, an appointment over the whole term. The person's current
    fields hold the same values, as services.legislators_refresh_current would leave them."""
    member = Legislator.objects.create(
        name=name or f"Member {next(_seq)}",
        constituency=constituency_,
        role=role,
        party=party_,
        **extra,
    )
    term(member, constituency_, party_, start=extra.get("term_start"), end=extra.get("term_end"))
    if role in MINISTER_ROLES:
        appointment(
            member, role, start=extra.get("term_start"), end=extra.get("term_end"), portfolio=extra.get("portfolio", "")
        )
    return member


def term(member, constituency_=None, party_=None, *, start=None, end=None, **extra):
    return Term.objects.create(
        legislator=member, constituency=constituency_, party=party_, start=start or EARLIEST_ROLE_DAY, end=end, **extra
    )


def appointment(member, role, *, start=None, end=None, portfolio=""):
    return Appointment.objects.create(
        legislator=member, role=role, portfolio=portfolio, start=start or EARLIEST_ROLE_DAY, end=end
    )


def person(name=None, **extra):
    """A person without any term (an aspirant, or someone not yet in office)."""
    return Legislator.objects.create(name=name or f"Person {next(_seq)}", **extra)


def account(member, platform=Platform.X, handle=None, **extra):
    if extra.get("last_success_at") and "status" not in extra:
        extra["status"] = SocialAccount.Status.OK  # a polled account, as the poller leaves it
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


LATER_GRANTS = {
    # Permissions that data migrations after metrics 0002 add to the groups.
    "Analyst": ["metrics.add_followersnapshot"],
    "Editor": [
        "metrics.add_followersnapshot",
        "metrics.poll_now",
        "legislators.view_handlechange",
        "legislators.add_importbatch",
        "legislators.view_importbatch",
        "legislators.view_auditentry",
    ],
}


def group(name):
    """The group made by the data migrations; remade with their permissions
    when a transactional test before this one flushed the database."""
    if not Group.objects.filter(name=name).exists():
        ensure_groups(Group, Permission)
        for group_name, names in LATER_GRANTS.items():
            found = Group.objects.get(name=group_name)
            for full_name in names:
                app_label, codename = full_name.split(".")
                found.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return Group.objects.get(name=name)


def user(username, group_name=None, *, divisions=(), districts=(), whole_state=None, **extra):
    """A user in ``group_name``; limited to ``divisions``/``districts`` when given, else the whole state
    (``whole_state=False`` with no places: a user without any scope, who sees nothing)."""
    person = User.objects.create_user(username=username, password="correct horse battery", **extra)
    if group_name:
        person.groups.add(group(group_name))
    limited = bool(divisions or districts)
    if whole_state is None:
        whole_state = not limited
    if whole_state or limited:
        scope = UserScope.objects.create(user=person, whole_state=whole_state)
        scope.divisions.set(divisions)
        scope.districts.set(districts)
    return person


def many_members(
    count, *, district_=None, electors=200_000, platforms=(Platform.X, Platform.FACEBOOK), days=(0, 7, 30)
):
    """``count`` members with a constituency, a voter roll, accounts and a few
    days of counts, in a handful of bulk inserts (for query-count tests)."""
    place_district = district_ or district()
    today = timezone.localdate()
    batch = next(_seq)
    # Each batch numbers its constituencies from 1 under a state code of its own
    # (numbers are small integers, unique per state).
    state_code = f"{chr(65 + batch // 26 % 26)}{chr(65 + batch % 26)}"
    places = Constituency.objects.bulk_create(
        [
            Constituency(
                state_code=state_code, number=index + 1, name=f"Bulk {state_code} {index + 1}", district=place_district
            )
            for index in range(count)
        ]
    )
    VoterRoll.objects.bulk_create(
        [
            VoterRoll(constituency=place, published_on=today - timedelta(days=400), total_electors=electors)
            for place in places
        ]
    )
    members = Legislator.objects.bulk_create(
        [Legislator(name=f"Bulk member {place.name}", constituency=place) for place in places]
    )
    _bulk_terms(members)
    accounts = SocialAccount.objects.bulk_create(
        [
            SocialAccount(legislator=member, platform=platform, handle=f"bulk_{member.pk}_{platform}")
            for member in members
            for platform in platforms
        ]
    )
    now = timezone.now()
    snapshots, latest = [], []
    for index, account_ in enumerate(accounts):
        for offset in sorted(days, reverse=True):
            followers = 4_000 + index * 10 - offset * 5
            snapshots.append(
                FollowerSnapshot(
                    account=account_,
                    day=today - timedelta(days=offset),
                    followers=followers,
                    posts=100 - offset,
                    fetched_at=now,
                )
            )
        latest.append(
            LatestCount(
                account=account_, day=today, followers=4_000 + index * 10, posts=100, source=Source.API, fetched_at=now
            )
        )
    FollowerSnapshot.objects.bulk_create(snapshots)
    LatestCount.objects.bulk_create(latest)
    return members


def _bulk_terms(members):
    """One open term per member in its (current) seat, in one insert."""
    Term.objects.bulk_create(
        Term(legislator=m, constituency_id=m.constituency_id, party_id=m.party_id, start=EARLIEST_ROLE_DAY)
        for m in members
    )


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
    _bulk_terms(members)
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
