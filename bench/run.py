"""National-scale benchmark: the project's pages, exports and writes against plain SQL.

    .venv/bin/python bench/run.py [--members 5000] [--days 1095] [--runs 5] [--quick]
                                  [--database-url postgres://postgres@127.0.0.1:5432/ft_bench]

Builds (once) the data sets in PostgreSQL, stores their standings (``standings_rebuild``), then measures
each item, running the project's code and its plain-SQL baseline alternately ``--runs`` times after a
warm-up, and prints medians and ratios beside the goals: the pages and the standings CSV against the plain
read of the stored ``DailyStanding`` rows (issue 14, bench/stored.py), the time series, the poll and the
API (issue 7), the rebuild, the overview's growth with the roster and with the history. Exits 1 when a
ratio misses its goal, 0 otherwise. ``--quick``: every item at small sizes, in minutes.
"""

import argparse
import io
import statistics
import sys
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import baseline_sql, build, dataset, django_setup, stored, targets  # noqa: E402
from bench.common import (  # noqa: E402
    CountingSink,
    Result,
    alternate,
    bench_client,
    copy_out,
    fetch,
    get_page,
    member_with_four_accounts,
    page_cache_off,
    ratio_result,
    timed,
    vacuum,
)


def count_queries(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


# ---------------------------------------------------------------- measurements


def timeseries_window(day, target_rows=1_000_000):
    from legislators.models import SocialAccount

    accounts = SocialAccount.objects.filter(active=True).count()
    days = max(1, round(target_rows / max(accounts, 1)))
    return day - timedelta(days=days - 1), day


def measure_timeseries(day, runs, export):
    start, end = timeseries_window(day)
    params = {"start": start, "end": end}
    sinks = {}

    def project():
        sinks["project"] = sink = CountingSink()
        export(sink, start=start, end=end)

    def baseline():
        sinks["baseline"] = sink = CountingSink()
        copy_out(baseline_sql.TIME_SERIES, params, sink)

    project_time, baseline_time = alternate(project, baseline, runs)
    rows = sinks["project"].lines - 1
    baseline_rows = sinks["baseline"].lines - 1
    # Peak memory of one more export, traced apart (tracing slows it down).
    tracemalloc.start()
    export(CountingSink(), start=start, end=end)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    speed = (rows / project_time) / (baseline_rows / baseline_time)
    ok = speed >= 0.5 and peak < 150 * 2**20
    return Result(
        f"time-series CSV ({rows:,} rows) vs COPY",
        project_time,
        baseline_time,
        ">= 0.5x rows/s, < 150 MB",
        speed,
        ok,
        f"{rows / project_time:,.0f} vs {baseline_rows / baseline_time:,.0f} rows/s; peak {peak / 2**20:.1f} MB",
    )


def measure_upsert(day, runs):
    """One day's poll of every account (today: the counts, and the standings rows the poll keeps in its
    transaction once the writers keep them), rolled back after each run."""
    from django.db import connection, transaction
    from django.utils import timezone

    from legislators.models import SocialAccount
    from metrics.models import FetchBatch, FetchRun
    from metrics.polling.clients.base import AccountResult
    from metrics.polling.runs import record_batch_results

    # Today, not tomorrow: the standings are kept up to today, so a poll dated today recomputes them.
    poll_day = day
    now = timezone.now()
    accounts = list(SocialAccount.objects.filter(active=True).values_list("pk", "platform"))
    results = [
        AccountResult(account_id=pk, status=SocialAccount.Status.OK, followers=10_000 + pk, posts=500)
        for pk, _platform in accounts
    ]
    lines = "".join(f"{pk}\t{10_000 + pk}\t500\n" for pk, _platform in accounts)

    class Rollback(Exception):
        pass

    def project():
        try:
            with transaction.atomic():
                run = FetchRun.objects.create(platform="x", client="demo", started_at=now, batches_total=1)
                batch = FetchBatch.objects.create(run=run, index=0, account_ids=[pk for pk, _p in accounts])
                record_batch_results(batch=batch, results=results, api_calls=1, now=now)
                raise Rollback
        except Rollback:
            pass

    def baseline():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    params = {"day": poll_day, "now": now}
                    for statement in baseline_sql.UPSERT:
                        if statement.startswith("COPY"):
                            cursor.cursor.copy_expert(statement, io.StringIO(lines))
                        else:
                            cursor.execute(statement, params)
                raise Rollback
        except Rollback:
            pass

    project_time, baseline_time = alternate(project, baseline, runs)
    return ratio_result(
        f"one day's poll of {len(accounts):,} accounts (with the standings kept) vs COPY + upsert of the counts",
        project_time,
        baseline_time,
        2,
    )


def api_client():
    """A test client sending a personal API token of the bench user (as a script would), no rate limit."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from metrics.tokens import api_token_create

    settings.API_THROTTLE_RATE = "1000000/min"
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    _token, secret = api_token_create(user=user, name="bench")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def get_api(client, url, params=None):
    def run():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        return b"".join(response.streaming_content) if response.streaming else response.content

    return run


def measure_api(day, runs):
    """The API's standings (first JSON page; the whole list as CSV) and a member's 3-year history
    against the plain SQL read of the same rows."""
    client = api_client()
    params = baseline_sql.standings_params(day)
    standings_sql = baseline_sql.standings_csv_sql()
    results = []
    project, baseline = alternate(get_api(client, "/api/v1/standings/"), lambda: fetch(standings_sql, params), runs)
    results.append(ratio_result("API standings, first JSON page of 100", project, baseline, 2))
    project, baseline = alternate(
        get_api(client, "/api/v1/standings/", {"format": "csv"}), lambda: fetch(standings_sql, params), runs
    )
    results.append(ratio_result("API standings, every member as CSV", project, baseline, 2))
    member = member_with_four_accounts()
    history = {**params, "member": member}
    project, baseline = alternate(
        get_api(client, f"/api/v1/members/{member}/history/", {"page_size": 10000}),
        lambda: fetch(baseline_sql.MEMBER_HISTORY, history),
        runs,
    )
    rows = len(fetch(baseline_sql.MEMBER_HISTORY, history))
    results.append(
        ratio_result("API history, 4 platforms + combined, JSON", project, baseline, 2, note=f"{rows:,} SQL rows")
    )
    return results


# ---------------------------------------------------------------- driver


def fmt_seconds(value):
    if value is None:
        return "-"
    return f"{value * 1000:,.1f} ms" if value < 10 else f"{value:,.1f} s"


def print_table(results, out=sys.stdout):
    header = ("what", "project", "plain SQL", "ratio", "goal", "ok", "note")
    rows = [
        (
            r.what,
            fmt_seconds(r.project),
            fmt_seconds(r.baseline),
            "-" if r.ratio is None else f"{r.ratio:.2f}x",
            r.goal,
            "-" if r.ok is None else ("yes" if r.ok else "NO"),
            r.note,
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |"
    print(line, file=out)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|", file=out)
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |", file=out)


def machine_description(database_url):
    import os

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"nproc {os.cpu_count()}, memory {memory:.0f} GB, PostgreSQL {version} (shared_buffers {buffers})"


ITEMS = ("overview", "division", "member", "standings-csv", "timeseries", "upsert", "api", "rebuild")
# --quick: every item at small sizes, a partial run in minutes (the goals still printed and checked).
QUICK = {
    "members": 500,
    "days": 120,
    "runs": 3,
    "scale_members": "500,5000",
    "short_days": 14,
    "standings_days": 14,
    "rebuild_days": 7,
}


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--runs", type=int, default=5, help="alternating runs per item (median)")
    parser.add_argument("--database-url", default=build.DEFAULT_URL)
    parser.add_argument("--scale-members", default="500,5000,50000", help="overview growth with members")
    parser.add_argument("--short-days", type=int, default=30, help="days of the scaling data sets")
    parser.add_argument("--no-scaling", action="store_true", help="skip the member and history scaling")
    parser.add_argument(
        "--standings-days", type=int, default=30, help="days of stored standings the data sets hold for the pages"
    )
    parser.add_argument("--rebuild-days", type=int, help="days the rebuild item rebuilds (default: --days)")
    parser.add_argument("--timeseries-export", default=targets.TIMESERIES_EXPORT, help="module:function")
    parser.add_argument("--standings-export", default=targets.STANDINGS_EXPORT, help="module:function")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data sets")
    parser.add_argument("--quick", action="store_true", help=f"small sizes, minutes: {QUICK} (explicit options win)")
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated items to measure, of {','.join(ITEMS)} (default: all; implies --no-scaling)",
    )
    parser.add_argument("--skip", default="", help="comma-separated items not to measure")
    args = parser.parse_args(argv)
    if args.quick:
        given = {arg.split("=")[0].lstrip("-").replace("-", "_") for arg in (argv or sys.argv[1:])}
        for name, value in QUICK.items():
            if name not in given:
                setattr(args, name, value)
    args.rebuild_days = min(args.rebuild_days or args.days, args.days)
    only = [item for item in args.only.split(",") if item]
    skip = [item for item in args.skip.split(",") if item]
    if unknown := set(only + skip) - set(ITEMS):
        parser.error(f"unknown item(s): {', '.join(sorted(unknown))}")
    args.items = [item for item in ITEMS if (not only or item in only) and item not in skip]
    if only:
        args.no_scaling = True
    return args


def open_data_set(args, members, days, day, *, rebuild=False):
    """Point Django at data set (members, days), built when absent, with its standings stored."""
    schema, record = build.ensure(args.database_url, members, days, rebuild=rebuild)
    django_setup.use_schema(schema)
    stored.ensure_standings(day, min(args.standings_days, days))
    return schema, record


def measure_items(args, day):
    client = bench_client()
    measurements = {
        "overview": lambda: stored.measure_overview(client, day, args.runs),
        "division": lambda: stored.measure_division(client, day, args.runs),
        "member": lambda: stored.measure_member(client, day, args.runs),
        "standings-csv": lambda: stored.measure_standings_csv(day, args.runs, targets.load(args.standings_export)),
        "timeseries": lambda: measure_timeseries(day, args.runs, targets.load(args.timeseries_export)),
        "upsert": lambda: measure_upsert(day, args.runs),
        "api": lambda: measure_api(day, args.runs),
        "rebuild": lambda: stored.measure_rebuild(day, args.rebuild_days),
    }
    results = []
    for item in args.items:
        measured = measurements[item]()
        for result in measured if isinstance(measured, list) else [measured]:
            results.append(result)
            ratio = "" if result.ratio is None else f": {result.ratio:.2f}x"
            print(f"  measured {result.what}{ratio} {result.note}", flush=True)
        if item in ("upsert", "rebuild"):
            vacuum()
    return results


def measure_scaling(args, schema, day, queries):
    """The overview at each roster size (``--short-days`` data sets), then the long against the short history:
    rendered every time (a page served from the page cache would measure the cache, not the growth)."""
    with page_cache_off():
        return _measure_scaling(args, schema, day, queries)


def _measure_scaling(args, schema, day, queries):
    overview_by = {}
    sizes = sorted({int(n) for n in args.scale_members.split(",") if n})
    for members in sizes:
        other, _record = open_data_set(args, members, args.short_days, day)
        other_client = bench_client()
        page = get_page(other_client, "/")
        page()
        overview_by[members] = statistics.median([timed(page) for _ in range(args.runs)])
        queries[(other, "overview")] = count_queries(page)
        queries[(other, "member")] = count_queries(get_page(other_client, f"/members/{member_with_four_accounts()}/"))
        print(f"  measured overview at {members:,} members: {overview_by[members] * 1000:,.1f} ms", flush=True)
    results = stored.scaling_results(overview_by, f"{args.short_days} days of history, median of {args.runs}")
    # History: the long and short sets alternately, each on its own open
    # connection (swapped in as the default), so both see the same load.
    short_schema = dataset.schema_name(args.members, args.short_days)
    open_data_set(args, args.members, args.short_days, day)
    long_connection = django_setup.schema_connection(schema)
    short_connection = django_setup.schema_connection(short_schema)
    pages = {}
    for key, wrapper in (("long", long_connection), ("short", short_connection)):
        django_setup.activate(wrapper)
        pages[key] = get_page(bench_client(), "/")

    def on(wrapper, key):
        def run():
            django_setup.activate(wrapper)
            pages[key]()

        return run

    long_time, short_time = alternate(on(long_connection, "long"), on(short_connection, "short"), args.runs)
    django_setup.use_schema(schema)
    ratio = long_time / short_time
    results.append(
        Result(
            f"overview, {args.days} vs {args.short_days} days of history",
            long_time,
            short_time,
            "<= 1.2x",
            ratio,
            ratio <= 1.2,
            "baseline column: the short history",
        )
    )
    return results


def query_constancy(queries):
    by_page = {}
    for (_schema, page), count in queries.items():
        by_page.setdefault(page, set()).add(count)
    return [
        Result(
            f"SQL queries, {page} page",
            None,
            None,
            "constant",
            None,
            len(counts) == 1,
            ", ".join(f"{s}: {c}" for (s, p), c in sorted(queries.items()) if p == page),
        )
        for page, counts in sorted(by_page.items())
    ]


def main(argv=None):
    args = parse(argv)
    dataset.ensure_database(args.database_url)
    django_setup.setup(args.database_url)
    from django.utils import timezone

    day = timezone.localdate()
    schema, record = open_data_set(args, args.members, args.days, day, rebuild=args.rebuild)
    first, last, rows = stored.standings_bounds()
    print(machine_description(args.database_url))
    print(
        f"data set {schema}: {record['members']:,} members, {record['accounts']:,} accounts, "
        f"{record['snapshots']:,} snapshots to {record['end_day']} (built in {record['build_seconds']:.0f} s); "
        f"{rows:,} stored standings rows {first}..{last}; {args.runs} alternating runs per item, medians"
    )
    if record["end_day"] != day:
        print(f"note: the data set ends {record['end_day']}, today is {day}: growth windows still apply")
    sys.stdout.flush()

    vacuum()
    results = measure_items(args, day)
    queries = {}
    client = bench_client()
    with page_cache_off():  # the queries of a rendered page (a served one: the session's, the scope's, the version)
        queries[(schema, "overview")] = count_queries(get_page(client, "/"))
        queries[(schema, "member")] = count_queries(get_page(client, f"/members/{member_with_four_accounts()}/"))
    if not args.no_scaling:
        results += measure_scaling(args, schema, day, queries)
    results += query_constancy(queries)

    print()
    print_table(results)
    failed = [r for r in results if r.ok is False]
    if failed:
        print(f"\n{len(failed)} goal(s) missed: " + "; ".join(r.what for r in failed))
        return 1
    print("\nAll goals met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
