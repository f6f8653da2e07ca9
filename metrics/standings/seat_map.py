"""The constituency map's selector: the seats a page shows on its map, each with its shape and its member.

Two queries whatever the number of seats: the seats in the user's scope (and in the page's division or
district) that have a shape, and the members sitting in them on the day (so a seat whose member the page's
filters leave out still links to that member; a seat with no member links to the seat's page).
"""

from dataclasses import dataclass, field

from legislators.access import restrict
from legislators.models import Constituency

from .engine import MemberStanding, Standings, members_queryset


@dataclass
class MapSeat:
    constituency_id: int
    number: int
    name: str
    name_hi: str
    geometry: str  # GeoJSON geometry text (ConstituencyShape.geometry)
    member: MemberStanding | None = None  # the page's standing of the seat's member (None: not among them)
    sitting_member_id: int | None = None  # the member on the day, shown or not (None: a vacant seat)


@dataclass
class SeatMap:
    standings: Standings
    seats: list = field(default_factory=list)
    box: tuple | None = None  # (west, south, east, north) of the seats shown: the map is fitted to it
    credits: list = field(default_factory=list)  # the shapes' licences, each once
    without_shape: list = field(default_factory=list)  # "205 Indore-2": the page's seats that have no shape


def seat_map(*, standings, scope_user, division=None, district=None):
    """The map of the page whose standings are ``standings`` (members matched to seats by the day's term)."""
    seats = restrict(
        Constituency.objects.filter(kind=Constituency.Kind.ASSEMBLY), user=scope_user, district_path="district"
    )
    if division:
        seats = seats.filter(district__division_id=division)
    if district:
        seats = seats.filter(district_id=district)
    rows = list(
        seats.order_by("state_code", "number").values(
            "id",
            "number",
            "name",
            "name_hi",
            "shape__geometry",
            "shape__west",
            "shape__south",
            "shape__east",
            "shape__north",
            "shape__licence",
        )
    )
    sitting = dict(
        members_queryset(day=standings.day, scope_user=scope_user, division=division, district=district)
        .order_by()
        .values_list("seat_id", "id")
    )
    shown = {member.constituency_id: member for member in standings.map_members if member.constituency_id}
    result = SeatMap(standings=standings)
    for row in rows:
        if row["shape__geometry"] is None:
            result.without_shape.append(f"{row['number']} {row['name']}")
            continue
        result.seats.append(
            MapSeat(
                constituency_id=row["id"],
                number=row["number"],
                name=row["name"],
                name_hi=row["name_hi"],
                geometry=row["shape__geometry"],
                member=shown.get(row["id"]),
                sitting_member_id=sitting.get(row["id"]),
            )
        )
        box = (row["shape__west"], row["shape__south"], row["shape__east"], row["shape__north"])
        result.box = (
            box if result.box is None else (*map(min, result.box[:2], box[:2]), *map(max, result.box[2:], box[2:]))
        )
        if row["shape__licence"] and row["shape__licence"] not in result.credits:
            result.credits.append(row["shape__licence"])
    return result
