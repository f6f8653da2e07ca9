"""The measurements against the stored standings (issue 14 item 7).

The project side always goes through the project's public code (the pages through the test client,
``manage.py standings``, ``manage.py rebuild_standings`` / ``metrics.standings.daily.standings_rebuild``),
so these figures measure whatever that code does: today, the pages compute the standings from the counts;
once they read ``DailyStanding`` the same harness measures that. The baseline side is the plain SQL read of
the stored rows doing the same work (bench/stored_sql.py) or, for the rebuild, a plain ``INSERT ... SELECT``.
"""

import time
from datetime import timedelta

from bench import stored_sql
from bench.common import (
    CountingSink,
    Result,
    alternate,
    copy_out,
    fetch,
    get_page,
    member_with_four_accounts,
    page_cache_off,
    ratio_result,
)

PAGE_GOAL = 2  # a page against the plain read of the stored rows doing the same work


def standings_bounds():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(day), max(day), count(*) FROM metrics_dailystanding")
        return cursor.fetchone()


def ensure_standings(day, days, *, log=print):
    """Make sure the stored standings cover the ``days`` days up to ``day`` (the project's rebuild fills
    what is missing, then ANALYZEs); returns the stored rows' bounds."""
    from metrics.standings.daily import standings_rebuild

    first, last, rows = standings_bounds()
    since = day - timedelta(days=days - 1)
    if first is not None and first <= since and last >= day:
        return first, last, rows
    if first is not None and first <= since and last < day:
        since = last + timedelta(days=1)  # only the days after the kept ones
    started = time.perf_counter()
    log(f"  storing the standings {since}..{day} (metrics.standings.daily.standings_rebuild)")
    _days, written = standings_rebuild(since=since, until=day)
    log(f"  stored {written:,} standings rows in {time.perf_counter() - started:.0f} s")
    return standings_bounds()


def weekly_days(day, weeks=26):
    return [day - timedelta(weeks=n) for n in range(weeks, -1, -1)]


def run_all(queries, params):
    def run():
        for sql in queries:
            fetch(sql, params)

    return run


def measure_page(client, url, baseline, runs, what, *, note=""):
    """A page two ways against the same plain SQL: as served within a poll interval (the page cache keeps the
    rendered page until the data changes: the goal), and rendered afresh (a page cache miss: the first request
    after new data, or another page, sort or filter; its charts from their own cache): the figures."""
    served, served_baseline = alternate(get_page(client, url), baseline, runs)
    with page_cache_off():
        rendered, rendered_baseline = alternate(get_page(client, url), baseline, runs)
    return [
        ratio_result(f"{what}, served (page cache) vs stored rows", served, served_baseline, PAGE_GOAL, note=note),
        Result(
            f"{what}, rendered (page cache miss) vs stored rows",
            rendered,
            rendered_baseline,
            "figures",
            rendered / rendered_baseline,
            None,
            note,
        ),
    ]


def measure_overview(client, day, runs):
    params = {"day": day, "weeks": weekly_days(day)}
    return measure_page(client, "/", run_all(stored_sql.overview_queries(), params), runs, "overview page")


def measure_division(client, day, runs):
    from django.urls import reverse

    from legislators.models import Division

    division = Division.objects.order_by("pk").first()
    if division is None:
        return Result("division page vs stored rows", None, None, f"<= {PAGE_GOAL}x", note="no division")
    params = {"day": day, "division": division.pk}
    url = reverse("metrics:division", args=[division.pk])
    return measure_page(client, url, run_all(stored_sql.division_queries(), params), runs, "division page")


def measure_member(client, day, runs):
    member = member_with_four_accounts()
    params = {"day": day, "member": member}
    rows = len(fetch(stored_sql.MEMBER_HISTORY, params))
    baseline = run_all(stored_sql.member_queries(), params)
    note = f"{rows:,} stored days in its history"
    return measure_page(client, f"/members/{member}/", baseline, runs, "member page", note=note)


def measure_standings_csv(day, runs, export):
    params = {"day": day}
    sinks = {}

    def project():
        sinks["project"] = sink = CountingSink()
        export(sink)

    def baseline():
        sinks["baseline"] = sink = CountingSink()
        copy_out(stored_sql.standings_csv_sql(), params, sink)

    project_time, baseline_time = alternate(project, baseline, runs)
    note = f"{sinks['project'].lines - 1:,} rows vs {sinks['baseline'].lines - 1:,}"
    return ratio_result("standings CSV vs COPY of stored rows", project_time, baseline_time, PAGE_GOAL, note=note)


def measure_rebuild(day, days):
    """``manage.py rebuild_standings`` over ``days`` days against a plain INSERT ... SELECT of the same rows
    into a copy of the table (its indexes included). Rows/s of each; no goal (the issue asks for the figures)."""
    from django.core.management import call_command
    from django.db import connection

    since = day - timedelta(days=days - 1)
    started = time.perf_counter()
    call_command("rebuild_standings", since=since, until=day, quiet=True, stdout=CountingSink())
    project = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(DISTINCT member_id) FILTER (WHERE NOT aspirant) FROM metrics_dailystanding"
            " WHERE day >= %s",
            [since],
        )
        rows, members = cursor.fetchone()
        cursor.execute("DROP TABLE IF EXISTS bench_standings_copy")
        cursor.execute("CREATE TABLE bench_standings_copy (LIKE metrics_dailystanding INCLUDING ALL)")
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO bench_standings_copy SELECT * FROM metrics_dailystanding WHERE day BETWEEN %s AND %s",
            [since, day],
        )
        cursor.execute("ANALYZE bench_standings_copy")
        baseline = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_standings_copy")
    project_rate, baseline_rate = rows / project, rows / baseline
    return Result(
        f"rebuild_standings, {members:,} members x {days:,} days ({rows:,} rows, aspirants' too) vs INSERT ... SELECT",
        project,
        baseline,
        "figures",
        project / baseline,
        None,
        f"{project_rate:,.0f} vs {baseline_rate:,.0f} rows/s",
    )


def scaling_results(overview_by, runs_note=""):
    """The overview at each size, and the goal: ten times the members costs at most three times the time."""
    sizes = sorted(overview_by)
    results = []
    for members in sizes:
        results.append(Result(f"overview, {members:,} members", overview_by[members], None, note=runs_note))
    for small, large in zip(sizes, sizes[1:]):
        if large == 10 * small:
            ratio = overview_by[large] / overview_by[small]
            results.append(
                Result(
                    f"overview, {large:,} vs {small:,} members",
                    overview_by[large],
                    overview_by[small],
                    "<= 3x",
                    ratio,
                    ratio <= 3,
                    "baseline column: the smaller roster",
                )
            )
    return results
