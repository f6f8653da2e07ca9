"""The constituency (seat) page: its electorate over time, the sitting member and every aspirant measured
against the same electorate, and the seat's history of members.

A fixed number of queries whatever the number of aspirants, rolls or terms: the seat, its rolls, its
terms, the standings table's state (``daily.ready_for``), the sitting member's standing (the engine's
one), the aspirations and one query of the aspirants' figures, and the local shares of all of them at
once (``metrics.audience.local.local_shares``: at most five queries). The figures are read from the
standings table when it holds the day (the member's row and the aspirants' rows), else worked out live
(``live``, ``aspirants``: the same arithmetic, so the same Contender values).
"""

from dataclasses import dataclass, field
from datetime import date

from legislators.access import visible
from legislators.models import Constituency, Term, VoterRoll
from legislators.names import platform_label
from metrics import arithmetic
from metrics.audience.local import local_shares

from .aspirants import live_aspirants, stored_aspirants
from .daily import ready_for
from .engine import PLATFORMS, aspirants_queryset, standings, today


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
    state = ready_for(day)  # the standings table holds the day: the member's and aspirants' figures read from it
    member, target = _member(sitting, day, state)
    aspirants = _aspirants(seat, day, target, ready=state[0])
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


def _member(term, day, state):
    """(the sitting member's Contender or None, the target in force): the standings engine's numbers."""
    if term is None:
        return None, state[1]
    result = standings(day=day, member_ids=[term.legislator_id], state=state)
    if not result.members:
        return None, result.target
    standing = result.members[0]
    return _contender("member", standing, person=standing, party=term.party, since=term.start), result.target


def _aspirants(seat, day, target, *, ready):
    """The seat's aspirants on ``day``, each measured against the seat's electors (two queries): their
    figures read from the standings table when it holds the day (``ready``), else worked out live (the same
    arithmetic: ``aspirants``)."""
    aspirations = list(aspirants_queryset(day=day, constituency=seat))
    if not aspirations:
        return []
    figures = stored_aspirants(day=day, target=target, constituency_id=seat.pk) if ready else None
    if figures is None or {f.id for f in figures} != {a.legislator_id for a in aspirations}:
        # Not stored, or an aspiration written without its change mark (not through the services or the
        # admin): worked out live.
        figures = live_aspirants(day=day, target=target, constituency_id=seat.pk)
    by_person = {standing.id: standing for standing in figures}
    return [
        _contender(
            "aspirant",
            by_person.get(aspiration.legislator_id),
            person=aspiration.legislator,
            party=aspiration.party,
            since=aspiration.start,
            note=aspiration.note,
        )
        for aspiration in aspirations
    ]


def _contender(kind, standing, *, person, party, since, note=""):
    """A Contender from a person's standing (``MemberStanding``, live or stored; None: no figures)."""
    contender = Contender(
        kind=kind,
        id=person.id,
        name=person.name,
        name_hi=person.name_hi,
        party=party.short_name if party else "",
        party_name=party.name if party else "",
        party_name_hi=getattr(party, "name_hi", "") if party else "",
        party_colour=party.colour if party else "#777777",
        since=since,
        note=note,
    )
    if standing is None:
        return contender
    contender.followers = dict(standing.followers)
    contender.accounts = standing.accounts
    contender.reach = standing.reach
    contender.share = standing.share
    contender.status = standing.status
    contender.needed = standing.needed
    contender.growth_30 = standing.growth_30
    contender.projection = standing.projection
    contender.stagnant = standing.stagnant
    contender.slipping = standing.slipping
    contender.na_reason_label = str(standing.na_reason_label)
    return contender
