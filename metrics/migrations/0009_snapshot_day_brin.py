"""A BRIN index on the history's day, on PostgreSQL only.

Polling writes one day's rows together, so the day follows the table's
physical order and a BRIN index (a few hundred kilobytes for 22 million
rows) finds "one day's accounts" (growth baselines, a day's export) by
reading only that day's pages. SQLite has no BRIN: there the B-tree
snapshot_day_idx serves the same queries, and this migration does nothing.
"""

from django.db import migrations

INDEX = "snapshot_day_brin"


def create_brin(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("metrics", "FollowerSnapshot")._meta.db_table
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} USING brin (day) WITH (pages_per_range = 16)")


def drop_brin(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("metrics", "0008_editors_can_poll_now")]

    operations = [migrations.RunPython(create_brin, drop_brin, elidable=False)]
