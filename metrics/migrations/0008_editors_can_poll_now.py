"""Data migration: Editors may start a poll now (the "poll now" page)."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="metrics", codename="poll_now")
    for group in Group.objects.filter(name="Editor"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="metrics", codename="poll_now").delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0007_fetchrun_schedule_slot_and_poll_now")]

    operations = [migrations.RunPython(grant, revoke)]
