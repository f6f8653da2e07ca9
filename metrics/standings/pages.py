"""The page selectors: one per page, each a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.paginator import Paginator

from legislators.access import restrict_to_scope
from legislators.models import Legislator, Platform, SocialAccount
from legislators.names import platform_label
from metrics import arithmetic

from . import daily, stored, stored_page
from .engine import PLATFORMS, MemberStanding, Standings, TargetInForce, standings, today
from .filters import sort_members
from .flags import FLAG_WINDOW_DAYS, attach_flags, member_flags
from .hindi_names import localise_portfolios
from .history import member_history, voter_rolls_for
from .rollups import Rollup, rollup_total, rollups, sort_rollups


def next_election_date():
    return date.fromisoformat(settings.NEXT_ELECTION_DATE)


TOP_COUNT = 10


@dataclass
class TablePage:
    standings: Standings
    page: object  # a django.core.paginator.Page of MemberStanding
    furthest: list = field(default_factory=list)
    fastest: list = field(default_factory=list)
    slipping: list = field(default_factory=list)
    total: Rollup | None = None


def table_page(*, scope_user, filters, sort, page_number, page_size=50, with_tops=False):
    """A sortable, paginated standings table (overview, district, stagnant list).

    Read in SQL by parts when the stored table holds the day (``stored_page``), otherwise every member's
    standing from the engine. Queries: a fixed number either way, two of them for the flags of the rows shown.
    """
    day = filters.get("day") or today()
    state = daily.ready_for(day)
    if state[0] and stored_page.reads_stored(filters):
        return stored_table_page(
            scope_user=scope_user,
            filters=filters,
            target=state[1],
            sort=sort,
            page_number=page_number,
            page_size=page_size,
            with_tops=with_tops,
        )
    result = standings(scope_user=scope_user, state=state, **filters)
    page = Paginator(sort_members(result.members, sort), page_size).get_page(page_number)
    furthest = fastest = slipping = []
    if with_tops:
        below = [m for m in result.members if m.status == arithmetic.Status.BELOW]
        furthest = sorted(below, key=lambda m: (m.share, m.name.lower()))[:TOP_COUNT]
        growing = [m for m in result.members if m.growth_30_percent is not None and m.growth_30_percent > 0]
        fastest = sorted(growing, key=lambda m: (-m.growth_30_percent, m.name.lower()))[:TOP_COUNT]
        slipping = sorted(result.slipping, key=_falls_soonest)[:TOP_COUNT]
    return _with_flags(
        TablePage(
            standings=result,
            page=page,
            furthest=furthest,
            fastest=fastest,
            slipping=slipping,
            total=rollup_total(result),
        )
    )


def stored_table_page(*, scope_user, filters, target, sort, page_number, page_size, with_tops):
    """``table_page`` from the stored rows: a page of rows, the aggregates and the top lists, each in SQL."""
    day = filters.get("day") or today()
    status = filters.get("status") or ""
    row_filters = {name: filters.get(name) for name in ("party", "division", "district")}
    row_filters |= {name: filters.get(name) or "" for name in ("role", "search")}
    rows = stored.day_rows(day=day, scope_user=scope_user, **row_filters)
    if status:
        rows = stored.status_filter(rows, status)
    result = stored_page.PagedStandings(rows=rows, day=day, target=target, status=status)
    found = result.figures
    shown = stored_page.RowsPage(rows, sort=sort, count=found["tracked"], day=day, target=target)
    table = TablePage(
        standings=result,
        page=Paginator(shown, page_size).get_page(page_number),
        total=Rollup(
            key=None,
            name="",
            name_hi="",
            members=found["tracked"],
            not_applicable=found["tracked"] - found["counted"],
            **{
                name: found[name]
                for name in ("counted", "meets", "stretch", "stagnant", "total_reach", "total_electors")
            },
        ),
    )
    if with_tops:
        table.furthest, table.fastest, slipping = result.tops({"scope_user": scope_user, **row_filters})
        table.slipping = sorted(slipping, key=_falls_soonest)[:TOP_COUNT]
    return _with_flags(table)


def _with_flags(table):
    """The flags (and the Hindi portfolios) of the members ``table`` shows: two queries."""
    day = table.standings.day
    # Every object: read in parts, a member in the page and in a top list is two objects.
    listed = [*table.page.object_list, *table.furthest, *table.fastest, *table.slipping]
    shown = list({id(member): member for member in listed}.values())
    localise_portfolios(shown, day=day)
    attach_flags(shown, member_flags(members={m.id: m for m in shown}.values(), day=day))
    return table


def _falls_soonest(member):
    """Slipping members, the one to fall below the target first (beyond the horizon: last)."""
    fall = member.falls_below_target
    return (fall is None or fall.day is None, fall.day if fall and fall.day else date.max, member.name.lower())


@dataclass
class RollupPage:
    standings: Standings
    total: Rollup
    divisions: list
    districts: list


def rollup_page(*, scope_user, filters, sort=""):
    """Division and district rollups of the filtered members (the standings engine's queries), in ``sort`` order."""
    result = standings(scope_user=scope_user, **filters)
    return RollupPage(
        standings=result,
        total=rollup_total(result),
        divisions=sort_rollups(rollups(result, by="division"), sort),
        districts=sort_rollups(rollups(result, by="district"), sort),
    )


@dataclass
class PlatformRow:
    platform: str
    label: str
    followers: int | None
    posts_30: int | None
    share: float | None

    @property
    def inactive(self):
        return self.posts_30 == 0


@dataclass
class MemberPage:
    legislator: Legislator
    standing: MemberStanding | None
    target: TargetInForce
    day: date
    deadline: date
    accounts: list
    platforms: list
    history: dict
    rolls: list
    flags: list
    daily_gain_needed: float | None
    unusual: list

    @property
    def has_youtube(self):
        return any(account.platform == Platform.YOUTUBE for account in self.accounts)


def member_page(*, legislator_id, scope_user, day=None, deadline=None):
    """Everything the member page shows, or None when the user may not see the member.

    A fixed number of queries: the member, the standings engine's, accounts,
    history, voter rolls and the two of the flags.
    """
    day = day or today()
    deadline = deadline or next_election_date()
    legislator = (
        restrict_to_scope(Legislator.objects.all(), user=scope_user)
        .select_related("party", "constituency__district__division")
        .filter(pk=legislator_id)
        .first()
    )
    if legislator is None:
        return None
    result = standings(day=day, member_ids=[legislator_id])
    standing = result.members[0] if result.members else None
    accounts = list(
        SocialAccount.objects.filter(legislator=legislator).select_related("latest").order_by("platform", "handle")
    )
    history = member_history(legislator_id=legislator_id, end=day)
    rolls = voter_rolls_for(constituency_id=legislator.constituency_id) if legislator.constituency_id else []
    flags = []
    platforms = []
    gain_needed = None
    if standing is not None:
        flags = member_flags(members=[standing], day=day, recent_days=FLAG_WINDOW_DAYS)[standing.id]
        for platform in PLATFORMS:
            if platform in standing.followers:
                followers = standing.followers[platform]
                platforms.append(
                    PlatformRow(
                        platform=platform,
                        label=platform_label(platform),
                        followers=followers,
                        posts_30=standing.posts_30.get(platform),
                        share=arithmetic.share_percent(followers, standing.electors),
                    )
                )
        gain_needed = arithmetic.daily_gain_needed(needed=standing.needed, today=day, deadline=deadline)
    return MemberPage(
        legislator=legislator,
        standing=standing,
        target=result.target,
        day=day,
        deadline=deadline,
        accounts=accounts,
        platforms=platforms,
        history=history,
        rolls=rolls,
        flags=[flag for flag in flags if flag.kind not in ("spike", "drop")],
        daily_gain_needed=gain_needed,
        unusual=[flag for flag in flags if flag.kind in ("spike", "drop")],
    )


# --- Data freshness (analysts) ---------------------------------------------
