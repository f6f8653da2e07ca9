"""A day's ``DailyStanding`` rows written by one INSERT ... SELECT on PostgreSQL (no row built in Python).

The rows are the live engine's: its one query (``live.live_query``) is the
inner query, and the few numbers ``live._member_standing`` works out in Python
with ``metrics.arithmetic`` (status, followers needed, share, stagnant, the
projected date, why n/a) are worked out here in SQL by the same definitions,
on the same integers:

- ``required_followers``: the ceiling of numerator × electors / denominator,
  the percent's exact fraction given by ``arithmetic.percent_fraction``
  (bigint arithmetic, no float);
- ``share_percent``: reach × 100.0 / electors in double precision, the same two
  IEEE operations as Python's float arithmetic;
- ``project_target_date``: the ceiling of needed × 30 / growth in integers,
  beyond the horizon past ``PROJECTION_HORIZON_DAYS``.

tests/metrics/test_standings_sql_rows.py proves the rows equal the Python
path's (``daily.day_rows``) column for column over members in every state,
and tests/metrics/test_standings_kept.py that the table kept this way equals
a rebuild (written by the Python path) on PostgreSQL.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection

from metrics import arithmetic
from metrics.models import DailyStanding

from . import live
from .engine_sql import GROWTH_WINDOWS, PLATFORMS

WINDOW_DAYS = 30  # the projection's window: the 30-day growth (as live._member_standing)


def usable(target):
    """True when the SQL path gives the Python path's numbers for this target (positive percents: the
    ceiling division below is written for a numerator of zero or more)."""
    return connection.vendor == "postgresql" and all(
        arithmetic.percent_fraction(percent)[0] >= 0 for percent in (target.percent, target.stretch_percent)
    )


def _required(percent):
    """SQL of ``required_followers(percent, electors)`` over the inner row ``s`` (NULL without electors)."""
    numerator, denominator = arithmetic.percent_fraction(percent)
    return (
        f"CASE WHEN s.seat_electors > 0 THEN (CAST({int(numerator)} AS BIGINT) * s.seat_electors"
        f" + {int(denominator) - 1}) / {int(denominator)} END"
    )


def _expressions(day_param):
    """{column: SQL expression} over ``q`` (the live row with ``required``, ``required_stretch`` beside it)."""
    values = {
        "member_id": "q.id",
        "day": day_param,
        "aspirant": "FALSE",
        "role": "q.role",
        "party_id": "q.party_id",
        "constituency_id": "q.constituency_id",
        "district_id": "q.district_id",
        "division_id": "q.division_id",
        "portfolio": "q.portfolio",
        "accounts": "COALESCE(q.accounts, 0)",
        "platforms": "CONCAT_WS(',', "
        + ", ".join(f"CASE WHEN q.accounts_{p} > 0 THEN '{p}' END" for p in PLATFORMS)
        + ")",
        "reach": "q.reach",
        "electors": "q.seat_electors",
        "roll_day": "q.seat_roll_day",
        "share": "CASE WHEN q.applicable THEN CAST(q.reach AS DOUBLE PRECISION) * CAST(100.0 AS DOUBLE PRECISION)"
        " / CAST(q.seat_electors AS DOUBLE PRECISION) END",
        "status": "CASE WHEN NOT q.applicable THEN 'n/a' WHEN q.reach >= q.required_stretch THEN 'stretch'"
        " WHEN q.reach >= q.required THEN 'meets' ELSE 'below' END",
        "needed": "CASE WHEN q.applicable THEN GREATEST(0, q.required - q.reach) END",
        "stagnant": "COALESCE(q.growth_30 <= 0, FALSE)",
        "projected_on": f"CASE WHEN q.projection = 'day' THEN {day_param} + CAST(q.days AS INTEGER) END",
        "projection": "q.projection",
        "na_reason": "CASE WHEN q.constituency_id IS NULL THEN 'no constituency'"
        " WHEN q.seat_electors IS NULL OR q.seat_electors = 0 THEN 'no voter roll'"
        " WHEN q.reach IS NULL THEN 'no follower count' ELSE '' END",
    }
    for platform in PLATFORMS:
        values[f"followers_{platform}"] = f"CASE WHEN q.accounts_{platform} > 0 THEN q.followers_{platform} END"
        values[f"posts_30_{platform}"] = f"CASE WHEN q.accounts_{platform} > 0 THEN q.posts_30_{platform} END"
    for window in GROWTH_WINDOWS:
        values[f"growth_{window}"] = f"q.growth_{window}"
    return values


# project_target_date over ``p`` (needed, growth_30): its kind, and the days to the projected date.
_NEEDED = "GREATEST(0, p.required - p.reach)"
_DAYS = f"({_NEEDED} * {WINDOW_DAYS} + p.growth_30 - 1) / p.growth_30"
_PROJECTION = (
    f"CASE WHEN NOT p.applicable THEN 'unknown' WHEN {_NEEDED} <= 0 THEN 'reached'"
    " WHEN p.growth_30 IS NULL THEN 'unknown' WHEN p.growth_30 <= 0 THEN 'not_at_this_rate'"
    f" WHEN {_DAYS} > {arithmetic.PROJECTION_HORIZON_DAYS} THEN 'beyond' ELSE 'day' END"
)


def insert_day(day, *, columns, member_ids=None, target):
    """Insert the rows of ``member_ids`` (None: everyone) on ``day`` (none of them stored: the caller deleted
    them), the ``columns`` in the table's order; returns the rows written. PostgreSQL only (``usable``)."""
    try:
        live_sql, live_params = live.live_query(day=day, member_ids=member_ids, ordered=False)
    except EmptyResultSet:
        return 0
    quote = connection.ops.quote_name
    expressions = _expressions("CAST(%s AS DATE)")
    selected = ", ".join(expressions[column] for column in columns)
    # One day parameter for the "day" column, one for the projected date, in the order they appear.
    day_params = [day for column in columns for _ in range(expressions[column].count("%s"))]
    sql = (
        f"INSERT INTO {quote(DailyStanding._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
        f" SELECT {selected} FROM ("
        f"SELECT p.*, {_PROJECTION} AS projection,"
        f" CASE WHEN p.applicable AND p.growth_30 > 0 THEN {_DAYS} END AS days FROM ("
        "SELECT a.*, a.required IS NOT NULL AND a.reach IS NOT NULL AS applicable FROM ("
        f"SELECT s.*, {_required(target.percent)} AS required, {_required(target.stretch_percent)}"
        " AS required_stretch FROM ("
        "SELECT l.*, CASE WHEN l.constituency_id IS NOT NULL THEN l.electors END AS seat_electors,"
        " CASE WHEN l.constituency_id IS NOT NULL THEN l.roll_day END AS seat_roll_day"
        # OFFSET 0: the live query stays one subquery, run once (pulled up, its correlated subqueries, the
        # electors in force among them, would be copied into every expression that reads them).
        f" FROM ({live_sql} OFFSET 0) AS l) AS s) AS a) AS p) AS q"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*day_params, *live_params])
        return cursor.rowcount
