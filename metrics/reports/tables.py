"""Report builders (standings, rollup, freshness, growth): each turns the shared filters into a ``exports.Table``.

Every report reads through the same selectors as the pages
(``engine.standings()``, ``rollups.rollups()``,
``freshness.freshness_accounts()``) with the same filters
(``filters.StandingsFilterForm``) and the same order
(``filters.sort_members``), so a download holds exactly the rows of the
screen, across all its pages. pandas does the reshaping (per-platform
columns, merges, pivots); ``timeseries`` in long layout is a generator over
a server-side cursor so it streams with constant memory.

Kinds: standings, rollup, freshness, growth, timeseries, progress (from the stored daily standings).
"""

from datetime import timedelta

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legislators.models import Platform
from legislators.names import platform_label
from metrics import arithmetic
from metrics.audience.local import local_share_fields, local_shares
from metrics.standings import engine, freshness, rollups
from metrics.standings.filters import sort_members
from metrics.standings.hindi_names import localise_portfolios, party_full_names

from .local_report import local_table
from .options import KINDS, BadParameters, clean_value, filename_parts, frame_rows, parse  # noqa: F401
from .progress_report import progress_table
from .timeseries import timeseries_table
from .writers import BLANK, BOOLEAN, DATE, INTEGER, PERCENT, TEXT, Column, Table


def build(kind, params, *, user=None):
    """The table of report ``kind`` for these query-string parameters.

    ``user`` limits the rows to the user's divisions/districts (None: all,
    for management commands). Raises BadParameters on bad input.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown report kind {kind!r}")
    filters, options = parse(params, user=user)
    builder = {
        "standings": standings_table,
        "rollup": rollup_table,
        "freshness": freshness_table,
        "growth": growth_table,
        "timeseries": timeseries_table,
        "progress": progress_table,
        "local": local_table,
    }[kind]
    return builder(filters=filters, options=options, user=user)


# --- standings ---------------------------------------------------------------


def standings_columns():
    columns = [
        Column("id", _("Member id"), INTEGER, 10),
        Column("name", _("Member"), TEXT, 30),
        Column("name_hi", _("Member (Hindi)"), TEXT, 30),
        Column("role", _("Role"), TEXT, 20),
        Column("portfolio", _("Portfolio"), TEXT, 30),
        Column("party", _("Party"), TEXT),
        Column("party_name", _("Party (full name)"), TEXT, 30),  # in Hindi when the export is (and one is given)
        Column("constituency_number", _("Constituency number"), INTEGER),
        Column("constituency", _("Constituency"), TEXT, 22),
        Column("constituency_hi", _("Constituency (Hindi)"), TEXT, 22),
        Column("district", _("District"), TEXT, 18),
        Column("district_hi", _("District (Hindi)"), TEXT, 18),
        Column("division", _("Division"), TEXT, 18),
        Column("division_hi", _("Division (Hindi)"), TEXT, 18),
        Column("electors", _("Electors"), INTEGER, 14),
        Column("roll_day", _("Voter roll of"), DATE, 12),
        Column("roll_after_day", _("First roll, published after the day"), BOOLEAN, 14),
    ]
    for platform in Platform:
        columns.append(
            Column(
                f"followers_{platform.value}",
                _("Followers: %(platform)s") % {"platform": platform_label(platform.value)},
                INTEGER,
            )
        )
    columns += [
        Column("reach", _("Followers, all platforms"), INTEGER, 14),
        Column("share", _("Share of voters %"), PERCENT),
        # Beside the total share: the local share, an estimate, with its geography's date and coverage (n/a: none).
        Column("local_share", _("Local share of voters % (estimate)"), PERCENT, 14),
        Column("local_share_day", _("Audience by city as of"), DATE, 12),
        Column("local_share_coverage", _("Followers placed by city %"), PERCENT, 12),
        Column("status", _("Status"), TEXT, 14),
        Column("target", _("Target %"), PERCENT),
        Column("needed", _("Followers needed"), INTEGER),
        Column("growth_7", _("Growth, 7 days"), INTEGER),
        Column("growth_30", _("Growth, 30 days"), INTEGER),
        Column("growth_90", _("Growth, 90 days"), INTEGER),
        Column("growth_30_percent", _("Growth, 30 days %"), PERCENT),
        Column("stagnant", _("Stagnant"), BOOLEAN),
    ]
    for platform in Platform:
        columns.append(
            Column(
                f"posts_30_{platform.value}",
                _("Posts in 30 days: %(platform)s") % {"platform": platform_label(platform.value)},
                INTEGER,
            )
        )
    columns += [
        # A real date (a date cell in Excel); why there is none in the next column.
        Column("projected", _("Projected date"), DATE, 14),
        Column("projected_note", _("Projected date: why none"), TEXT, 18),
        Column("slipping", _("Slipping"), BOOLEAN),
        Column("falls_below_target", _("Falls below the target around"), DATE, 14),
        Column("accounts", _("Accounts"), INTEGER),
        Column("na_reason", _("Why n/a"), TEXT, 18),
    ]
    return columns


STATUS_LABELS = {
    arithmetic.Status.STRETCH: gettext_lazy("Meets stretch"),
    arithmetic.Status.MEETS: gettext_lazy("Meets target"),
    arithmetic.Status.BELOW: gettext_lazy("Below target"),
    arithmetic.Status.NOT_APPLICABLE: gettext_lazy("n/a"),
}
NA_REASONS = {
    "no constituency": gettext_lazy("no constituency"),
    "no voter roll": gettext_lazy("no voter roll"),
    "no follower count": gettext_lazy("no follower count"),
}


def projection_text(projection):
    if projection.reached:
        return _("met")
    if projection.day:
        return projection.day  # a date: written as ISO
    if projection.beyond:
        return _("beyond 5 years")
    if projection.not_at_this_rate:
        return _("not at this rate")
    return None


def projection_cells(projection):
    """(date, why there is none): a date alone, or a blank date beside its reason; n/a when unknown."""
    if projection.day:
        return projection.day, BLANK
    reason = projection_text(projection)
    return (BLANK, reason) if reason else (None, None)


def fall_cell(member):
    """The day a slipping member falls below the target: a date, blank when not slipping, n/a beyond 5 years."""
    if not member.slipping:
        return BLANK
    fall = member.falls_below_target
    return fall.day if fall and fall.day else None


def standing_record(member, target, local=None, party_names=None):
    """One member's row as a dict keyed like ``standings_columns()`` (``local``: the member's LocalShare;
    ``party_names``: {party id: full name})."""
    record = {
        "id": member.id,
        "name": member.name,
        "name_hi": member.name_hi or BLANK,
        "role": member.role_label,
        "portfolio": member.portfolio or BLANK,
        "party": member.party or BLANK,
        "party_name": (party_names or {}).get(member.party_id) or BLANK,
        "constituency_number": member.constituency_number,
        "constituency": member.constituency_name or None,
        "constituency_hi": member.constituency_name_hi or BLANK,
        "district": member.district or None,
        "district_hi": member.district_hi or BLANK,
        "division": member.division or None,
        "division_hi": member.division_hi or BLANK,
        "electors": member.electors or None,
        "roll_day": member.roll_day,
        "roll_after_day": member.roll_after_day if member.roll_day else None,
    }
    for platform in Platform:
        # No account on the platform: blank; an account without a count: n/a.
        record[f"followers_{platform.value}"] = (
            member.followers[platform.value] if platform.value in member.followers else BLANK
        )
        record[f"posts_30_{platform.value}"] = member.posts_30.get(platform.value, BLANK)
    record.update(
        {
            "reach": member.reach,
            "share": member.share,
            **local_share_fields(local),
            "status": str(STATUS_LABELS[member.status]),
            "target": target.percent,
            "needed": member.needed,
            "growth_7": member.growth_7,
            "growth_30": member.growth_30,
            "growth_90": member.growth_90,
            "growth_30_percent": member.growth_30_percent,
            "stagnant": member.stagnant,
            "projected": projection_cells(member.projection)[0],
            "projected_note": projection_cells(member.projection)[1],
            "slipping": member.slipping,
            "falls_below_target": fall_cell(member),
            "accounts": member.accounts,
            "na_reason": str(NA_REASONS.get(member.na_reason, member.na_reason)) if member.na_reason else BLANK,
        }
    )
    return record


def standings_frame(standings, *, sort="share"):
    """The standings as a DataFrame in the page's order (object columns keep ints and None)."""
    columns = standings_columns()
    keys = [column.key for column in columns]
    members = localise_portfolios(sort_members(standings.members, sort), day=standings.day)
    shares = standings.local or local_shares(members=members, day=standings.day)  # ≤ 5 queries
    party_names = party_full_names(members)
    records = [standing_record(member, standings.target, shares.get(member.id), party_names) for member in members]
    return pd.DataFrame.from_records(records, columns=keys).astype(object), columns


def standings_table(*, filters, options, user):
    standings = engine.standings(scope_user=user, **filters.selector_kwargs())
    frame, columns = standings_frame(standings, sort=filters.cleaned_data["sort"])
    return Table("standings", columns, frame_rows(frame), filename_parts(filters), standings.day)


# --- rollup ------------------------------------------------------------------


def rollup_table(*, filters, options, user):
    by = options.cleaned_data.get("by") or "district"
    standings = engine.standings(scope_user=user, **filters.selector_kwargs())
    groups = rollups.sort_rollups(rollups.rollups(standings, by=by), options.cleaned_data.get("rollup_sort") or "")
    columns = [Column("name", _("Division") if by == "division" else _("District"), TEXT, 22)]
    columns.append(Column("name_hi", _("Name (Hindi)"), TEXT, 22))
    if by == "district":
        columns.append(Column("division", _("Division"), TEXT, 22))
    columns += [
        Column("members", _("Members"), INTEGER),
        Column("counted", _("Members with a share"), INTEGER),
        Column("not_applicable", _("n/a (left out)"), INTEGER),
        Column("meets", _("Meet the target"), INTEGER),
        Column("meets_share", _("Meet the target %"), PERCENT),
        Column("stretch", _("Meet the stretch line"), INTEGER),
        Column("stagnant", _("Stagnant"), INTEGER),
        Column("total_reach", _("Followers, all platforms"), INTEGER, 16),
        Column("total_electors", _("Electors"), INTEGER, 16),
        Column("attainment", _("Attainment % (elector-weighted)"), PERCENT, 18),
    ]
    records = []
    for group in groups:
        record = {column.key: getattr(group, column.key, None) for column in columns}
        record["name"] = group.name or (_("No division") if by == "division" else _("No district"))
        record["name_hi"] = group.name_hi or BLANK
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=[c.key for c in columns]).astype(object)
    return Table(f"rollup-{by}", columns, frame_rows(frame), filename_parts(filters), standings.day)


# --- freshness ---------------------------------------------------------------


def freshness_columns():
    return [
        Column("member_id", _("Member id"), INTEGER, 10),
        Column("member", _("Member"), TEXT, 30),
        Column("member_hi", _("Member (Hindi)"), TEXT, 30),
        Column("district", _("District"), TEXT, 18),
        Column("division", _("Division"), TEXT, 18),
        Column("platform", _("Platform"), TEXT),
        Column("handle", _("Handle"), TEXT, 22),
        Column("status_label", _("Account status"), TEXT, 18),
        Column("last_success_at", _("Last successful poll"), DATE, 20),
        Column("last_checked_at", _("Last checked"), DATE, 20),
        Column("latest_day", _("Latest count on"), DATE, 14),
        Column("latest_followers", _("Latest count"), INTEGER, 14),
        Column("days_since_success", _("Days since success"), INTEGER),
        Column("stale", _("Stale"), BOOLEAN),
        Column("last_error", _("Last error"), TEXT, 40),
    ]


def freshness_table(*, filters, options, user):
    accounts = freshness.freshness_accounts(
        scope_user=user, stale_only=options.cleaned_data.get("stale") or False, **filters.selector_kwargs()
    )
    columns = freshness_columns()
    labels = dict(Platform.choices)
    records = []
    for account in accounts:
        record = {column.key: getattr(account, column.key) for column in columns}
        record["platform"] = labels.get(account.platform, account.platform)
        record["member_hi"] = account.member_hi or BLANK
        record["last_error"] = account.last_error or BLANK
        for key in ("last_success_at", "last_checked_at"):
            if record[key] is not None:
                record[key] = _local(record[key])
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=[c.key for c in columns]).astype(object)
    parts = filename_parts(filters) + (["stale"] if options.cleaned_data.get("stale") else [])
    return Table("freshness", columns, frame_rows(frame), parts, engine.today())


def _local(moment):
    from django.utils import timezone

    return timezone.localtime(moment).replace(microsecond=0)


# --- growth between two dates ------------------------------------------------


def growth_table(*, filters, options, user):
    """Per member: the combined row, then one row per platform; start, end, change, %."""
    kwargs = filters.selector_kwargs()
    end = options.cleaned_data.get("end") or kwargs.pop("day", None) or engine.today()
    kwargs.pop("day", None)
    start = options.cleaned_data.get("start") or end - timedelta(days=30)
    # The change is the engine's growth since the start day: only accounts measured at both ends count
    # (a newly added account's count is not growth), as in the standings' 7/30/90-day growth.
    at_end = engine.standings(day=end, scope_user=user, growth_since=start, **kwargs)
    members = sort_members(at_end.members, filters.cleaned_data["sort"])
    ids = [member.id for member in members]
    start_kwargs = {key: value for key, value in kwargs.items() if key not in ("status",)}
    at_start = engine.standings(day=start, scope_user=user, member_ids=ids, **start_kwargs)
    merged = _growth_frame(at_start, at_end, ids)
    by_id = {member.id: member for member in members}
    labels = dict(Platform.choices)

    def rows():
        for row in merged.itertuples(index=False):
            member = by_id[row.id]
            combined = not row.platform
            yield (
                member.id,
                member.name,
                member.name_hi or BLANK,
                member.district or None,
                _("All platforms") if combined else labels.get(row.platform, row.platform),
                clean_value(row.followers_start),
                clean_value(row.followers_end),
                clean_value(row.change),
                clean_value(row.change_percent),
                clean_value(row.share_start) if combined else BLANK,
                clean_value(row.share_end) if combined else BLANK,
                clean_value(row.reached) if combined else BLANK,
                clean_value(row.fell_below) if combined else BLANK,
            )

    parts = filename_parts(filters) + [f"{start.isoformat()}-to-{end.isoformat()}"]
    return Table("growth", _growth_columns(start, end), rows(), parts, None)


def _growth_long_frame(standings):
    """A row per member (combined) and per platform: followers, share, status, and the growth since the start
    with its base (present only in the end day's standings)."""
    rows = []
    for member in standings.members:
        growth, base = member.since.get("", (None, None))
        rows.append((member.id, "", member.reach, member.share, member.status.value, growth, base))
        for platform, followers in member.followers.items():
            growth, base = member.since.get(platform, (None, None))
            rows.append((member.id, platform, followers, None, None, growth, base))
    columns = ["id", "platform", "followers", "share", "status", "growth", "base"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _growth_frame(at_start, at_end, ids):
    """Each member's combined and per-platform rows at both ends, with the change and the target crossings."""
    merged = _growth_long_frame(at_end).merge(
        _growth_long_frame(at_start).drop(columns=["growth", "base"]),
        on=["id", "platform"],
        how="left",
        suffixes=("_end", "_start"),
    )
    merged["change"] = merged["growth"]
    merged["change_percent"] = [
        arithmetic.growth_percent(growth, base) for growth, base in zip(merged["growth"], merged["base"], strict=True)
    ]
    meets = {arithmetic.Status.MEETS.value, arithmetic.Status.STRETCH.value}
    below = arithmetic.Status.BELOW.value
    ends = list(zip(merged["platform"], merged["status_start"], merged["status_end"], strict=True))
    # A member not in office (or not measured) on the start day has no start status: n/a, not "no".
    merged["reached"] = [
        None if platform or not isinstance(first, str) else (first == below and last in meets)
        for platform, first, last in ends
    ]
    merged["fell_below"] = [
        None if platform or not isinstance(first, str) else (first in meets and last == below)
        for platform, first, last in ends
    ]
    order = {member_id: position for position, member_id in enumerate(ids)}
    platform_order = {"": 0, **{p.value: i + 1 for i, p in enumerate(Platform)}}
    merged["_member"] = merged["id"].map(order)
    merged["_platform"] = merged["platform"].map(platform_order)
    return merged.sort_values(["_member", "_platform"], kind="stable")


def _growth_columns(start, end):
    return [
        Column("id", _("Member id"), INTEGER, 10),
        Column("name", _("Member"), TEXT, 30),
        Column("name_hi", _("Member (Hindi)"), TEXT, 30),
        Column("district", _("District"), TEXT, 18),
        Column("platform", _("Platform"), TEXT, 16),
        Column("start", _("Followers on %(day)s") % {"day": start.isoformat()}, INTEGER, 16),
        Column("end", _("Followers on %(day)s") % {"day": end.isoformat()}, INTEGER, 16),
        Column("change", _("Change"), INTEGER),
        Column("change_percent", _("Change %"), PERCENT),
        Column("share_start", _("Share of voters %% on %(day)s") % {"day": start.isoformat()}, PERCENT, 18),
        Column("share_end", _("Share of voters %% on %(day)s") % {"day": end.isoformat()}, PERCENT, 18),
        Column("reached", _("Reached the target in between"), BOOLEAN, 16),
        Column("fell_below", _("Fell below the target in between"), BOOLEAN, 16),
    ]


# --- time series -------------------------------------------------------------
