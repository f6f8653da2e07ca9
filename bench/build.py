"""Build or reuse the data sets the harness measures: ``python bench/build.py``."""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset, django_setup  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ft_bench"


def ensure(database_url, members, days, *, log=print, rebuild=False):
    """The record of data set (members, days), built when absent or different."""
    import psycopg2
    from django.utils import timezone

    schema = dataset.schema_name(members, days)
    config = __import__("dj_database_url").parse(database_url)
    connection = psycopg2.connect(
        dbname=config["NAME"],
        user=config["USER"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        password=config["PASSWORD"] or None,
    )
    try:
        with connection.cursor() as cursor:
            record = dataset.recorded(cursor, schema)
        if record and record["version"] == dataset.DATASET_VERSION and not rebuild:
            # Reused as built; new migrations (an index) are applied to it.
            django_setup.use_schema(schema)
            django_setup.migrate()
            return schema, record
        log(f"building {schema} ({members} members, {days} days)")
        started = time.perf_counter()

        def migrate():
            django_setup.use_schema(schema)
            django_setup.migrate()

        record = dataset.build(
            connection,
            schema=schema,
            members=members,
            days=days,
            end_day=timezone.localdate(),
            migrate=migrate,
            log=log,
        )
        log(f"built {schema}: {record['snapshots']:,} snapshots in {time.perf_counter() - started:.0f} s")
        return schema, record
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    dataset.ensure_database(args.database_url)
    django_setup.setup(args.database_url)
    schema, record = ensure(args.database_url, args.members, args.days, rebuild=args.rebuild)
    print(schema, record)


if __name__ == "__main__":
    main()
