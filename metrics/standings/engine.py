"""The standings engine: every member's standing on a day, the one selector behind every page, export and command.

``standings()`` reads the table kept day by day (``daily``, ``stored``)
when it holds the day with nothing pending, and otherwise works the
standings out from the counts (``live.live_standings``: the one
computation, whose results the table stores). Either way the same
``Standings`` of ``MemberStanding``, in a fixed number of queries whatever
the number of members: the table's state with the target in force (one),
then the day's rows (one) or the live engine's one. A per-platform
view (``platform``) and a growth since a chosen day (``growth_since``) are
not stored: they are worked out live.
"""

from metrics.audience.local import local_shares

from . import daily, stored
from .engine_sql import GROWTH_WINDOWS, PLATFORMS
from .live import (
    NA_REASON_LABELS,
    TERM,
    MemberStanding,
    Standings,
    TargetInForce,
    aspirants_queryset,
    live_standings,
    members_queryset,
    role_on_day_expression,
    target_in_force,
    today,
)

__all__ = [
    "GROWTH_WINDOWS",
    "NA_REASON_LABELS",
    "PLATFORMS",
    "TERM",
    "MemberStanding",
    "Standings",
    "TargetInForce",
    "aspirants_queryset",
    "live_standings",
    "members_queryset",
    "role_on_day_expression",
    "standings",
    "target_in_force",
    "today",
]


def standings(
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
    state=None,
):
    """Every member's standing on ``day`` (default: today), filtered.

    ``growth_since``: also each member's growth since that day (``MemberStanding.since``),
    combined and per platform, by the same definition as the 7/30/90-day windows.
    ``state``: ``daily.ready_for(day)`` when the caller has asked already.
    """
    day = day or today()
    filters = {
        "scope_user": scope_user,
        "role": role,
        "party": party,
        "division": division,
        "district": district,
        "search": search,
        "member_ids": member_ids,
    }
    local = status == "local"
    status = "" if local else status
    ready, target = state or daily.ready_for(day)
    if ready and not platform and growth_since is None:
        members = stored.stored_members(day=day, target=target, status=status, **filters)
        result = Standings(day=day, target=target, members=members, platform=platform)
    else:
        result = live_standings(
            day=day, platform=platform, status=status, growth_since=growth_since, target=target, **filters
        )
    if local:
        # The connected accounts' audience by city (metrics.audience.local): five more queries.
        shares = local_shares(members=result.members, day=day)
        result.members = [m for m in result.members if shares[m.id].is_local]
        result.local = shares
    return result
