#!/usr/bin/env python
"""Load test: concurrent logged-in users against gunicorn + PostgreSQL on 127.0.0.1.

Bounded in time and in requests. Prints requests/s, p50/p95/p99 latency and
errors, per URL and in total.

    # against a running server (a session cookie of a user who may see the pages):
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --session KEY --users 10 --duration 30

    # or let it start gunicorn on a database (seed it first: manage.py seed_demo [--members 5000 --days 90]):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ft_load .venv/bin/python bench/load.py --serve --users 10 50

    # on a bench data set (make bench builds it: schema ds_m5000_d1095 of the bench database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ft_bench .venv/bin/python bench/load.py --serve \
        --schema ds_m5000_d1095

    # right after seeding a new database (created, migrated, seeded, then measured at once; --recreate
    # drops it first):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ft_load .venv/bin/python bench/load.py --serve \
        --seed-demo 5000,90 --recreate

Goals (issue 14): at 10 users at least 100 requests/s with p95 under 300 ms; no errors at 50 users.
They are printed beside the figures; the exit status is 1 when one is missed.

Default paths: the overview, the overview filtered and sorted, a member page
(the first member on the overview) and the paths given with --path (e.g. an
export: --path '/exports/standings.csv?status=below'). "{member}" in a path is
replaced by that member's id.
"""

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = ["/", "/?status=below&sort=-reach", "/members/{member}/"]
SESSION_SCRIPT = """
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from legislators.models import UserScope
user, _ = User.objects.get_or_create(username="loadtest")
user.groups.add(*Group.objects.filter(name__in=["Viewer", "Analyst"]))
UserScope.objects.update_or_create(user=user, defaults={"whole_state": True})  # without a scope: sees nothing
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "legislators.access.ScopedModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print("SESSION", store.session_key)
"""


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def run_load(*, base_url, session_key, paths, users, duration, max_requests, timeout):
    cookie = {"Cookie": f"sessionid={session_key}"}  # a header: the cookie is Secure in production settings
    results = defaultdict(list)  # path -> [(latency_s, ok)]
    lock = threading.Lock()
    sent = [0]
    deadline = time.monotonic() + duration

    def user_loop(number):
        http = requests.Session()
        step = number
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            path = paths[step % len(paths)]
            step += 1
            started = time.perf_counter()
            try:
                response = http.get(base_url + path, headers=cookie, timeout=timeout, allow_redirects=False)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                results[path].append((elapsed, ok))

    started = time.monotonic()
    threads = [threading.Thread(target=user_loop, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return summarise(results, wall, users)


def summarise(results, wall, users):
    rows = []
    everything = []
    for path, samples in sorted(results.items()):
        everything += samples
        rows.append(_row(path, samples, wall))
    total = _row("ALL", everything, wall)
    return {"users": users, "seconds": round(wall, 1), "paths": rows, "total": total}


def _row(path, samples, wall):
    latencies = sorted(s[0] * 1000 for s in samples)
    return {
        "path": path,
        "requests": len(samples),
        "errors": sum(1 for s in samples if not s[1]),
        "rps": round(len(samples) / wall, 1) if wall else 0,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else float("nan"),
    }


def print_summary(label, summary):
    print(f"\n== {label}: {summary['users']} users, {summary['seconds']} s")
    print(f"{'path':38} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for row in summary["paths"] + [summary["total"]]:
        print(
            f"{row['path'][:38]:38} {row['requests']:>8} {row['errors']:>6} {row['rps']:>7} "
            f"{row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}"
        )


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def start_gunicorn(env, port, workers):
    manage(env, "collectstatic", "--noinput", "-v0")
    command = [
        sys.executable, "-m", "gunicorn", "follower_tracker.wsgi", f"--bind=127.0.0.1:{port}",
        f"--workers={workers}", "--timeout=60", "--log-level=warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


GOAL_USERS, GOAL_RPS, GOAL_P95_MS = 10, 100, 300


def goal_lines(summary):
    """[(text, met)] of the goals for this run's number of users."""
    total = summary["total"]
    goals = [(f"no errors at {summary['users']} users: {total['errors']} errors", total["errors"] == 0)]
    if summary["users"] == GOAL_USERS:
        goals.append(
            (
                f">= {GOAL_RPS} requests/s with p95 < {GOAL_P95_MS} ms at {GOAL_USERS} users: "
                f"{total['rps']} requests/s, p95 {total['p95_ms']} ms",
                total["rps"] >= GOAL_RPS and total["p95_ms"] < GOAL_P95_MS,
            )
        )
    return goals


def with_schema(database_url, schema):
    """DATABASE_URL reading one bench data set's schema (and JIT off, as the settings would set)."""
    from urllib.parse import quote

    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options={quote(f'-c search_path={schema} -c jit=off')}"


def create_database(database_url, *, recreate):
    """Create the database of ``database_url`` (dropped first with ``recreate``); refuse one that exists."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(database_url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        password=config["PASSWORD"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone():
            if not recreate:
                raise SystemExit(f"database {config['NAME']} exists: --recreate drops it first")
            cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(config["NAME"])))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    admin.close()


def seed_demo(env, members_days, *, recreate):
    members, days = (int(part) for part in members_days.split(","))
    create_database(env["DATABASE_URL"], recreate=recreate)
    started = time.perf_counter()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_demo", "--members", str(members), "--days", str(days))
    print(f"seeded {members:,} members x {days} days in {time.perf_counter() - started:.0f} s; measuring at once")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--session", help="a session key of a user who sees the dashboard (not with --serve)")
    parser.add_argument("--serve", action="store_true", help="start gunicorn on DATABASE_URL (production settings)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers with --serve")
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50], help="concurrent users, one run each")
    parser.add_argument("--duration", type=float, default=30, help="seconds per run (upper bound)")
    parser.add_argument("--max-requests", type=int, default=5000, help="requests per run (upper bound)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a request counts as an error")
    parser.add_argument("--path", action="append", default=[], help="extra path to hit; repeatable")
    parser.add_argument("--only", action="store_true", help="hit only the --path paths")
    parser.add_argument("--warmup", type=int, default=20, help="requests before measuring")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--schema", help="a bench data set's schema in DATABASE_URL's database (e.g. ds_m5000_d1095)")
    parser.add_argument("--seed-demo", metavar="MEMBERS,DAYS", help="create DATABASE_URL's database and seed it first")
    parser.add_argument("--recreate", action="store_true", help="with --seed-demo: drop the database first")
    args = parser.parse_args()

    server = None
    env = dict(os.environ)
    if args.serve:
        if "DATABASE_URL" not in env:
            raise SystemExit("--serve needs DATABASE_URL")
        if args.seed_demo:
            seed_demo(env, args.seed_demo, recreate=args.recreate)
        if args.schema:
            env["DATABASE_URL"] = with_schema(env["DATABASE_URL"], args.schema)
        env.update(
            DEBUG="false",
            SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0",
            DATABASE_CONN_MAX_AGE=env.get("DATABASE_CONN_MAX_AGE", "60"),
            # collectstatic's Brotli at a quick level (the load measures pages, not static file sizes).
            STATIC_BROTLI_QUALITY=env.get("STATIC_BROTLI_QUALITY", "5"),
            STATIC_ROOT=env.get("STATIC_ROOT", str(ROOT / "var" / "load-static")),
        )
        args.url = f"http://127.0.0.1:{args.port}"
        server = start_gunicorn(env, args.port, args.workers)
    try:
        session = args.session or re.search(r"SESSION (\w+)", manage(env, "shell", "-c", SESSION_SCRIPT)).group(1)
        overview = requests.get(args.url + "/", headers={"Cookie": f"sessionid={session}"}, timeout=60)
        if overview.status_code != 200:
            raise SystemExit(f"the overview answered {overview.status_code}: is the session valid?")
        member = re.search(r'href="/members/(\d+)/', overview.text)
        paths = ([] if args.only else DEFAULT_PATHS) + args.path
        paths = [p.replace("{member}", member.group(1) if member else "1") for p in paths]
        run_load(base_url=args.url, session_key=session, paths=paths, users=2, duration=60,
                 max_requests=args.warmup, timeout=args.timeout)  # fmt: skip
        figures = []
        for users in args.users:
            summary = run_load(
                base_url=args.url,
                session_key=session,
                paths=paths,
                users=users,
                duration=args.duration,
                max_requests=args.max_requests,
                timeout=args.timeout,
            )
            print_summary(f"{args.url}", summary)
            figures.append(summary)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2))
        print("\nGoals:")
        missed = 0
        for summary in figures:
            for text, met in goal_lines(summary):
                print(f"  {'met   ' if met else 'MISSED'} {text}")
                missed += not met
        if missed:
            raise SystemExit(f"{missed} goal(s) missed")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
