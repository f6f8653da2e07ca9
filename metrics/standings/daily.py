"""The standings table kept day by day (``DailyStanding``): written from the engine's results.

The engine (``engine.standings``) stays the one computation; this module
stores what it gives, a day at a time, with bulk upserts:

- ``standings_rebuild(since, until)``: every member on every day of the range
  (the rows of the range are replaced; ``rebuild_standings`` calls it);
- ``standings_keep(member_ids, since)``: the incremental upkeep (not called by the
  writers yet: keeping the table in their transactions is the rest of issue 14), in the
  caller's transaction: the given members (None: everyone) for the days from
  ``since`` to today. The table covers the days from its first day to today:
  days after its last day are filled for everyone first (a new day), and a
  count written before its first day (``extend=True``) extends it backwards
  for everyone, so that the kept table is what a rebuild gives.

Queries per call: a fixed number per day (the engine's two, one upsert per
5,000 rows), whatever the number of members.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Max, Min

from legislators.models import Legislator
from metrics.models import DailyStanding, FollowerSnapshot

from . import engine

# Every stored column beside member and day: what a rebuild or upkeep rewrites.
UPDATED_FIELDS = [
    field.name for field in DailyStanding._meta.concrete_fields if field.name not in ("id", "member", "day", "aspirant")
] + ["aspirant"]
ROWS_PER_WRITE = 5000


def _projection(projection):
    if projection.day is not None:
        return projection.day, "day"
    for name in ("reached", "beyond", "not_at_this_rate"):
        if getattr(projection, name):
            return None, name
    return None, "unknown"


def standing_row(member, day):
    """The DailyStanding of an engine ``MemberStanding`` on ``day``."""
    projected_on, projection = _projection(member.projection)
    followers = {f"followers_{platform}": member.followers.get(platform) for platform in engine.PLATFORMS}
    return DailyStanding(
        member_id=member.id,
        day=day,
        role=member.role,
        party_id=member.party_id,
        constituency_id=member.constituency_id,
        district_id=member.district_id,
        division_id=member.division_id,
        accounts=member.accounts,
        **followers,
        reach=member.reach,
        electors=member.electors,
        share=member.share,
        status=member.status.value,
        needed=member.needed,
        growth_7=member.growth.get(7),
        growth_30=member.growth.get(30),
        growth_90=member.growth.get(90),
        stagnant=member.stagnant,
        projected_on=projected_on,
        projection=projection,
        na_reason=member.na_reason,
    )


def _days(first, last):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _upsert(rows):
    DailyStanding.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["member", "day"],
        update_fields=UPDATED_FIELDS,
        batch_size=ROWS_PER_WRITE,
    )


def _write_days(first, last, *, member_ids=None, prune=True):
    """Upsert the rows of ``member_ids`` (None: everyone) for the days first..last; returns the rows written.

    With ``member_ids`` and ``prune``, a stored row the engine no longer gives
    (the member was not a member that day after all) is deleted (a change of
    counts never changes who is a member: no need); for everyone, the range's
    rows are replaced."""
    if first > last:
        return 0
    if member_ids is None:
        DailyStanding.objects.filter(day__range=(first, last)).delete()
    else:
        member_ids = sorted(set(member_ids))
        if not member_ids:
            return 0
    written, pending, given = 0, [], set()
    for day in _days(first, last):
        for member in engine.standings(day=day, member_ids=member_ids).members:
            pending.append(standing_row(member, day))
            given.add((member.id, day))
        if len(pending) >= ROWS_PER_WRITE:
            _upsert(pending)
            written, pending = written + len(pending), []
    _upsert(pending)
    written += len(pending)
    if member_ids is not None and prune:
        stored = DailyStanding.objects.filter(member_id__in=member_ids, day__range=(first, last))
        stale = [
            pk for pk, member_id, day in stored.values_list("pk", "member_id", "day") if (member_id, day) not in given
        ]
        if stale:
            DailyStanding.objects.filter(pk__in=stale).delete()
    return written


def table_bounds():
    """(first day, last day) of the stored rows, (None, None) when there are none."""
    bounds = DailyStanding.objects.aggregate(first=Min("day"), last=Max("day"))
    return bounds["first"], bounds["last"]


def lock_members(member_ids):
    """Lock the members' rows (PostgreSQL) so two transactions keeping the same member take turns:
    the second computes after the first's counts are committed, not from a stale view."""
    return list(
        Legislator.objects.select_for_update().filter(pk__in=member_ids).order_by("pk").values_list("pk", flat=True)
    )


def standings_keep(*, member_ids, since, extend=False, today=None):
    """Recompute the rows of ``member_ids`` (None: everyone) from ``since`` (None: the table's first day) to today.

    Call inside the transaction of the change. ``extend``: the change is a
    count, which may start the table or extend it before its first day.
    Returns the rows written."""
    today = today or engine.today()
    first, last = table_bounds()
    if first is None:
        # Nothing kept yet: the table starts with the first count written (or a rebuild).
        return _write_days(since, today) if extend and since is not None else 0
    written = 0
    if extend and since is not None and since < first:
        written += _write_days(since, first - timedelta(days=1))
        first = since
    if last < today:  # a new day (or days): everyone's rows first
        written += _write_days(last + timedelta(days=1), today)
        last = today
    since = max(since or first, first)
    until = min(last, today)
    if member_ids is None:
        return written + _write_days(since, until)
    member_ids = lock_members(member_ids)
    return written + _write_days(since, until, member_ids=member_ids, prune=not extend)


def first_count_day():
    return FollowerSnapshot.objects.aggregate(first=Min("day"))["first"]


def standings_rebuild(*, since=None, until=None, progress=None):
    """Rebuild the rows of since..until (default: the first count's day to today) from the counts, a day
    per transaction, then ANALYZE the table. Returns (days, rows written)."""
    since = since or first_count_day()
    until = until or engine.today()
    if since is None:
        return 0, 0
    days = rows = 0
    for day in _days(since, until):
        with transaction.atomic():
            rows += _write_days(day, day)
        days += 1
        if progress is not None:
            progress(day, rows)
    analyze()
    return days, rows


def analyze():
    """Fresh planner statistics after a bulk write (the first reader gets a settled database's plans)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(DailyStanding._meta.db_table)}")
