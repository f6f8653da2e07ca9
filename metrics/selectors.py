"""The standings engine and the other reads that span relations.

``standings()`` is the one selector behind every page, export and command.
It issues a fixed number of queries whatever the number of members:

1. the target in force;
2. one query joining two parts: the members, with party, constituency,
   district and division joined and the electors of the voter roll in force
   annotated; and beside each member, its accounts added up in the
   database: each account's count on the day and on the growth baselines
   (a join with each baseline day's rows, the exact day, falling back to
   the latest row before it only for an account without a row that day;
   today's count comes from LatestCount instead).

Python then works out each member's standing from its row: no query.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legislators.models import (
    MINISTER_ROLES,
    AccountStatus,
    District,
    Division,
    HandleChange,
    Legislator,
    Platform,
    Role,
    RoleChange,
    SocialAccount,
    VoterRoll,
)

from . import arithmetic
from .models import FetchRun, FollowerSnapshot, LatestCount, Target

DEFAULT_TARGET_PERCENT = 5.0
DEFAULT_STRETCH_PERCENT = 6.0
GROWTH_WINDOWS = (7, 30, 90)
PLATFORMS = [choice.value for choice in Platform]
# Why a member has no share: the stored reason is a stable key (exports use
# it), the label is what a page shows in the chosen language.
NA_REASON_LABELS = {
    "no constituency": _("no constituency"),
    "no voter roll": _("no voter roll"),
    "no follower count": _("no follower count yet"),
}


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
    flags: list = field(default_factory=list)  # Flag, filled by member_flags() for the rows a page shows

    @property
    def na_reason_label(self):
        return NA_REASON_LABELS.get(self.na_reason, self.na_reason)

    @property
    def daily_gain(self):
        """The current daily gain: the last 30 days' average."""
        return arithmetic.daily_rate(self.growth.get(30), 30)

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
            "not_applicable_labels": [
                (NA_REASON_LABELS.get(key, key), count) for key, count in sorted(reasons.items())
            ],
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


def role_on_day_expression(*, day):
    """The role held on ``day``: the newest RoleChange from on or before it, else the current role.

    A correlated subquery served by the unique (legislator, effective_from)
    index, so the role filter costs no extra query.
    """
    held = (
        RoleChange.objects.filter(legislator_id=OuterRef("pk"), effective_from__lte=day)
        .order_by("-effective_from")
        .values("role")[:1]
    )
    return Coalesce(Subquery(held), F("role"))


def members_queryset(*, day, scope_user=None, role="", party=None, division=None, district=None, search=""):
    """The members in office on ``day`` matching the filters (no accounts yet)."""
    members = Legislator.objects.filter(active=True).filter(
        Q(term_start__isnull=True) | Q(term_start__lte=day),
        Q(term_end__isnull=True) | Q(term_end__gte=day),
    )
    if scope_user is not None:
        members = restrict_to_scope(members, user=scope_user)
    members = members.annotate(role_on_day=role_on_day_expression(day=day))
    if role == "ministers":
        members = members.filter(role_on_day__in=MINISTER_ROLES)
    elif role:
        members = members.filter(role_on_day=role)
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
    limits = scope_limits(user)
    if limits is None:
        return members
    division_ids, district_ids = limits
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
    member_rows = (
        members.annotate(electors=electors_in_force_expression(day=day))
        .order_by()
        .values(*MEMBER_FIELDS.values(), "electors")
    )
    totals_sql, totals_params = _account_counts(day=day, members=members, platform=platform)
    # One query: each member's row with its accounts' totals beside it, in
    # the column order _member_standing unpacks (plain tuples: no dict per row).
    members_sql, members_params = member_rows.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = [f"m.{quote(column)}" for column in (*MEMBER_FIELDS.values(), "electors")]
    columns += [f"t.{column}" for column in TOTAL_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM ({members_sql}) AS m"
            f" LEFT JOIN ({totals_sql}) AS t ON t.legislator_id = m.id ORDER BY m.name, m.id",
            (*members_params, *totals_params),
        )
        rows = cursor.fetchall()
    # Translated once per call, not once per member.
    role_labels = {value: str(label) for value, label in Role.choices}
    result = [_member_standing(row, day=day, target=target, role_labels=role_labels) for row in rows]
    if status:
        result = [m for m in result if _matches_status(m, status)]
    return Standings(day=day, target=target, members=result, platform=platform)


def _account_counts(*, day, members, platform):
    """Each member's accounts added up in the database: (SQL, params) of one row per member.

    For each member: the number of accounts, the followers per platform (the
    sum of the counts present; NULL when none of that platform's accounts
    has a count), the growth per window (summed over accounts measured at
    both ends: SUM skips the others, NULL when there is none) and the posts
    per platform over 30 days.

    An account's count on a day comes from a join with that day's rows (the
    day index): polling stores a row per account per day, so the exact day's
    row is almost always there; only an account without one falls back to
    its latest row before the day. Today's count is LatestCount's.

    Written as SQL text (portable: SQLite and PostgreSQL), not as ORM
    expressions: two dozen aggregates with their CASEs cost the ORM ~10 ms to
    build and compile on every call, more than the query itself for one
    member. Days and platform names are written in as literals (ISO dates
    and the fixed platform values, nothing a user typed); the members'
    filters stay parameters.
    """
    quote = connection.ops.quote_name
    accounts = quote(SocialAccount._meta.db_table)
    snapshots = quote(FollowerSnapshot._meta.db_table)
    latest = quote(LatestCount._meta.db_table)
    members_sql, members_params = members.values("pk").order_by().query.sql_with_params()

    def literal(value):
        text = value.isoformat() if isinstance(value, date) else str(value)
        assert "'" not in text
        return f"'{text}'"

    def on_day(alias, field, on_day_):
        """The account's value on a day: the joined day's row's, else the latest row before it."""
        return (
            f"(CASE WHEN {alias}.id IS NOT NULL THEN {alias}.{field} ELSE (SELECT s.{field} FROM {snapshots} s"
            f" WHERE s.account_id = {accounts}.id AND s.day <= {literal(on_day_)} ORDER BY s.day DESC LIMIT 1) END)"
        )

    days = {f"d{window}": day - timedelta(days=window) for window in GROWTH_WINDOWS}
    if day >= today():
        # Nothing is stored after today, so the latest count is the count on the day.
        joins = [f"LEFT JOIN {latest} lc ON lc.account_id = {accounts}.id"]
        followers_now, posts_now = "lc.followers", "lc.posts"
    else:
        days["d0"] = day
        joins = []
        followers_now, posts_now = on_day("d0", "followers", day), on_day("d0", "posts", day)
    joins += [
        f"LEFT JOIN {snapshots} {alias} ON {alias}.account_id = {accounts}.id AND {alias}.day = {literal(on_day_)}"
        for alias, on_day_ in days.items()
    ]
    # Each account's values once (the inner query), then added up per member:
    # the per-platform sums reuse them instead of working them out again.
    values = [
        f"{accounts}.legislator_id AS legislator_id",
        f"{accounts}.id AS account_id",
        f"{accounts}.platform AS platform",
        f"{followers_now} AS now",
        *[f"{on_day(f'd{w}', 'followers', days[f'd{w}'])} AS before_{w}" for w in GROWTH_WINDOWS],
        f"{posts_now} - {on_day('d30', 'posts', days['d30'])} AS posts_change",
    ]
    columns = [
        "legislator_id",
        "COUNT(account_id) AS accounts",
        "CAST(SUM(now) AS BIGINT) AS reach",
        *[f"CAST(SUM(now - before_{w}) AS BIGINT) AS growth_{w}" for w in GROWTH_WINDOWS],
    ]
    for name in PLATFORMS:
        on_platform = f"platform = {literal(name)}"
        columns += [
            f"COUNT(CASE WHEN {on_platform} THEN 1 END) AS accounts_{name}",
            f"CAST(SUM(CASE WHEN {on_platform} THEN now END) AS BIGINT) AS followers_{name}",
            # Twice max(0, change), halved after summing: never negative (a
            # deleted post is not "minus one"), NULL (left out) when either end
            # is missing, which GREATEST would not give on PostgreSQL (it skips NULLs).
            f"CAST(SUM(CASE WHEN {on_platform} THEN posts_change + ABS(posts_change) END) / 2 AS BIGINT)"
            f" AS posts_30_{name}",
        ]
    where = f"{accounts}.active AND {accounts}.legislator_id IN ({members_sql})"
    params = list(members_params)
    if platform:
        where += f" AND {accounts}.platform = %s"
        params.append(platform)
    sql = (
        f"SELECT {', '.join(columns)} FROM (SELECT {', '.join(values)} FROM {accounts} {' '.join(joins)}"
        f" WHERE {where}) AS account_values GROUP BY legislator_id"
    )
    return sql, params


# MemberStanding field -> the members query's column.
MEMBER_FIELDS = {
    "id": "id",
    "name": "name",
    "name_hi": "name_hi",
    "role": "role_on_day",  # the role held on the day (members_queryset annotates it)
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


# The accounts' totals beside each member's columns (see _account_counts).
TOTAL_COLUMNS = (
    "accounts",
    "reach",
    *[f"growth_{window}" for window in GROWTH_WINDOWS],
    *[f"{column}_{name}" for name in PLATFORMS for column in ("accounts", "followers", "posts_30")],
)


def _member_standing(row, *, day, target, role_labels):
    """A member's standing from its row: MEMBER_FIELDS, the electors, then TOTAL_COLUMNS.

    Every column is text, an integer or NULL in both databases, read straight
    from the cursor (no per-value converters: 175,000 values at 5,000 members).
    """
    (
        id_,
        name,
        name_hi,
        role,
        portfolio,
        party,
        party_colour,
        constituency_id,
        constituency_number,
        constituency_name,
        constituency_name_hi,
        district_id,
        district,
        district_hi,
        division_id,
        division,
        division_hi,
        electors,
        accounts,
        reach,
        *rest,
    ) = row
    has_seat = constituency_id is not None
    if not has_seat:
        electors = None
    standing = MemberStanding(
        id=id_,
        name=name,
        name_hi=name_hi,
        role=role,
        role_label=role_labels.get(role, role),
        portfolio=portfolio,
        party=party or "",
        party_colour=party_colour or "#777777",
        constituency_number=constituency_number,
        constituency_name=constituency_name or "",
        constituency_name_hi=constituency_name_hi or "",
        district_id=district_id,
        district=district or "",
        district_hi=district_hi or "",
        division_id=division_id,
        division=division or "",
        division_hi=division_hi or "",
        electors=electors,
        accounts=accounts or 0,  # NULL: no account (the LEFT JOIN found no totals)
    )
    windows = len(GROWTH_WINDOWS)
    growth = dict(zip(GROWTH_WINDOWS, rest[:windows], strict=True))
    followers, posts_30 = standing.followers, standing.posts_30
    position = windows
    for platform in PLATFORMS:
        if rest[position]:  # the member has accounts on the platform
            followers[platform] = rest[position + 1]
            if rest[position + 2] is not None:
                posts_30[platform] = rest[position + 2]
        position += 3
    standing.reach = reach
    standing.growth = growth
    growth_30 = growth[30]
    standing.stagnant = arithmetic.is_stagnant(growth_30)
    if not has_seat:
        standing.na_reason = "no constituency"
    elif not electors:
        standing.na_reason = "no voter roll"
    elif reach is None:
        standing.na_reason = "no follower count"
    standing.status, standing.needed = arithmetic.standing(reach, electors, target.percent, target.stretch_percent)
    if standing.status != arithmetic.Status.NOT_APPLICABLE:
        standing.share = arithmetic.share_percent(reach, electors)
    standing.projection = arithmetic.project_target_date(
        needed=standing.needed, growth=growth_30, window_days=30, today=day
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
    query = snapshots.order_by("day").values_list("account_id", "account__platform", "day", "followers").query
    # Read straight from the cursor: three years of four accounts is ~4,400
    # rows, and the ORM's per-row work cost more than the query.
    with connection.cursor() as cursor:
        cursor.execute(*query.sql_with_params())
        rows = cursor.fetchall()
    last = {}  # account -> its last count
    totals = {}  # platform -> the sum of its accounts' last counts
    series = {}  # platform -> [(day, total), ...]
    combined = []
    # One pass in day order, keeping running totals (three years of four
    # accounts is ~4,400 rows); a day is closed when the next one starts.
    current = None
    for account_id, platform, day, followers in rows:
        if day != current:
            if current is not None:
                for name, total in totals.items():
                    series[name].append((current, total))
                combined.append((current, sum(totals.values())))
            current = day
        if platform not in totals:
            totals[platform] = 0
            series[platform] = []
        totals[platform] += followers - last.get(account_id, 0)
        last[account_id] = followers
    if current is not None:
        for name, total in totals.items():
            series[name].append((current, total))
        combined.append((current, sum(totals.values())))
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
        _add_to_rollup(group, member)
    return sorted(groups.values(), key=lambda g: (g.key is None, g.name.lower()))


def rollup_total(standings, *, name="", name_hi=""):
    """All of a Standings' members as one Rollup (no query)."""
    total = Rollup(key=None, name=name, name_hi=name_hi)
    for member in standings.members:
        _add_to_rollup(total, member)
    return total


def _add_to_rollup(group, member):
    group.members += 1
    if member.stagnant:
        group.stagnant += 1
    if member.status == arithmetic.Status.NOT_APPLICABLE:
        group.not_applicable += 1
        return
    group.counted += 1
    group.total_reach += member.reach or 0
    group.total_electors += member.electors or 0
    if member.status in (arithmetic.Status.MEETS, arithmetic.Status.STRETCH):
        group.meets += 1
    if member.status == arithmetic.Status.STRETCH:
        group.stretch += 1


# --- Who may see what ------------------------------------------------------


def scope_limits(user):
    """(division ids, district ids) a limited user may see, or None when unlimited."""
    scope = getattr(user, "scope", None) if user.is_authenticated else None
    if user.is_superuser or scope is None:
        return None
    division_ids = {division.pk for division in scope.divisions.all()}
    district_ids = {district.pk for district in scope.districts.all()}
    if not division_ids and not district_ids:
        return None
    return division_ids, district_ids


def visible_divisions(*, user):
    limits = scope_limits(user)
    divisions = Division.objects.all()
    if limits is None:
        return divisions
    division_ids, district_ids = limits
    return divisions.filter(Q(pk__in=division_ids) | Q(districts__pk__in=district_ids)).distinct()


def visible_districts(*, user):
    limits = scope_limits(user)
    districts = District.objects.select_related("division")
    if limits is None:
        return districts
    division_ids, district_ids = limits
    return districts.filter(Q(division_id__in=division_ids) | Q(pk__in=district_ids))


# --- Flags -------------------------------------------------------------------

STALE_AFTER_DAYS = settings.STALE_AFTER_DAYS
FLAG_WINDOW_DAYS = 30
RECENT_FLAG_DAYS = 7

FLAG_LABELS = {
    "inactive": _("Inactive"),
    "spike": _("Sudden rise"),
    "drop": _("Sudden drop"),
    "stale": _("Stale data"),
    "handle": _("Handle changed?"),
    "no_account": _("No account"),
}
FLAG_HELP = {
    "inactive": _("No posts in the last 30 days."),
    "spike": _("A day's gain far beyond this account's normal variation."),
    "drop": _("A day's loss far beyond this account's normal variation."),
    "stale": _("No count for more than 2 days."),
    "handle": _("The handle changed in the last 30 days, or the account was not found under its handle."),
    "no_account": _("No social account is recorded for this member."),
}


@dataclass(frozen=True)
class Flag:
    kind: str
    platform: str = ""
    day: date | None = None
    change: float | None = None

    @property
    def label(self):
        return FLAG_LABELS[self.kind]

    @property
    def help(self):
        return FLAG_HELP[self.kind]

    @property
    def platform_label(self):
        return Platform(self.platform).label if self.platform else ""


def member_flags(*, members, day, recent_days=RECENT_FLAG_DAYS):
    """{member id: [Flag, ...]} for standings rows, in two queries whatever their number.

    - inactive: a platform with a post count and no post in 30 days;
    - spike / drop: a change in the last ``recent_days`` days beyond the
      account's normal variation over the window (arithmetic.unusual_changes);
    - stale: an active account whose newest count is more than 2 days older than ``day``;
    - handle: an account renamed in the last 30 days (a HandleChange recorded
      by polling, the admin or an import), or not found under its handle.
    """
    members = {member.id: member for member in members}
    if not members:
        return {}
    accounts = list(
        SocialAccount.objects.filter(legislator_id__in=list(members), active=True)
        .annotate(
            renamed=Exists(
                HandleChange.objects.filter(
                    account_id=OuterRef("pk"), changed_on__gt=day - timedelta(days=30), changed_on__lte=day
                )
            )
        )
        .order_by("legislator_id", "platform", "pk")
        .values("pk", "legislator_id", "platform", "status", "renamed")
    )
    points = {}
    for account_id, snapshot_day, followers in _window_counts(
        [account["pk"] for account in accounts], start=day - timedelta(days=FLAG_WINDOW_DAYS), end=day
    ):
        points.setdefault(account_id, []).append((snapshot_day, followers))

    flags = {member_id: [] for member_id in members}
    for account in accounts:
        member_flags_ = flags[account["legislator_id"]]
        series = points.get(account["pk"], [])
        platform = account["platform"]
        if not series or series[-1][0] < day - timedelta(days=STALE_AFTER_DAYS):
            member_flags_.append(Flag("stale", platform, series[-1][0] if series else None))
        if account["renamed"] or account["status"] == AccountStatus.NOT_FOUND:
            member_flags_.append(Flag("handle", platform))
        for unusual in arithmetic.unusual_changes(series):
            if unusual.day > day - timedelta(days=recent_days):
                member_flags_.append(Flag(unusual.kind, platform, unusual.day, unusual.change))
    for member_id, member in members.items():
        if not member.accounts:
            flags[member_id].append(Flag("no_account"))
        for platform, posts in sorted(member.posts_30.items()):
            if posts == 0:
                flags[member_id].append(Flag("inactive", platform))
    return flags


def _window_counts(account_ids, *, start, end):
    """(account id, day, followers) of these accounts' rows in [start, end], by account and day.

    On PostgreSQL each account's days are read from the (account, day)
    index, one range per account: the planner, left to itself, scans the
    whole window's rows of every account through the day index and filters
    them (measured: 65 ms against 3 ms for 60 members at 20,000 accounts),
    because history written day by day looks cheaper to read by day.
    """
    if connection.vendor != "postgresql":
        return (
            FollowerSnapshot.objects.filter(account_id__in=account_ids, day__gte=start, day__lte=end)
            .values_list("account_id", "day", "followers")
            .order_by("account_id", "day")
        )
    table = connection.ops.quote_name(FollowerSnapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.account_id, s.day, s.followers
            FROM unnest(%s::bigint[]) AS a(id)
            CROSS JOIN LATERAL (
                SELECT account_id, day, followers FROM {table}
                WHERE account_id = a.id AND day >= %s AND day <= %s
                OFFSET 0  -- kept apart: not flattened into a join the planner would answer by day
            ) AS s
            ORDER BY s.account_id, s.day
            """,
            [sorted(account_ids), start, end],
        )
        return cursor.fetchall()


def _attach_flags(members, flags):
    for member in members:
        member.flags = flags.get(member.id, [])


# --- Pages: one selector each ---------------------------------------------

TOP_COUNT = 10


@dataclass
class TablePage:
    standings: Standings
    page: object  # a django.core.paginator.Page of MemberStanding
    furthest: list = field(default_factory=list)
    fastest: list = field(default_factory=list)
    total: Rollup | None = None


def table_page(*, scope_user, filters, sort, page_number, page_size=50, with_tops=False):
    """A sortable, paginated standings table (overview, district, stagnant list).

    Queries: the standings engine's, plus two for the flags of the rows shown.
    """
    from .filters import sort_members  # the sort keys live beside the filter form

    result = standings(scope_user=scope_user, **filters)
    page = Paginator(sort_members(result.members, sort), page_size).get_page(page_number)
    shown = list(page.object_list)
    furthest = fastest = []
    if with_tops:
        below = [m for m in result.members if m.status == arithmetic.Status.BELOW]
        furthest = sorted(below, key=lambda m: (m.share, m.name.lower()))[:TOP_COUNT]
        growing = [m for m in result.members if m.growth_30_percent is not None and m.growth_30_percent > 0]
        fastest = sorted(growing, key=lambda m: (-m.growth_30_percent, m.name.lower()))[:TOP_COUNT]
    flagged = {m.id: m for m in shown + furthest + fastest}
    _attach_flags(flagged.values(), member_flags(members=flagged.values(), day=result.day))
    return TablePage(standings=result, page=page, furthest=furthest, fastest=fastest, total=rollup_total(result))


@dataclass
class RollupPage:
    standings: Standings
    total: Rollup
    divisions: list
    districts: list


def rollup_page(*, scope_user, filters):
    """Division and district rollups of the filtered members (the standings engine's queries)."""
    result = standings(scope_user=scope_user, **filters)
    return RollupPage(
        standings=result,
        total=rollup_total(result),
        divisions=rollups(result, by="division"),
        districts=rollups(result, by="district"),
    )


@dataclass
class PlatformRow:
    platform: str
    label: str
    followers: int | None
    posts_30: int | None
    share: float | None

    @property
    def inactive(self):
        return self.posts_30 == 0


@dataclass
class MemberPage:
    legislator: Legislator
    standing: MemberStanding | None
    target: TargetInForce
    day: date
    deadline: date
    accounts: list
    platforms: list
    history: dict
    rolls: list
    flags: list
    daily_gain_needed: float | None
    unusual: list

    @property
    def has_youtube(self):
        return any(account.platform == Platform.YOUTUBE for account in self.accounts)


def member_page(*, legislator_id, scope_user, day=None, deadline=None):
    """Everything the member page shows, or None when the user may not see the member.

    A fixed number of queries: the member, the standings engine's, accounts,
    history, voter rolls and the two of the flags.
    """
    day = day or today()
    deadline = deadline or next_election_date()
    legislator = (
        restrict_to_scope(Legislator.objects.all(), user=scope_user)
        .select_related("party", "constituency__district__division")
        .filter(pk=legislator_id)
        .first()
    )
    if legislator is None:
        return None
    result = standings(day=day, member_ids=[legislator_id])
    standing = result.members[0] if result.members else None
    accounts = list(
        SocialAccount.objects.filter(legislator=legislator).select_related("latest").order_by("platform", "handle")
    )
    history = member_history(legislator_id=legislator_id, end=day)
    rolls = voter_rolls_for(constituency_id=legislator.constituency_id) if legislator.constituency_id else []
    flags = []
    platforms = []
    gain_needed = None
    if standing is not None:
        flags = member_flags(members=[standing], day=day, recent_days=FLAG_WINDOW_DAYS)[standing.id]
        for platform in PLATFORMS:
            if platform in standing.followers:
                followers = standing.followers[platform]
                platforms.append(
                    PlatformRow(
                        platform=platform,
                        label=Platform(platform).label,
                        followers=followers,
                        posts_30=standing.posts_30.get(platform),
                        share=arithmetic.share_percent(followers, standing.electors),
                    )
                )
        gain_needed = arithmetic.daily_gain_needed(needed=standing.needed, today=day, deadline=deadline)
    return MemberPage(
        legislator=legislator,
        standing=standing,
        target=result.target,
        day=day,
        deadline=deadline,
        accounts=accounts,
        platforms=platforms,
        history=history,
        rolls=rolls,
        flags=[flag for flag in flags if flag.kind not in ("spike", "drop")],
        daily_gain_needed=gain_needed,
        unusual=[flag for flag in flags if flag.kind in ("spike", "drop")],
    )


# --- Data freshness (analysts) ---------------------------------------------

PROBLEM_STATUSES = [
    AccountStatus.NOT_FOUND,
    AccountStatus.SUSPENDED,
    AccountStatus.PRIVATE,
    AccountStatus.HIDDEN,
    AccountStatus.ERROR,
]
FRESHNESS_LIST_LIMIT = 500


@dataclass
class PlatformFreshness:
    platform: str
    label: str
    run: FetchRun | None
    statuses: dict  # account status -> active accounts


@dataclass
class Freshness:
    now: object
    platforms: list
    stale: list
    stale_count: int
    problems: list
    problem_count: int
    no_account: list
    limit: int = FRESHNESS_LIST_LIMIT


def freshness(*, scope_user, now=None, stale_days=STALE_AFTER_DAYS, limit=FRESHNESS_LIST_LIMIT):
    """The last run per platform, accounts by status, stale and problem
    accounts, and members with no account: a fixed number of queries."""
    now = now or timezone.now()
    newest_run = FetchRun.objects.filter(platform=OuterRef("platform")).order_by("-started_at").values("pk")[:1]
    runs = {run.platform: run for run in FetchRun.objects.annotate(newest=Subquery(newest_run)).filter(pk=F("newest"))}

    members = members_queryset(day=timezone.localdate(now), scope_user=scope_user)
    accounts = SocialAccount.objects.filter(active=True, legislator__in=members.values("pk"))
    statuses = {}
    for row in accounts.values("platform", "status").annotate(count=Count("pk")).order_by():
        statuses.setdefault(row["platform"], {})[row["status"]] = row["count"]

    stale = accounts.filter(
        Q(last_success_at__isnull=True) | Q(last_success_at__lt=now - timedelta(days=stale_days))
    ).select_related("legislator", "latest")
    stale_list = list(stale.order_by(F("last_success_at").asc(nulls_first=True), "pk")[:limit])
    problems = accounts.filter(status__in=PROBLEM_STATUSES).select_related("legislator")
    problem_list = list(problems.order_by("platform", "status", "legislator__name", "pk")[:limit])
    no_account = list(
        members.annotate(has_account=Exists(SocialAccount.objects.filter(legislator=OuterRef("pk"), active=True)))
        .filter(has_account=False)
        .select_related("constituency__district")
        .order_by("name", "pk")
    )
    return Freshness(
        now=now,
        platforms=[
            PlatformFreshness(
                platform=platform,
                label=Platform(platform).label,
                run=runs.get(platform),
                statuses=statuses.get(platform, {}),
            )
            for platform in PLATFORMS
        ],
        stale=stale_list,
        stale_count=stale.count(),
        problems=problem_list,
        problem_count=problems.count(),
        no_account=no_account,
        limit=limit,
    )


@dataclass
class AccountFreshness:
    """One account's polling health, for the freshness page, its export and the digest."""

    account_id: int
    member_id: int
    member: str
    member_hi: str
    district: str
    division: str
    platform: str
    handle: str
    status: str
    status_label: str
    last_checked_at: object  # datetime | None
    last_success_at: object  # datetime | None
    latest_day: date | None
    latest_followers: int | None
    days_since_success: int | None
    stale: bool
    last_error: str


def freshness_accounts(
    *,
    scope_user=None,
    role="",
    party=None,
    division=None,
    district=None,
    platform="",
    search="",
    stale_only=False,
    stale_after_days=None,
    now=None,
    **_ignored,
):
    """Every active account of the members the filters select, most overdue first.

    Takes the standings filters (``StandingsFilterForm.selector_kwargs()``;
    ``day`` and ``status`` do not apply to accounts and are ignored). An
    account is stale when it never succeeded or its last success is older
    than ``stale_after_days`` (default settings.STALE_AFTER_DAYS). Order: never polled, then oldest success, then
    account id (the freshness page's order). One query.
    """
    now = now or timezone.now()
    members = members_queryset(
        day=timezone.localtime(now).date(),
        scope_user=scope_user,
        role=role,
        party=party,
        division=division,
        district=district,
        search=search,
    )
    accounts = SocialAccount.objects.filter(active=True, legislator__in=members.values("pk"))
    if platform:
        accounts = accounts.filter(platform=platform)
    cutoff = now - timedelta(days=stale_after_days or settings.STALE_AFTER_DAYS)
    if stale_only:
        accounts = accounts.filter(Q(last_success_at__isnull=True) | Q(last_success_at__lt=cutoff))
    accounts = accounts.select_related("legislator__constituency__district__division", "latest").order_by(
        F("last_success_at").asc(nulls_first=True), "pk"
    )
    status_labels = dict(SocialAccount._meta.get_field("status").choices)
    result = []
    for account in accounts:
        legislator = account.legislator
        district_ = legislator.constituency.district if legislator.constituency_id else None
        latest = getattr(account, "latest", None)
        success = account.last_success_at
        result.append(
            AccountFreshness(
                account_id=account.pk,
                member_id=legislator.pk,
                member=legislator.name,
                member_hi=legislator.name_hi,
                district=district_.name if district_ else "",
                division=district_.division.name if district_ else "",
                platform=account.platform,
                handle=account.handle,
                status=account.status,
                status_label=str(status_labels.get(account.status, account.status)),
                last_checked_at=account.last_checked_at,
                last_success_at=success,
                latest_day=latest.day if latest else None,
                latest_followers=latest.followers if latest else None,
                days_since_success=(now - success).days if success else None,
                stale=success is None or success < cutoff,
                last_error=account.last_error,
            )
        )
    return result


def last_runs_by_platform():
    """Each platform with its most recent fetch run (None when never polled): two queries."""
    from .models import FetchRun

    latest_ids = FetchRun.objects.filter(platform=OuterRef("platform")).order_by("-started_at").values("pk")[:1]
    runs = {
        run.platform: run
        for run in FetchRun.objects.filter(
            pk__in=FetchRun.objects.values("platform").annotate(last=Subquery(latest_ids)).values("last")
        )
    }
    return [(platform, runs.get(platform.value)) for platform in Platform]
