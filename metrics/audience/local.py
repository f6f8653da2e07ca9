"""The local share: estimated followers among a member's own voters, from connected accounts' audience by city.

For each member with a seat, on a day:

1. every active account of the member with a usable connection and a geography on or before the day (the
   newest) counts: its cities placed in districts by the gazetteer; the cities in the member's district
   give the account's district estimate (``arithmetic.local_followers``: followers per city as reported,
   or for YouTube the district's share of views applied to the subscribers);
2. the district estimate (the accounts' sum) is apportioned to the seat by electors, when the district
   holds several seats: seat estimate = district estimate × seat electors / district electors (rolls in
   force on the day, every seat of the district);
3. local share = seat estimate / the seat's electors × 100 (so with apportionment by electors it equals the
   district estimate over the district's electors); **local** when ≥ LOCAL_SHARE_MIN_PERCENT.

Always an estimate, shown with the date of the geography (the oldest one used) and the fraction of the
counted accounts' followers whose city the platforms listed (``coverage``); the platforms' "other / unknown"
remainder is not guessed at, so the estimate is a floor. A member without a usable geography has no local
share, with the reason (no account connected, connection revoked or expired, below the platform's threshold,
not polled yet). A fixed number of queries (five) whatever the number of members.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from legislators.models import Constituency, Platform
from legislators.rolls import electors_in_force_expression
from metrics import arithmetic
from metrics.audience.models import AudienceCity, AudienceGeography, Connection, ConnectionStatus

from .places import OUTSIDE, Gazetteer

LOCAL, NOT_LOCAL, UNKNOWN = "local", "not_local", "n/a"


@dataclass
class AccountLocal:
    platform: str
    handle: str
    day: object
    metric: str
    total: int
    listed: int
    in_district: int
    estimate: float | None
    covered: float | None
    followers: int | None

    @property
    def platform_label(self):
        return Platform(self.platform).label

    @property
    def coverage(self):
        return self.listed / self.total if self.total else None


@dataclass
class LocalShare:
    member_id: int
    status: str = UNKNOWN
    share: float | None = None
    seat_estimate: float | None = None
    district_estimate: float | None = None
    district_electors: int | None = None
    seats_in_district: int = 0
    day: object = None
    coverage: float | None = None
    accounts: list = field(default_factory=list)
    reason: str = ""

    @property
    def is_local(self):
        return self.status == LOCAL

    @property
    def apportioned(self):
        return self.seats_in_district > 1


def local_share_fields(local):
    """{local_share, local_share_day, local_share_coverage}: a member's LocalShare as the standings export and
    the API's standings give it beside the total share (share %, the geography's date, coverage %); all None
    (n/a) without a local share."""
    if local is None or local.share is None:
        return {"local_share": None, "local_share_day": None, "local_share_coverage": None}
    coverage = None if local.coverage is None else local.coverage * 100
    return {"local_share": local.share, "local_share_day": local.day, "local_share_coverage": coverage}


def local_shares(*, members, day):
    """{member id: LocalShare} for these MemberStandings on ``day``: five queries."""
    ids = [m.id for m in members]
    connections = list(
        Connection.objects.filter(account__legislator_id__in=ids, account__active=True).select_related("account")
    )
    usable_accounts = [c.account_id for c in connections if c.status == ConnectionStatus.CONNECTED]
    newest = (
        AudienceGeography.objects.filter(account_id=OuterRef("account_id"), day__lte=day)
        .order_by("-day")
        .values("pk")[:1]
    )
    geographies = {
        g.account_id: g
        for g in AudienceGeography.objects.filter(account_id__in=usable_accounts, day__lte=day, pk=Subquery(newest))
    }
    cities = {}
    for geography_id, name, value in AudienceCity.objects.filter(geography__in=list(geographies.values())).values_list(
        "geography_id", "name", "value"
    ):
        cities.setdefault(geography_id, []).append((name, value))
    gazetteer = Gazetteer()
    districts = {m.district_id for m in members if m.district_id}
    electors, seats = _district_electors(districts, day)
    by_member = {}
    for connection in connections:
        by_member.setdefault(connection.account.legislator_id, []).append(connection)
    return {
        m.id: _member_local(
            m,
            by_member.get(m.id, []),
            geographies,
            cities,
            gazetteer,
            electors.get(m.district_id),
            seats.get(m.district_id, 0),
        )
        for m in members
    }


def _district_electors(district_ids, day):
    """(district id → the electors of all its seats on the day, district id → number of seats with a roll)."""
    rows = (
        Constituency.objects.filter(district_id__in=district_ids, kind=Constituency.Kind.ASSEMBLY)
        .annotate(electors=electors_in_force_expression(day=day, constituency_ref="pk"))
        .values_list("district_id", "electors")
    )
    totals, seats = {}, {}
    for district_id, count in rows:
        if count:
            totals[district_id] = totals.get(district_id, 0) + count
            seats[district_id] = seats.get(district_id, 0) + 1
    return totals, seats


def _member_local(member, connections, geographies, cities, gazetteer, district_electors, seats):
    result = LocalShare(member_id=member.id, district_electors=district_electors, seats_in_district=seats)
    if not member.district_id or not member.electors:
        result.reason = _("No seat or no voter roll on this day.")
        return result
    for connection in connections:
        geography = geographies.get(connection.account_id) if connection.usable else None
        if geography is None:
            continue
        in_district = listed = 0
        for name, value in cities.get(geography.pk, []):
            listed += value
            district = gazetteer.district_of(name)
            if district is not OUTSIDE and district == member.district_id:
                in_district += value
        estimate, covered = arithmetic.local_followers(
            metric=geography.metric,
            in_district=in_district,
            listed=listed,
            total=geography.total,
            followers=geography.followers,
        )
        result.accounts.append(
            AccountLocal(
                platform=connection.account.platform,
                handle=connection.account.handle,
                day=geography.day,
                metric=geography.metric,
                total=geography.total,
                listed=listed,
                in_district=in_district,
                estimate=estimate,
                covered=covered,
                followers=geography.followers if geography.metric == "views" else geography.total,
            )
        )
    counted = [a for a in result.accounts if a.estimate is not None]
    if not counted:
        result.reason = _fallback_reason(connections)
        return result
    result.day = min(a.day for a in counted)
    result.district_estimate = sum(a.estimate for a in counted)
    followers = sum(a.followers or 0 for a in counted)
    result.coverage = sum(a.covered for a in counted) / followers if followers else None
    result.seat_estimate = arithmetic.apportion_to_seat(
        result.district_estimate, seat_electors=member.electors, district_electors=district_electors or member.electors
    )
    result.share = arithmetic.local_share_percent(result.seat_estimate, member.electors)
    result.status = LOCAL if result.share >= settings.LOCAL_SHARE_MIN_PERCENT else NOT_LOCAL
    return result


def _fallback_reason(connections):
    """Why a member has no local share: what their connections say (the totals are shown instead)."""
    if not connections:
        return _("No account is connected: the platforms show where followers live only to the account's owner.")
    for status in (ConnectionStatus.REVOKED, ConnectionStatus.EXPIRED, ConnectionStatus.ERROR):
        for connection in connections:
            if connection.status == status:
                when = connection.revoked_at or connection.connected_at
                return _("%(platform)s connection %(state)s (%(day)s): %(reason)s. Showing totals only.") % {
                    "platform": connection.account.get_platform_display(),
                    "state": connection.get_status_display().lower(),
                    "day": f"{when:%d %b %Y}" if when else "",
                    "reason": connection.status_reason or _("reconnect it"),
                }
    notes = [c.status_reason for c in connections if c.status_reason]
    if notes:
        return _("No audience by city yet: %(reason)s.") % {"reason": "; ".join(notes)}
    return _("Connected: the audience by city comes with the next weekly poll.")


def local_rollup(members, shares):
    """Per district: members with a local share, local members, the district estimate and its share of the
    district's electors (the district estimate is counted once per district member: their accounts differ)."""
    rows = {}
    for member in members:
        share = shares.get(member.id)
        if not member.district_id or share is None:
            continue
        row = rows.setdefault(
            member.district_id,
            {
                "district_id": member.district_id,
                "district": member.district,
                "district_hi": member.district_hi,
                "members": 0,
                "with_share": 0,
                "local": 0,
                "estimate": 0.0,
                "electors": share.district_electors,
            },
        )
        row["members"] += 1
        if share.share is not None:
            row["with_share"] += 1
            row["local"] += share.is_local
            row["estimate"] += share.seat_estimate or 0
    for row in rows.values():
        row["share"] = arithmetic.local_share_percent(row["estimate"], row["electors"]) if row["with_share"] else None
    return sorted(rows.values(), key=lambda row: row["district"].lower())
