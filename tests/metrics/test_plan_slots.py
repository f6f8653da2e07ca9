"""A scheduled plan claims its (platform, interval slot): a second plan in the same slot plans nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django_celery_beat.models import PeriodicTask

from legislators.models import Platform
from metrics.models import FetchRun
from metrics.polling import runs
from metrics.polling.tasks import plan_fetch_task
from tests import factories

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 26, 12, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def demo(settings):
    settings.FOLLOWER_CLIENT = "demo"
    factories.account(factories.legislator(), Platform.X)


def test_a_second_plan_in_the_same_slot_plans_nothing():
    first = runs.fetch_run_plan(platform=Platform.X, now=NOON, interval_seconds=3600)
    again = runs.fetch_run_plan(platform=Platform.X, now=NOON + timedelta(minutes=20), interval_seconds=3600)
    assert first.slot == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert again is None
    assert FetchRun.objects.count() == 1


def test_the_next_slot_and_other_platforms_are_planned():
    runs.fetch_run_plan(platform=Platform.X, now=NOON, interval_seconds=3600)
    runs.fetch_run_plan(platform=Platform.FACEBOOK, now=NOON, interval_seconds=3600)
    runs.fetch_run_plan(platform=Platform.X, now=NOON + timedelta(hours=1), interval_seconds=3600)
    assert FetchRun.objects.count() == 3


def test_a_poll_asked_for_by_hand_is_never_refused():
    runs.fetch_run_plan(platform=Platform.X, now=NOON, interval_seconds=3600)
    by_hand = runs.fetch_run_plan(platform=Platform.X, now=NOON)
    assert by_hand is not None and by_hand.slot is None


def test_a_plan_losing_the_race_for_its_slot_plans_nothing(monkeypatch):
    """Both plans passed the 'slot free?' check; the unique constraint stops the second."""
    runs.fetch_run_plan(platform=Platform.X, now=NOON, interval_seconds=3600)
    real_filter = FetchRun.objects.filter
    monkeypatch.setattr(FetchRun.objects, "filter", lambda *a, **k: real_filter(pk=-1))  # the check sees nothing
    assert runs.fetch_run_plan(platform=Platform.X, now=NOON, interval_seconds=3600) is None
    monkeypatch.undo()
    assert FetchRun.objects.count() == 1


def test_the_beat_message_header_gives_the_schedule_interval():
    schedule = PeriodicTask.objects.get(name="Poll x")
    plan_fetch_task.apply(args=["x"], headers={"periodic_task_name": schedule.name})
    plan_fetch_task.apply(args=["x"], headers={"periodic_task_name": schedule.name})
    runs = FetchRun.objects.all()
    assert runs.count() == 1
    interval = schedule.interval.schedule.run_every.total_seconds()
    assert runs[0].slot.timestamp() % interval == 0
