"""The accounts' totals per member, as SQL text with bound parameters.

For each member: the number of accounts, the followers per platform (the
sum of the counts present; NULL when none of that platform's accounts has a
count), the growth per window (summed over accounts measured at both ends:
SUM skips the others, NULL when there is none) and the posts per platform
over 30 days.

An account's count on a day comes from a join with that day's rows (the
day index): polling stores a row per account per day, so the exact day's row
is almost always there; only an account without one falls back to its
latest row before the day. Today's count is LatestCount's.

Written as SQL text (portable: SQLite and PostgreSQL), not as ORM
expressions: two dozen aggregates with their CASEs cost the ORM ~10 ms to
build and compile on every call, more than the query itself for one member.
Every value (days, platform names, the members' filters) is a bound
parameter; only table names, aliases and column names are written in.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection

from legislators.models import Platform, SocialAccount
from metrics.models import FollowerSnapshot, LatestCount

GROWTH_WINDOWS = (7, 30, 90)
PLATFORMS = [choice.value for choice in Platform]

# The columns account_totals_sql gives per member, beside legislator_id.
TOTAL_COLUMNS = (
    "accounts",
    "reach",
    *[f"growth_{window}" for window in GROWTH_WINDOWS],
    *[f"{column}_{name}" for name in PLATFORMS for column in ("accounts", "followers", "posts_30")],
)


@dataclass
class _Sql:
    """SQL text and its parameters, in the order the placeholders appear."""

    text: str = ""
    params: list = field(default_factory=list)


def _joined(fragments, separator):
    return _Sql(separator.join(f.text for f in fragments), [p for f in fragments for p in f.params])


def since_columns():
    """The extra columns of a growth since a chosen day (``growth_since``): combined and per platform,
    the growth and its base (the start counts of the accounts measured at both ends)."""
    names = ["growth_since", "base_since"]
    for name in PLATFORMS:
        names += [f"growth_since_{name}", f"base_since_{name}"]
    return names


@dataclass(frozen=True)
class _Tables:
    """The quoted table names the text is written with."""

    accounts: str
    snapshots: str
    latest: str

    @classmethod
    def quoted(cls):
        quote = connection.ops.quote_name
        return cls(
            accounts=quote(SocialAccount._meta.db_table),
            snapshots=quote(FollowerSnapshot._meta.db_table),
            latest=quote(LatestCount._meta.db_table),
        )

    def on_day(self, alias, column, when):
        """The account's value on a day: the joined day's row's, else the latest row before it."""
        return _Sql(
            f"(CASE WHEN {alias}.id IS NOT NULL THEN {alias}.{column} ELSE (SELECT s.{column} FROM {self.snapshots} s"
            f" WHERE s.account_id = {self.accounts}.id AND s.day <= %s ORDER BY s.day DESC LIMIT 1) END)",
            [when],
        )


def account_totals_sql(*, day, members, platform, latest_is_current, growth_since=None):
    """(SQL, params) of one row per member: ``legislator_id`` then TOTAL_COLUMNS (and since_columns()).

    ``members`` is a queryset of the members (its filters become parameters);
    ``latest_is_current``: ``day`` is today or later, so LatestCount holds the
    count on the day (nothing is stored after today). ``growth_since``: a day
    to measure growth from as well, with the same definition as the windows
    (only accounts measured at both ends count).
    """
    tables = _Tables.quoted()
    windows = [str(window) for window in GROWTH_WINDOWS] + (["since"] if growth_since is not None else [])
    days = _joined_days(day, growth_since, latest_is_current)
    joins, followers_now, posts_now = _count_now(tables, day, latest_is_current)
    joins += _day_joins(tables, days)
    # Each account's values once (the inner query), then added up per member:
    # the per-platform sums reuse them instead of working them out again.
    values = _account_values(tables, days, windows, followers_now, posts_now)
    columns = _member_columns()
    if growth_since is not None:
        columns += _growth_since_columns()
    columns += _platform_columns()
    where = _members_filter(tables, members, platform)
    selected, inner, joined = _joined(columns, ", "), _joined(values, ", "), _joined(joins, " ")
    sql = (
        f"SELECT {selected.text} FROM (SELECT {inner.text} FROM {tables.accounts} {joined.text}"
        f" WHERE {where.text}) AS account_values GROUP BY legislator_id"
    )
    return sql, [*selected.params, *inner.params, *joined.params, *where.params]


def _joined_days(day, growth_since, latest_is_current):
    """{alias: day} of the days joined as that day's rows: the windows' starts, the chosen day's, and
    ``day`` itself (``d0``) unless LatestCount holds its count."""
    days = {f"d{window}": day - timedelta(days=window) for window in GROWTH_WINDOWS}
    if growth_since is not None:
        days["dsince"] = growth_since
    if not latest_is_current:
        days["d0"] = day
    return days


def _count_now(tables, day, latest_is_current):
    """(joins, followers, posts) of the count on ``day``: LatestCount's when it is current, else the joined
    day's row (``d0``)."""
    if latest_is_current:
        joins = [_Sql(f"LEFT JOIN {tables.latest} lc ON lc.account_id = {tables.accounts}.id")]
        return joins, _Sql("lc.followers"), _Sql("lc.posts")
    return [], tables.on_day("d0", "followers", day), tables.on_day("d0", "posts", day)


def _day_joins(tables, days):
    return [
        _Sql(
            f"LEFT JOIN {tables.snapshots} {alias} ON {alias}.account_id = {tables.accounts}.id AND {alias}.day = %s",
            [when],
        )
        for alias, when in days.items()
    ]


def _account_values(tables, days, windows, followers_now, posts_now):
    """The inner query's columns: per account, its count now, at each window's start and its posts' change."""
    accounts = tables.accounts
    posts_before = tables.on_day("d30", "posts", days["d30"])
    values = [
        _Sql(f"{accounts}.legislator_id AS legislator_id"),
        _Sql(f"{accounts}.id AS account_id"),
        _Sql(f"{accounts}.platform AS platform"),
        _Sql(f"{followers_now.text} AS now", followers_now.params),
    ]
    for window in windows:
        before = tables.on_day(f"d{window}", "followers", days[f"d{window}"])
        values.append(_Sql(f"{before.text} AS before_{window}", before.params))
    values.append(
        _Sql(f"{posts_now.text} - {posts_before.text} AS posts_change", posts_now.params + posts_before.params)
    )
    return values


def _member_columns():
    """The member's combined columns: accounts, reach and the growth per window."""
    return [
        _Sql("legislator_id"),
        _Sql("COUNT(account_id) AS accounts"),
        _Sql("CAST(SUM(now) AS BIGINT) AS reach"),
        *[_Sql(f"CAST(SUM(now - before_{w}) AS BIGINT) AS growth_{w}") for w in GROWTH_WINDOWS],
    ]


def _growth_since_columns():
    """since_columns(): the same definition as the windows (SUM skips an account missing at either end)."""
    columns = [
        _Sql("CAST(SUM(now - before_since) AS BIGINT) AS growth_since"),
        _Sql("CAST(SUM(CASE WHEN now IS NOT NULL THEN before_since END) AS BIGINT) AS base_since"),
    ]
    for name in PLATFORMS:
        columns += [
            _Sql(
                f"CAST(SUM(CASE WHEN platform = %s THEN now - before_since END) AS BIGINT) AS growth_since_{name}",
                [name],
            ),
            _Sql(
                f"CAST(SUM(CASE WHEN platform = %s AND now IS NOT NULL THEN before_since END) AS BIGINT)"
                f" AS base_since_{name}",
                [name],
            ),
        ]
    return columns


def _platform_columns():
    """Per platform: the accounts, their followers and their posts over 30 days."""
    columns = []
    for name in PLATFORMS:
        columns += [
            _Sql(f"COUNT(CASE WHEN platform = %s THEN 1 END) AS accounts_{name}", [name]),
            _Sql(f"CAST(SUM(CASE WHEN platform = %s THEN now END) AS BIGINT) AS followers_{name}", [name]),
            # Twice max(0, change), halved after summing: never negative (a
            # deleted post is not "minus one"), NULL (left out) when either end
            # is missing, which GREATEST would not give on PostgreSQL (it skips NULLs).
            _Sql(
                f"CAST(SUM(CASE WHEN platform = %s THEN posts_change + ABS(posts_change) END) / 2 AS BIGINT)"
                f" AS posts_30_{name}",
                [name],
            ),
        ]
    return columns


def _members_filter(tables, members, platform):
    """The WHERE of the inner query: the members' active accounts (of one platform when given)."""
    members_sql, members_params = members.values("pk").order_by().query.sql_with_params()
    where = _Sql(
        f"{tables.accounts}.active AND {tables.accounts}.legislator_id IN ({members_sql})", list(members_params)
    )
    if platform:
        where.text += f" AND {tables.accounts}.platform = %s"
        where.params.append(platform)
    return where
