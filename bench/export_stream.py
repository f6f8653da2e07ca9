#!/usr/bin/env python
"""Benchmark: the streaming time-series CSV export against PostgreSQL's own COPY.

    .venv/bin/python bench/export_stream.py [--database-url postgres://postgres@127.0.0.1:5432/ft_bench]
                                            [--members 1000] [--days 1000] [--rebuild]

Creates (or reuses) its own PostgreSQL database, migrates it and loads
members × 2 accounts × days follower snapshots with COPY (2,000,000 rows by
default). Then, in the same run:

1. a fresh child process streams the daily time series through the real
   export view (/exports/timeseries.csv, StreamingHttpResponse; on
   PostgreSQL the lines are computed and written by the server with COPY,
   spooled to a temporary file and streamed from it) and reports rows/s,
   time to the first byte and its peak RSS (getrusage ru_maxrss: Python,
   Django and pandas included);
2. PostgreSQL's own ``COPY (<query>) TO STDOUT WITH CSV`` of the plain
   query of the same rows (the portable path's query, without the per-member
   adding-up), read by psycopg2 into a counting sink: rows/s.

Needs a PostgreSQL server; never touches any other database.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ft_bench"


def django_setup(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "follower_tracker.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(database_url):
    import dj_database_url
    import psycopg2
    from psycopg2 import sql
    from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

    config = dj_database_url.parse(database_url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit("This benchmark needs PostgreSQL (a postgres:// URL).")
    server = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    server.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created database {config['NAME']}")
    server.close()


class CopySource:
    """A file-like object that COPY FROM STDIN reads, generated line by line (constant memory)."""

    def __init__(self, lines):
        self._lines = lines
        self._rest = b""

    def read(self, size=8192):
        parts, length = [self._rest], len(self._rest)
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if length >= size:
                break
        data = b"".join(parts)
        data, self._rest = data[:size], data[size:]
        return data

    readline = read


def build(*, members, days, rebuild):
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from legislators.models import Constituency, District, Division, Legislator, SocialAccount, VoterRoll
    from metrics.models import FollowerSnapshot

    call_command("migrate", verbosity=0)
    expected = members * 2 * days
    existing = FollowerSnapshot.objects.count()
    if existing == expected and not rebuild:
        print(f"reusing {existing:,} snapshots")
        return
    started = time.perf_counter()
    with transaction.atomic():
        FollowerSnapshot.objects.all().delete()
        SocialAccount.objects.all().delete()
        Legislator.objects.all().delete()
        VoterRoll.objects.all().delete()
        Constituency.objects.all().delete()
        District.objects.all().delete()
        Division.objects.all().delete()
        division = Division.objects.create(name="Bench division")
        district = District.objects.create(division=division, name="Bench district")
        places = Constituency.objects.bulk_create(
            Constituency(state_code="BN", number=i + 1, name=f"Bench {i + 1}", district=district)
            for i in range(members)
        )
        today = timezone.localdate()
        VoterRoll.objects.bulk_create(
            VoterRoll(constituency=place, published_on=today - timedelta(days=days + 10), total_electors=200_000)
            for place in places
        )
        people = Legislator.objects.bulk_create(
            Legislator(name=f"Bench member {i:05d}", name_hi=f"सदस्य {i:05d}", constituency=place)
            for i, place in enumerate(places)
        )
        accounts = SocialAccount.objects.bulk_create(
            SocialAccount(legislator=person, platform=platform, handle=f"bench_{platform}_{person.pk}")
            for person in people
            for platform in ("x", "facebook")
        )
        first = today - timedelta(days=days - 1)
        fetched = timezone.now().isoformat()

        def lines():
            for account in accounts:
                base = account.pk * 37 % 50_000
                for offset in range(days):
                    day = (first + timedelta(days=offset)).isoformat()
                    yield f'{account.pk},{day},{base + offset * 3},api,{fetched},""\n'.encode()

        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                "COPY metrics_followersnapshot (account_id, day, followers, source, fetched_at, evidence_url) "
                "FROM STDIN WITH (FORMAT csv)",
                CopySource(lines()),
                size=1 << 20,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {expected:,} snapshots with COPY in {time.perf_counter() - started:.1f} s")


def export_params(days):
    from django.utils import timezone

    today = timezone.localdate()
    return {"start": (today - timedelta(days=days - 1)).isoformat(), "end": today.isoformat(), "step": "daily"}


def run_export(days):
    """Child process: stream the export view's response to nowhere; print JSON figures."""
    from django.contrib.auth.models import User
    from django.test import RequestFactory

    from metrics.reports.views import export

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    request = RequestFactory().get("/exports/timeseries.csv", export_params(days))
    request.user = User(username="bench", is_superuser=True, is_active=True)  # not saved: no limits, no query
    started = time.perf_counter()
    cpu_started = time.process_time()
    response = export(request, kind="timeseries", fmt="csv")
    first_byte = first_row = None
    size = lines = 0
    longest_gap, last = 0.0, started
    for chunk in response.streaming_content:
        now = time.perf_counter()
        if first_byte is None:
            first_byte = now - started
        longest_gap, last = max(longest_gap, now - last), now
        size += len(chunk)
        lines += chunk.count(b"\n")
        if first_row is None and lines > 1:  # past the header: the first data row has left
            first_row = now - started
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "cpu_seconds": cpu,
                "rows": lines - 1,
                "bytes": size,
                "seconds": elapsed,
                "first_byte_seconds": first_byte,
                "first_row_seconds": first_row,
                "longest_gap_seconds": longest_gap,
                "baseline_rss_mb": baseline / 1024,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "streaming": response.streaming,
            }
        )
    )


def run_copy(days):
    """PostgreSQL's COPY of the export's own SQL, read into a counting sink."""
    from django.db import connection

    from metrics.reports import options, timeseries

    filters, options = options.parse(export_params(days))
    end = options.cleaned_data["end"]
    members = timeseries.timeseries_members(filters=filters, user=None, end=end)
    queryset = timeseries.timeseries_queryset(members=members, start=options.cleaned_data["start"], end=end)
    sql, params = queryset.query.sql_with_params()

    class Sink:
        size = lines = 0

        def write(self, data):
            self.size += len(data)
            self.lines += data.count(b"\n") if isinstance(data, bytes) else data.count("\n")

    sink = Sink()
    with connection.cursor() as cursor:
        literal = cursor.cursor.mogrify(sql, params).decode()
        started = time.perf_counter()
        cursor.cursor.copy_expert(f"COPY ({literal}) TO STDOUT WITH (FORMAT csv)", sink)
        elapsed = time.perf_counter() - started
    return {"rows": sink.lines, "bytes": sink.size, "seconds": elapsed, "sql": literal}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--members", type=int, default=1000, help="members (2 accounts each)")
    parser.add_argument("--days", type=int, default=1000, help="days of counts per account")
    parser.add_argument("--rebuild", action="store_true", help="reload the data even if present")
    parser.add_argument("--child-export", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_export:
        django_setup(args.database_url)
        run_export(args.days)
        return

    ensure_database(args.database_url)
    django_setup(args.database_url)
    build(members=args.members, days=args.days, rebuild=args.rebuild)

    child = subprocess.run(
        [sys.executable, __file__, "--child-export", "--database-url", args.database_url, "--days", str(args.days)],
        check=True,
        capture_output=True,
        text=True,
    )
    exported = json.loads(child.stdout.strip().splitlines()[-1])
    copied = run_copy(args.days)

    print(f"\nTime series, daily, {exported['rows']:,} rows ({args.members} members × 2 accounts × {args.days} days)")
    print(f"{'':38}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'MB':>8}")
    print(
        f"{'export view (CSV, streamed)':38}{exported['rows']:>12,}{exported['seconds']:>10.2f}"
        f"{exported['rows'] / exported['seconds']:>12,.0f}{exported['bytes'] / 1e6:>8.1f}"
    )
    print(
        f"{'PostgreSQL COPY (same query) TO STDOUT':38}{copied['rows']:>12,}{copied['seconds']:>10.2f}"
        f"{copied['rows'] / copied['seconds']:>12,.0f}{copied['bytes'] / 1e6:>8.1f}"
    )
    print(
        f"export process CPU: {exported['cpu_seconds']:.1f} s "
        f"({exported['rows'] / exported['cpu_seconds']:,.0f} rows per CPU-second; other load on the machine "
        "shows only in the wall-clock figures)"
    )
    print(
        f"\nexport: first byte after {exported['first_byte_seconds'] * 1000:.0f} ms, first row after"
        f" {exported['first_row_seconds'] * 1000:.0f} ms, longest wait between chunks"
        f" {exported['longest_gap_seconds'] * 1000:.0f} ms; streaming={exported['streaming']}"
    )
    print(
        f"export process peak RSS: {exported['peak_rss_mb']:.0f} MB "
        f"(after start-up and imports: {exported['baseline_rss_mb']:.0f} MB)"
    )
    if exported["rows"] != copied["rows"]:
        raise SystemExit("row counts differ: the export and COPY did not read the same rows")
    # The goal is on what streaming adds to the process, not on its start-up (pandas alone is ~60 MB
    # more when pyarrow is installed, as in the development environment).
    grown = exported["peak_rss_mb"] - exported["baseline_rss_mb"]
    if grown >= 50:
        raise SystemExit(f"streaming grew the process by {grown:.0f} MB (goal: under 50 MB)")


if __name__ == "__main__":
    main()
