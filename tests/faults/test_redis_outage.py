"""Redis stops while the web app serves and polls run.

- every dashboard page still answers (reads come from the database);
- "poll now" says the queue is unavailable, quickly, instead of a 500;
- /healthz says broker: error (database: ok);
- when Redis is back, beat and the worker resume polling on their own, one
  run per schedule slot (no burst of duplicate runs).

Safeguards: the web process's short broker timeouts and publish retry policy
(settings: CELERY_BROKER_CONNECTION_TIMEOUT, CELERY_TASK_PUBLISH_RETRY_POLICY,
the transport's socket timeouts) and the poll-now view catching the broker's
OperationalError; nothing the pages read is cached in Redis; workers retry
the broker connection; the schedule slot of each run.
"""

import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db.models import Count
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from legislators.models import Platform
from metrics.models import FetchRun
from tests import factories
from tests.integration.celery_worker import wait_for, worker

from .servers import own_redis
from .web import gunicorn, logged_in_session, post_form

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

INTERVAL = 2


def test_pages_work_and_poll_now_explains_while_redis_is_down_and_polling_resumes_after(tmp_path):
    member = factories.legislator("Outage Member", factories.constituency(electors=100_000))
    for _ in range(2):
        factories.account(member, Platform.X)
    editor_user = factories.user("editor", "Editor", is_staff=True)
    # The tests hash passwords with MD5 for speed; the gunicorn under test has
    # production settings, which know only the real hasher.
    editor_user.password = make_password("correct horse battery", hasher=PBKDF2PasswordHasher())
    editor_user.save(update_fields=["password"])
    every, _ = IntervalSchedule.objects.get_or_create(every=INTERVAL, period=IntervalSchedule.SECONDS)
    # Transactional tests flush every table, the migration's schedules included: make our own.
    PeriodicTask.objects.exclude(name="Poll x").update(enabled=False)
    PeriodicTask.objects.update_or_create(
        name="Poll x", defaults={"task": "metrics.tasks.plan_fetch_task", "args": '["x"]', "interval": every}
    )
    pages = ["/", f"/members/{member.pk}/", "/poll/", "/?status=below&sort=-reach", "/admin/metrics/target/"]

    with own_redis() as redis, gunicorn(tmp_path=tmp_path, broker_url=redis.url) as web:
        with worker(broker_url=redis.url, tmp_path=tmp_path, beat=True):
            wait_for(lambda: FetchRun.objects.filter(status="done").exists(), timeout=60, log_path=tmp_path / "w1.log")
            editor = logged_in_session(web, "editor", "correct horse battery")

            redis.stop()
            down_at = FetchRun.objects.count()
            for path in pages:
                response = editor.get(f"{web}{path}", timeout=15)
                assert response.status_code == 200, f"{path} while Redis is down: {response.status_code}"
            assert "Outage Member" in editor.get(f"{web}/", timeout=15).text

            asked = time.monotonic()
            response = post_form(editor, web, "/poll/", {"platform": "x"})
            assert time.monotonic() - asked < 10, "poll now hung on the dead broker"
            assert response.status_code == 200 and "The queue is unavailable" in response.text

            health = editor.get(f"{web}/healthz", timeout=15)
            assert health.status_code == 503 and health.json() == {"database": "ok", "broker": "error"}

            time.sleep(3 * INTERVAL)
            assert FetchRun.objects.count() == down_at, "runs were planned while the broker was down"

            redis.start()
            back_at = time.monotonic()
            wait_for(
                lambda: FetchRun.objects.filter(status="done").count() >= down_at + 2,
                timeout=90,
                log_path=tmp_path / "w1.log",
            )
            resumed_after = time.monotonic() - back_at
            health = editor.get(f"{web}/healthz", timeout=15)
            assert health.status_code == 200 and health.json() == {"database": "ok", "broker": "ok"}
            response = post_form(editor, web, "/poll/", {"platform": "x"})
            assert "A poll of X is queued" in response.text
            watched = time.monotonic() - back_at
            after = FetchRun.objects.filter(slot__isnull=False).count() - down_at

    assert not FetchRun.objects.values("slot").filter(slot__isnull=False).annotate(n=Count("pk")).filter(n__gt=1)
    # No burst when Redis comes back: about one scheduled run per interval since.
    assert after <= watched / INTERVAL + 2, f"{after} runs in {watched:.0f}s after Redis came back"
    assert resumed_after < 60
