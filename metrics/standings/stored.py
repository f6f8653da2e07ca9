"""The standings read from the table kept day by day (``DailyStanding``): the same MemberStanding as the live engine.

One query for the day's rows (filtered and scoped in SQL, the names joined
from today's records as the live engine joins them, ordered by name), read
as named rows; the slipping members' fall dates are worked out from the
stored reach and growth with the target in force (``arithmetic``, as live).
"""

from collections import namedtuple

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q

from legislators.access import visible
from legislators.models import MINISTER_ROLES, Role
from metrics import arithmetic
from metrics.models import DailyStanding

from .engine_sql import GROWTH_WINDOWS, PLATFORMS
from .live import MemberStanding, as_date, who_and_where

# The columns read beside the row's own: today's names of the member and of that day's party and places.
NAMES = {
    "name": "member__name",
    "name_hi": "member__name_hi",
    "party": "party__short_name",
    "party_colour": "party__colour",
    "constituency_number": "constituency__number",
    "constituency_name": "constituency__name",
    "constituency_name_hi": "constituency__name_hi",
    "district": "district__name",
    "district_hi": "district__name_hi",
    "division": "division__name",
    "division_hi": "division__name_hi",
}
OWN = [
    "member_id",
    "role",
    "portfolio",
    "party_id",
    "constituency_id",
    "district_id",
    "division_id",
    "accounts",
    "platforms",
    *[f"followers_{platform}" for platform in PLATFORMS],
    *[f"posts_30_{platform}" for platform in PLATFORMS],
    "reach",
    "electors",
    "roll_day",
    "share",
    "status",
    "needed",
    *[f"growth_{window}" for window in GROWTH_WINDOWS],
    "stagnant",
    "projected_on",
    "projection",
    "na_reason",
]


def day_rows(*, day, scope_user=None, role="", party=None, division=None, district=None, search="", member_ids=None):
    """The stored rows of ``day`` matching the filters (a DailyStanding queryset, scoped by legislators.access)."""
    rows = DailyStanding.objects.filter(day=day, aspirant=False)
    if scope_user is not None:
        rows = visible(rows, user=scope_user)
    if role == "ministers":
        rows = rows.filter(role__in=MINISTER_ROLES)
    elif role:
        rows = rows.filter(role=role)
    if party:
        rows = rows.filter(party_id=party)
    if division:
        rows = rows.filter(division_id=division)
    if district:
        rows = rows.filter(district_id=district)
    if search:
        rows = rows.filter(Q(member__name__icontains=search) | Q(member__name_hi__icontains=search))
    if member_ids is not None:
        rows = rows.filter(member_id__in=member_ids)
    return rows


MEETING = [arithmetic.Status.MEETS.value, arithmetic.Status.STRETCH.value]


def status_filter(rows, status):
    """Only the rows of a status filter ("stagnant", "slipping", "meets" or a Status value), in SQL: the same
    members as ``live.matches_status`` keeps."""
    if status == "stagnant":
        return rows.filter(stagnant=True)
    if status == "slipping":
        return rows.filter(status__in=MEETING, growth_30__lt=0)
    if status == "meets":
        return rows.filter(status__in=MEETING)
    return rows.filter(status=status)


def stored_members(*, day, target, status="", reader=None, **filters):
    """The members' standings on ``day`` read from the table, ordered by name (as the live engine orders them).

    ``reader(rows, day=, target=)``: what reads the ordered rows instead of ``read_members`` (the standings
    CSV reads its cells straight from them)."""
    rows = day_rows(day=day, **filters)
    if status:
        rows = status_filter(rows, status)
    return (reader or read_members)(rows.order_by("member__name", "member_id"), day=day, target=target)


def read_members(rows, *, day, target):
    """The MemberStanding objects of an ordered (and maybe sliced) queryset of stored rows, in one query."""
    rows = rows.values_list(*NAMES.values(), *OWN)
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # an empty id list or scope: no query
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row_type = namedtuple("StoredRow", [*NAMES, *OWN])
        records = [row_type._make(row) for row in cursor.fetchall()]
    role_labels = {value: str(label) for value, label in Role.choices}
    return [member_from_row(row, day=day, target=target, role_labels=role_labels) for row in records]


def _projection(row):
    if row.projection == "day":
        return arithmetic.Projection(day=as_date(row.projected_on))
    if row.projection in ("reached", "beyond", "not_at_this_rate"):
        return arithmetic.Projection(**{row.projection: True})
    return arithmetic.Projection(unknown=True)


def member_from_row(row, *, day, target, role_labels):
    """A MemberStanding from a stored row (named as NAMES then OWN)."""
    standing = MemberStanding(
        id=row.member_id,
        **who_and_where(row, role_labels),
        electors=row.electors,
        roll_day=as_date(row.roll_day),
        accounts=row.accounts,
        party_id=row.party_id,
        constituency_id=row.constituency_id,
        reach=row.reach,
        share=row.share,
        status=arithmetic.Status(row.status),
        needed=row.needed,
        stagnant=bool(row.stagnant),
        na_reason=row.na_reason,
    )
    standing.roll_after_day = standing.roll_day is not None and standing.roll_day > day
    standing.growth = {window: getattr(row, f"growth_{window}") for window in GROWTH_WINDOWS}
    for platform in row.platforms.split(",") if row.platforms else ():
        standing.followers[platform] = getattr(row, f"followers_{platform}")
        posts = getattr(row, f"posts_30_{platform}")
        if posts is not None:
            standing.posts_30[platform] = posts
    standing.projection = _projection(row)
    growth_30 = standing.growth[30]
    standing.slipping = arithmetic.is_slipping(status=standing.status, growth=growth_30)
    if standing.slipping:
        standing.falls_below_target, standing.falls_below_stretch = (
            arithmetic.project_fall_date(
                reach=row.reach, electors=row.electors, percent=percent, growth=growth_30, window_days=30, today=day
            )
            for percent in (target.percent, target.stretch_percent)
        )
    return standing
