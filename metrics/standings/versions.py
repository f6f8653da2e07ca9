"""A cheap stamp of the data the standings are computed from: it changes when the counts change.

``counts_version()`` is one query of index-only look-ups (the newest finished fetch run, count,
audit entry, target and voter roll), whatever the number of members. Cached figures are keyed by it
(metrics/web/chart_cache.py): a new completed poll, a new day's count, a manual count or any audited
edit gives a new stamp, so a cached chart is never older than the data it was drawn from.
"""

from django.db import connection

from legislators.models import AuditEntry, VoterRoll
from metrics.models import FetchRun, FollowerSnapshot, Target


def _newest(model, where=""):
    return f"(SELECT max(id) FROM {connection.ops.quote_name(model._meta.db_table)}{where})"


def counts_version():
    """A text that changes whenever a completed poll, a count, an audited edit, a target or a roll is added."""
    running = FetchRun.Status.RUNNING.value
    parts = [
        _newest(FetchRun, " WHERE status <> %s"),
        _newest(FollowerSnapshot),
        _newest(AuditEntry),
        _newest(Target),
        _newest(VoterRoll),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), [running])
        row = cursor.fetchone()
    return "-".join("0" if value is None else str(value) for value in row)
