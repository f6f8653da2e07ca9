"""Data migration: the Viewer / Analyst / Editor groups and the default target."""

import datetime
from decimal import Decimal

from django.db import migrations

VIEWER = ["metrics.view_dashboard"]
ANALYST = VIEWER + ["metrics.export_reports", "metrics.view_freshness"]
EDITOR_MODELS = {
    "legislators": ["division", "district", "constituency", "voterroll", "party", "legislator", "socialaccount"],
    "metrics": ["followersnapshot", "target"],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(names):
        found = []
        for name in names:
            app_label, codename = name.split(".")
            found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return found

    editor = list(ANALYST)
    for app_label, models in EDITOR_MODELS.items():
        for model in models:
            for action in ("add", "change", "view", "delete" if model in ("followersnapshot",) else "view"):
                editor.append(f"{app_label}.{action}_{model}")
    for name, names in (("Viewer", VIEWER), ("Analyst", ANALYST), ("Editor", sorted(set(editor)))):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms(names))


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
