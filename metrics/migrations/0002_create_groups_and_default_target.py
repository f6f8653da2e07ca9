"""Data migration: the Viewer / Analyst / Editor groups and the default target."""

import datetime
from decimal import Decimal

from django.db import migrations


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    from metrics.groups import ensure_groups

    ensure_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def create_default_target(apps, schema_editor):
    Target = apps.get_model("metrics", "Target")
    Target.objects.get_or_create(
        effective_from=datetime.date(2000, 1, 1),
        defaults={"percent": Decimal("5.00"), "stretch_percent": Decimal("6.00"), "note": "Default target"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("legislators", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
        migrations.RunPython(create_default_target, migrations.RunPython.noop),
    ]
