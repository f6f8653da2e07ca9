"""The time-series report: counts per member and platform by day, week or month, long or wide.

Long layout streams from a server-side cursor with constant memory; on
PostgreSQL the CSV is written by COPY (one sort, names per member).
"""

import calendar
import io
import tempfile
from datetime import timedelta

import pandas as pd
from django.db import connection, transaction
from django.utils.translation import gettext as _

from legislators.models import Legislator, Platform, SocialAccount
from metrics.models import FollowerSnapshot
from metrics.standings import engine

from .csv_copy import copy_csv
from .options import filename_parts
from .writers import BLANK, DATE, FORMULA_PREFIXES, INTEGER, TEXT, Column, Table, csv_cell

TIMESERIES_CHUNK = 2000
# Members per COPY of the PostgreSQL time series: a member has ~1,100 rows over three years of
# days (two accounts), so a batch is ~110,000 rows, sorted in a fraction of a second.
TIMESERIES_MEMBERS_PER_COPY = 100


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
    members = engine.members_queryset(day=end, scope_user=user, **kwargs)
    if status:
        # A status filter needs the standings engine: its fixed queries, then ids.
        standings = engine.standings(day=end, scope_user=user, status=status, **kwargs)
        members = members.filter(pk__in=[member.id for member in standings.members])
    return members.values("pk")


def timeseries_table(*, filters, options, user):
    data = options.cleaned_data
    end = data.get("end") or filters.cleaned_data.get("date") or engine.today()
    start = data.get("start") or end - timedelta(days=90)
    step = data.get("step") or "daily"
    layout = data.get("layout") or "long"
    platform = filters.cleaned_data.get("platform") or ""
    members = timeseries_members(filters=filters, user=user, end=end)
    queryset = timeseries_queryset(members=members, start=start, end=end, platform=platform)
    labels = dict(Platform.choices)
    parts = filename_parts(filters) + [step, layout, f"{start.isoformat()}-to-{end.isoformat()}"]
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
    does. The members go in name order, TIMESERIES_MEMBERS_PER_COPY at a
    time: each COPY sorts only its members' rows, so the first lines leave
    within a second even at national scale (one COPY of 5.46 M rows sorted
    for 12-18 s before its first line, and a proxy or gunicorn could give up
    on a download that sent only its header). A generator: nothing is
    queried before the first chunk is asked for (the header goes out first).
    """
    quote = connection.ops.quote_name
    snapshots = quote(FollowerSnapshot._meta.db_table)
    accounts = quote(SocialAccount._meta.db_table)
    legislators = quote(Legislator._meta.db_table)
    # Platforms in the order of their stored values (the portable path's ORDER BY).
    platforms = [(value, str(labels[value]), position) for position, value in enumerate(sorted(labels))]
    params = ["member ids", *[item for row in platforms for item in row]]
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
            FROM {legislators} WHERE id = ANY(%s)
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
    ids = list(Legislator.objects.filter(pk__in=members).order_by("name", "pk").values_list("pk", flat=True).iterator())
    with tempfile.TemporaryFile() as spool:
        for first in range(0, len(ids), TIMESERIES_MEMBERS_PER_COPY):
            params[0] = ids[first : first + TIMESERIES_MEMBERS_PER_COPY]
            spool.seek(0)
            spool.truncate()
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # For these statements only: dates as YYYY-MM-DD whatever the server's DateStyle,
                    # and room to sort a batch's rows in memory.
                    cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
                    cursor.execute("SET LOCAL work_mem = '64MB'")
                copy_csv(sql, params, spool)
            # The batch's lines were spooled to disk: read back in chunks, memory stays flat.
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
