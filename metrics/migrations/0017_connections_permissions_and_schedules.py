"""Data migration: Editors get "connect and revoke" (legislators.access.GROUPS); a weekly audience-geography
poll per platform that shares one, and a daily refresh of connected tokens (both editable under Periodic tasks)."""

import json

from django.db import migrations

GEOGRAPHY_PLATFORMS = ("facebook", "instagram", "youtube")


def set_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from legislators.access import ensure_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    weekly, _ = IntervalSchedule.objects.get_or_create(every=7, period="days")
    daily, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
    for platform in GEOGRAPHY_PLATFORMS:
        PeriodicTask.objects.get_or_create(
            name=f"Audience geography {platform}",
            defaults={
                "task": "metrics.tasks.plan_geography_task",
                "interval": weekly,
                "args": json.dumps([platform]),
                "description": f"Read the audience by city of every connected {platform} account.",
            },
        )
    PeriodicTask.objects.get_or_create(
        name="Refresh connected tokens",
        defaults={
            "task": "metrics.tasks.refresh_connections_task",
            "interval": daily,
            "description": "Refresh the connected accounts' tokens that expire within CONNECTION_REFRESH_DAYS.",
        },
    )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    names = [f"Audience geography {p}" for p in GEOGRAPHY_PLATFORMS] + ["Refresh connected tokens"]
    PeriodicTask.objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0016_connected_accounts_geography_gazetteer"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(set_groups, migrations.RunPython.noop),
        migrations.RunPython(create_schedules, remove_schedules),
    ]
