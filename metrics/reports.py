"""Report builders: each turns the shared filters into a ``exports.Table``.

Every report reads through the same selectors as the pages
(``selectors.standings()``, ``selectors.rollups()``,
``selectors.freshness_accounts()``) with the same filters
(``filters.StandingsFilterForm``) and the same order
(``filters.sort_members``), so a download holds exactly the rows of the
screen, across all its pages. pandas does the reshaping (per-platform
columns, merges, pivots); ``timeseries`` in long layout is a generator over
a server-side cursor so it streams with constant memory.

Kinds: standings, rollup, freshness, growth, timeseries.
"""

import calendar
import io
import tempfile
from datetime import timedelta

import pandas as pd
from django import forms
from django.db import connection, transaction
from django.http import QueryDict
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legislators.models import Legislator, Platform, SocialAccount

from . import arithmetic, selectors
from .csv_copy import copy_csv
from .exports import BLANK, BOOLEAN, DATE, FORMULA_PREFIXES, INTEGER, PERCENT, TEXT, Column, Table, csv_cell
from .filters import StandingsFilterForm, sort_members
from .models import FollowerSnapshot

KINDS = ("standings", "rollup", "freshness", "growth", "timeseries")
STEPS = ("daily", "weekly", "monthly")
TIMESERIES_CHUNK = 2000


class BadParameters(Exception):
    """The query string cannot be used: ``forms`` hold the messages."""

    def __init__(self, *forms_with_errors):
        super().__init__("bad report parameters")
        self.forms = forms_with_errors


class ReportOptionsForm(forms.Form):
    """The report-only parameters, beside the standings filters."""

    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)
    step = forms.ChoiceField(
        label=gettext_lazy("Step"),
        required=False,
        choices=[
            ("daily", gettext_lazy("Daily")),
            ("weekly", gettext_lazy("Weekly")),
            ("monthly", gettext_lazy("Monthly")),
        ],
    )
    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        required=False,
        choices=[("long", gettext_lazy("Long (one row per count)")), ("wide", gettext_lazy("Wide (member × date)"))],
    )
    by = forms.ChoiceField(
        label=gettext_lazy("Group by"),
        required=False,
        choices=[("division", gettext_lazy("Division")), ("district", gettext_lazy("District"))],
    )
    stale = forms.BooleanField(label=gettext_lazy("Stale accounts only"), required=False)

    def clean(self):
        data = super().clean()
        today = selectors.today()
        for name in ("start", "end"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("The date cannot be in the future."))
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("start", _("The start date must not be after the end date."))
        return data


def parse(params):
    """Validate a query string (QueryDict or dict): (filter form, options form)."""
    if not isinstance(params, QueryDict):
        query = QueryDict(mutable=True)
        for key, value in params.items():
            if value not in (None, ""):
                query[key] = value
        params = query
    filters = StandingsFilterForm(params)
    options = ReportOptionsForm(params)
    filters_ok = filters.is_valid()
    options_ok = options.is_valid()
    if not (filters_ok and options_ok):
        raise BadParameters(*(form for form in (filters, options) if form.errors))
    return filters, options


def build(kind, params, *, user=None):
    """The table of report ``kind`` for these query-string parameters.

    ``user`` limits the rows to the user's divisions/districts (None: all,
    for management commands). Raises BadParameters on bad input.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown report kind {kind!r}")
    filters, options = parse(params)
    builder = {
        "standings": standings_table,
        "rollup": rollup_table,
        "freshness": freshness_table,
        "growth": growth_table,
        "timeseries": timeseries_table,
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
        Column("constituency_number", _("Constituency number"), INTEGER),
        Column("constituency", _("Constituency"), TEXT, 22),
        Column("constituency_hi", _("Constituency (Hindi)"), TEXT, 22),
        Column("district", _("District"), TEXT, 18),
        Column("district_hi", _("District (Hindi)"), TEXT, 18),
        Column("division", _("Division"), TEXT, 18),
        Column("division_hi", _("Division (Hindi)"), TEXT, 18),
        Column("electors", _("Electors"), INTEGER, 14),
    ]
    for platform in Platform:
        columns.append(
            Column(f"followers_{platform.value}", _("Followers: %(platform)s") % {"platform": platform.label}, INTEGER)
        )
    columns += [
        Column("reach", _("Followers, all platforms"), INTEGER, 14),
        Column("share", _("Share of voters %"), PERCENT),
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
                _("Posts in 30 days: %(platform)s") % {"platform": platform.label},
                INTEGER,
            )
        )
    columns += [
        Column("projected", _("Projected date"), TEXT, 16),
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


def standing_record(member, target):
    """One member's row as a dict keyed like ``standings_columns()``."""
    record = {
        "id": member.id,
        "name": member.name,
        "name_hi": member.name_hi or BLANK,
        "role": member.role_label,
        "portfolio": member.portfolio or BLANK,
        "party": member.party or BLANK,
        "constituency_number": member.constituency_number,
        "constituency": member.constituency_name or None,
        "constituency_hi": member.constituency_name_hi or BLANK,
        "district": member.district or None,
        "district_hi": member.district_hi or BLANK,
        "division": member.division or None,
        "division_hi": member.division_hi or BLANK,
        "electors": member.electors or None,
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
            "status": str(STATUS_LABELS[member.status]),
            "target": target.percent,
            "needed": member.needed,
            "growth_7": member.growth_7,
            "growth_30": member.growth_30,
            "growth_90": member.growth_90,
            "growth_30_percent": member.growth_30_percent,
            "stagnant": member.stagnant,
            "projected": projection_text(member.projection),
            "accounts": member.accounts,
            "na_reason": str(NA_REASONS.get(member.na_reason, member.na_reason)) if member.na_reason else BLANK,
        }
    )
    return record


def standings_frame(standings, *, sort="share"):
    """The standings as a DataFrame in the page's order (object columns keep ints and None)."""
    columns = standings_columns()
    keys = [column.key for column in columns]
    members = sort_members(standings.members, sort)
    records = [standing_record(member, standings.target) for member in members]
    return pd.DataFrame.from_records(records, columns=keys).astype(object), columns


def standings_table(*, filters, options, user):
    standings = selectors.standings(scope_user=user, **filters.selector_kwargs())
    frame, columns = standings_frame(standings, sort=filters.cleaned_data["sort"])
    return Table("standings", columns, frame_rows(frame), _filename_parts(filters), standings.day)


# --- rollup ------------------------------------------------------------------


def rollup_table(*, filters, options, user):
    by = options.cleaned_data.get("by") or "district"
    standings = selectors.standings(scope_user=user, **filters.selector_kwargs())
    groups = selectors.rollups(standings, by=by)
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
    return Table(f"rollup-{by}", columns, frame_rows(frame), _filename_parts(filters), standings.day)


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
    accounts = selectors.freshness_accounts(
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
    parts = _filename_parts(filters) + (["stale"] if options.cleaned_data.get("stale") else [])
    return Table("freshness", columns, frame_rows(frame), parts, selectors.today())


def _local(moment):
    from django.utils import timezone

    return timezone.localtime(moment).replace(microsecond=0)


# --- growth between two dates ------------------------------------------------


def growth_table(*, filters, options, user):
    """Per member: the combined row, then one row per platform; start, end, change, %."""
    kwargs = filters.selector_kwargs()
    end = options.cleaned_data.get("end") or kwargs.pop("day", None) or selectors.today()
    kwargs.pop("day", None)
    start = options.cleaned_data.get("start") or end - timedelta(days=30)
    at_end = selectors.standings(day=end, scope_user=user, **kwargs)
    members = sort_members(at_end.members, filters.cleaned_data["sort"])
    ids = [member.id for member in members]
    start_kwargs = {key: value for key, value in kwargs.items() if key not in ("status",)}
    at_start = selectors.standings(day=start, scope_user=user, member_ids=ids, **start_kwargs)

    def long_frame(standings):
        rows = []
        for member in standings.members:
            rows.append((member.id, "", member.reach, member.share, member.status.value))
            for platform, followers in member.followers.items():
                rows.append((member.id, platform, followers, None, None))
        return pd.DataFrame(rows, columns=["id", "platform", "followers", "share", "status"], dtype=object)

    merged = long_frame(at_end).merge(
        long_frame(at_start), on=["id", "platform"], how="left", suffixes=("_end", "_start")
    )
    merged["change"] = [
        end_ - start_ if end_ is not None and start_ is not None and not pd.isna(start_) else None
        for end_, start_ in zip(merged["followers_end"], merged["followers_start"], strict=True)
    ]
    merged["change_percent"] = [
        change * 100.0 / start_ if change is not None and start_ else None
        for change, start_ in zip(merged["change"], merged["followers_start"], strict=True)
    ]
    meets = {arithmetic.Status.MEETS.value, arithmetic.Status.STRETCH.value}
    below = arithmetic.Status.BELOW.value
    # A member not in office (or not measured) on the start day has no start status: n/a, not "no".
    merged["reached"] = [
        None if platform or not isinstance(status_start, str) else (status_start == below and status_end in meets)
        for platform, status_start, status_end in zip(
            merged["platform"], merged["status_start"], merged["status_end"], strict=True
        )
    ]
    merged["fell_below"] = [
        None if platform or not isinstance(status_start, str) else (status_start in meets and status_end == below)
        for platform, status_start, status_end in zip(
            merged["platform"], merged["status_start"], merged["status_end"], strict=True
        )
    ]
    order = {member_id: position for position, member_id in enumerate(ids)}
    platform_order = {"": 0, **{p.value: i + 1 for i, p in enumerate(Platform)}}
    merged["_member"] = merged["id"].map(order)
    merged["_platform"] = merged["platform"].map(platform_order)
    merged = merged.sort_values(["_member", "_platform"], kind="stable")

    by_id = {member.id: member for member in members}
    labels = dict(Platform.choices)
    columns = [
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
                _clean(row.followers_start),
                _clean(row.followers_end),
                _clean(row.change),
                _clean(row.change_percent),
                _clean(row.share_start) if combined else BLANK,
                _clean(row.share_end) if combined else BLANK,
                _clean(row.reached) if combined else BLANK,
                _clean(row.fell_below) if combined else BLANK,
            )

    parts = _filename_parts(filters) + [f"{start.isoformat()}-to-{end.isoformat()}"]
    return Table("growth", columns, rows(), parts, None)


# --- time series -------------------------------------------------------------


def step_end(day, step, last_day):
    """The last day of the step holding ``day`` (clipped to the range's end).

    Weeks run Monday to Sunday; months are calendar months.
    """
    if step == "weekly":
        end = day + timedelta(days=6 - day.weekday())
    elif step == "monthly":
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    else:
        end = day
    return min(end, last_day)


def timeseries_queryset(*, members, start, end, platform=""):
    """The snapshots of the members' active accounts in [start, end], in export order."""
    snapshots = FollowerSnapshot.objects.filter(
        account__active=True, account__legislator__in=members, day__gte=start, day__lte=end
    )
    if platform:
        snapshots = snapshots.filter(account__platform=platform)
    return snapshots.order_by(
        "account__legislator__name", "account__legislator_id", "account__platform", "day", "account_id"
    ).values_list(
        "account__legislator_id",
        "account__legislator__name",
        "account__legislator__name_hi",
        "account__platform",
        "account_id",
        "day",
        "followers",
    )


def timeseries_long_rows(queryset, *, step, end, chunk_size=TIMESERIES_CHUNK):
    """Rows (member id, name, name_hi, platform, step date, followers), streamed.

    One pass over a server-side cursor ordered by member, platform, day: the
    value of a step is the last count in it; a member's two accounts on one
    platform are added, each carried forward until its next count.
    """
    group = None
    bucket = None
    last = {}
    meta = None
    daily = step == "daily"
    for member_id, name, name_hi, platform, account_id, day, followers in queryset.iterator(chunk_size=chunk_size):
        key = (member_id, platform)
        day_bucket = day if daily else step_end(day, step, end)
        if key != group:
            if group is not None:
                yield (*meta, bucket, sum(last.values()))
            group, bucket, last = key, day_bucket, {}
            meta = (member_id, name, name_hi or BLANK, platform)
        elif day_bucket != bucket:
            yield (*meta, bucket, sum(last.values()))
            bucket = day_bucket
        last[account_id] = followers
    if group is not None:
        yield (*meta, bucket, sum(last.values()))


def timeseries_members(*, filters, user, end):
    kwargs = filters.selector_kwargs()
    kwargs.pop("day", None)
    status = kwargs.pop("status", "")
    kwargs.pop("platform", None)
    members = selectors.members_queryset(day=end, scope_user=user, **kwargs)
    if status:
        # A status filter needs the standings engine: its fixed queries, then ids.
        standings = selectors.standings(day=end, scope_user=user, status=status, **kwargs)
        members = members.filter(pk__in=[member.id for member in standings.members])
    return members.values("pk")


def timeseries_table(*, filters, options, user):
    data = options.cleaned_data
    end = data.get("end") or filters.cleaned_data.get("date") or selectors.today()
    start = data.get("start") or end - timedelta(days=90)
    step = data.get("step") or "daily"
    layout = data.get("layout") or "long"
    platform = filters.cleaned_data.get("platform") or ""
    members = timeseries_members(filters=filters, user=user, end=end)
    queryset = timeseries_queryset(members=members, start=start, end=end, platform=platform)
    labels = dict(Platform.choices)
    parts = _filename_parts(filters) + [step, layout, f"{start.isoformat()}-to-{end.isoformat()}"]
    if layout == "long":
        columns = [
            Column("member_id", _("Member id"), INTEGER, 10),
            Column("member", _("Member"), TEXT, 30),
            Column("member_hi", _("Member (Hindi)"), TEXT, 30),
            Column("platform", _("Platform"), TEXT, 12),
            Column("date", _("Date"), DATE, 12),
            Column("followers", _("Followers"), INTEGER, 14),
        ]

        def rows():
            for member_id, name, name_hi, platform_, day, followers in timeseries_long_rows(
                queryset, step=step, end=end
            ):
                yield member_id, name, name_hi, labels.get(platform_, platform_), day, followers

        def csv_rows():
            # The same cells as csv_cell gives, with the member's names
            # neutralised once per member instead of once per row.
            member = cells = None
            for member_id, name, name_hi, platform_, day, followers in timeseries_long_rows(
                queryset, step=step, end=end
            ):
                if member_id != member:
                    member = member_id
                    cells = (member_id, csv_cell(name, TEXT), csv_cell(name_hi, TEXT))
                yield (*cells, labels.get(platform_, platform_), day.isoformat(), followers)

        table = Table("timeseries", columns, rows(), parts, None)
        if connection.vendor == "postgresql":
            table.csv_text = timeseries_csv_text_postgresql(
                members=members, start=start, end=end, platform=platform, step=step, labels=labels
            )
        else:
            table.csv_rows = csv_rows()
        return table
    return _timeseries_wide(queryset, step=step, end=end, parts=parts)


# exports.FORMULA_PREFIXES as SQL values (a character that cannot be printed as chr(n)).
_SQL_FORMULA_PREFIXES = ", ".join(
    f"'{prefix}'" if prefix.isprintable() and prefix != "'" else f"chr({ord(prefix)})" for prefix in FORMULA_PREFIXES
)


def _sql_neutralised(expression):
    """SQL for the text csv_cell writes for a text column: a would-be formula gets an apostrophe."""
    return (
        f"CASE WHEN left({expression}, 1) IN ({_SQL_FORMULA_PREFIXES}) THEN '''' || {expression} ELSE {expression} END"
    )


def timeseries_csv_text_postgresql(*, members, start, end, platform, step, labels):
    """The long time series' CSV lines, computed and written by PostgreSQL (COPY).

    The same lines csv_chunks writes from timeseries_long_rows: a step's
    value is its last count, and a member's accounts on one platform are
    added, each carried forward until its next count. An account alone on
    its platform (nearly all of them) gives its rows as they are; for a
    member with two accounts on a platform, each count becomes a change from
    the account's previous count and the running sum of the changes is the
    sum of each account's latest count.

    PostgreSQL also writes the CSV (COPY): names neutralised as csv_cell
    does, once per member; blanks as empty cells; quoting as Python's csv
    does. One sort, on the member's place in name order, the platform and
    the day. The lines go to a temporary file and are read back in chunks,
    so memory stays flat. A generator: nothing is queried before the first
    chunk is asked for (the header goes out first).
    """
    quote = connection.ops.quote_name
    snapshots = quote(FollowerSnapshot._meta.db_table)
    accounts = quote(SocialAccount._meta.db_table)
    legislators = quote(Legislator._meta.db_table)
    members_sql, members_params = members.order_by().query.sql_with_params()
    # Platforms in the order of their stored values (the portable path's ORDER BY).
    platforms = [(value, str(labels[value]), position) for position, value in enumerate(sorted(labels))]
    params = [*members_params, *[item for row in platforms for item in row]]
    platform_where = ""
    if platform:
        platform_where = "AND a.platform = %s"
        params.append(platform)
    params += [start, end, start, end]
    if step == "daily":
        last_of_step = (
            "SELECT position, ordinal, day AS bucket, member_id, name_cell, name_hi_cell, label, followers FROM daily"
        )
    else:
        if step == "weekly":
            bucket = "LEAST(date_trunc('week', day)::date + 6, %s::date)"
        else:
            bucket = "LEAST((date_trunc('month', day) + interval '1 month - 1 day')::date, %s::date)"
        last_of_step = (
            f"SELECT DISTINCT ON (position, ordinal, {bucket}) position, ordinal, {bucket} AS bucket,"
            " member_id, name_cell, name_hi_cell, label, followers"
            f" FROM daily ORDER BY position, ordinal, {bucket}, day DESC"
        )
        params += [end] * 3
    values = ", ".join(["(%s, %s, %s)"] * len(platforms))
    sql = f"""
        WITH m AS MATERIALIZED (
            SELECT id, row_number() OVER (ORDER BY name, id) AS position,
                   {_sql_neutralised("name")} AS name_cell, {_sql_neutralised("NULLIF(name_hi, '')")} AS name_hi_cell
            FROM {legislators} WHERE id IN ({members_sql})
        ),
        acc AS MATERIALIZED (
            SELECT a.id, m.id AS member_id, m.position, m.name_cell, m.name_hi_cell,
                   COALESCE(p.ordinal, -1) AS ordinal, COALESCE(p.label, a.platform) AS label,
                   count(*) OVER (PARTITION BY a.legislator_id, a.platform) AS siblings
            FROM {accounts} a JOIN m ON m.id = a.legislator_id
            LEFT JOIN (VALUES {values}) AS p(platform, label, ordinal) ON p.platform = a.platform
            WHERE a.active {platform_where}
        ),
        daily AS (
            SELECT acc.position, acc.ordinal, s.day, acc.member_id, acc.name_cell, acc.name_hi_cell, acc.label,
                   s.followers
            FROM {snapshots} s JOIN acc ON acc.id = s.account_id
            WHERE acc.siblings = 1 AND s.day >= %s AND s.day <= %s
            UNION ALL
            SELECT position, ordinal, day, member_id, name_cell, name_hi_cell, label,
                   (SUM(SUM(change)) OVER (PARTITION BY position, ordinal ORDER BY day))::bigint
            FROM (
                SELECT acc.position, acc.ordinal, acc.member_id, acc.name_cell, acc.name_hi_cell, acc.label, s.day,
                       s.followers - COALESCE(lag(s.followers) OVER (PARTITION BY s.account_id ORDER BY s.day), 0)
                           AS change
                FROM {snapshots} s JOIN acc ON acc.id = s.account_id
                WHERE acc.siblings > 1 AND s.day >= %s AND s.day <= %s
            ) AS changes
            GROUP BY position, ordinal, day, member_id, name_cell, name_hi_cell, label
        ),
        d AS ({last_of_step})
        SELECT member_id, name_cell, name_hi_cell, label, bucket, followers FROM d
        ORDER BY position, ordinal, bucket
    """
    with tempfile.TemporaryFile() as spool:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # For this statement only: dates as YYYY-MM-DD whatever the
                # server's DateStyle, and room to sort a million rows in memory
                # (measured: 1.1 s with 128 MB, 1.5 s spilling to disk with the default 4 MB).
                cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
                cursor.execute("SET LOCAL work_mem = '128MB'")
            copy_csv(sql, params, spool)
        spool.seek(0)
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        while chunk := text.read(2**16):
            yield chunk
        text.detach()


def _timeseries_wide(queryset, *, step, end, parts):
    """Member × step date, all platforms added (each carried forward over gaps)."""
    long = pd.DataFrame(
        list(timeseries_long_rows(queryset, step=step, end=end)),
        columns=["id", "name", "name_hi", "platform", "date", "followers"],
    )
    columns = [
        Column("id", _("Member id"), INTEGER, 10),
        Column("name", _("Member"), TEXT, 30),
        Column("name_hi", _("Member (Hindi)"), TEXT, 30),
    ]
    if long.empty:
        return Table("timeseries", columns, iter(()), parts, None)
    long["name_hi"] = long["name_hi"].map(lambda value: "" if value is BLANK else value)
    per_platform = long.pivot_table(
        index=["id", "platform"], columns="date", values="followers", aggfunc="last"
    ).sort_index(axis=1)
    per_platform = per_platform.ffill(axis=1)
    totals = per_platform.groupby(level="id").sum(min_count=1)
    names = long.drop_duplicates("id").set_index("id")[["name", "name_hi"]]
    wide = names.join(totals).reset_index()
    wide.insert(0, "_order", wide["name"].str.lower())
    wide = wide.sort_values(["_order", "id"], kind="stable").drop(columns="_order")
    dates = list(totals.columns)
    columns += [Column(f"d{day.isoformat()}", day.isoformat(), INTEGER, 12) for day in dates]

    def rows():
        for row in wide.itertuples(index=False):
            values = list(row)
            yield (
                int(values[0]),
                values[1],
                values[2] or BLANK,
                *[None if pd.isna(value) else int(value) for value in values[3:]],
            )

    return Table("timeseries", columns, rows(), parts, None)


# --- helpers -----------------------------------------------------------------


def _clean(value):
    if value is None or value is BLANK:
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def frame_rows(frame):
    """A DataFrame's rows as tuples of plain values (NaN/NA become None: n/a)."""
    for row in frame.itertuples(index=False, name=None):
        yield tuple(_clean(value) for value in row)


def _filename_parts(filters):
    """Words for the file name that say which filters made the report."""
    data = filters.cleaned_data
    parts = []
    for name in ("division", "district", "party"):
        value = data.get(name)
        if value:
            parts.append(slugify(str(value)) or f"{name}-{value.pk}")
    for name in ("role", "platform", "status"):
        if data.get(name):
            parts.append(slugify(data[name]) or data[name])
    if data.get("q"):
        parts.append("search-" + (slugify(data["q"]) or "text"))
    return parts
