"""The project-side code each export measurement calls: one place to repoint.

After the export work is merged, point ``--timeseries-export`` (or
``TIMESERIES_EXPORT`` below) at the real export, a callable
``export(out, *, start, end)`` that writes CSV text to ``out``. Until then the
harness measures ``streaming_timeseries_csv``: the project's models read
through a server-side cursor (``QuerySet.iterator``) and written with ``csv``.
"""

import csv
import importlib
import io

from django.core.management import call_command

TIMESERIES_EXPORT = "bench.targets:streaming_timeseries_csv"
STANDINGS_EXPORT = "bench.targets:standings_command_csv"

TIMESERIES_COLUMNS = ["member_id", "member", "platform", "handle", "day", "followers", "posts"]


def load(dotted):
    module_name, _, attribute = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def streaming_timeseries_csv(out, *, start, end):
    """Every active account's daily counts between two days, streamed to ``out``."""
    from metrics.models import FollowerSnapshot

    rows = (
        FollowerSnapshot.objects.filter(day__range=(start, end), account__active=True)
        .order_by("day", "account_id")
        .values_list(
            "account__legislator_id",
            "account__legislator__name",
            "account__platform",
            "account__handle",
            "day",
            "followers",
            "posts",
        )
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TIMESERIES_COLUMNS)
    count = 0
    # A server-side cursor on PostgreSQL: memory stays flat whatever the rows.
    for row in rows.iterator(chunk_size=5000):
        writer.writerow(row)
        count += 1
    return count


def standings_command_csv(out):
    """The standings CSV through ``manage.py standings --format csv``."""
    buffer = io.StringIO()
    call_command("standings", format="csv", stdout=buffer)
    out.write(buffer.getvalue())
