"""Division and district totals of a Standings (no query)."""

from dataclasses import dataclass

from metrics import arithmetic


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
    division_hi: str = ""

    @property
    def attainment(self):
        return arithmetic.weighted_attainment(self.total_reach, self.total_electors)

    @property
    def meets_share(self):
        return self.meets * 100.0 / self.counted if self.counted else None


# The columns a rollup table sorts by ("-" first: descending); groups without a value (no share) go last.
ROLLUP_SORT_FIELDS = {
    "name": lambda g: g.name.lower(),
    "members": lambda g: g.members,
    "reach": lambda g: g.total_reach,
    "electors": lambda g: g.total_electors,
    "attainment": lambda g: g.attainment,
    "meets": lambda g: g.meets,
    "stagnant": lambda g: g.stagnant,
    "na": lambda g: g.not_applicable,
}
ROLLUP_SORT_CHOICES = [key for name in ROLLUP_SORT_FIELDS for key in (name, f"-{name}")]


def sort_rollups(groups, sort):
    """Rollups in the order of ``sort`` (a ROLLUP_SORT_CHOICES value; empty: by name); ties by name."""
    if not sort:
        return list(groups)
    key = ROLLUP_SORT_FIELDS[sort.lstrip("-")]
    present = [g for g in groups if key(g) is not None]
    missing = [g for g in groups if key(g) is None]
    present.sort(key=lambda g: g.name.lower())
    present.sort(key=key, reverse=sort.startswith("-"))
    return present + missing


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
                division_hi=member.division_hi,
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
