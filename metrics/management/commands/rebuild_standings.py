"""Rebuild the standings table (DailyStanding) from the counts, day by day, then ANALYZE it."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from metrics.standings.daily import standings_rebuild


def _day(value):
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a day (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Rebuild the stored daily standings from the counts (default: from the first count's day to today)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=_day, help="first day to rebuild (YYYY-MM-DD)")
        parser.add_argument("--until", type=_day, help="last day to rebuild (YYYY-MM-DD; default today)")
        parser.add_argument("--quiet", action="store_true", help="only the summary line")

    def handle(self, *args, since=None, until=None, quiet=False, verbosity=1, **options):
        if since and until and since > until:
            raise CommandError("--since is after --until.")
        started = time.perf_counter()

        def progress(day, rows):
            if not quiet and verbosity > 1:
                self.stdout.write(f"{day.isoformat()}: {rows} rows so far")

        days, rows = standings_rebuild(since=since, until=until, progress=progress)
        seconds = time.perf_counter() - started
        rate = rows / seconds if seconds > 0 else 0
        self.stdout.write(f"Rebuilt {rows} standings rows over {days} days in {seconds:.1f} s ({rate:,.0f} rows/s).")
