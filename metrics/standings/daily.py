"""The standings table kept day by day (``DailyStanding``): written from the live engine's results.

The live engine (``live.live_standings``) stays the one computation; this
module stores what it gives, a day at a time:

- ``settle()``: in the transaction of a change, after it has written its
  ``ChangeMark`` rows (a member, or everyone, changed from a day on:
  counts by ``metrics.counts``; terms, appointments, accounts by
  ``legislators.services``; anything the admin saves by its audit; targets
  and voter rolls by the admin): the marked members are recomputed from
  their earliest marked day to the table's last day, and the marks removed.
  A count before the table's first day extends it backwards (for everyone),
  and a new day (the table's last day before today) is filled for everyone
  first, so the kept table is always what a rebuild gives. The table starts
  with the first settle that finds a count (or with a rebuild).
- ``ready_for(day)``: the reader's check (one query; ``engine.standings``):
  the table holds the day, settling pending marks first, so a page never
  reads a stale row; False sends the reader to the live computation.
- ``standings_rebuild(since, until)``: every member on every day of the range.

Settles take turns (a transaction-level advisory lock on PostgreSQL; SQLite
writes one at a time anyway): a settle computes after the counts committed
before it, and a change committed after it settles its own marks.

Aspirants (``aspirants``: a person recorded against a seat not held) are
kept beside the members, a row per seat sought per day (``aspirant`` set),
written and marked as a member's are: a mark of a person rewrites the
person's member rows and aspirant rows.

Queries per day written: the target in force, the live engine's query and
the aspirants' one, then one DELETE (two for marked people: members' and
aspirants' rows) and one insert (COPY on PostgreSQL), whatever the number of
members and aspirants.
"""

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, CharField, Max, Min, Q
from django.db.models.expressions import RawSQL

from follower_tracker.db import analyse_tables
from legislators.models import ChangeMark
from metrics.models import DailyStanding, FollowerSnapshot, Target

from . import aspirants, daily_sql, live
from .engine_sql import GROWTH_WINDOWS, PLATFORMS

COLUMNS = [field.column for field in DailyStanding._meta.concrete_fields if field.name != "id"]
LOCK_KEY = 1_404_202_614  # pg_advisory_xact_lock: the settles of the standings table take turns
DELETE_CHUNK = 5000
ANALYSE_AFTER_ROWS = 20_000
ROWS_PER_COMMIT = 50_000


def _projection(projection):
    if projection.day is not None:
        return projection.day, "day"
    for name in ("reached", "beyond", "not_at_this_rate"):
        if getattr(projection, name):
            return None, name
    return None, "unknown"


def standing_values(member, day):
    """{column: value} of the DailyStanding of a live ``MemberStanding`` on ``day``."""
    projected_on, projection = _projection(member.projection)
    values = {
        "member_id": member.id,
        "day": day,
        "aspirant": False,
        "role": member.role,
        "party_id": member.party_id,
        "constituency_id": member.constituency_id,
        "district_id": member.district_id,
        "division_id": member.division_id,
        "portfolio": member.portfolio,
        "accounts": member.accounts,
        "platforms": ",".join(member.followers),
        "reach": member.reach,
        "electors": member.electors,
        "roll_day": member.roll_day,
        "share": member.share,
        "status": member.status.value,
        "needed": member.needed,
        "stagnant": member.stagnant,
        "projected_on": projected_on,
        "projection": projection,
        "na_reason": member.na_reason,
    }
    for platform in PLATFORMS:
        values[f"followers_{platform}"] = member.followers.get(platform)
        values[f"posts_30_{platform}"] = member.posts_30.get(platform)
    for window in GROWTH_WINDOWS:
        values[f"growth_{window}"] = member.growth.get(window)
    return values


def standing_row(member, day):
    """The DailyStanding (unsaved) of a live ``MemberStanding`` on ``day``."""
    return DailyStanding(**standing_values(member, day))


class DayRange:
    """The days first..last (iterable, with ``in``)."""

    def __init__(self, first, last):
        self.first, self.last = first, last

    def __iter__(self):
        return _days(self.first, self.last)

    def __contains__(self, day):
        return self.first <= day <= self.last


def _days(first, last):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _copy_escaped(value):
    """A text value in COPY's text format (None: NULL)."""
    if value is None:
        return "\\N"
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_plain(value):
    """A number or a day in COPY's text format (None: NULL); a float exactly (repr round-trips)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return value.isoformat() if hasattr(value, "isoformat") else repr(value)


# Per column: text is escaped, the rest written plainly.
COPY_FORMATS = [
    _copy_escaped if isinstance(field, CharField) else _copy_plain
    for field in DailyStanding._meta.concrete_fields
    if field.name != "id"
]


def _copy_text(rows):
    """The rows (tuples in COLUMNS order) as COPY's text format."""
    formats = COPY_FORMATS
    return "".join("\t".join([f(v) for f, v in zip(formats, row, strict=True)]) + "\n" for row in rows)


def _insert(rows):
    """Insert rows (tuples in COLUMNS order): COPY on PostgreSQL, one executemany elsewhere."""
    if not rows:
        return
    table = connection.ops.quote_name(DailyStanding._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO(_copy_text(rows)))
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def write_days(first, last, *, member_ids=None):
    """Replace the rows of ``member_ids`` (None: everyone) for the days first..last; returns the rows written.

    A member the engine no longer gives on a day (not a member that day after
    all) loses its row."""
    if first > last:
        return 0
    stored = DailyStanding.objects.filter(day__range=(first, last))
    if member_ids is not None:
        member_ids = sorted(set(member_ids))
        if not member_ids:
            return 0
        stored = stored.filter(_among("member_id", member_ids))
    _delete(stored, member_ids)
    written = 0
    for day in _days(first, last):
        target = live.target_in_force(day=day)
        if daily_sql.usable(target):  # PostgreSQL: one INSERT ... SELECT of the member rows, no row built in Python
            written += daily_sql.insert_day(day, columns=COLUMNS, member_ids=member_ids, target=target)
            rows = aspirant_day_rows(day, person_ids=member_ids, target=target)
            _insert(rows)
            written += len(rows)
            continue
        rows = day_rows(day, member_ids=member_ids, target=target)
        _insert(rows)
        written += len(rows)
    return written


def day_rows(day, *, member_ids=None, target=None):
    """The rows (tuples in COLUMNS order, by member) of ``member_ids`` (None: everyone) on ``day`` (live engine),
    then their aspirant rows (``aspirant_day_rows``)."""
    if target is None:
        target = live.target_in_force(day=day)
    return sorted(
        tuple(map(standing_values(member, day).__getitem__, COLUMNS))
        for member in live.live_standings(day=day, member_ids=member_ids, target=target).members
    ) + aspirant_day_rows(day, person_ids=member_ids, target=target)


# --- Aspirant rows: one per aspiration covering the day (the seat sought's electors), ``aspirant`` set ---------


def aspirant_day_rows(day, *, person_ids=None, target):
    """The aspirant rows (tuples in COLUMNS order, by person then seat) of ``person_ids`` (None: every
    aspirant) on ``day``: one query (``aspirants.live_aspirants``)."""
    rows = []
    for standing in aspirants.live_aspirants(day=day, target=target, person_ids=person_ids):
        values = standing_values(standing, day)
        values["aspirant"] = True
        rows.append(tuple(map(values.__getitem__, COLUMNS)))
    return rows


def _delete(stored, member_ids):
    """Delete the stored rows (nothing refers to them): one DELETE of a range of days for everyone; for some
    people, their member rows and their aspirant rows apart, each through its own key's index."""
    if member_ids is None:
        stored.delete()
        return
    stored.filter(aspirant=False).delete()
    stored.filter(aspirant=True).delete()


def _rows_ahead(days):
    """Each day's rows, the next day worked out in a second thread (its own connection) while the caller
    writes this one: the engine's query and the writes overlap. Only outside a transaction (the worker
    sees committed counts only); inside one, a day at a time here."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        for day in days:
            yield day, day_rows(day)
        return

    def worked_out(day):
        try:
            return day_rows(day)
        finally:
            connection.close()  # the worker thread's own connection

    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = None
        for day in days:
            if ahead is None:
                ahead = pool.submit(worked_out, day)
            current, current_day = ahead, day
            following = current_day + timedelta(days=1)
            ahead = pool.submit(worked_out, following) if following in days else None
            yield current_day, current.result()


def table_bounds():
    """(first day, last day) of the stored rows, (None, None) when there are none."""
    bounds = DailyStanding.objects.aggregate(first=Min("day"), last=Max("day"))
    return bounds["first"], bounds["last"]


def table_state(day):
    """(first day, last day, marks pending, the target in force on ``day``) in one query."""
    quote = connection.ops.quote_name
    table, marks = quote(DailyStanding._meta.db_table), quote(ChangeMark._meta.db_table)
    in_force = f"FROM {quote(Target._meta.db_table)} WHERE effective_from <= %s ORDER BY effective_from DESC LIMIT 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MIN(day) FROM {table}), (SELECT MAX(day) FROM {table}),"
            f" EXISTS (SELECT 1 FROM {marks}), (SELECT percent {in_force}), (SELECT stretch_percent {in_force}),"
            f" (SELECT effective_from {in_force})",
            [day, day, day],
        )
        first, last, pending, percent, stretch, effective_from = cursor.fetchone()
    if effective_from is None:  # before the first Target (or with none at all) the design's default holds
        target = live.TargetInForce(live.DEFAULT_TARGET_PERCENT, live.DEFAULT_STRETCH_PERCENT, None)
    else:
        target = live.TargetInForce(float(percent), float(stretch), live.as_date(effective_from))
    return live.as_date(first), live.as_date(last), bool(pending), target


def ready_for(day):
    """(True when the table holds ``day`` with nothing pending, the target in force on ``day``).

    Pending marks are settled first, so a page never reads a stale row."""
    first, last, pending, target = table_state(day)
    if first is None:
        return False, target
    if pending:
        settle()
        first, last = table_bounds()
    return first <= day <= last, target


def _bounds_and_first_count():
    """(the table's first day, its last day, the first count's day) in one query."""
    table = connection.ops.quote_name(DailyStanding._meta.db_table)
    counts = connection.ops.quote_name(FollowerSnapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MIN(day) FROM {table}), (SELECT MAX(day) FROM {table}), (SELECT MIN(day) FROM {counts})"
        )
        return tuple(live.as_date(value) for value in cursor.fetchone())


def first_count_day():
    return FollowerSnapshot.objects.aggregate(first=Min("day"))["first"]


def _take_turn():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _marked(marks, first):
    """(everyone's earliest day or None, {member id: earliest day}) of the marks, none before ``first``."""
    everyone, members = None, {}
    for _pk, legislator_id, since in marks:
        since = max(since or first, first)
        if legislator_id is None:
            everyone = since if everyone is None else min(everyone, since)
        else:
            members[legislator_id] = min(members.get(legislator_id, since), since)
    return everyone, members


def _among(field, ids):
    """A filter of ``field`` to ``ids``: on PostgreSQL one array parameter (the ORM spends ~1 ms preparing
    500 placeholders of an IN list), elsewhere ``field__in``."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    return RawSQL(f"{connection.ops.quote_name(field)} = ANY(%s)", [list(ids)], output_field=BooleanField())


def _remove_marks(marks):
    pks = [mark[0] for mark in marks]
    chunk = (len(pks) or 1) if connection.vendor == "postgresql" else DELETE_CHUNK  # one array: no chunks
    for start in range(0, len(pks), chunk):
        ChangeMark.objects.filter(_among("id", pks[start : start + chunk])).delete()


def _taken_marks():
    """(the pending marks as (pk, member or None, since), whether they are removed already): on PostgreSQL one
    DELETE ... RETURNING reads and removes them at once (in the settle's transaction: undone with it)."""
    if connection.vendor != "postgresql":
        return list(ChangeMark.objects.values_list("pk", "legislator_id", "since")), False
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(ChangeMark._meta.db_table)} RETURNING id, legislator_id, since"
        )
        return cursor.fetchall(), True


def settle(*, today=None):
    """Bring the table up to date with the marked changes, in the caller's transaction; returns the rows written.

    Call after the change's writes (and its marks), in its transaction."""
    today = today or live.today()
    with transaction.atomic():
        _take_turn()
        marks, taken = _taken_marks()
        first, last, first_count = _bounds_and_first_count()
        written = 0
        if first is None:
            # The table starts with the first count (every day from it, as a rebuild would).
            if first_count is not None:
                written = write_days(first_count, today)
            if not taken:
                _remove_marks(marks)
            return _analysed(written)
        if first_count is not None and first_count < first:
            written += write_days(first_count, first - timedelta(days=1))
            first = first_count
        kept_until = last
        if last < today:  # a new day (or days): everyone's rows
            written += write_days(last + timedelta(days=1), today)
        everyone, members = _marked(marks, first)
        starts = [day for day in (everyone, *members.values()) if day is not None]
        for day in _days(min(starts), kept_until) if starts else ():
            if everyone is not None and everyone <= day:
                written += write_days(day, kept_until)
                break
            written += write_days(day, day, member_ids=[m for m, since in members.items() if since <= day])
        if not taken:
            _remove_marks(marks)
    return _analysed(written)


def _analysed(written):
    """A settle that wrote as many rows as a bulk load (the table's start, a backfill of many days)
    analyses the table after its commit, as the bulk writers do; a day's upkeep leaves it to autovacuum."""
    if written >= ANALYSE_AFTER_ROWS:
        analyse_tables(DailyStanding)
    return written


def _relaxed_commit():
    """A rebuild's transaction need not wait for its commit to reach the disk (PostgreSQL): a crash
    loses at most its last days, which the next rebuild writes again; the counts are never at risk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def standings_rebuild(*, since=None, until=None, progress=None):
    """Rebuild the rows of since..until (default: the first count's day to today) from the counts, then
    settle what is pending and ANALYZE the table. Returns (days, rows written).

    Days are written in transactions of about ROWS_PER_COMMIT rows (each day whole), so a reader sees
    a day either as it was or rebuilt."""
    first_count = first_count_day()
    since = since or first_count
    until = until or live.today()
    if since is None:
        return 0, 0
    # The marks pending now are covered by a rebuild of every day; those written meanwhile are settled after.
    pending = list(ChangeMark.objects.values_list("pk", "legislator_id", "since"))
    days = rows = 0
    ahead = _rows_ahead(DayRange(since, until))
    finished = False
    while not finished:
        with transaction.atomic():
            _relaxed_commit()
            in_transaction = 0
            while in_transaction < ROWS_PER_COMMIT:
                day, day_written = next(ahead, (None, None))
                if day is None:
                    finished = True
                    break
                DailyStanding.objects.filter(day=day).delete()
                _insert(day_written)
                in_transaction += len(day_written)
                rows += len(day_written)
                days += 1
                if progress is not None:
                    progress(day, rows)
    with transaction.atomic():
        if since <= (first_count or since) and until >= live.today():
            _remove_marks(pending)
        rows += settle()
        analyse_tables(DailyStanding)
    return days, rows
