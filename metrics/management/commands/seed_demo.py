"""Deterministic synthetic data for one invented state (see legislators/demo_names.py)."""

import io
import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from follower_tracker.db import analyse_tables
from legislators import demo_names
from legislators.models import (
    Appointment,
    Constituency,
    District,
    Division,
    Legislator,
    Party,
    Platform,
    Role,
    SocialAccount,
    Term,
    VoterRoll,
)
from metrics.models import FollowerSnapshot, LatestCount, Source, Target
from metrics.polling.clients.demo import PROFILES, profile_for
from metrics.standings.daily import standings_rebuild

STATE_CODE = "DM"  # an invented state code: "demo"
PLATFORM_SHARE = {Platform.X: 0.35, Platform.FACEBOOK: 0.35, Platform.INSTAGRAM: 0.2, Platform.YOUTUBE: 0.1}
# The tables seed_demo fills, analysed once it commits.
SEEDED_MODELS = (
    Target,
    Party,
    Division,
    District,
    Constituency,
    VoterRoll,
    Legislator,
    Term,
    Appointment,
    SocialAccount,
    FollowerSnapshot,
    LatestCount,
)


class SnapshotWriter:
    """Writes the demo history in bulk: COPY on PostgreSQL, ``executemany`` elsewhere.

    A year of 688 accounts is ~250,000 rows; building a model object per row
    for ``bulk_create`` took 25 of the seed's 30 s on SQLite.
    """

    BATCH = 50_000
    COLUMNS = ("account_id", "day", "followers", "posts", "source", "fetched_at", "evidence_url")

    def __init__(self, fetched_at):
        self.ops = connection.ops
        self.fetched_at = fetched_at
        self.days = {}  # day -> its database value
        self.rows = []

    def add(self, account_id, day, followers, posts):
        value = self.days.get(day)
        if value is None:
            value = self.days[day] = self.ops.adapt_datefield_value(day)
        self.rows.append((account_id, value, followers, posts))
        if len(self.rows) >= self.BATCH:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        table = FollowerSnapshot._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                null = "\\N"
                tail = f"\t{Source.DEMO.value}\t{self.fetched_at.isoformat()}\t\n"
                buffer = io.StringIO(
                    "".join(
                        f"{account}\t{day}\t{followers}\t{null if posts is None else posts}{tail}"
                        for account, day, followers, posts in self.rows
                    )
                )
                cursor.copy_expert(f"COPY {table} ({', '.join(self.COLUMNS)}) FROM STDIN", buffer)
            else:
                fetched_at = self.ops.adapt_datetimefield_value(self.fetched_at)
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(self.COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    [(*row, Source.DEMO.value, fetched_at, "") for row in self.rows],
                )
        self.rows = []


class Command(BaseCommand):
    help = "Fill an empty database with a deterministic, invented demo state."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--members", type=int, default=230)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when members exist already.")

    def handle(self, *args, seed, members, days, if_empty, **options):
        if members < 1 or days < 1:
            raise CommandError("--members and --days must be at least 1.")
        if Legislator.objects.exists():
            if if_empty:
                self.stdout.write("The database holds members already: demo data not added.")
                return
            if Legislator.objects.filter(is_demo=False).exists():
                raise CommandError("This database holds real (non-demo) members: seed_demo refuses to touch it.")
            raise CommandError("Demo data is present already; use a fresh database to seed again.")
        rng = random.Random(seed)
        with transaction.atomic():
            counts = self._seed(rng, members=members, days=days)
            self._poll_often()
        # The standings kept day by day, from the seeded history (then analysed), as a settled database has them.
        standings_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo state: {counts['members']} members, {counts['accounts']} accounts, "
                f"{counts['snapshots']} snapshots over {days} days, {counts['electors']:,} electors."
            )
        )

    def _poll_often(self):
        """A demo database is polled every minute, so a new user sees it move."""
        interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.MINUTES)
        PeriodicTask.objects.filter(name__startswith="Poll ").update(interval=interval)

    def _seed(self, rng, *, members, days):
        today = timezone.localdate()
        Target.objects.get_or_create(effective_from=today - timedelta(days=days + 400), defaults={"note": "Demo"})
        parties = [
            Party.objects.create(name=n, name_hi=demo_names.PARTY_NAMES_HI.get(s, ""), short_name=s, colour=c)
            for n, s, c in demo_names.PARTIES
        ]
        districts, place_names = _districts(rng, members)
        constituencies = _constituencies(rng, members, districts, place_names)
        rolls, electors_total = _voter_rolls(rng, constituencies, today=today, days=days)
        legislators = _members(rng, constituencies, parties, today=today, days=days)
        _terms_and_appointments(legislators)
        accounts, plans = _accounts(rng, legislators, current_rolls=rolls[1::2])
        _history(rng, accounts, plans, today=today, days=days)
        _history_by_day()
        # The first user after the seed gets the plans of a settled database (after the commit).
        analyse_tables(*SEEDED_MODELS)
        return {
            "members": len(legislators),
            "accounts": len(accounts),
            "snapshots": FollowerSnapshot.objects.count(),
            "electors": electors_total,
        }


def _districts(rng, members):
    """The divisions and about one district per 4.6 members (at most 50), named from the shuffled place names;
    returns the districts and the place names (the seats are named after them too)."""
    divisions = [Division.objects.create(name=n, name_hi=h) for n, h in demo_names.DIVISION_NAMES]
    district_count = max(1, min(50, round(members / 4.6)))
    districts = []
    place_names = [(s + x, sh + xh) for s, sh in demo_names.STEMS for x, xh in demo_names.SUFFIXES]
    rng.shuffle(place_names)
    for index in range(district_count):
        name, name_hi = place_names[index]
        districts.append(
            District.objects.create(division=divisions[index % len(divisions)], name=name, name_hi=name_hi)
        )
    return districts, place_names


def _constituencies(rng, members, districts, place_names):
    """One seat per member, named after its district (and a direction), each name once."""
    district_count = len(districts)
    constituencies = []
    used = set()
    for number in range(1, members + 1):
        district = districts[(number - 1) * district_count // members]
        name, name_hi = _seat_name(number, district, place_names, district_count, used)
        used.add(name)
        category = rng.choices(["GEN", "SC", "ST"], weights=[64, 15, 21])[0]
        constituencies.append(
            Constituency(
                state_code=STATE_CODE,
                number=number,
                name=name,
                name_hi=name_hi,
                district=district,
                reserved_category=category,
            )
        )
    return Constituency.objects.bulk_create(constituencies)


def _seat_name(number, district, place_names, district_count, used):
    """(name, name_hi) of seat ``number``: its district's name, else with a direction, not in ``used``."""
    name, name_hi = district.name, district.name_hi
    for direction, direction_hi in [("", "")] + demo_names.DIRECTIONS:
        candidate = f"{name} {direction}".strip()
        if candidate not in used:
            return candidate, f"{district.name_hi} {direction_hi}".strip()
    # More members than invented place names (a load test's 5,000): number the repeats.
    name, name_hi = place_names[(district_count + number) % len(place_names)]
    if name in used:
        name, name_hi = f"{name} {number}", f"{name_hi} {number}"
    return name, name_hi


def _voter_rolls(rng, constituencies, *, today, days):
    """Two rolls per seat, [older, revision] in seat order; returns them and the electors now in force."""
    rolls = []
    electors_total = 0
    for constituency in constituencies:
        electors = rng.randint(140_000, 330_000)
        electors_total += electors
        # An older roll and a revision inside the history, so the roll in force changes.
        rolls.append(
            VoterRoll(
                constituency=constituency,
                published_on=today - timedelta(days=days + 200),
                total_electors=round(electors * 0.97),
                source="Demo roll",
            )
        )
        rolls.append(
            VoterRoll(
                constituency=constituency,
                published_on=today - timedelta(days=days // 3),
                total_electors=electors,
                source="Demo revision",
            )
        )
    VoterRoll.objects.bulk_create(rolls)
    return rolls, electors_total


def _members(rng, constituencies, parties, *, today, days):
    """One member per seat: the first the chief minister, the next few ministers (of the first party)."""
    ministers = min(30, max(1, len(constituencies) // 8))
    legislators = []
    for index, constituency in enumerate(constituencies):
        given, given_hi = demo_names.GIVEN_NAMES[index % len(demo_names.GIVEN_NAMES)]
        family, family_hi = demo_names.FAMILY_NAMES[(index * 7 + index // 30) % len(demo_names.FAMILY_NAMES)]
        if index == 0:
            role = Role.CHIEF_MINISTER
        elif index < ministers:
            role = rng.choice(
                [Role.CABINET_MINISTER] * 3 + [Role.MINISTER_OF_STATE_INDEPENDENT, Role.MINISTER_OF_STATE]
            )
        else:
            role = Role.MLA
        party = parties[0] if index < ministers else rng.choices(parties, weights=[55, 35, 7, 3])[0]
        portfolio, portfolio_hi = rng.choice(demo_names.PORTFOLIOS) if role != Role.MLA else ("", "")
        legislators.append(
            Legislator(
                name=f"{given} {family}",
                name_hi=f"{given_hi} {family_hi}",
                party=party,
                constituency=constituency,
                role=role,
                portfolio=portfolio,
                portfolio_hi=portfolio_hi,
                term_start=today - timedelta(days=days + 30),
                is_demo=True,
            )
        )
    return Legislator.objects.bulk_create(legislators)


def _terms_and_appointments(legislators):
    """Each member's seat and party as one open term, each minister's office as an appointment."""
    Term.objects.bulk_create(
        Term(
            legislator=member,
            constituency_id=member.constituency_id,
            party_id=member.party_id,
            start=member.term_start,
            source="Demo",
        )
        for member in legislators
    )
    Appointment.objects.bulk_create(
        Appointment(
            legislator=member,
            role=member.role,
            portfolio=member.portfolio,
            portfolio_hi=member.portfolio_hi,
            start=member.term_start,
            source="Demo",
        )
        for member in legislators
        if member.role != Role.MLA
    )


def _accounts(rng, legislators, *, current_rolls):
    """Two to four accounts per member; returns them and, per account, (growth profile, followers today)."""
    accounts = []
    plans = []
    for legislator, constituency_roll in zip(legislators, current_rolls):
        platforms = [Platform.X, Platform.FACEBOOK] + rng.sample(
            [Platform.INSTAGRAM, Platform.YOUTUBE], rng.randint(0, 2)
        )
        profile = profile_for(legislator.name)
        # Today's share of electors lands between 1% and 10%: some meet the target, many do not.
        share_today = rng.uniform(0.01, 0.10)
        reach_today = constituency_roll.total_electors * share_today
        for platform in platforms:
            handle = f"demo_{legislator.pk}_{platform}"[:30]
            accounts.append(
                SocialAccount(
                    legislator=legislator,
                    platform=platform,
                    handle=handle,
                    platform_id=f"demo{legislator.pk}{platform[:2]}",
                    status=SocialAccount.Status.OK,
                )
            )
            # Each platform's part varies a little, so the lines of a chart do not overlap.
            weight = PLATFORM_SHARE[platform] * rng.uniform(0.6, 1.4)
            plans.append((profile, reach_today * weight / sum(PLATFORM_SHARE[p] for p in platforms)))
    return SocialAccount.objects.bulk_create(accounts), plans


def _history_by_day():
    """On PostgreSQL, lay the history out on disk day by day, as polling writes it (the seed writes it account
    by account): one day's rows then sit together, and "a day's counts" (the standings engine's growth
    baselines, a day's export) reads that day's pages, not every page of the table."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The foreign keys' deferred checks first: CLUSTER refuses a table with pending ones.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"CLUSTER {FollowerSnapshot._meta.db_table} USING snapshot_day_idx")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _history(rng, accounts, plans, *, today, days):
    """Each account's daily counts back from today (a few days missed), its latest count, its last poll."""
    now = timezone.now()
    writer = SnapshotWriter(now)
    latest = []
    for account, (profile, followers_today) in zip(accounts, plans):
        day, followers, posts = _account_history(rng, writer, account, profile, followers_today, today=today, days=days)
        latest.append(
            LatestCount(
                account=account,
                day=day,
                followers=followers,
                posts=posts,
                source=Source.DEMO,
                fetched_at=now,
            )
        )
    writer.flush()
    LatestCount.objects.bulk_create(latest, batch_size=5000)
    SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(last_checked_at=now, last_success_at=now)


def _account_history(rng, writer, account, profile, followers_today, *, today, days):
    """One account's daily counts, to ``writer``; returns the last (day, followers, posts)."""
    rate = PROFILES[profile]
    posts_per_day = rng.choice([0, 0.3, 1, 3]) if account.platform != Platform.FACEBOOK else None
    posts_today = rng.randint(200, 5000) if posts_per_day is not None else None
    missing = {rng.randrange(days) for _ in range(rng.randint(0, 6))}
    last_day = None
    for offset in range(days - 1, -1, -1):
        if offset in missing and offset != 0:
            continue
        day = today - timedelta(days=offset)
        followers = max(0, round(followers_today / ((1 + rate) ** offset) * rng.uniform(0.999, 1.001)))
        if profile == "stagnant":
            followers = round(followers_today)
        posts = None if posts_today is None else max(0, round(posts_today - posts_per_day * offset))
        writer.add(account.pk, day, followers, posts)
        last_day = (day, followers, posts)
    return last_day
