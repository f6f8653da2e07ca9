"""How long one poll of N demo-client accounts takes through Redis with W
worker processes, on PostgreSQL.

    .venv/bin/python bench/poll_throughput.py \
        --database-url postgres://postgres@127.0.0.1:5432/ft_wt3_bench \
        --redis-url redis://127.0.0.1:6379/3 --accounts 20000 --workers 2

Creates the database if needed, migrates it, seeds N accounts spread over the
four platforms (fictional "Bench member" legislators, demo client), starts W
Celery worker processes (concurrency 1 each) on the Redis broker, queues one
poll of every platform and times it from the first enqueue to the last batch
recorded. The Redis db is flushed: use one that nothing else needs.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = ["x", "facebook", "instagram", "youtube"]


def ensure_database(url):
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def seed(count):
    from follower_tracker.db import analyse_tables
    from legislators.models import Legislator, SocialAccount

    existing = SocialAccount.objects.filter(handle__startswith="bench_").count()
    if existing >= count:
        return existing
    SocialAccount.objects.filter(handle__startswith="bench_").delete()
    Legislator.objects.filter(name__startswith="Bench member").delete()
    members = Legislator.objects.bulk_create(
        [Legislator(name=f"Bench member {n}", is_demo=True) for n in range((count + 3) // 4)]
    )
    SocialAccount.objects.bulk_create(
        [
            SocialAccount(legislator=members[n // 4], platform=PLATFORMS[n % 4], handle=f"bench_{n}")
            for n in range(count)
        ],
        batch_size=5000,
    )
    analyse_tables(Legislator, SocialAccount)  # the claims are planned as on a settled database
    return count


def start_workers(count, env, log_dir):
    processes = []
    for n in range(count):
        log = open(log_dir / f"bench-worker-{n}.log", "wb")  # noqa: SIM115
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "follower_tracker",
                    "worker",
                    "-n",
                    f"bench{n}@%h",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=WARNING",
                ],  # fmt: skip
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return processes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ft_wt3_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "FOLLOWER_CLIENT": "demo",
        "DJANGO_SETTINGS_MODULE": "follower_tracker.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    ensure_database(args.database_url)

    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.utils import timezone

    from metrics.models import FetchRun
    from metrics.polling.tasks import plan_fetch_task

    call_command("migrate", verbosity=0)
    accounts = seed(args.accounts)
    redis.Redis.from_url(args.redis_url).flushdb()
    log_dir = ROOT / "bench" / "results"
    log_dir.mkdir(parents=True, exist_ok=True)
    workers = start_workers(args.workers, env, log_dir)
    try:
        time.sleep(6)  # the workers connect to the broker
        started = timezone.now()
        clock = time.monotonic()
        for platform in PLATFORMS:
            plan_fetch_task.delay(platform)
        while True:
            runs = list(FetchRun.objects.filter(started_at__gte=started))
            if len(runs) == len(PLATFORMS) and all(run.status != FetchRun.Status.RUNNING for run in runs):
                break
            if time.monotonic() - clock > 1800:
                sys.exit("gave up after 30 minutes; see bench/results/*.log")
            time.sleep(0.5)
        elapsed = time.monotonic() - clock
    finally:
        for process in workers:
            os.killpg(process.pid, signal.SIGTERM)
        for process in workers:
            process.wait(30)
    polled = sum(run.accounts_ok + run.accounts_failed for run in runs)
    batches = sum(run.batches_total for run in runs)
    print(f"{accounts:,} accounts, {args.workers} worker processes, Redis broker, PostgreSQL")
    for run in sorted(runs, key=lambda r: r.platform):
        print(f"  {run.platform:10} {run.status:8} {run.accounts_ok:>6} ok {run.batches_total:>4} batches")
    print(f"one poll: {polled:,} accounts in {batches} batches, {elapsed:.1f} s ({polled / elapsed:,.0f} accounts/s)")


if __name__ == "__main__":
    main()
