"""What every measurement module of the harness shares: results, timing, plain SQL reads, the test client."""

import contextlib
import gc
import io
import statistics
import time
from dataclasses import dataclass


@dataclass
class Result:
    what: str
    project: float | None  # seconds (median)
    baseline: float | None
    goal: str = ""
    ratio: float | None = None
    ok: bool | None = None
    note: str = ""


class CountingSink(io.TextIOBase):
    """A text (or bytes) file that keeps only how much was written."""

    def __init__(self):
        self.chars = 0
        self.lines = 0

    def writable(self):
        return True

    def write(self, text):
        self.chars += len(text)
        self.lines += text.count("\n") if isinstance(text, str) else text.count(b"\n")
        return len(text)


def timed(function):
    gc.collect()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def alternate(project, baseline, runs):
    """Medians of ``runs`` alternating runs (after one warm-up of each)."""
    project()
    baseline()
    project_times, baseline_times = [], []
    for run in range(runs):
        # Alternate which goes first, so neither always runs on a warmer cache.
        if run % 2 == 0:
            project_times.append(timed(project))
            baseline_times.append(timed(baseline))
        else:
            baseline_times.append(timed(baseline))
            project_times.append(timed(project))
    return statistics.median(project_times), statistics.median(baseline_times)


def fetch(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def copy_out(sql, params, sink):
    from django.db import connection

    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, params).decode()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", sink)


def vacuum():
    """Clean the rows the rolled-back upserts leave behind, so runs start alike (the poll keeps the standings
    in its transaction: its rolled-back standings rows and change marks too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE legislators_socialaccount, metrics_latestcount, metrics_followersnapshot,"
            " metrics_dailystanding, legislators_changemark"
        )


def bench_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    return client


@contextlib.contextmanager
def page_cache_off():
    """Every page rendered (metrics/web/page_cache.py off): what the first request after new data costs, and
    what the query counts and the scaling measure."""
    from django.test.utils import override_settings

    with override_settings(PAGE_CACHE_SECONDS=0):
        yield


def get_page(client, url):
    def run():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    return run


def ratio_result(what, project, baseline, limit, *, note=""):
    ratio = project / baseline if baseline else None
    ok = ratio is not None and ratio <= limit
    return Result(what, project, baseline, f"<= {limit:g}x", ratio, ok, note)


def member_with_four_accounts():
    from django.db.models import Count

    from legislators.models import Legislator

    return (
        Legislator.objects.filter(constituency__isnull=False)
        .annotate(n=Count("accounts"))
        .filter(n=4)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
