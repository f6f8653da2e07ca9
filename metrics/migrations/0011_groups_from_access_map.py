"""Data migration: the groups get exactly the permissions of legislators.access.GROUPS.

The earlier data migrations each granted a frozen list; from here on the one
map in legislators/access.py is what migrations, tests and code read.
"""

from django.db import migrations


def set_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from legislators.access import ensure_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0010_snapshot_account_index_covered_by_unique"),
        ("legislators", "0003_grant_data_management_permissions"),
    ]

    operations = [migrations.RunPython(set_groups, migrations.RunPython.noop)]
