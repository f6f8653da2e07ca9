"""The API's cast and state: two divisions, members with counts, the groups, a district-limited viewer, tokens."""

import contextlib
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone
from rest_framework.test import APIClient

from legislators.models import Platform, Role
from metrics.models import FetchRun
from metrics.tokens import api_token_create
from tests import factories


@pytest.fixture(autouse=True)
def api_settings(settings):
    """A rate no test reaches unless it sets its own; a fresh request counter for each test."""
    settings.API_THROTTLE_RATE = "100000/min"
    caches["api-throttle"].clear()
    yield settings
    with contextlib.suppress(Exception):  # a test may have pointed the counter at an unreachable Redis
        caches["api-throttle"].clear()


@pytest.fixture
def state(db):
    """Two divisions; North has two districts. Members with counts over 120 days, one without a roll."""
    today = timezone.localdate()
    north, south = factories.division("North"), factories.division("South")
    uphill, downhill = factories.district(north, "Uphill"), factories.district(north, "Downhill")
    seaside = factories.district(south, "Seaside")
    party = factories.party("ABC")
    days = [today - timedelta(days=offset) for offset in (120, 90, 60, 30, 7, 1, 0)]

    def member(name, district, electors, base, *, role=Role.MLA, platforms=(Platform.X, Platform.FACEBOOK), **extra):
        series = {
            platform: {day: base + index * step * 100 for index, day in enumerate(days)}
            for step, platform in enumerate(platforms, start=1)
        }
        return factories.member_with_counts(
            name, district_=district, electors=electors, series=series, role=role, party_=party, **extra
        )

    members = {
        "asha": member("Asha Rao", uphill, 100_000, 4_000, role=Role.CABINET_MINISTER, name_hi="आशा राव"),
        "bala": member("Bala Singh", uphill, 200_000, 12_000),
        "chitra": member("=Chitra formula", downhill, 150_000, 7_000),
        "dev": member("Dev Kumar", seaside, 120_000, 2_000, platforms=(Platform.INSTAGRAM,)),
        "esha": member("Esha No Roll", seaside, None, 3_000),
        "farid": member("Farid Flat", seaside, 90_000, 5_000, platforms=(Platform.YOUTUBE,)),
    }
    run = FetchRun.objects.create(
        platform=Platform.X,
        status=FetchRun.Status.DONE,
        started_at=timezone.now() - timedelta(minutes=5),
        finished_at=timezone.now() - timedelta(minutes=4),
        accounts_ok=5,
        errors=["12345: not_found"],
    )
    return {
        "today": today,
        "north": north,
        "south": south,
        "uphill": uphill,
        "downhill": downhill,
        "seaside": seaside,
        "party": party,
        "members": members,
        "run": run,
    }


@pytest.fixture
def people(db, state):
    return {
        "viewer": factories.user("viewer", "Viewer"),
        "analyst": factories.user("analyst", "Analyst"),
        "editor": factories.user("editor", "Editor", is_staff=True),
        "uphill_analyst": factories.user("uphill_analyst", "Analyst", districts=[state["uphill"]]),
        "outsider": factories.user("outsider"),
    }


@pytest.fixture
def token_for(db):
    """token_for(user, **options) -> the secret of a new token of ``user``."""

    def make(user, **options):
        return api_token_create(user=user, name=options.pop("name", "test"), **options)[1]

    return make


@pytest.fixture
def api(token_for):
    """api(user) -> an APIClient sending a new token of ``user``."""

    def make(user, **options):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, **options)}")
        return client

    return make
