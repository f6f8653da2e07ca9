"""The standings engine and the other reads that span relations.

``standings()`` is the one selector behind every page, export and command.
It issues a fixed number of queries whatever the number of members:

1. the target in force;
2. the members, with party, constituency, district and division joined and
   the electors of the voter roll in force annotated;
3. the members' accounts, with each account's count on the day and on the
   growth baselines annotated: a join with each baseline day's rows (the
   exact day), falling back to the latest row before it only for an account
   without a row that day; today's count comes from LatestCount instead.

Python then adds each member's accounts together: a few dictionary
operations per account, no query.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Case, Count, F, FilteredRelation, OuterRef, Q, Subquery, Sum, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Abs, Cast, Coalesce
from django.utils import timezone

from legislators.models import MINISTER_ROLES, Legislator, Platform, Role, SocialAccount, VoterRoll

from . import arithmetic
from .models import FollowerSnapshot, Target

DEFAULT_TARGET_PERCENT = 5.0
DEFAULT_STRETCH_PERCENT = 6.0
GROWTH_WINDOWS = (7, 30, 90)
PLATFORMS = [choice.value for choice in Platform]


@dataclass(frozen=True)
class TargetInForce:
    percent: float
    stretch_percent: float
    effective_from: date | None


@dataclass
class MemberStanding:
    id: int
    name: str
    name_hi: str
    role: str
    role_label: str
    portfolio: str
    party: str
    party_colour: str
    constituency_number: int | None
    constituency_name: str
    constituency_name_hi: str
    district_id: int | None
    district: str
    district_hi: str
    division_id: int | None
    division: str
    division_hi: str
    electors: int | None
    followers: dict = field(default_factory=dict)  # platform -> followers (None: no count)
    posts_30: dict = field(default_factory=dict)  # platform -> posts in the last 30 days
    reach: int | None = None
    share: float | None = None
    status: arithmetic.Status = arithmetic.Status.NOT_APPLICABLE
    needed: int | None = None
    growth: dict = field(default_factory=dict)  # window days -> growth (None: unknown)
    stagnant: bool = False
    projection: arithmetic.Projection = arithmetic.Projection(unknown=True)
    accounts: int = 0
    na_reason: str = ""

    @property
    def growth_7(self):
        return self.growth.get(7)

    @property
    def growth_30(self):
        return self.growth.get(30)

    @property
    def growth_90(self):
        return self.growth.get(90)

    @property
    def growth_30_percent(self):
        growth = self.growth.get(30)
        if growth is None or not self.reach or self.reach - growth <= 0:
            return None
        return growth * 100.0 / (self.reach - growth)


@dataclass
class Standings:
    day: date
    target: TargetInForce
    members: list
    platform: str = ""

    @property
    def tracked(self):
        return len(self.members)

    @property
    def with_share(self):
        return [m for m in self.members if m.status != arithmetic.Status.NOT_APPLICABLE]

    @property
    def not_applicable(self):
        return [m for m in self.members if m.status == arithmetic.Status.NOT_APPLICABLE]

    @property
    def meeting_target(self):
        return [m for m in self.members if m.status in (arithmetic.Status.MEETS, arithmetic.Status.STRETCH)]

    @property
    def meeting_stretch(self):
        return [m for m in self.members if m.status == arithmetic.Status.STRETCH]

    @property
    def stagnant(self):
        return [m for m in self.members if m.stagnant]

    def summary(self):
        counted = len(self.with_share)
        meets = len(self.meeting_target)
        stretch = len(self.meeting_stretch)
        reasons = {}
        for member in self.not_applicable:
            reasons[member.na_reason] = reasons.get(member.na_reason, 0) + 1
        return {
            "tracked": self.tracked,
            "counted": counted,
            "not_applicable": self.tracked - counted,
            "not_applicable_reasons": reasons,
            "meets": meets,
            "meets_share": meets * 100.0 / counted if counted else None,
            "stretch": stretch,
            "stretch_share": stretch * 100.0 / counted if counted else None,
            "stagnant": len(self.stagnant),
            "total_reach": sum(m.reach or 0 for m in self.with_share),
            "total_electors": sum(m.electors or 0 for m in self.with_share),
        }


def today():
    """Days are Asia/Kolkata days (settings.TIME_ZONE)."""
    return timezone.localdate()


def target_in_force(*, day):
    target = Target.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if target is None:
        # Before the first Target (or with none at all) the design's default holds.
        return TargetInForce(DEFAULT_TARGET_PERCENT, DEFAULT_STRETCH_PERCENT, None)
    return TargetInForce(float(target.percent), float(target.stretch_percent), target.effective_from)


def electors_in_force_expression(*, day, constituency_ref="constituency_id"):
    """The total of the newest roll published on or before ``day``, else the oldest."""
    rolls = VoterRoll.objects.filter(constituency_id=OuterRef(constituency_ref))
    newest_before = rolls.filter(published_on__lte=day).order_by("-published_on").values("total_electors")[:1]
    oldest = rolls.order_by("published_on").values("total_electors")[:1]
    return Coalesce(Subquery(newest_before), Subquery(oldest))


def count_on_or_before(*, day, field_name="followers"):
    """The account's latest snapshot value on or before ``day`` (served by the unique index)."""
    return Subquery(
        FollowerSnapshot.objects.filter(account_id=OuterRef("pk"), day__lte=day).order_by("-day").values(field_name)[:1]
    )


def members_queryset(*, day, scope_user=None, role="", party=None, division=None, district=None, search=""):
    """The members in office on ``day`` matching the filters (no accounts yet)."""
    members = Legislator.objects.filter(active=True).filter(
        Q(term_start__isnull=True) | Q(term_start__lte=day),
        Q(term_end__isnull=True) | Q(term_end__gte=day),
    )
    if scope_user is not None:
        members = restrict_to_scope(members, user=scope_user)
    if role == "ministers":
        members = members.filter(role__in=MINISTER_ROLES)
    elif role:
        members = members.filter(role=role)
    if party:
        members = members.filter(party_id=party)
    if division:
        members = members.filter(constituency__district__division_id=division)
    if district:
        members = members.filter(constituency__district_id=district)
    if search:
        members = members.filter(Q(name__icontains=search) | Q(name_hi__icontains=search))
    return members


def restrict_to_scope(members, *, user, prefix=""):
    """Only the members a division/district-limited user may see."""
    scope = getattr(user, "scope", None) if user.is_authenticated else None
    if user.is_superuser or scope is None:
        return members
    division_ids = [division.pk for division in scope.divisions.all()]
    district_ids = [district.pk for district in scope.districts.all()]
    if not division_ids and not district_ids:
        return members
    return members.filter(
        Q(**{f"{prefix}constituency__district__division_id__in": division_ids})
        | Q(**{f"{prefix}constituency__district_id__in": district_ids})
    )


def standings(
    *,
    day=None,
    scope_user=None,
    role="",
    party=None,
    division=None,
    district=None,
    platform="",
    status="",
    search="",
    member_ids=None,
):
    """Every member's standing on ``day`` (default: today), filtered."""
    day = day or today()
    target = target_in_force(day=day)
    members = members_queryset(
        day=day, scope_user=scope_user, role=role, party=party, division=division, district=district, search=search
    )
    if member_ids is not None:
        members = members.filter(pk__in=member_ids)
    # Plain rows, not model instances: five instances per member (member,
    # party, seat, district, division) cost more than the query at 5,000 members.
    rows = _plain_rows(
        members.annotate(electors=electors_in_force_expression(day=day))
        .order_by("name", "pk")
        .values(*MEMBER_FIELDS.values(), "electors")
    )
    totals_by_member = _account_counts(day=day, members=members, platform=platform)
    # Translated once per call, not once per member.
    role_labels = {value: str(label) for value, label in Role.choices}

    result = []
    for row in rows:
        standing = _member_standing(
            row, totals_by_member.get(row["id"], {}), day=day, target=target, role_labels=role_labels
        )
        result.append(standing)
    if status:
        result = [m for m in result if _matches_status(m, status)]
    return Standings(day=day, target=target, members=result, platform=platform)


def count_on_day(alias, *, day, field_name="followers"):
    """The account's value on ``day`` from the exact day's row joined as ``alias``.

    Polling stores a row per account per day, so the exact day's row is
    almost always there: one join over that day's rows (the day indexes)
    instead of a probe per account into its history. Only an account without
    a row that day falls back to its latest row before it.
    """
    return Case(
        When(**{f"{alias}__isnull": False}, then=F(f"{alias}__{field_name}")),
        default=_account_count_before(day=day, field_name=field_name),
        output_field=BigIntegerField(),
    )


def _account_count_before(*, day, field_name):
    """count_on_or_before for a SocialAccount query, as SQL text.

    The same subquery, written once: the standings aggregate uses it a dozen
    times and cloning a QuerySet subquery for each use cost more (~25 ms a
    call) than running the whole query for one member.
    """
    quote = connection.ops.quote_name
    snapshots = quote(FollowerSnapshot._meta.db_table)
    accounts = quote(SocialAccount._meta.db_table)
    return RawSQL(
        f"SELECT s.{quote(field_name)} FROM {snapshots} s WHERE s.{quote('account_id')} = {accounts}.{quote('id')}"
        f" AND s.{quote('day')} <= %s ORDER BY s.{quote('day')} DESC LIMIT 1",
        [day],
        output_field=BigIntegerField(),
    )


def _account_counts(*, day, members, platform):
    """Each member's accounts added up in the database: one row per member.

    For each member: the number of accounts, the followers per platform (the
    sum of the counts present; None when none of that platform's accounts has
    a count), the growth per window (summed over accounts measured at both
    ends: SUM skips the others, NULL when there is none) and the posts per
    platform over 30 days.
    """
    accounts = SocialAccount.objects.filter(active=True, legislator__in=members.values("pk"))
    if platform:
        accounts = accounts.filter(platform=platform)
    days = {f"day_{window}": day - timedelta(days=window) for window in GROWTH_WINDOWS}
    if day >= today():
        # Nothing is stored after today, so the latest count is the count on the day.
        followers_now = F("latest__followers")
        posts_now = F("latest__posts")
    else:
        days["day_0"] = day
        followers_now = count_on_day("day_0", day=day)
        posts_now = count_on_day("day_0", day=day, field_name="posts")
    accounts = accounts.annotate(
        **{alias: FilteredRelation("snapshots", condition=Q(snapshots__day=value)) for alias, value in days.items()}
    )
    posts_before = count_on_day("day_30", day=days["day_30"], field_name="posts")
    delta = posts_now - posts_before
    # Twice max(0, delta), halved after summing: never negative (a deleted
    # post is not "minus one"), NULL (left out) when either end is missing,
    # which GREATEST would not give on PostgreSQL (it skips NULLs).
    twice_posts_added = delta + Abs(delta)
    totals = {"accounts": Count("pk"), "reach": Sum(followers_now)}
    for window in GROWTH_WINDOWS:
        before = count_on_day(f"day_{window}", day=days[f"day_{window}"])
        totals[f"growth_{window}"] = Sum(followers_now - before)
    for name in PLATFORMS:
        on_platform = Q(platform=name)
        totals[f"accounts_{name}"] = Count("pk", filter=on_platform)
        totals[f"followers_{name}"] = Sum(followers_now, filter=on_platform)
        totals[f"posts_30_{name}"] = Sum(twice_posts_added, filter=on_platform) / 2
    # SUM of bigint is numeric in PostgreSQL, read back as Decimal: cast it
    # back to bigint so 5,000 rows × 18 sums arrive as plain ints.
    totals = {
        name: total if isinstance(total, Count) else Cast(total, BigIntegerField()) for name, total in totals.items()
    }
    rows = accounts.values("legislator_id").annotate(**totals).order_by()
    return {row["legislator_id"]: row for row in _plain_rows(rows)}


def _plain_rows(queryset):
    """A values() queryset's rows as dicts, read straight from the cursor.

    Every column read this way is text, an integer or NULL in both
    databases, so the per-value converters Django applies (90,000 calls at
    5,000 members) are skipped; columns are named by their aliases in the
    query (values() aliases each column with its lookup path).
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


# MemberStanding field -> the members query's column.
MEMBER_FIELDS = {
    "id": "id",
    "name": "name",
    "name_hi": "name_hi",
    "role": "role",
    "portfolio": "portfolio",
    "party": "party__short_name",
    "party_colour": "party__colour",
    "constituency_id": "constituency_id",
    "constituency_number": "constituency__number",
    "constituency_name": "constituency__name",
    "constituency_name_hi": "constituency__name_hi",
    "district_id": "constituency__district_id",
    "district": "constituency__district__name",
    "district_hi": "constituency__district__name_hi",
    "division_id": "constituency__district__division_id",
    "division": "constituency__district__division__name",
    "division_hi": "constituency__district__division__name_hi",
}


def _member_standing(row, totals, *, day, target, role_labels):
    has_seat = row["constituency_id"] is not None
    standing = MemberStanding(
        id=row["id"],
        name=row["name"],
        name_hi=row["name_hi"],
        role=row["role"],
        role_label=role_labels.get(row["role"], row["role"]),
        portfolio=row["portfolio"],
        party=row["party__short_name"] or "",
        party_colour=row["party__colour"] or "#777777",
        constituency_number=row["constituency__number"],
        constituency_name=row["constituency__name"] or "",
        constituency_name_hi=row["constituency__name_hi"] or "",
        district_id=row["constituency__district_id"],
        district=row["constituency__district__name"] or "",
        district_hi=row["constituency__district__name_hi"] or "",
        division_id=row["constituency__district__division_id"],
        division=row["constituency__district__division__name"] or "",
        division_hi=row["constituency__district__division__name_hi"] or "",
        electors=row["electors"] if has_seat else None,
        accounts=totals.get("accounts", 0),
    )
    reach = totals.get("reach")
    growth = {window: totals.get(f"growth_{window}") for window in GROWTH_WINDOWS}
    for name in PLATFORMS:
        if totals.get(f"accounts_{name}"):
            standing.followers[name] = totals[f"followers_{name}"]
            if totals[f"posts_30_{name}"] is not None:
                standing.posts_30[name] = totals[f"posts_30_{name}"]
    standing.reach = reach
    standing.growth = growth
    standing.stagnant = arithmetic.is_stagnant(growth[30])
    if not has_seat:
        standing.na_reason = "no constituency"
    elif not standing.electors:
        standing.na_reason = "no voter roll"
    elif reach is None:
        standing.na_reason = "no follower count"
    standing.share = arithmetic.share_percent(reach, standing.electors)
    standing.status = arithmetic.standing_status(reach, standing.electors, target.percent, target.stretch_percent)
    if standing.status == arithmetic.Status.NOT_APPLICABLE:
        standing.share = None
    else:
        standing.needed = arithmetic.followers_needed(reach, standing.electors, target.percent)
    standing.projection = arithmetic.project_target_date(
        needed=standing.needed, growth=growth[30], window_days=30, today=day
    )
    return standing


def _matches_status(member, status):
    if status == "stagnant":
        return member.stagnant
    if status == "meets":
        return member.status in (arithmetic.Status.MEETS, arithmetic.Status.STRETCH)
    return member.status.value == status


def member_history(*, legislator_id, start=None, end=None):
    """Daily counts of one member's accounts: {platform: [(day, followers), ...]} and combined.

    One query; the combined line carries each account's last count forward
    over missing days so a gap in one account is not drawn as a drop.
    """
    snapshots = FollowerSnapshot.objects.filter(account__legislator_id=legislator_id, account__active=True)
    if start:
        snapshots = snapshots.filter(day__gte=start)
    if end:
        snapshots = snapshots.filter(day__lte=end)
    rows = snapshots.order_by("day").values_list("account_id", "account__platform", "day", "followers")
    last = {}  # account -> its last count
    totals = {}  # platform -> the sum of its accounts' last counts
    series = {}
    combined = []

    def close(day):
        for platform, total in totals.items():
            series.setdefault(platform, []).append((day, total))
        combined.append((day, sum(totals.values())))

    # One pass in day order, keeping running totals (three years of four
    # accounts is ~4,400 rows).
    current = None
    for account_id, platform, day, followers in rows:
        if day != current:
            if current is not None:
                close(current)
            current = day
        totals[platform] = totals.get(platform, 0) + followers - last.get(account_id, 0)
        last[account_id] = followers
    if current is not None:
        close(current)
    return {"platforms": series, "combined": combined}


def voter_rolls_for(*, constituency_id):
    return list(VoterRoll.objects.filter(constituency_id=constituency_id).order_by("published_on"))


def next_election_date():
    return date.fromisoformat(settings.NEXT_ELECTION_DATE)


@dataclass
class Rollup:
    """A division's or district's totals: attainment is elector-weighted."""

    key: int | None
    name: str
    name_hi: str
    members: int = 0
    counted: int = 0
    meets: int = 0
    stretch: int = 0
    stagnant: int = 0
    not_applicable: int = 0
    total_reach: int = 0
    total_electors: int = 0
    division_id: int | None = None
    division: str = ""

    @property
    def attainment(self):
        return arithmetic.weighted_attainment(self.total_reach, self.total_electors)

    @property
    def meets_share(self):
        return self.meets * 100.0 / self.counted if self.counted else None


def rollups(standings, *, by="district"):
    """Group a Standings' members by "division" or "district" (no query).

    Only members with a share count toward reach, electors and attainment;
    n/a members are counted apart.
    """
    if by not in ("division", "district"):
        raise ValueError("by must be 'division' or 'district'")
    groups = {}
    for member in standings.members:
        key = getattr(member, f"{by}_id")
        group = groups.get(key)
        if group is None:
            group = groups[key] = Rollup(
                key=key,
                name=getattr(member, by) or "",
                name_hi=getattr(member, f"{by}_hi") or "",
                division_id=member.division_id,
                division=member.division,
            )
        group.members += 1
        if member.stagnant:
            group.stagnant += 1
        if member.status == arithmetic.Status.NOT_APPLICABLE:
            group.not_applicable += 1
            continue
        group.counted += 1
        group.total_reach += member.reach or 0
        group.total_electors += member.electors or 0
        if member.status in (arithmetic.Status.MEETS, arithmetic.Status.STRETCH):
            group.meets += 1
        if member.status == arithmetic.Status.STRETCH:
            group.stretch += 1
    return sorted(groups.values(), key=lambda g: (g.key is None, g.name.lower()))
