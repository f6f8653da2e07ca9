"""Data migration: editors manage role history and imports and read the audit
trail; analysts may enter follower counts by hand."""

from django.db import migrations

EDITOR = [
    "legislators.add_rolechange",
    "legislators.change_rolechange",
    "legislators.view_rolechange",
    "legislators.view_handlechange",
    "legislators.add_importbatch",
    "legislators.view_importbatch",
    "legislators.view_auditentry",
]
ANALYST = ["metrics.add_followersnapshot"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, names in (("Editor", EDITOR + ANALYST), ("Analyst", ANALYST)):
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("legislators", "0002_data_management"),
        ("metrics", "0002_create_groups_and_default_target"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
