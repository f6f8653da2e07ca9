"""The project-side code each export measurement calls: one place to repoint.

The time-series item measures the analysts' download itself
(``report_timeseries_csv``: metrics.reports.tables + metrics.reports.writers, the code behind
/exports/timeseries.csv). ``--timeseries-export`` takes another callable
``export(out, *, start, end)``: ``bench.targets:streaming_timeseries_csv`` (the
same rows written by ``metrics.reports.csv_copy.write_csv``, COPY on PostgreSQL) or
``bench.targets:iterator_timeseries_csv`` (a server-side cursor and ``csv``).
"""

import csv
import importlib
import io

from django.core.management import call_command

TIMESERIES_EXPORT = "bench.targets:report_timeseries_csv"
STANDINGS_EXPORT = "bench.targets:standings_command_csv"

TIMESERIES_COLUMNS = ["member_id", "member", "platform", "handle", "day", "followers", "posts"]


def load(dotted):
    module_name, _, attribute = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def timeseries_queryset(*, start, end):
    from metrics.models import FollowerSnapshot

    return (
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


def streaming_timeseries_csv(out, *, start, end):
    """Every active account's daily counts between two days, through the project's CSV writer."""
    from metrics.reports.csv_copy import write_csv

    write_csv(timeseries_queryset(start=start, end=end), out, header=TIMESERIES_COLUMNS)


def iterator_timeseries_csv(out, *, start, end):
    """The same rows through a server-side cursor and ``csv`` (for comparison)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TIMESERIES_COLUMNS)
    for row in timeseries_queryset(start=start, end=end).iterator(chunk_size=5000):
        writer.writerow(row)


def standings_command_csv(out):
    """The standings CSV through ``manage.py standings --format csv``."""
    buffer = io.StringIO()
    call_command("standings", format="csv", stdout=buffer)
    out.write(buffer.getvalue())


def report_timeseries_csv(out, *, start, end):
    """The analysts' time-series download itself (metrics.reports.tables + metrics.reports.writers,
    the code behind /exports/timeseries.csv): daily step, long layout, all members."""
    from metrics.reports import tables, writers

    table = tables.build(
        "timeseries", {"start": start.isoformat(), "end": end.isoformat(), "step": "daily", "layout": "long"}
    )
    for chunk in writers.csv_chunks(table):
        out.write(chunk)
