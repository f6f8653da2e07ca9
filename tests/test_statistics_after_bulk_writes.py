"""Statistics after bulk writes (issue 14, item 5): every bulk writer analyses the tables it filled.

The first user after seed_demo, an import or load_reference gets the plans of
a settled database, not those of the empty tables the planner last saw.
follower_tracker.db.analyse_tables runs ANALYZE once the writer's transaction
commits, so these tests let their writers commit (transaction=True).
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from follower_tracker.db import analyse_tables
from legislators.imports.apply import import_file
from legislators.models import ConstituencyShape, ImportBatch, Term, VoterRoll
from metrics.models import DailyStanding, FollowerSnapshot, LatestCount


def last_analyse(table):
    """PostgreSQL's time of the table's last manual ANALYZE (None: never)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def estimated_rows(table):
    """The row count the planner uses (pg_class.reltuples, set by ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_inside_a_transaction_the_analysis_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            analyse_tables(FollowerSnapshot, LatestCount, FollowerSnapshot)
            assert callbacks == []  # nothing runs inside the writer's transaction
    assert len(callbacks) == 1  # one ANALYZE for both tables, each once


@pytest.mark.django_db(transaction=True)
def test_sqlite_analyses_the_tables_named():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's statistics table (PostgreSQL: the seed_demo test below)")
    call_command("seed_demo", "--members", "3", "--days", "2", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        analysed = {row[0] for row in cursor.fetchall()}
    assert {"metrics_followersnapshot", "metrics_latestcount", "legislators_socialaccount"} <= analysed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seed_demo_leaves_its_tables_analysed():
    started = timezone.now()
    call_command("seed_demo", "--members", "20", "--days", "5", stdout=io.StringIO())
    tables = ("metrics_followersnapshot", "metrics_latestcount", "legislators_socialaccount", "metrics_dailystanding")
    for table in tables:
        analysed = last_analyse(table)
        assert analysed is not None and analysed >= started, table
    # Analysed after the commit: the planner counts the rows written, not an empty table.
    assert estimated_rows("metrics_followersnapshot") == FollowerSnapshot.objects.count() > 0
    assert estimated_rows("metrics_latestcount") == LatestCount.objects.count() > 0
    # The seed keeps the standings day by day (a rebuild after its commit): 20 members, 5 days.
    assert estimated_rows("metrics_dailystanding") == DailyStanding.objects.count() == 20 * 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_load_reference_and_an_import_leave_their_tables_analysed():
    started = timezone.now()
    call_command("load_reference", "mp", stdout=io.StringIO())
    assert last_analyse("legislators_term") >= started
    assert estimated_rows("legislators_term") == Term.objects.count() > 0
    # The boundaries it loads too (the shapes' own bulk writer).
    assert last_analyse("legislators_constituencyshape") >= started
    assert estimated_rows("legislators_constituencyshape") == ConstituencyShape.objects.count() == 226

    loaded = last_analyse("legislators_voterroll")
    content = b"state_code,constituency_kind,constituency,published_on,electors\nMP,AC,1,2024-01-01,200000\n"
    _batch, plan = import_file(kind=ImportBatch.Kind.VOTER_ROLLS, content=content, filename="rolls.csv")
    assert plan.ok and plan.count("create", "legislators.voterroll") == 1
    assert last_analyse("legislators_voterroll") > loaded
    assert estimated_rows("legislators_voterroll") == VoterRoll.objects.count()
