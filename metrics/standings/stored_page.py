"""A table page read from the stored standings in SQL: one page of rows, the figures by aggregates, the top lists.

When the table holds the day (``daily.ready_for``) and the page asks for
the combined view (no platform, no "local" status: exactly when
``engine.standings`` would read the stored rows), the overview, district
and stagnant pages do not load every member: the page's rows are read in
the order ``filters.sort_members`` gives (the same keys, the name in
code-point order as the tie-break, rows without a value last in name
order), the summary and the total by one conditional aggregate, the
furthest and fastest lists by ORDER BY … LIMIT 10, the slipping members
(a few) as before. The constituency map and the distribution chart read
one slim list of the members' shares (``PagedStandings.map_members``).
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.db.models import Case, Count, F, FloatField, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Collate, Lower

from legislators.models import Role
from metrics import arithmetic

from . import stored
from .live import NA_REASON_LABELS, Standings, TargetInForce, matches_status

NA = arithmetic.Status.NOT_APPLICABLE.value
COUNTED = ~Q(status=NA)
SLIPPING = Q(status__in=stored.MEETING, growth_30__lt=0)
TOP_COUNT = 10


def reads_stored(filters):
    """Whether ``engine.standings`` reads the stored rows for these filters (the table holding the day)."""
    return not filters.get("platform") and filters.get("status") != "local" and filters.get("growth_since") is None


def in_code_point_order(expression):
    """``expression`` compared as Python compares strings (PostgreSQL: the "C" collation; SQLite's is binary)."""
    return Collate(expression, "C") if connection.vendor == "postgresql" else expression


def lower_name(path="member__name"):
    return in_code_point_order(Lower(path))


def _rank(field, values):
    return Case(*[When(**{field: value}, then=Value(rank)) for rank, value in enumerate(values)], default=Value(0))


def _sort_keys(field):
    """(the keys of ``filters.SORT_FIELDS[field]`` after its "missing" flag, the condition of a missing value)."""
    if field == "name":
        return [], None  # the name is every order's last key
    if field in ("district", "party"):
        path = {"district": "district__name", "party": "party__short_name"}[field]
        return [in_code_point_order(Lower(Coalesce(path, Value(""))))], None  # "" for none, as the row
    if field == "role":
        return [_rank("role", Role.values)], None
    if field == "status":
        stagnant_last = Case(When(stagnant=True, then=Value(0)), default=Value(1))
        return [_rank("status", ["below", "meets", "stretch"]), stagnant_last], Q(status=NA)
    if field == "projected":
        return [F("projected_on")], ~Q(projection="day") | Q(projected_on__isnull=True)
    column = {"constituency": "constituency__number", "growth": "growth_30"}.get(field, field)
    return [F(column)], Q(**{f"{column}__isnull": True})


def ordered(rows, sort):
    """``rows`` in the order ``filters.sort_members`` puts the members (the stored read's name order kept on ties)."""
    descending = sort.startswith("-")
    keys, missing = _sort_keys(sort.lstrip("-"))
    order = []
    if missing is not None:
        rows = rows.annotate(sort_missing=Case(When(missing, then=Value(1)), default=Value(0)))
        order.append(F("sort_missing").asc())
    for index, key in enumerate([*keys, lower_name()]):
        # Missing rows keep the name order: their keys are NULL, all equal.
        name = f"sort_key_{index}"
        rows = rows.annotate(**{name: key if missing is None else Case(When(missing, then=None), default=key)})
        order.append(F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True))
    return rows.order_by(*order, "member__name", "member_id")


class RowsPage:
    """A sized sequence of the rows in ``sort`` order for the Paginator: the count known, each slice one query.

    The slice's ids are found sorting the narrow rows (a subquery), then only those rows read with their names.
    """

    def __init__(self, rows, *, sort, count, day, target):
        self.rows, self.sort, self.total, self.day, self.target = rows, sort, count, day, target

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        chosen = ordered(self.rows, self.sort).values("pk")[index]
        return members_of(ordered(self.rows.filter(pk__in=chosen), self.sort), day=self.day, target=self.target)


def members_of(rows, *, day, target):
    """MemberStanding objects of a sliced, ordered queryset of stored rows (one query)."""
    return stored.read_members(rows, day=day, target=target)


def figures(rows):
    """The summary's and the total's counts and sums of ``rows`` in one aggregate query."""
    reasons = {key: Count("pk", filter=Q(status=NA, na_reason=key)) for key in NA_REASON_LABELS}
    found = rows.aggregate(
        tracked=Count("pk"),
        counted=Count("pk", filter=COUNTED),
        meets=Count("pk", filter=Q(status__in=stored.MEETING)),
        stretch=Count("pk", filter=Q(status=arithmetic.Status.STRETCH.value)),
        stagnant=Count("pk", filter=Q(stagnant=True)),
        slipping=Count("pk", filter=SLIPPING),
        total_reach=Sum("reach", filter=COUNTED, default=0),
        total_electors=Sum("electors", filter=COUNTED, default=0),
        **{f"reason_{index}": count for index, count in enumerate(reasons.values())},
    )
    found["reasons"] = {key: found.pop(f"reason_{index}") for index, key in enumerate(reasons)}
    return found


@dataclass
class MapMember:
    """What the map and the distribution chart read of a member (``MemberStanding``'s names)."""

    id: int
    name: str
    name_hi: str
    share: float | None
    needed: int | None
    na_reason: str
    constituency_id: int | None

    @property
    def na_reason_label(self):
        return NA_REASON_LABELS.get(self.na_reason, self.na_reason)


class PagedStandings:
    """A ``Standings`` of the stored rows read by parts: the same day, target, summary and members."""

    platform = ""

    def __init__(self, *, rows, day, target: TargetInForce, status=""):
        self.rows, self.day, self.target, self.status = rows, day, target, status

    @cached_property
    def figures(self):
        return figures(self.rows)

    @cached_property
    def members(self):
        """Every member, as ``engine.standings`` reads them (only for a caller that needs them all)."""
        return stored.read_members(self.rows.order_by("member__name", "member_id"), day=self.day, target=self.target)

    def summary(self):
        found = self.figures
        reasons = {key: count for key, count in found["reasons"].items() if count}
        if sum(reasons.values()) != found["tracked"] - found["counted"]:  # a reason without a label
            return Standings(day=self.day, target=self.target, members=self.members).summary()
        counted, meets, stretch = found["counted"], found["meets"], found["stretch"]
        return {
            "tracked": found["tracked"],
            "counted": counted,
            "not_applicable": found["tracked"] - counted,
            "not_applicable_reasons": reasons,
            "not_applicable_labels": [
                (NA_REASON_LABELS.get(key, key), count) for key, count in sorted(reasons.items())
            ],
            "meets": meets,
            "meets_share": meets * 100.0 / counted if counted else None,
            "stretch": stretch,
            "stretch_share": stretch * 100.0 / counted if counted else None,
            "stagnant": found["stagnant"],
            "slipping": found["slipping"],
            "total_reach": found["total_reach"],
            "total_electors": found["total_electors"],
        }

    @cached_property
    def map_members(self):
        """Each member's share, followers needed and seat (one query): the map's and the chart's input."""
        rows = self.rows.order_by("member__name", "member_id").values_list(
            "member_id", "member__name", "member__name_hi", "share", "needed", "na_reason", "constituency_id"
        )
        return [MapMember(*row) for row in rows]

    def tops(self, filters):
        """(furthest below the target, fastest growing, slipping soonest below it): ten each at most (the
        slipping ones all, in name order: the caller orders them by their fall dates)."""
        target, day = self.target, self.day
        tie = (lower_name(), "member__name", "member_id")
        below = self.rows.filter(status=arithmetic.Status.BELOW.value).order_by("share", *tie)
        rate = Cast("growth_30", FloatField()) * Value(100.0) / Cast(F("reach") - F("growth_30"), FloatField())
        fastest = (
            self.rows.filter(growth_30__gt=0, reach__gt=F("growth_30"))
            .annotate(growth_rate=rate)
            .order_by(F("growth_rate").desc(), *tie)
        )
        slipping = stored.stored_members(day=day, target=target, status="slipping", **filters)
        if self.status:
            slipping = [member for member in slipping if matches_status(member, self.status)]
        return (
            members_of(below[:TOP_COUNT], day=day, target=target),
            members_of(fastest[:TOP_COUNT], day=day, target=target),
            slipping,
        )
