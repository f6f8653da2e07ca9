"""Data migration: one editable Celery beat schedule per platform.

X charges per user read, so it is polled daily by default; the others every
six hours. Admins change intervals in the admin (django-celery-beat) without
a redeploy.
"""

import json

from django.db import migrations

DEFAULT_HOURS = {"x": 24, "facebook": 6, "instagram": 6, "youtube": 6}


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for platform, hours in DEFAULT_HOURS.items():
        interval, _ = IntervalSchedule.objects.get_or_create(every=hours, period="hours")
        PeriodicTask.objects.get_or_create(
            name=f"Poll {platform}",
            defaults={
                "task": "metrics.tasks.plan_fetch_task",
                "interval": interval,
                "args": json.dumps([platform]),
                "description": f"Poll the follower counts of every active {platform} account.",
            },
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[f"Poll {p}" for p in DEFAULT_HOURS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_create_groups_and_default_target"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
