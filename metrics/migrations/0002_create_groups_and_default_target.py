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

    # The groups as they were at this migration (frozen: the models of later
    # permissions do not exist yet). Migration 0011 sets them from
    # legislators.access.GROUPS, the one map the code and tests use.
    from legislators.access import ensure_groups

    viewer = ["metrics.view_dashboard"]
    analyst = viewer + ["metrics.export_reports", "metrics.view_freshness"]
    edited = {
        "legislators": ["division", "district", "constituency", "voterroll", "party", "legislator", "socialaccount"],
        "metrics": ["followersnapshot", "target"],
    }
    editor = analyst + [
        f"{app_label}.{action}_{model}"
        for app_label, models in edited.items()
        for model in models
        for action in ("add", "change", "view")
    ]
    ensure_groups(
        apps.get_model("auth", "Group"),
        apps.get_model("auth", "Permission"),
        {"Viewer": viewer, "Analyst": analyst, "Editor": editor},
    )


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
