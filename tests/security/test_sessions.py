"""Sessions read from the cache, kept in the database (follower_tracker/sessions.py)."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

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
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    log_in_browse_log_out()


@pytest.mark.redis
def test_on_redis_a_logged_out_session_is_gone_from_the_cache_too(settings, redis_url):
    factories.user("viewer", "Viewer")
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url},
    }
    caches["default"].clear()
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
