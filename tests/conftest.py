"""Shared fixtures and the rule for tests that need real servers.

Tests marked ``postgres`` or ``redis`` skip (saying why) when the server is
absent, unless REQUIRE_SERVICES=1 (CI), where an absent server fails them.
"""

import os
import socket

import pytest
from django.conf import settings

from tests import factories

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable():
    from urllib.parse import urlparse

    parsed = urlparse(REDIS_URL)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing(marker):
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not _redis_reachable():
        return f"needs Redis at {REDIS_URL}"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis"):
        if item.get_closest_marker(marker):
            reason = _missing(marker)
            if reason and REQUIRE_SERVICES:
                pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
            elif reason:
                pytest.skip(reason)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create users with passwords: the production hasher's deliberate
    slowness (about a second a user on a shared CI core) buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request in Hindi leaves Hindi active on the thread (LocaleMiddleware
    activates, nothing deactivates): the next test that builds a report
    without a request would get Hindi headers. Each test ends in the default."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache_for_each_test():
    """The default cache (local memory in tests) holds rendered charts keyed by the newest ids: on SQLite a
    rolled-back test's ids come back in the next, so each test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_url():
    return REDIS_URL


@pytest.fixture
def viewer(db):
    return factories.user("viewer", "Viewer")


@pytest.fixture
def analyst(db):
    return factories.user("analyst", "Analyst")


@pytest.fixture
def editor(db):
    return factories.user("editor", "Editor", is_staff=True)


@pytest.fixture
def outsider(db):
    """Logged in, but in no group: sees nothing of the dashboard."""
    return factories.user("outsider")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture(params=["live", "table"])
def standings_source(request, monkeypatch):
    """Run a test twice: the standings worked out live, and read from the table kept day by day.

    "table": before each read, the day's rows are written to the table as a
    settle or rebuild writes them (from the live engine), and the read must
    take them from the table: the live engine may only serve what the table
    does not store (a per-platform view, a growth since a chosen day). So the
    hand-checked figures hold for the stored rows too. "live": the table is
    never used.
    """
    from django.db import transaction

    from metrics.standings import daily, engine

    if request.param == "live":
        monkeypatch.setattr(daily, "ready_for", lambda day: (False, None))
    else:
        ready_for, live_standings = daily.ready_for, engine.live_standings

        def table_ready_for(day):
            with transaction.atomic():
                daily.write_days(day, day)
            ready, target = ready_for(day)
            assert ready, f"the table does not hold {day}"
            return ready, target

        def only_what_is_not_stored(**kwargs):
            assert kwargs.get("platform") or kwargs.get("growth_since") is not None, "read live, not from the table"
            return live_standings(**kwargs)

        monkeypatch.setattr(daily, "ready_for", table_ready_for)
        monkeypatch.setattr(engine, "live_standings", only_what_is_not_stored)
    return request.param
