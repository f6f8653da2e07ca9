"""The one place that writes follower counts: polled, entered by hand or imported.

Every count becomes one row per account per day in the history
(``FollowerSnapshot``) and moves the account's ``LatestCount`` forward, in
the caller's transaction:

1. ``_stored_counts``: the rows already stored that the write must not
   overwrite (a newer reading of the same day) or must report on (a count
   entered by hand or imported);
2. ``_write_history``: upsert the day's rows (on one day the newer reading
   wins);
3. ``_audit_counts``: an audit entry for every count by hand or imported,
   and for every poll that replaces (or loses to) one;
4. ``_move_latest_forward``: the latest count only ever moves to a newer day;
5. ``_mark_members``: a ChangeMark per member from its earliest day written, which the
   standings table settles (the top-level writer calls ``standings.daily.settle``).

A poll with nothing stored by hand or newer on its days takes a set-based
path on PostgreSQL (COPY into a temporary table and two upserts). Either way
a fixed number of statements whatever the number of rows.
"""

import io
from datetime import date, datetime
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from legislators.audit import audit_entry, changes_mark_days
from legislators.models import AuditEntry, ChangeMark, ChangeSource, SocialAccount

from .models import FollowerSnapshot, LatestCount, Source

BY_HAND = (Source.MANUAL, Source.IMPORT)
# Beyond this many accounts, the day filter alone is cheaper than a huge IN list.
LARGEST_ACCOUNT_FILTER = 5000


class CountRow(NamedTuple):
    account_id: int
    day: date
    followers: int
    posts: int | None


class StoredCount(NamedTuple):
    pk: int
    followers: int
    source: str
    fetched_at: datetime


def snapshots_upsert(*, results, source, now=None):
    """Polled results (``AccountResult`` with a count): today's row per account, the latest moved forward."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    return counts_upsert([(r.account_id, day, r.followers, r.posts) for r in results], source=source, now=now)


def snapshot_enter(*, account, day, followers, posts=None, source=Source.MANUAL, evidence_url="", now=None, user=None):
    """Enter one count by hand for an account and day.

    ``now`` is when the count was read (default: now). Returns True when it
    was stored, False when a newer count for that day was already stored
    (the audit trail keeps both).
    """
    if followers is None or followers < 0:
        raise ValueError("A follower count must be zero or more.")
    if day > timezone.localdate():
        raise ValueError("A count cannot be entered for a day in the future.")
    now = now or timezone.now()
    with transaction.atomic():
        written = counts_upsert(
            [(account.pk, day, followers, posts)], source=source, now=now, evidence_url=evidence_url, user=user
        )
    return written == 1


def counts_upsert(rows, *, source, now, evidence_url="", evidence_urls=None, user=None, batch=None, audit_source=None):
    """Upsert (account_id, day, followers, posts) rows; returns how many were applied.

    On one day the newer observation wins: a row is not overwritten by a
    count taken before it (a count entered by hand at 18:00 stays when a
    poll that fetched at 09:00 is recorded late). ``evidence_urls`` maps
    (account_id, day) to a row's own evidence; ``batch`` is the ImportBatch
    the audit entries link to. Call inside a transaction.
    """
    rows = [CountRow._make(row) for row in rows]
    if not rows:
        return 0
    by_hand = source in BY_HAND
    stored = _stored_counts(rows, by_hand=by_hand, now=now)
    newer_stored = {pair for pair, old in stored.items() if old.fetched_at > now}
    applied = [row for row in rows if (row.account_id, row.day) not in newer_stored] if newer_stored else rows
    if connection.vendor == "postgresql" and not by_hand and not stored:
        # The common case, a poll with nothing stored by hand or newer on its
        # days: nothing to audit, so a COPY and two set-based statements do it all.
        return _upsert_counts_postgresql(applied, source=source, now=now, evidence_url=evidence_url)
    written = _write_history(
        applied, source=source, now=now, evidence_url=evidence_url, evidence_urls=evidence_urls or {}
    )
    _audit_counts(
        rows,
        written,
        stored,
        newer_stored,
        source=source,
        user=user,
        batch=batch,
        audit_source=audit_source or (ChangeSource.MANUAL if by_hand else ChangeSource.POLL),
    )
    _move_latest_forward(applied, source=source, now=now)
    _mark_members(applied)
    return len(applied)


def _mark_members(rows):
    """A ChangeMark per member whose counts were written, from its earliest day written (one query, one
    insert): the standings table recomputes them from that day on (``standings.daily.settle``)."""
    earliest = {}
    for row in rows:
        if row.account_id not in earliest or row.day < earliest[row.account_id]:
            earliest[row.account_id] = row.day
    accounts = SocialAccount.objects.all()
    if len(earliest) <= LARGEST_ACCOUNT_FILTER:
        accounts = accounts.filter(pk__in=earliest)
    since = {}
    for account_id, legislator_id in accounts.values_list("pk", "legislator_id"):
        if account_id in earliest:
            day = earliest[account_id]
            since[legislator_id] = min(since.get(legislator_id, day), day)
    changes_mark_days(since)


def _stored_counts(rows, *, by_hand, now):
    """{(account_id, day): StoredCount} of the stored rows this write must respect or report on (locked)."""
    account_ids = {row.account_id for row in rows}
    if connection.vendor == "postgresql" and not by_hand:
        return _stored_counts_postgresql(rows, account_ids, now=now)
    stored = FollowerSnapshot.objects.select_for_update().filter(day__in={row.day for row in rows})
    if len(account_ids) <= LARGEST_ACCOUNT_FILTER:
        stored = stored.filter(account_id__in=account_ids)
    if not by_hand:
        # A poll only needs the rows it must not overwrite or must report on.
        stored = stored.filter(Q(fetched_at__gt=now) | Q(source__in=BY_HAND))
    wanted = {(row.account_id, row.day) for row in rows}
    return {
        (account_id, day): StoredCount(pk, followers, stored_source, fetched_at)
        for pk, account_id, day, followers, stored_source, fetched_at in stored.values_list(
            "pk", "account_id", "day", "followers", "source", "fetched_at"
        )
        if (account_id, day) in wanted
    }


def _stored_counts_postgresql(rows, account_ids, *, now):
    """``_stored_counts`` of a poll on PostgreSQL: the ids and days as two array parameters (the ORM
    spends ~10 ms building a 20,000-placeholder IN list that PostgreSQL reads as one array anyway)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, account_id, day, followers, source, fetched_at FROM {quote(FollowerSnapshot._meta.db_table)}"
            " WHERE day = ANY(%s::date[]) AND account_id = ANY(%s::bigint[])"
            " AND (fetched_at > %s OR source = ANY(%s::text[])) FOR UPDATE",
            [
                sorted({row.day for row in rows}),
                "{" + ",".join(str(int(pk)) for pk in account_ids) + "}",
                now,
                [str(source) for source in BY_HAND],
            ],
        )
        found = cursor.fetchall()
    if not found:  # the common case: nothing to respect
        return {}
    wanted = {(row.account_id, row.day) for row in rows}
    return {
        (account_id, day): StoredCount(pk, followers, stored_source, fetched_at)
        for pk, account_id, day, followers, stored_source, fetched_at in found
        if (account_id, day) in wanted
    }


def _write_history(rows, *, source, now, evidence_url, evidence_urls):
    """Upsert the day rows; returns {(account_id, day): snapshot pk}."""
    snapshots = FollowerSnapshot.objects.bulk_create(
        [
            FollowerSnapshot(
                account_id=row.account_id,
                day=row.day,
                followers=row.followers,
                posts=row.posts,
                source=source,
                fetched_at=now,
                evidence_url=evidence_urls.get((row.account_id, row.day), evidence_url),
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["account", "day"],
        update_fields=["followers", "posts", "source", "fetched_at", "evidence_url"],
        batch_size=2000,
    )
    return {(s.account_id, s.day): s.pk for s in snapshots}


def _audit_counts(rows, written, stored, newer_stored, *, source, user, batch, audit_source):
    """Audit entries for counts by hand, and for polls that replace (or lose to) them: one bulk insert."""
    by_hand = source in BY_HAND
    entries = []
    for row in rows:
        pair = (row.account_id, row.day)
        old = stored.get(pair)
        label = f"account {row.account_id} {row.day.isoformat()}"
        common = {"model": "metrics.followersnapshot", "object_repr": label, "source": audit_source}
        common.update(user=user, batch=batch)
        if pair in newer_stored:
            entries.append(
                audit_entry(
                    **common,
                    object_id=old.pk,
                    action=AuditEntry.Action.UPDATE,
                    changes={"followers": (old.followers, row.followers)},
                    note=f"{source} count {row.followers} not applied: the stored {old.source} count taken at "
                    f"{old.fetched_at.isoformat()} is newer",
                )
            )
            continue
        if not by_hand and old is None:
            continue  # a poll over a poll: not audited
        if old is not None and old.followers == row.followers and old.source == source:
            continue  # the same count again
        entries.append(
            audit_entry(
                **common,
                object_id=written.get(pair, row.account_id),
                action=AuditEntry.Action.UPDATE if old else AuditEntry.Action.CREATE,
                changes={
                    "followers": (old.followers if old else None, row.followers),
                    "source": (old.source if old else None, source),
                },
                note="" if by_hand else f"a newer {source} count replaced the {old.source} count",
            )
        )
    if entries:
        AuditEntry.objects.bulk_create(entries, batch_size=2000)


def _move_latest_forward(rows, *, source, now):
    """The latest count moves only forward: a count for an older day (a
    manual entry, an import) updates the history but not the latest."""
    current = dict(
        LatestCount.objects.filter(account_id__in=[row.account_id for row in rows]).values_list("account_id", "day")
    )
    newest = {}
    for row in rows:
        if row.account_id in current and current[row.account_id] > row.day:
            continue
        if row.account_id not in newest or newest[row.account_id].day <= row.day:
            newest[row.account_id] = row
    LatestCount.objects.bulk_create(
        [
            LatestCount(
                account_id=row.account_id,
                day=row.day,
                followers=row.followers,
                posts=row.posts,
                source=source,
                fetched_at=now,
            )
            for row in newest.values()
        ],
        update_conflicts=True,
        unique_fields=["account"],
        update_fields=["day", "followers", "posts", "source", "fetched_at"],
        batch_size=2000,
    )


def _upsert_counts_postgresql(rows, *, source, now, evidence_url):
    """The same upsert, set-based on PostgreSQL: COPY into a temporary table, then two upserts.

    A day's poll of 20,000 accounts is loaded the fastest way PostgreSQL
    takes rows (COPY, no SQL text to parse per value), then written to the
    history and the latest counts by one INSERT ... SELECT each; the latest
    count moves only forward (the WHERE of the conflict update), as in the
    portable path.
    """
    null = "\\N"  # COPY's text format writes NULL so
    lines = "".join(
        f"{row.account_id}\t{row.day.isoformat()}\t{row.followers}\t{null if row.posts is None else row.posts}\n"
        for row in rows
    )
    snapshots = FollowerSnapshot._meta.db_table
    latest = LatestCount._meta.db_table
    marks, accounts = ChangeMark._meta.db_table, SocialAccount._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE poll_counts (account_id bigint, day date, followers bigint, posts bigint)"
            " ON COMMIT DROP"
        )
        cursor.copy_expert("COPY poll_counts FROM STDIN", io.StringIO(lines))
        cursor.execute(
            f"""
            INSERT INTO {snapshots} (account_id, day, followers, posts, source, fetched_at, evidence_url)
            SELECT r.account_id, r.day, r.followers, r.posts, %s, %s, %s FROM poll_counts r
            ON CONFLICT (account_id, day) DO UPDATE SET followers = excluded.followers, posts = excluded.posts,
                source = excluded.source, fetched_at = excluded.fetched_at, evidence_url = excluded.evidence_url
            """,
            [source, now, evidence_url],
        )
        cursor.execute(
            f"""
            INSERT INTO {latest} AS latest (account_id, day, followers, posts, source, fetched_at)
            SELECT DISTINCT ON (r.account_id) r.account_id, r.day, r.followers, r.posts, %s, %s FROM poll_counts r
            ORDER BY r.account_id, r.day DESC
            ON CONFLICT (account_id) DO UPDATE SET day = excluded.day, followers = excluded.followers,
                posts = excluded.posts, source = excluded.source, fetched_at = excluded.fetched_at
            WHERE latest.day <= excluded.day
            """,
            [source, now],
        )
        # The members whose counts these are, from their earliest day (``_mark_members``).
        cursor.execute(
            f"""
            INSERT INTO {marks} (legislator_id, since, created_at)
            SELECT a.legislator_id, MIN(r.day), %s FROM poll_counts r JOIN {accounts} a ON a.id = r.account_id
            GROUP BY a.legislator_id
            """,
            [now],
        )
        # Gone now, not at commit: a second batch in the same transaction makes its own.
        cursor.execute("DROP TABLE poll_counts")
    return len(rows)
