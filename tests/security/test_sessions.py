"""Sessions read from the cache, kept in the database (follower_tracker/sessions.py)."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.caching import NOTHING_LISTENS, default_cache_on_redis

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def log_in_browse_log_out():
    browser = Client()
    assert browser.post(reverse("login"), {"username": "viewer", "password": PASSWORD}).status_code == 302
    assert browser.get(reverse("metrics:overview")).status_code == 200
    assert Session.objects.count() == 1  # kept in the database whatever the cache does
    assert browser.post(reverse("logout")).status_code == 302
    assert browser.get(reverse("metrics:overview")).status_code == 302  # to the login page
    assert Session.objects.count() == 0


def test_a_page_reads_the_session_from_the_cache_not_the_database():
    factories.user("viewer", "Viewer")
    browser = Client()
    browser.post(reverse("login"), {"username": "viewer", "password": PASSWORD})
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(reverse("metrics:overview")).status_code == 200
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)


def test_log_in_browse_and_log_out(settings):
    factories.user("viewer", "Viewer")
    log_in_browse_log_out()


@pytest.mark.redis
def test_with_redis_down_users_still_log_in_browse_and_log_out(settings, redis_url):
    factories.user("viewer", "Viewer")
    default_cache_on_redis(settings, NOTHING_LISTENS, timeout=0.2)
    log_in_browse_log_out()


@pytest.mark.redis
def test_on_redis_a_logged_out_session_is_gone_from_the_cache_too(settings, redis_url):
    factories.user("viewer", "Viewer")
    default_cache_on_redis(settings, redis_url)
    try:
        browser = Client()
        browser.post(reverse("login"), {"username": "viewer", "password": PASSWORD})
        cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
        browser.post(reverse("logout"))
        replay = Client()
        replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
        assert replay.get(reverse("metrics:overview")).status_code == 302
    finally:
        caches["default"].clear()
