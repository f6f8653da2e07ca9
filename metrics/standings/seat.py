"""The constituency (seat) page: its electorate over time, the sitting member and every aspirant measured
against the same electorate, and the seat's history of members.

A fixed number of queries whatever the number of aspirants, rolls or terms: the seat, its rolls, its
terms, the standings engine's (the sitting member), the aspirants and one query of the aspirants'
accounts' totals (the engine's SQL, the same definition of reach and growth as the members'), and the
local shares of all of them at once (``metrics.audience.local.local_shares``: at most five queries).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from legislators.access import visible
from legislators.models import Constituency, Legislator, Term, VoterRoll
from legislators.names import platform_label
from metrics import arithmetic
from metrics.audience.local import local_shares

from .engine import NA_REASON_LABELS, PLATFORMS, aspirants_queryset, standings, target_in_force, today
from .engine_sql import account_totals_sql


@dataclass
class Contender:
    """The sitting member or an aspirant, measured against the seat's electors on the day."""

    kind: str  # "member" or "aspirant"
    id: int  # the person
    name: str
    name_hi: str
    party: str = ""  # short name
    party_name: str = ""
    party_name_hi: str = ""
    party_colour: str = "#777777"
    since: date | None = None  # the term's or the aspiration's first day
    note: str = ""
    followers: dict = field(default_factory=dict)  # platform -> followers (None: no count yet)
    accounts: int = 0
    reach: int | None = None
    share: float | None = None
    status: arithmetic.Status = arithmetic.Status.NOT_APPLICABLE
    needed: int | None = None
    growth_30: int | None = None
    projection: arithmetic.Projection = arithmetic.UNKNOWN
    stagnant: bool = False
    slipping: bool = False
    na_reason_label: str = ""
    local: object = None  # metrics.audience.local.LocalShare: the estimated share among the seat's voters

    @property
    def is_member(self):
        return self.kind == "member"


@dataclass
class RollRow:
    roll: VoterRoll
    change: int | None  # against the roll before (None: the first)
    in_force: bool


@dataclass
class SeatPage:
    constituency: Constituency
    day: date
    target: object  # engine.TargetInForce
    electors: int | None
    roll_in_force: VoterRoll | None
    roll_after_day: bool  # the day is before the first roll, whose figure is used
    rolls: list  # RollRow, oldest first
    member: Contender | None
    aspirants: list  # Contender, by share (highest first), then name
    terms: list  # Term, newest first

    @property
    def platforms(self):
        """(value, label) of the platforms any contender has an account on, in the usual order."""
        used = {platform for contender in self.contenders for platform in contender.followers}
        return [(platform, platform_label(platform)) for platform in PLATFORMS if platform in used]

    @property
    def required(self):
        """The followers the target percent of the seat's electors means (None without a roll)."""
        return arithmetic.required_followers(self.target.percent, self.electors)

    @property
    def contenders(self):
        return ([self.member] if self.member else []) + self.aspirants


def roll_in_force(rolls, day):
    """The newest roll published on or before ``day``, else the oldest (legislators.rolls' rule), from a list."""
    ordered = sorted(rolls, key=lambda roll: roll.published_on)
    before = [roll for roll in ordered if roll.published_on <= day]
    if before:
        return before[-1]
    return ordered[0] if ordered else None


def seat_page(*, constituency_id, scope_user, day=None):
    """Everything the seat page shows, or None when the user may not see the seat."""
    day = day or today()
    seat = (
        visible(Constituency.objects.all(), user=scope_user)
        .select_related("district__division")
        .filter(pk=constituency_id)
        .first()
    )
    if seat is None:
        return None
    rolls = list(VoterRoll.objects.filter(constituency=seat).order_by("published_on"))
    in_force = roll_in_force(rolls, day)
    electors = in_force.total_electors if in_force else None
    terms = list(Term.objects.filter(constituency=seat).select_related("legislator", "party").order_by("-start"))
    sitting = next((term for term in terms if term.covers(day) and term.legislator.active), None)
    member, target = _member(sitting, day)
    aspirants = _aspirants(seat, day, electors, target)
    aspirants.sort(key=lambda a: (a.share is None, -(a.share or 0), a.name.lower()))
    _with_local_shares(([member] if member else []) + aspirants, seat=seat, electors=electors, day=day)
    return SeatPage(
        constituency=seat,
        day=day,
        target=target,
        electors=electors,
        roll_in_force=in_force,
        roll_after_day=in_force is not None and in_force.published_on > day,
        rolls=_roll_rows(rolls, in_force),
        member=member,
        aspirants=aspirants,
        terms=terms,
    )


@dataclass
class LocalSubject:
    """What ``local_shares`` reads of a person: who, the seat's district and the seat's electors on the day."""

    id: int
    district_id: int | None
    electors: int | None


def _with_local_shares(contenders, *, seat, electors, day):
    """Each contender's local share (an estimate, or the reason there is none), all at once (≤ 5 queries)."""
    if not contenders:
        return
    subjects = [LocalSubject(id=c.id, district_id=seat.district_id, electors=electors) for c in contenders]
    shares = local_shares(members=subjects, day=day)
    for contender in contenders:
        contender.local = shares[contender.id]


def _roll_rows(rolls, in_force):
    rows, before = [], None
    for roll in rolls:
        change = roll.total_electors - before.total_electors if before else None
        rows.append(RollRow(roll=roll, change=change, in_force=roll is in_force))
        before = roll
    return rows


def _member(term, day):
    """(the sitting member's Contender or None, the target in force): the standings engine's numbers."""
    if term is None:
        return None, target_in_force(day=day)
    result = standings(day=day, member_ids=[term.legislator_id])
    if not result.members:
        return None, result.target
    standing = result.members[0]
    party = term.party
    return (
        Contender(
            kind="member",
            id=standing.id,
            name=standing.name,
            name_hi=standing.name_hi,
            party=party.short_name if party else "",
            party_name=party.name if party else "",
            party_name_hi=getattr(party, "name_hi", "") if party else "",
            party_colour=party.colour if party else "#777777",
            since=term.start,
            followers=dict(standing.followers),
            accounts=standing.accounts,
            reach=standing.reach,
            share=standing.share,
            status=standing.status,
            needed=standing.needed,
            growth_30=standing.growth_30,
            projection=standing.projection,
            stagnant=standing.stagnant,
            slipping=standing.slipping,
            na_reason_label=str(standing.na_reason_label),
        ),
        result.target,
    )


def _aspirants(seat, day, electors, target):
    """The seat's aspirants on ``day``, each measured against ``electors`` (two queries)."""
    aspirations = list(aspirants_queryset(day=day, constituency=seat))
    if not aspirations:
        return []
    totals = _account_totals([a.legislator_id for a in aspirations], day)
    return [
        _aspirant(aspiration, totals.get(aspiration.legislator_id), day, electors, target) for aspiration in aspirations
    ]


def _account_totals(person_ids, day):
    """{person id: the totals row as a dict} (the engine's columns: reach, growth_30, followers_<platform>...)."""
    people = Legislator.objects.filter(pk__in=person_ids)
    sql, params = account_totals_sql(day=day, members=people, platform="", latest_is_current=day >= today())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0].lower() for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row["legislator_id"]: row for row in rows}


def _aspirant(aspiration, totals, day, electors, target):
    person, party = aspiration.legislator, aspiration.party
    totals = totals or {}
    reach = totals.get("reach")
    growth_30 = totals.get("growth_30")
    status, needed = arithmetic.standing(reach, electors, target.percent, target.stretch_percent)
    contender = Contender(
        kind="aspirant",
        id=person.pk,
        name=person.name,
        name_hi=person.name_hi,
        party=party.short_name if party else "",
        party_name=party.name if party else "",
        party_name_hi=getattr(party, "name_hi", "") if party else "",
        party_colour=party.colour if party else "#777777",
        since=aspiration.start,
        note=aspiration.note,
        followers={p: totals.get(f"followers_{p}") for p in PLATFORMS if totals.get(f"accounts_{p}")},
        accounts=totals.get("accounts") or 0,
        reach=reach,
        status=status,
        needed=needed,
        growth_30=growth_30,
        stagnant=arithmetic.is_stagnant(growth_30),
        slipping=arithmetic.is_slipping(status=status, growth=growth_30),
    )
    if status != arithmetic.Status.NOT_APPLICABLE:
        contender.share = arithmetic.share_percent(reach, electors)
    contender.projection = arithmetic.project_target_date(needed=needed, growth=growth_30, window_days=30, today=day)
    if not electors:
        contender.na_reason_label = str(NA_REASON_LABELS["no voter roll"])
    elif reach is None:
        contender.na_reason_label = str(NA_REASON_LABELS["no follower count"])
    return contender
