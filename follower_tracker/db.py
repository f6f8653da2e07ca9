"""Database upkeep both apps use (below them: imports nothing of theirs).

``analyse_tables``: after a bulk write (seed_demo, an import, load_reference)
the planner's statistics still describe the tables before it, until
autovacuum gets round to them; the first user after a load would get the
plans of an empty database (a sequential scan where an index serves). Each
bulk writer analyses the tables it filled, so the first request is planned
as on a settled database.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, connections, transaction

logger = logging.getLogger(__name__)


def analyse_tables(*models, using=DEFAULT_DB_ALIAS):
    """ANALYZE the models' tables once the current transaction commits (at once outside one).

    After the commit, outside the writer's transaction: the statistics count
    the committed rows and the writer holds no lock for them. PostgreSQL gets
    one ``ANALYZE t1, t2, ...``; SQLite an ``ANALYZE t`` per table; another
    database nothing. A failure is logged, not raised: the rows are written
    by then, and statistics only make later queries faster. Nothing runs if
    the transaction rolls back.
    """
    tables = list(dict.fromkeys(model._meta.db_table for model in models))
    if tables:
        transaction.on_commit(lambda: analyse_now(tables, using=using), using=using, robust=True)


def analyse_now(tables, *, using=DEFAULT_DB_ALIAS):
    """ANALYZE the named tables now, on PostgreSQL or SQLite (anything else: nothing)."""
    connection = connections[using]
    quoted = [connection.ops.quote_name(table) for table in tables]
    if connection.vendor == "postgresql":
        statements = [f"ANALYZE {', '.join(quoted)}"]
    elif connection.vendor == "sqlite":
        statements = [f"ANALYZE {table}" for table in quoted]
    else:
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    logger.debug("analysed %s", ", ".join(tables))
