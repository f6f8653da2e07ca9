"""Data migration: Editors may view the constituency shapes (the map's boundaries) in the admin, read-only
(legislators.access.EDITOR_EXTRA); a district-limited Editor sees only their seats' shapes."""

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
        ("legislators", "0010_change_marks"),
        # The groups' other permissions exist by then (connections: metrics 0017), so none is left out.
        ("metrics", "0017_connections_permissions_and_schedules"),
    ]

    operations = [migrations.RunPython(set_groups, migrations.RunPython.noop)]
