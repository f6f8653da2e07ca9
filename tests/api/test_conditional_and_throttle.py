"""ETag / Last-Modified from the stored data's version (304 when nothing changed), and the
per-token rate limit (429 with Retry-After)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from legislators.models import Platform
from metrics.models import FetchRun
from tests import factories

pytestmark = pytest.mark.django_db

LISTS = ["members", "constituencies", "standings", "rollups", "fetch-runs", "freshness"]


def test_every_list_answers_304_to_its_own_etag(api, people, state):
    client = api(people["analyst"])
    for name in LISTS:
        url = f"/api/v1/{name}/"
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"].startswith('"'), url
        assert first["Cache-Control"] == "private, no-cache"
        assert "Authorization" in first["Vary"]
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, url
        assert again["ETag"] == first["ETag"] and again.content == b""


def test_a_new_fetch_run_changes_the_etag(api, people, state):
    client = api(people["viewer"])
    first = client.get("/api/v1/standings/")
    now = timezone.now()
    FetchRun.objects.create(platform=Platform.FACEBOOK, status="done", started_at=now, finished_at=now)
    second = client.get("/api/v1/standings/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]


def test_a_count_entered_by_hand_a_voter_roll_or_a_target_changes_the_etag(api, people, state):
    from metrics.counts import snapshot_enter

    client = api(people["viewer"])
    etag = client.get("/api/v1/standings/")["ETag"]
    account = state["members"]["dev"].accounts.get()
    snapshot_enter(
        account=account,
        day=state["today"] - timedelta(days=3),  # a past day: LatestCount does not move, the audit trail does
        followers=2_700,
        posts=None,
        evidence_url="https://example.org/shot.png",
        now=timezone.now(),
        user=people["analyst"],
    )
    after_count = client.get("/api/v1/standings/", HTTP_IF_NONE_MATCH=etag)
    assert after_count.status_code == 200
    etag = after_count["ETag"]
    factories.voter_roll(state["members"]["esha"].constituency, 80_000)
    after_roll = client.get("/api/v1/standings/", HTTP_IF_NONE_MATCH=etag)
    assert after_roll.status_code == 200
    from metrics.models import Target

    Target.objects.create(percent=4, stretch_percent=5, effective_from=state["today"] - timedelta(days=1))
    assert client.get("/api/v1/standings/", HTTP_IF_NONE_MATCH=after_roll["ETag"]).status_code == 200


def test_the_etag_differs_by_user_query_and_format(api, people, state):
    analyst, limited = api(people["analyst"]), api(people["uphill_analyst"])
    base = analyst.get("/api/v1/standings/")["ETag"]
    assert limited.get("/api/v1/standings/")["ETag"] != base
    assert analyst.get("/api/v1/standings/", {"sort": "name"})["ETag"] != base
    assert analyst.get("/api/v1/standings/", {"format": "csv"})["ETag"] != base
    # Another user's ETag does not give a 304.
    assert limited.get("/api/v1/standings/", HTTP_IF_NONE_MATCH=base).status_code == 200


def test_if_modified_since_the_last_completed_run_is_304(api, people, state):
    client = api(people["viewer"])
    first = client.get("/api/v1/members/")
    assert first["Last-Modified"]
    assert client.get("/api/v1/members/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    earlier = http_date((timezone.now() - timedelta(days=1)).timestamp())
    assert client.get("/api/v1/members/", HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_a_304_needs_credentials_first(api, people, state):
    from rest_framework.test import APIClient

    etag = api(people["viewer"]).get("/api/v1/standings/")["ETag"]
    assert APIClient().get("/api/v1/standings/", HTTP_IF_NONE_MATCH=etag).status_code == 401


# --- throttling -------------------------------------------------------------------------


def test_past_the_rate_the_api_answers_429_with_retry_after(api, people, state, settings):
    settings.API_THROTTLE_RATE = "3/min"
    client = api(people["viewer"])
    assert [client.get("/api/v1/members/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/members/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()


def test_the_limit_is_per_token(api, people, state, settings):
    settings.API_THROTTLE_RATE = "2/min"
    first, second = api(people["viewer"]), api(people["viewer"])
    assert [first.get("/api/v1/members/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/members/").status_code == 200


def test_the_browser_session_is_limited_per_user(client, viewer, db, settings):
    settings.API_THROTTLE_RATE = "1/min"
    client.force_login(viewer)
    assert client.get("/api/v1/members/").status_code == 200
    assert client.get("/api/v1/members/").status_code == 429


@pytest.mark.redis
def test_the_count_is_shared_through_redis(api, people, state, settings, redis_url):
    """Two web workers share the count when it is kept in Redis (as in production)."""
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "api-throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url},
    }
    caches["api-throttle"].clear()
    settings.API_THROTTLE_RATE = "2/min"
    client = api(people["viewer"])
    try:
        assert [client.get("/api/v1/members/").status_code for _ in range(3)] == [200, 200, 429]
        assert any(b"throttle_api_token" in key for key in caches["api-throttle"]._cache.get_client().keys("*"))
    finally:
        caches["api-throttle"].clear()


def test_an_unreachable_counter_lets_requests_through(api, people, state, settings):
    settings.CACHES = {
        **settings.CACHES,
        "api-throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    settings.API_THROTTLE_RATE = "1/min"
    client = api(people["viewer"])
    assert [client.get("/api/v1/members/").status_code for _ in range(2)] == [200, 200]


def test_a_conditional_request_never_turns_a_404_or_a_400_into_a_304(api, people, state):
    client = api(people["uphill_analyst"])
    later = http_date((timezone.now() + timedelta(days=1)).timestamp())
    dev = state["members"]["dev"]
    for url in (f"/api/v1/members/{dev.pk}/", f"/api/v1/members/{dev.pk}/history/", "/api/v1/members/999999/"):
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=later).status_code == 404, url
    assert client.get("/api/v1/standings/", {"date": "junk"}, HTTP_IF_MODIFIED_SINCE=later).status_code == 400
    assert client.get("/api/v1/rollups/", {"by": "party"}, HTTP_IF_MODIFIED_SINCE=later).status_code == 400
    assert client.get("/api/v1/standings/", HTTP_IF_MODIFIED_SINCE=later).status_code == 304
