"""Audience geography through the plan → batch → task path, against fake Graph and YouTube Analytics servers:
cities stored with the platform's remainder; below the 100-follower threshold; no data; expired tokens
(refreshed, or marked); revoked permissions; rate limits; replies of the wrong shape; history untouched."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from follower_tracker import crypto
from metrics.audience.models import AudienceGeography, Connection, UnmatchedPlace
from metrics.models import FetchRun
from metrics.polling import geography, runs
from metrics.polling.budget import RequestBudget
from metrics.polling.clients import RateLimited
from tests import factories
from tests.audience.helpers import connect_instagram, connect_youtube

pytestmark = pytest.mark.django_db
CITIES = {"Bhopal, Madhya Pradesh": 500, "Indore, Madhya Pradesh": 300, "Atlantis City, Nowhere": 20}


@pytest.fixture
def member():
    return factories.legislator(name="Asha Verma")


def _poll(platform):
    call_command("fetch_geography", platform=[platform], sync=True)
    return FetchRun.objects.filter(kind="geography", platform=platform).latest("started_at")


def test_instagram_cities_are_stored_with_the_platforms_remainder(meta, member):
    account, connection, _token = connect_instagram(meta, member, followers=2_000, cities=CITIES)
    run = _poll("instagram")
    assert (run.status, run.status_counts, run.api_calls) == ("done", {"ok": 1}, 2)
    geo = AudienceGeography.objects.get(account=account)
    assert (geo.metric, geo.total, geo.other, geo.followers) == ("followers", 2_000, 1_180, 2_000)
    assert dict(geo.cities.values_list("name", "value")) == CITIES
    insights = [params for path, params in meta.calls if path.endswith("/insights")][0]
    assert insights["metric"] == ["follower_demographics"] and insights["breakdown"] == ["city"]
    assert (
        list(UnmatchedPlace.objects.values_list("name", "audience"))
        == [
            ("Atlantis City, Nowhere", 20),
            ("Bhopal, Madhya Pradesh", 500),
            ("Indore, Madhya Pradesh", 300),
        ]
        or UnmatchedPlace.objects.count() == 3
    )  # no gazetteer loaded here: every name is unmatched
    connection.refresh_from_db()
    assert connection.last_geography_at is not None and connection.status_reason == ""


def test_an_account_below_100_followers_is_not_asked_and_says_why(meta, member):
    account, connection, _token = connect_instagram(meta, member, followers=80, cities=CITIES)
    run = _poll("instagram")
    assert run.status_counts == {"below_threshold": 1} and run.api_calls == 1
    assert not AudienceGeography.objects.exists()
    connection.refresh_from_db()
    assert connection.status == "connected" and "100-follower threshold" in connection.status_reason


def test_no_data_stores_nothing_and_says_so(meta, member):
    account, connection, _token = connect_instagram(meta, member, followers=5_000, cities={})
    run = _poll("instagram")
    assert run.status_counts == {"no_data": 1}
    connection.refresh_from_db()
    assert "no audience by city reported" in connection.status_reason
    assert not AudienceGeography.objects.exists()


def test_a_facebook_page_reads_fans_by_city(meta, member):
    account = factories.account(member, platform="facebook", handle="ashapage")
    meta.add_page("901", "ashapage")
    meta.set_audience("901", 1_000, {"Bhopal, Madhya Pradesh, India": 400})
    from metrics.audience import connections
    from metrics.audience.oauth import Tokens

    page_token = "EAAPage-secret-0001-abcdef"
    meta.page_tokens[page_token] = "901"
    connections.connection_store(account=account, provider="facebook", tokens=Tokens(page_token, external_id="901"))
    run = _poll("facebook")
    assert run.status_counts == {"ok": 1}
    geo = AudienceGeography.objects.get(account=account)
    assert (geo.total, geo.other) == (1_000, 600)


def test_an_expired_token_marks_the_connection_and_keeps_the_stored_geography(meta, member):
    account, connection, token = connect_instagram(meta, member, followers=2_000, cities=CITIES)
    _poll("instagram")
    meta.token_errors[token] = 463
    run = _poll("instagram")
    assert run.status_counts == {"expired": 1}
    connection.refresh_from_db()
    assert connection.status == "expired" and "190/463" in connection.status_reason
    assert AudienceGeography.objects.filter(account=account).count() == 1  # history untouched


def test_a_withdrawn_permission_revokes_the_connection_and_erases_its_tokens(meta, member):
    account, connection, _token = connect_instagram(meta, member, followers=2_000, cities=CITIES)
    meta.permission_errors.add("17841400000000777")
    run = _poll("instagram")
    assert run.status_counts == {"revoked": 1}
    connection.refresh_from_db()
    assert connection.status == "revoked" and "permission withdrawn (code 10)" in connection.status_reason
    assert connection.access_token_encrypted == ""


def test_a_reply_of_the_wrong_shape_fails_the_batch_and_keeps_the_history(meta, member, connect_settings):
    connect_settings.FETCH_TRANSIENT_RETRIES = 1
    account, _connection, _token = connect_instagram(meta, member, followers=2_000, cities=CITIES)
    _poll("instagram")
    for _ in range(4):
        meta.queue(200, {"id": "17841400000000777", "followers_count": "many"})
    with pytest.raises(CommandError, match=r'`followers_count` is a string \("many"\), expected a whole number'):
        _poll("instagram")
    run = FetchRun.objects.filter(kind="geography").latest("started_at")
    assert run.status == "failed" and run.status_counts == {"not_fetched": 1}
    assert AudienceGeography.objects.filter(account=account).count() == 1
    assert list(AudienceGeography.objects.get(account=account).cities.values_list("value", flat=True))


def test_a_rate_limit_pauses_the_platform_and_retries_the_batch(meta, member):
    connect_instagram(meta, member, followers=2_000, cities=CITIES)
    meta.queue(
        400,
        {
            "error": {
                "message": "(#4) Application request limit reached",
                "type": "OAuthException",
                "code": 4,
                "is_transient": True,
            }
        },
    )
    run = geography.geography_run_plan(platform="instagram")
    batch_id = run.batches.get().pk
    with pytest.raises(RateLimited) as raised:
        geography.geography_fetch_batch(batch_id=batch_id)
    assert runs.batch_attempt_failed(batch_id=batch_id, error=raised.value) >= 600
    assert RequestBudget("instagram").paused_for() > 500


def test_youtube_views_by_city_with_a_token_refreshed_before_the_call(google, member):
    account, connection, old_access = connect_youtube(
        google, member, total=10_000, cities={"Bhopal": 3_000, "Sehore": 1_000}, expires_in=60
    )
    factories.counts(account, {timezone.localdate(): 48_100})
    run = _poll("youtube")
    assert run.status_counts == {"ok": 1}
    geo = AudienceGeography.objects.get(account=account)
    assert (geo.metric, geo.total, geo.other, geo.followers) == ("views", 10_000, 6_000, 48_100)
    connection.refresh_from_db()
    assert crypto.decrypt(connection.access_token_encrypted) != old_access and connection.refreshed_at


def test_youtube_forbidden_means_revoked(google, member):
    account, connection, _access = connect_youtube(google, member, total=10_000, cities={"Bhopal": 3_000})
    google.forbidden.add("UCasha0000000000000000aa")
    run = _poll("youtube")
    assert run.status_counts == {"revoked": 1}
    assert Connection.objects.get(pk=connection.pk).status == "revoked"


def test_without_an_encryption_key_the_run_is_skipped_with_the_setting_to_set(settings, member):
    settings.CONNECTIONS_ENCRYPTION_KEYS = ""
    settings.FOLLOWER_CLIENT = "live"
    run = geography.geography_run_plan(platform="instagram")
    assert run.status == "skipped" and "CONNECTIONS_ENCRYPTION_KEYS" in run.note


def test_the_weekly_task_plans_and_enqueues_batches_after_commit(meta, member, django_capture_on_commit_callbacks):
    from django.test import override_settings

    from metrics.polling.tasks import plan_geography_task

    account, _connection, _token = connect_instagram(meta, member, followers=2_000, cities=CITIES)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            plan_geography_task.apply(args=["instagram"])
    assert len(callbacks) == 1
    assert AudienceGeography.objects.get(account=account).total == 2_000
    assert FetchRun.objects.get(kind="geography").status == "done"


def test_a_connection_revoked_between_plan_and_fetch_is_not_asked_and_keeps_its_reason(meta, member):
    from metrics.audience import connections

    account, connection, _token = connect_instagram(meta, member, followers=2_000, cities=CITIES)
    run = geography.geography_run_plan(platform="instagram")
    connections.connection_revoke(connection=connection, reason="revoked by eddie")
    geography.geography_fetch_batch(batch_id=run.batches.get().pk)
    run.refresh_from_db()
    assert run.status_counts == {"not_connected": 1} and run.api_calls == 0
    connection.refresh_from_db()
    assert connection.status_reason == "revoked by eddie"


def test_the_usage_header_slows_every_worker_down(meta, member):
    import json

    connect_instagram(meta, member, followers=2_000, cities=CITIES)
    usage = {"17841400000000777": [{"type": "instagram", "call_count": 95, "estimated_time_to_regain_access": 7}]}
    meta.script(
        1, 200, {"id": "17841400000000777", "followers_count": 2_000}, {"X-Business-Use-Case-Usage": json.dumps(usage)}
    )
    run = geography.geography_run_plan(platform="instagram")
    with pytest.raises(RateLimited) as raised:  # the next call waits: the batch is retried after the pause
        geography.geography_fetch_batch(batch_id=run.batches.get().pk)
    assert 400 < raised.value.retry_after <= 420 and 400 < RequestBudget("instagram").paused_for() <= 420
