"""The party's progress over time, read from the standings kept day by day (DailyStanding).

Per day, week or month (the period's last kept day stands for it, "as on"
that day): members counted, meeting the target and the stretch line (count
and share of those with a share), stagnant, left out (n/a), and the
elector-weighted attainment (total reach / total electors of those counted:
``arithmetic.weighted_attainment``). Optionally by role group (ministers vs
MLAs), party or division. Three queries whatever the number of members or days:
the table's bounds, one grouped aggregate, the groups' names.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Sum, Value, When
from django.db.models import CharField as CharFieldType
from django.utils.translation import gettext_lazy as _

from legislators.access import restrict_to_scope
from legislators.models import MINISTER_ROLES, Division, Party
from metrics import arithmetic
from metrics.models import DailyStanding

PERIODS = ("day", "week", "month")
GROUPS = ("", "role", "party", "division")
ROLE_GROUP_LABELS = {"ministers": _("Ministers"), "mla": _("MLAs")}
MEETING = [arithmetic.Status.MEETS.value, arithmetic.Status.STRETCH.value]
NOT_APPLICABLE = arithmetic.Status.NOT_APPLICABLE.value


@dataclass(frozen=True)
class ProgressPoint:
    day: date  # the period's last kept day
    group: str  # the group's key ("" for everyone)
    label: str
    tracked: int
    counted: int  # with a share
    meets: int  # at or above the target (stretch included)
    stretch: int
    stagnant: int
    total_reach: int
    total_electors: int

    @property
    def not_applicable(self):
        return self.tracked - self.counted

    @property
    def meets_share(self):
        return self.meets * 100.0 / self.counted if self.counted else None

    @property
    def stretch_share(self):
        return self.stretch * 100.0 / self.counted if self.counted else None

    @property
    def stagnant_share(self):
        return self.stagnant * 100.0 / self.tracked if self.tracked else None

    @property
    def attainment(self):
        return arithmetic.weighted_attainment(self.total_reach, self.total_electors)


def period_end(day, period):
    """The last day of the day's period (weeks end on Sunday)."""
    if period == "week":
        return day + timedelta(days=6 - day.weekday())
    if period == "month":
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return day


def period_days(first, last, period):
    """Each period's last day within first..last (the last period ends on ``last``, "as on" it)."""
    days, day = [], first
    while day <= last:
        end = min(period_end(day, period), last)
        days.append(end)
        day = end + timedelta(days=1)
    return days


def _group_key(group):
    if group == "role":
        return Case(
            When(role__in=[role.value for role in MINISTER_ROLES], then=Value("ministers")),
            default=Value("mla"),
            output_field=CharFieldType(),
        )
    if group == "party":
        return F("party_id")
    if group == "division":
        return F("division_id")
    return Value("", output_field=CharFieldType())


def _labels(group, keys):
    if group == "role":
        return {key: str(ROLE_GROUP_LABELS[key]) for key in keys}
    if group == "party":
        return {pk: short for pk, short in Party.objects.filter(pk__in=keys).values_list("pk", "short_name")}
    if group == "division":
        return {pk: name for pk, name in Division.objects.filter(pk__in=keys).values_list("pk", "name")}
    return {"": str(_("All members"))}


def progress(
    *, period="week", group="", since=None, until=None, scope_user=None, division=None, district=None, party=None
):
    """[ProgressPoint] oldest first (grouped: by day, then group), from the stored rows of since..until."""
    if period not in PERIODS or group not in GROUPS:
        raise ValueError(f"period {period!r} or group {group!r} is not one of {PERIODS} / {GROUPS}")
    rows = DailyStanding.objects.filter(aspirant=False)
    if since is not None:
        rows = rows.filter(day__gte=since)
    if until is not None:
        rows = rows.filter(day__lte=until)
    bounds = rows.aggregate(first=Min("day"), last=Max("day"))
    first, last = bounds["first"], bounds["last"]
    if first is None:
        return []
    if scope_user is not None:
        rows = restrict_to_scope(rows, user=scope_user)
    if division:
        rows = rows.filter(division_id=division)
    if district:
        rows = rows.filter(district_id=district)
    if party:
        rows = rows.filter(party_id=party)
    counted = ~Q(status=NOT_APPLICABLE)
    totals = (
        rows.filter(day__in=period_days(first, last, period))
        .annotate(group_key=_group_key(group))
        .order_by()
        .values("day", "group_key")
        .annotate(
            tracked=Count("id"),
            counted=Count("id", filter=counted),
            meets=Count("id", filter=Q(status__in=MEETING)),
            stretch=Count("id", filter=Q(status=arithmetic.Status.STRETCH.value)),
            stagnant=Count("id", filter=Q(stagnant=True)),
            total_reach=Sum("reach", filter=counted, output_field=IntegerField()),
            total_electors=Sum("electors", filter=counted, output_field=IntegerField()),
        )
        .order_by("day", "group_key")
    )
    totals = list(totals)
    labels = _labels(group, {row["group_key"] for row in totals})
    return [
        ProgressPoint(
            day=row["day"],
            group="" if row["group_key"] is None else str(row["group_key"]),
            label=str(labels.get(row["group_key"], "—")),
            tracked=row["tracked"],
            counted=row["counted"],
            meets=row["meets"],
            stretch=row["stretch"],
            stagnant=row["stagnant"],
            total_reach=row["total_reach"] or 0,
            total_electors=row["total_electors"] or 0,
        )
        for row in totals
    ]
