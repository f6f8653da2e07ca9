"""The top bar's search: members, constituencies (by name or number) and districts, in English or Hindi.

Limited to the user's scope like every page: a division/district-limited user finds nothing outside it
(not a member, a seat or a district). Four queries whatever the number of matches.
"""

from dataclasses import dataclass, field

from django.db.models import F, Q

from legislators.access import visible, visible_districts
from legislators.models import Constituency, Term

from .engine import TERM, members_queryset, today

SEARCH_LIMIT = 20  # per kind: a search box, not a report
QUERY_MAX_LENGTH = 100


@dataclass
class SeatResult:
    id: int
    number: int
    name: str
    name_hi: str
    district: str
    district_hi: str
    district_id: int
    member_id: int | None  # the member holding the seat on the day (None: vacant)
    member_name: str = ""
    member_name_hi: str = ""


@dataclass
class SearchResults:
    query: str
    members: list = field(default_factory=list)  # dicts: id, name, name_hi, number, seat, seat_hi
    constituencies: list = field(default_factory=list)  # SeatResult
    districts: list = field(default_factory=list)  # District instances

    @property
    def found(self):
        return len(self.members) + len(self.constituencies) + len(self.districts)


def search_everything(*, user, query, day=None):
    """What matches ``query`` among the members on ``day`` (default: today), seats and districts the user may see."""
    query = " ".join((query or "").split())[:QUERY_MAX_LENGTH]
    if not query:
        return SearchResults(query=query)
    day = day or today()
    members = list(
        members_queryset(day=day, scope_user=user, search=query)
        .order_by("name", "pk")
        .values("id", "name", "name_hi")
        .annotate(
            number=_term_field("constituency__number"),
            seat=_term_field("constituency__name"),
            seat_hi=_term_field("constituency__name_hi"),
        )[:SEARCH_LIMIT]
    )
    names = Q(name__icontains=query) | Q(name_hi__icontains=query)
    seat_match = names | Q(number=int(query)) if query.isdigit() else names
    seats = list(
        visible(Constituency.objects.all(), user=user)
        .filter(seat_match)
        .select_related("district")
        .order_by("number", "pk")[:SEARCH_LIMIT]
    )
    sitting = {
        seat_id: (member_id, name, name_hi)
        for seat_id, member_id, name, name_hi in Term.objects.filter(
            constituency__in=seats, start__lte=day, legislator__active=True
        )
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .values_list("constituency_id", "legislator_id", "legislator__name", "legislator__name_hi")
    }
    districts = list(visible_districts(user=user).filter(names).order_by("name", "pk")[:SEARCH_LIMIT])
    return SearchResults(
        query=query,
        members=members,
        constituencies=[_seat_result(seat, sitting.get(seat.pk)) for seat in seats],
        districts=districts,
    )


def _term_field(path):
    return F(f"{TERM}__{path}")


def _seat_result(seat, member):
    member_id, member_name, member_name_hi = member or (None, "", "")
    return SeatResult(
        id=seat.pk,
        number=seat.number,
        name=seat.name,
        name_hi=seat.name_hi,
        district=seat.district.name,
        district_hi=seat.district.name_hi,
        district_id=seat.district_id,
        member_id=member_id,
        member_name=member_name,
        member_name_hi=member_name_hi or "",
    )
