"""The live standings: every member's standing on a day worked out from the counts, in a fixed number of queries.

``live_standings()`` is the one computation (``engine.standings()`` reads
its results from the table kept day by day when it holds the day, and
calls this otherwise; ``daily`` stores its results). It issues a fixed
number of queries whatever the number of members:

1. the target in force;
2. one query joining two parts: the members (the people with a term
   covering the day), with that term's party, constituency, district and
   division joined, the appointment held that day and the electors of the
   voter roll in force annotated; and beside each member, its accounts added up in the
   database: each account's count on the day and on the growth baselines
   (a join with each baseline day's rows, the exact day, falling back to
   the latest row before it only for an account without a row that day;
   today's count comes from LatestCount instead).

Python then works out each member's standing from its row: no query.
"""

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, F, FilteredRelation, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legislators.access import restrict_to_scope
from legislators.models import MINISTER_ROLES, Appointment, Aspirant, Legislator, Role
from legislators.rolls import roll_in_force_annotations
from metrics import arithmetic
from metrics.models import Target

from .engine_sql import GROWTH_WINDOWS, PLATFORMS, TOTAL_COLUMNS, account_totals_sql, since_columns

DEFAULT_TARGET_PERCENT = 5.0
DEFAULT_STRETCH_PERCENT = 6.0
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
    # The voter roll the electors come from (published_on); after the day when the day is before the
    # seat's first roll, whose figure is used then (roll_after_day: pages and exports say so).
    roll_day: date | None = None
    roll_after_day: bool = False
    followers: dict = field(default_factory=dict)  # platform -> followers (None: no count)
    posts_30: dict = field(default_factory=dict)  # platform -> posts in the last 30 days
    reach: int | None = None
    share: float | None = None
    status: arithmetic.Status = arithmetic.Status.NOT_APPLICABLE
    needed: int | None = None
    growth: dict = field(default_factory=dict)  # window days -> growth (None: unknown)
    stagnant: bool = False
    projection: arithmetic.Projection = arithmetic.Projection(unknown=True)
    # Slipping: meets the target but lost followers over 30 days; when the share falls below each line
    # at that rate (None: not falling toward it).
    slipping: bool = False
    falls_below_target: arithmetic.Projection | None = None
    falls_below_stretch: arithmetic.Projection | None = None
    accounts: int = 0
    na_reason: str = ""
    party_id: int | None = None  # the term's on the day (kept in the daily standings table)
    constituency_id: int | None = None
    flags: list = field(default_factory=list)  # Flag, filled by member_flags() for the rows a page shows
    # With standings(growth_since=D): "" (combined) or a platform -> (growth, base) since D; None: unknown.
    since: dict = field(default_factory=dict)

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
    # The local shares (metrics.audience.local) by member id, when the read already worked them out
    # (status="local" filters by them): a caller showing them reuses these instead of reading them again.
    local: dict | None = None

    @property
    def map_members(self):
        """The members the constituency map and the distribution chart read (all of them)."""
        return self.members

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

    @property
    def slipping(self):
        return [m for m in self.members if m.slipping]

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
            "slipping": len(self.slipping),
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


def _appointment_on_day(*, day, column):
    """A column of the appointment held on ``day`` (a correlated subquery served by the unique
    (legislator, start) index): at most one covers a day."""
    return Subquery(
        Appointment.objects.filter(legislator_id=OuterRef("pk"), start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .order_by("-start")
        .values(column)[:1]
    )


def role_on_day_expression(*, day):
    """The role held on ``day``: the appointment's (CM, Cabinet, MoS (I/C), MoS), else MLA."""
    return Coalesce(_appointment_on_day(day=day, column="role"), Value(Role.MLA.value))


# The term covering the day, joined once per person: its seat and party are the member's that day.
TERM = "term_on_day"


def members_queryset(
    *, day, scope_user=None, role="", party=None, division=None, district=None, search="", appointment=True
):
    """The members on ``day``: the active people with a term covering it, matching the filters.

    A Legislator queryset (pk = the person, so accounts and history stay one)
    joined with the term covering the day (``term_on_day``: at most one, as
    the terms of a person never overlap): seat, district, division and party
    are that term's, not the person's current ones. The role is the
    appointment held that day (``role_on_day``; MLA without one), and
    ``portfolio_on_day`` its portfolio. Aspirants without a term that day are
    not members: see ``aspirants_queryset``. ``appointment=False``: no ``role_on_day`` nor
    ``portfolio_on_day`` (a caller joining the appointment itself) unless the role filter needs it.
    """
    members = (
        Legislator.objects.filter(active=True)
        .annotate(
            **{
                TERM: FilteredRelation(
                    "terms",
                    condition=Q(terms__start__lte=day) & (Q(terms__end__isnull=True) | Q(terms__end__gte=day)),
                )
            }
        )
        .filter(**{f"{TERM}__isnull": False})
        .annotate(seat_id=F(f"{TERM}__constituency_id"), party_on_day_id=F(f"{TERM}__party_id"))
    )
    if scope_user is not None:
        members = restrict_to_scope(members, user=scope_user, prefix=f"{TERM}__")
    if appointment or role:
        members = members.annotate(
            role_on_day=role_on_day_expression(day=day),
            portfolio_on_day=Coalesce(_appointment_on_day(day=day, column="portfolio"), Value("")),
        )
    if role == "ministers":
        members = members.filter(role_on_day__in=MINISTER_ROLES)
    elif role:
        members = members.filter(role_on_day=role)
    if party:
        members = members.filter(party_on_day_id=party)
    if division:
        members = members.filter(**{f"{TERM}__constituency__district__division_id": division})
    if district:
        members = members.filter(**{f"{TERM}__constituency__district_id": district})
    if search:
        members = members.filter(Q(name__icontains=search) | Q(name_hi__icontains=search))
    return members


def aspirants_queryset(*, day, constituency=None):
    """The aspirants recorded for a seat on ``day`` (counted apart from the members: never in standings).

    The constituency page shows them beside the sitting member; the standings
    table keeps their rows apart (``aspirants``, ``DailyStanding.aspirant``).
    """
    aspirants = Aspirant.objects.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))
    if constituency is not None:
        aspirants = aspirants.filter(constituency=constituency)
    return aspirants.select_related("legislator", "constituency", "party")


def live_standings(
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
    growth_since=None,
    target=None,
):
    """Every member's standing on ``day`` (default: today), filtered (``target``: the target in force, when
    the caller has read it).

    ``growth_since``: also each member's growth since that day (``MemberStanding.since``),
    combined and per platform, by the same definition as the 7/30/90-day windows.
    """
    day = day or today()
    target = target or target_in_force(day=day)
    try:
        sql, params = live_query(
            day=day,
            scope_user=scope_user,
            role=role,
            party=party,
            division=division,
            district=district,
            search=search,
            member_ids=member_ids,
            platform=platform,
            growth_since=growth_since,
        )
    except EmptyResultSet:  # the filters match no one (an empty id list, an empty scope): no query
        return Standings(day=day, target=target, members=[], platform=platform)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row_type = namedtuple("MemberRow", [column[0].lower() for column in cursor.description])
        rows = [row_type._make(row) for row in cursor.fetchall()]
    # Translated once per call, not once per member.
    role_labels = {value: str(label) for value, label in Role.choices}
    result = [_member_standing(row, day=day, target=target, role_labels=role_labels) for row in rows]
    if status:
        result = [m for m in result if matches_status(m, status)]
    return Standings(day=day, target=target, members=result, platform=platform)


def live_query(
    *,
    day,
    scope_user=None,
    role="",
    party=None,
    division=None,
    district=None,
    search="",
    member_ids=None,
    platform="",
    growth_since=None,
    ordered=True,
):
    """(SQL, params) of the live engine's one query: each member's row (MEMBER_FIELDS, ``electors``,
    ``roll_day``) with its accounts' totals beside it (TOTAL_COLUMNS, and since_columns() with
    ``growth_since``), ordered by name unless ``ordered`` is False. Raises EmptyResultSet when the
    filters match no one."""
    # PostgreSQL: the appointment held on the day joined once for everyone (below), not looked up twice
    # per member by the correlated subqueries (a scan of the appointments each: ~9 ms at 500 members).
    joined = connection.vendor == "postgresql"
    members = members_queryset(
        day=day,
        scope_user=scope_user,
        role=role,
        party=party,
        division=division,
        district=district,
        search=search,
        appointment=not joined,
    )
    totals_of = members
    if member_ids is not None:
        chosen = _chosen(member_ids)
        members = members.filter(chosen)
        # The accounts' totals of the chosen people (the members among them keep theirs in the join below).
        totals_of = Legislator.objects.filter(chosen)
    fields = {name: column for name, column in MEMBER_FIELDS.items() if not (joined and name in APPOINTMENT_FIELDS)}
    # Plain rows, not model instances: five instances per member (member,
    # party, seat, district, division) cost more than the query at 5,000 members.
    member_rows = (
        members.annotate(**roll_in_force_annotations(day=day, constituency_ref="seat_id"))
        .order_by()
        .values(*fields.values(), "electors", "roll_day")
    )
    totals_sql, totals_params = account_totals_sql(
        day=day, members=totals_of, platform=platform, latest_is_current=day >= today(), growth_since=growth_since
    )
    # One query: each member's row with its accounts' totals beside it, read
    # as named rows (a namedtuple per row: no dict, no model instance).
    members_sql, members_params = member_rows.query.sql_with_params()
    quote = connection.ops.quote_name
    columns, column_params, join, join_params = [], [], "", []
    for name, column in MEMBER_FIELDS.items():
        if name in fields:
            columns.append(f"m.{quote(column)} AS {quote(name)}")
        else:  # the joined appointment's, as Coalesce(the subquery, default) gives it
            columns.append(f"COALESCE(ap.{quote(APPOINTMENT_FIELDS[name][0])}, %s) AS {quote(name)}")
            column_params.append(APPOINTMENT_FIELDS[name][1])
    columns += [f"m.{quote('electors')} AS electors", f"m.{quote('roll_day')} AS roll_day"]
    columns += [f"t.{column}" for column in TOTAL_COLUMNS]
    if growth_since is not None:
        columns += [f"t.{column}" for column in since_columns()]
    if joined:
        join, join_params = _appointment_join(day)
    order = " ORDER BY m.name, m.id" if ordered else ""
    sql = (
        f"SELECT {', '.join(columns)} FROM ({members_sql}) AS m"
        f" LEFT JOIN ({totals_sql}) AS t ON t.legislator_id = m.id{join}{order}"
    )
    return sql, (*column_params, *members_params, *totals_params, *join_params)


# Seat and party are the term's on the day; role and portfolio the appointment's (members_queryset).
MEMBER_FIELDS = {
    "id": "id",
    "name": "name",
    "name_hi": "name_hi",
    "role": "role_on_day",
    "portfolio": "portfolio_on_day",
    "party_id": "party_on_day_id",
    "party": f"{TERM}__party__short_name",
    "party_colour": f"{TERM}__party__colour",
    "constituency_id": "seat_id",
    "constituency_number": f"{TERM}__constituency__number",
    "constituency_name": f"{TERM}__constituency__name",
    "constituency_name_hi": f"{TERM}__constituency__name_hi",
    "district_id": f"{TERM}__constituency__district_id",
    "district": f"{TERM}__constituency__district__name",
    "district_hi": f"{TERM}__constituency__district__name_hi",
    "division_id": f"{TERM}__constituency__district__division_id",
    "division": f"{TERM}__constituency__district__division__name",
    "division_hi": f"{TERM}__constituency__district__division__name_hi",
}


def _appointment_join(day):
    """(SQL, params) joining ``ap``: the appointment covering the day with the latest start (at most one covers
    a day), the same row as _appointment_on_day's subquery, for every member at once (PostgreSQL)."""
    quote = connection.ops.quote_name
    end = quote("end")
    sql = (
        " LEFT JOIN (SELECT DISTINCT ON (a.legislator_id) a.legislator_id, a.role, a.portfolio"
        f" FROM {quote(Appointment._meta.db_table)} a WHERE a.start <= %s AND (a.{end} IS NULL OR a.{end} >= %s)"
        " ORDER BY a.legislator_id, a.start DESC) AS ap ON ap.legislator_id = m.id"
    )
    return sql, [day, day]


def _chosen(member_ids):
    """A filter to these people: on PostgreSQL one array parameter (the ORM prepares a placeholder per id of an
    IN list: ~1 ms for the 500 members a poll batch marks), elsewhere (or for no one) ``pk__in``."""
    ids = list(member_ids)
    if connection.vendor != "postgresql" or not ids:
        return Q(pk__in=ids)
    quote = connection.ops.quote_name
    column = f"{quote(Legislator._meta.db_table)}.{quote('id')}"
    return RawSQL(f"{column} = ANY(%s)", [ids], output_field=BooleanField())


# The member's columns that come from the appointment held on the day: (its column, the default without one).
APPOINTMENT_FIELDS = {"role": ("role", Role.MLA.value), "portfolio": ("portfolio", "")}


def who_and_where(row, role_labels):
    """A member's names, role, party and places from a row of the live query or of the stored table (the
    same column names in both): the MemberStanding fields they share."""
    return {
        "name": row.name,
        "name_hi": row.name_hi,
        "role": row.role,
        "role_label": role_labels.get(row.role, row.role),
        "portfolio": row.portfolio,
        "party": row.party or "",
        "party_colour": row.party_colour or "#777777",
        "constituency_number": row.constituency_number,
        "constituency_name": row.constituency_name or "",
        "constituency_name_hi": row.constituency_name_hi or "",
        "district_id": row.district_id,
        "district": row.district or "",
        "district_hi": row.district_hi or "",
        "division_id": row.division_id,
        "division": row.division or "",
        "division_hi": row.division_hi or "",
    }


def _member_standing(row, *, day, target, role_labels):
    """A member's standing from its named row: MEMBER_FIELDS, ``electors``, then TOTAL_COLUMNS.

    Every column is text, an integer or NULL in both databases, read straight
    from the cursor (no per-value converters: 175,000 values at 5,000 members).
    """
    has_seat = row.constituency_id is not None
    electors = row.electors if has_seat else None
    standing = MemberStanding(
        id=row.id,
        **who_and_where(row, role_labels),
        electors=electors,
        roll_day=as_date(row.roll_day) if has_seat else None,
        accounts=row.accounts or 0,  # NULL: no account (the LEFT JOIN found no totals)
        party_id=row.party_id,
        constituency_id=row.constituency_id,
    )
    standing.roll_after_day = standing.roll_day is not None and standing.roll_day > day
    standing.growth = {window: getattr(row, f"growth_{window}") for window in GROWTH_WINDOWS}
    if hasattr(row, "growth_since"):
        standing.since[""] = (row.growth_since, row.base_since)
        for platform in PLATFORMS:
            standing.since[platform] = (
                getattr(row, f"growth_since_{platform}"),
                getattr(row, f"base_since_{platform}"),
            )
    for platform in PLATFORMS:
        if getattr(row, f"accounts_{platform}"):  # the member has accounts on the platform
            standing.followers[platform] = getattr(row, f"followers_{platform}")
            posts = getattr(row, f"posts_30_{platform}")
            if posts is not None:
                standing.posts_30[platform] = posts
    reach = standing.reach = row.reach
    growth_30 = standing.growth[30]
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
    standing.slipping = arithmetic.is_slipping(status=standing.status, growth=growth_30)
    if standing.slipping:
        standing.falls_below_target, standing.falls_below_stretch = (
            arithmetic.project_fall_date(
                reach=reach, electors=electors, percent=percent, growth=growth_30, window_days=30, today=day
            )
            for percent in (target.percent, target.stretch_percent)
        )
    return standing


def as_date(value):
    """A date read straight from the cursor: SQLite gives its ISO text, PostgreSQL a date."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def matches_status(member, status):
    if status == "stagnant":
        return member.stagnant
    if status == "slipping":
        return member.slipping
    if status == "meets":
        return member.status in (arithmetic.Status.MEETS, arithmetic.Status.STRETCH)
    return member.status.value == status
