"""Build (or reuse) a national-scale data set in its own PostgreSQL schema.

Each data set lives in a schema named for its parameters (``ds_m5000_d1095``)
inside the benchmark database, so the 22-million-row set is built once and
reused, and the small sets for the scaling points sit beside it. The
parameters and build time are recorded in ``bench_dataset`` inside the schema;
a schema whose record matches is reused as it is.

The tables are the project's own (``manage.py migrate`` into the schema).
Small tables are written with COPY; the history is generated inside the
server (``INSERT ... SELECT`` over ``generate_series``, with the history's
indexes dropped during the load and rebuilt after), which is faster than
streaming 22 million rows through COPY from Python. Every name is invented
("Member 00001"): no real person is given a follower count.
"""

import io
import time
from datetime import timedelta

import psycopg2
from psycopg2 import sql

PLATFORMS = ("x", "facebook", "instagram", "youtube")
DATASET_VERSION = (
    4  # 3: every member has a term (seat, party) and ministers an appointment; 4: Hindi party/portfolio columns
)
# The tables a build fills, analysed once filled: the harness measures the plans of a settled database.
FILLED_TABLES = (
    "legislators_division",
    "legislators_district",
    "legislators_constituency",
    "legislators_voterroll",
    "legislators_party",
    "legislators_legislator",
    "legislators_socialaccount",
    "legislators_term",
    "legislators_appointment",
    "metrics_followersnapshot",
    "metrics_latestcount",
)


def schema_name(members, days):
    return f"ds_m{members}_d{days}"


def ensure_database(database_url):
    """Create the benchmark database when it does not exist."""
    import dj_database_url

    config = dj_database_url.parse(database_url)
    name = config["NAME"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        password=config["PASSWORD"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def recorded(cursor, schema):
    """The recorded parameters of ``schema`` (None when absent or incomplete)."""
    cursor.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'bench_dataset'", [schema]
    )
    if cursor.fetchone() is None:
        return None
    cursor.execute(
        sql.SQL(
            "SELECT members, days, accounts, snapshots, end_day, build_seconds, version FROM {}.bench_dataset"
        ).format(sql.Identifier(schema))
    )
    row = cursor.fetchone()
    if row is None:
        return None
    keys = ("members", "days", "accounts", "snapshots", "end_day", "build_seconds", "version")
    return dict(zip(keys, row))


def build(connection, *, schema, members, days, end_day, migrate, log=print):
    """Create ``schema`` with the project's tables and fill it; returns the record."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    connection.commit()
    log(f"  migrating schema {schema}")
    migrate()
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        cursor.execute("SET synchronous_commit TO off")
        cursor.execute("SET maintenance_work_mem TO '1GB'")
        _fill_small_tables(cursor, members=members, end_day=end_day, days=days)
        connection.commit()
        log(f"  members and accounts written ({time.perf_counter() - started:.1f} s)")
        snapshots = _fill_history(cursor, days=days, end_day=end_day, log=log)
        connection.commit()
        # Only the tables filled, in this schema (the search path): the other data sets' are settled already.
        cursor.execute(f"ANALYZE {', '.join(FILLED_TABLES)}")
        seconds = time.perf_counter() - started
        cursor.execute(
            "CREATE TABLE bench_dataset (members int, days int, accounts int, snapshots bigint, end_day date,"
            " build_seconds float, version int, built_at timestamptz DEFAULT now())"
        )
        cursor.execute(
            "INSERT INTO bench_dataset (members, days, accounts, snapshots, end_day, build_seconds, version)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [members, days, members * len(PLATFORMS), snapshots, end_day, seconds, DATASET_VERSION],
        )
    connection.commit()
    with connection.cursor() as cursor:
        return recorded(cursor, schema)


def _copy(cursor, table, columns, rows):
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _fill_small_tables(cursor, *, members, end_day, days):
    divisions = min(36, max(1, members // 140))
    districts = max(divisions, members // 7)
    _copy(
        cursor,
        "legislators_division",
        ["id", "name", "name_hi"],
        ((i, f"Division {i:02d}", "") for i in range(1, divisions + 1)),
    )
    _copy(
        cursor,
        "legislators_district",
        ["id", "division_id", "name", "name_hi"],
        ((i, (i - 1) % divisions + 1, f"District {i:05d}", "") for i in range(1, districts + 1)),
    )
    # One constituency per member; numbers count up inside each "state" (division).
    per_state = {}
    constituencies = []
    for i in range(1, members + 1):
        district = (i - 1) % districts + 1
        division = (district - 1) % divisions + 1
        per_state[division] = per_state.get(division, 0) + 1
        constituencies.append((i, f"{division:02d}", "AC", per_state[division], f"Seat {i:05d}", "", district, "GEN"))
    _copy(
        cursor,
        "legislators_constituency",
        ["id", "state_code", "kind", "number", "name", "name_hi", "district_id", "reserved_category"],
        constituencies,
    )
    first_roll = end_day - timedelta(days=max(days, 400))
    second_roll = end_day - timedelta(days=200)
    rolls = []
    for i in range(1, members + 1):
        if i % 101 == 0:
            continue  # about 1% of seats without a voter roll: "n/a"
        electors = 150_000 + (i * 7919) % 250_000
        rolls.append((2 * i - 1, i, first_roll, electors, "bench"))
        rolls.append((2 * i, i, second_roll, electors + electors // 50, "bench"))
    _copy(cursor, "legislators_voterroll", ["id", "constituency_id", "published_on", "total_electors", "source"], rolls)
    _copy(
        cursor,
        "legislators_party",
        ["id", "name", "short_name", "colour", "name_hi"],
        ((i, f"Party {i}", f"P{i}", "#3366aa", "") for i in range(1, 6)),
    )
    roles = ["CABINET", "MOS_IC", "MOS", "MLA", "MLA", "MLA", "MLA", "MLA", "MLA", "MLA"]
    legislators = []
    for i in range(1, members + 1):
        role = "CM" if i <= divisions else roles[i % len(roles)]
        constituency = None if i % 211 == 0 else i  # about 0.5% without a seat: "n/a"
        legislators.append(
            (i, f"Member {i:05d}", "", i % 5 + 1, "\\N" if constituency is None else constituency, role, "", "t", "f")
        )
    buffer_rows = (
        (i, name, name_hi, party, constituency, role, portfolio, "", active, demo, "2024-01-01", "2024-01-01", "")
        for i, name, name_hi, party, constituency, role, portfolio, active, demo in legislators
    )
    _copy(
        cursor,
        "legislators_legislator",
        [
            "id",
            "name",
            "name_hi",
            "party_id",
            "constituency_id",
            "role",
            "portfolio",
            "portfolio_hi",
            "active",
            "is_demo",
            "created_at",
            "updated_at",
            "reference_id",
        ],
        buffer_rows,
    )
    _fill_terms(cursor, legislators, since=first_roll)
    accounts = []
    for i in range(1, members + 1):
        for p, platform in enumerate(PLATFORMS):
            account_id = (i - 1) * len(PLATFORMS) + p + 1
            accounts.append(
                (
                    account_id,
                    i,
                    platform,
                    f"m{i:05d}_{platform}",
                    "",
                    "official",
                    "ok",
                    "t",
                    "2024-01-01",
                    "2024-01-01",
                    "",
                )
            )
    _copy(
        cursor,
        "legislators_socialaccount",
        [
            "id",
            "legislator_id",
            "platform",
            "handle",
            "platform_id",
            "kind",
            "status",
            "active",
            "created_at",
            "updated_at",
            "last_error",
        ],
        accounts,
    )
    for table in (
        "legislators_division",
        "legislators_district",
        "legislators_constituency",
        "legislators_voterroll",
        "legislators_party",
        "legislators_legislator",
        "legislators_socialaccount",
        "legislators_term",
        "legislators_appointment",
    ):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def _fill_terms(cursor, legislators, *, since):
    """The members on a day are the people with a term covering it (seat and party from the term), each in the
    role of the appointment held that day: one open term per member from ``since``, an open appointment per
    minister."""
    _copy(
        cursor,
        "legislators_term",
        [
            "id",
            "legislator_id",
            "constituency_id",
            "party_id",
            "start",
            "how_elected",
            "end_reason",
            "source",
            "created_at",
            "updated_at",
        ],  # fmt: skip
        (
            (i, i, constituency, party, since, "general", "", "bench", "2024-01-01", "2024-01-01")
            for i, _name, _hi, party, constituency, _role, _portfolio, _active, _demo in legislators
        ),
    )
    _copy(
        cursor,
        "legislators_appointment",
        ["id", "legislator_id", "role", "portfolio", "portfolio_hi", "start", "source", "created_at", "updated_at"],
        (
            (i, i, role, "", "", since, "bench", "2024-01-01", "2024-01-01")
            for i, _name, _hi, _party, _constituency, role, _portfolio, _active, _demo in legislators
            if role != "MLA"
        ),
    )


def _fill_history(cursor, *, days, end_day, log):
    """One row per account per day (about 1% of days missed), then the latest counts."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'metrics_followersnapshot'::regclass AND contype = 'u'"
    )
    unique_constraints = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'metrics_followersnapshot'"
        " AND schemaname = current_schema() AND indexname NOT LIKE '%%pkey' AND indexname NOT IN %s",
        [tuple(unique_constraints) or ("",)],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_constraintdef(oid), conname FROM pg_constraint"
        " WHERE conrelid = 'metrics_followersnapshot'::regclass AND contype = 'u'"
    )
    constraints = cursor.fetchall()
    for name in unique_constraints:
        cursor.execute(sql.SQL("ALTER TABLE metrics_followersnapshot DROP CONSTRAINT {}").format(sql.Identifier(name)))
    for name, _definition in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    start_day = end_day - timedelta(days=days - 1)
    started = time.perf_counter()
    # Each account starts from its own base and grows at its own rate (a
    # tenth of them not at all: "stagnant"); posts grow slowly. Rows are
    # written day by day, as polling writes them, so one day's rows sit
    # together on disk as they do in production.
    chunk = 90
    for first in range(0, days, chunk):
        last = min(days, first + chunk) - 1
        cursor.execute(
            """
            INSERT INTO metrics_followersnapshot (account_id, day, followers, posts, source, fetched_at, evidence_url)
            SELECT a.id, %(start)s::date + k,
                   1000 + (a.id * 7919) %% 200000
                     + CASE WHEN a.id %% 10 = 0 THEN 0 ELSE ((a.id * 31) %% 40) * k END,
                   100 + k / 3, 'demo', (%(start)s::date + k)::timestamp + interval '6 hours', ''
            FROM legislators_socialaccount a CROSS JOIN generate_series(%(first)s, %(last)s) AS k
            WHERE (a.id * 7 + k * 13) %% 97 <> 0 OR k = %(final)s
            ORDER BY k, a.id
            """,
            {"start": start_day, "first": first, "last": last, "final": days - 1},
        )
        cursor.connection.commit()
        log(f"  history days {first + 1}-{last + 1} of {days} ({time.perf_counter() - started:.0f} s)")
    for definition, name in constraints:
        cursor.execute(
            sql.SQL("ALTER TABLE metrics_followersnapshot ADD CONSTRAINT {} " + definition).format(sql.Identifier(name))
        )
    for _name, definition in indexes:
        cursor.execute(definition)
    log(f"  history indexes rebuilt ({time.perf_counter() - started:.0f} s)")
    cursor.execute(
        """
        INSERT INTO metrics_latestcount (account_id, day, followers, posts, source, fetched_at)
        SELECT account_id, day, followers, posts, source, fetched_at FROM metrics_followersnapshot
        WHERE day = %s
        """,
        [end_day],
    )
    cursor.execute("SELECT count(*) FROM metrics_followersnapshot")
    return cursor.fetchone()[0]
