"""The overview's charts are drawn once per data version, language, scope and filters, then read from the cache."""

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from metrics.models import FetchRun
from metrics.web import charts
from tests import factories
from tests.caching import NOTHING_LISTENS, default_cache_on_redis

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def every_page_renders(settings):
    """The charts' own cache, under every page that renders: the page cache (which would serve a repeated page
    whole, charts included) is off here; tests/metrics/test_page_cache.py checks it."""
    settings.PAGE_CACHE_SECONDS = 0


def distribution(response):
    """The distribution chart's figure as the page sends it to the browser (its json_script block)."""
    assert response.status_code == 200
    found = re.search(r'<script id="distribution-data" type="application/json">(.*?)</script>', response.text, re.S)
    return json.loads(found.group(1)) if found else None


def members_in_chart(response):
    return sum(distribution(response)["data"][0]["y"])


def get(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("metrics:overview"), params)
    return response, len(queries)


def test_the_second_overview_reads_the_charts_from_the_cache(client, viewer, built):
    factories.many_members(12)
    client.force_login(viewer)
    first, first_queries = get(client)
    second, second_queries = get(client)
    assert len(built) == 1
    assert distribution(second) == distribution(first)
    assert members_in_chart(second) == 12
    # The weekly progress chart's queries are not repeated either.
    assert second_queries < first_queries


def test_a_new_completed_run_or_new_counts_draw_the_chart_again(client, viewer, built):
    members = factories.many_members(6)
    client.force_login(viewer)
    get(client)
    get(client)
    assert len(built) == 1
    FetchRun.objects.create(
        platform=Platform.X, started_at=timezone.now(), finished_at=timezone.now(), status=FetchRun.Status.DONE
    )
    get(client)
    assert len(built) == 2
    # A new member's counts arrive (no run finished): the chart shows them at once.
    newcomer = factories.member_with_counts(
        "Newcomer", series={Platform.X: {timezone.localdate() - timedelta(days=1): 50_000}}
    )
    response, _queries = get(client)
    assert len(built) == 3
    assert members_in_chart(response) == len(members) + 1
    assert newcomer.pk


def test_each_batch_a_running_poll_records_draws_the_chart_again(client, viewer, built):
    factories.many_members(4)
    client.force_login(viewer)
    run = FetchRun.objects.create(platform=Platform.X, started_at=timezone.now(), batches_total=2)
    get(client)
    get(client)
    assert len(built) == 1
    run.batches_done = 1
    run.save(update_fields=["batches_done"])
    get(client)
    assert len(built) == 2


def test_a_limited_user_never_gets_the_whole_state_chart(client, built):
    mine = factories.district()
    factories.many_members(3, district_=mine)
    factories.many_members(9)
    everyone = factories.user("everyone", "Viewer")
    limited = factories.user("limited", "Viewer", districts=[mine])
    client.force_login(everyone)
    response, _queries = get(client)
    assert members_in_chart(response) == 12
    client.force_login(limited)
    response, _queries = get(client)
    assert members_in_chart(response) == 3
    assert len(built) == 2
    # Another user of the same scope shares the limited user's chart.
    same = factories.user("same", "Viewer", districts=[mine])
    client.force_login(same)
    response, _queries = get(client)
    assert members_in_chart(response) == 3
    assert len(built) == 2


def test_filters_are_keyed_apart(client, viewer, built):
    mine = factories.district()
    factories.many_members(3, district_=mine)
    factories.many_members(5)
    client.force_login(viewer)
    whole, _queries = get(client)
    filtered, _queries = get(client, district=mine.pk)
    assert (members_in_chart(whole), members_in_chart(filtered)) == (8, 3)
    # Sorting and paging do not change the chart: no new drawing.
    get(client, district=mine.pk, sort="-reach", page=1)
    assert len(built) == 2


def test_hindi_and_english_are_keyed_apart(client, viewer, built):
    factories.many_members(5)
    client.force_login(viewer)
    english, _queries = get(client)
    client.cookies["django_language"] = "hi"
    hindi, _queries = get(client)
    english_axis = distribution(english)["layout"]["xaxis"]["title"]["text"]
    hindi_axis = distribution(hindi)["layout"]["xaxis"]["title"]["text"]
    assert english_axis == "Share of voters (%)"
    assert hindi_axis != english_axis and re.search("[\u0900-\u097f]", hindi_axis)
    assert len(built) == 2


def test_the_district_page_chart_is_cached_under_its_district(client, viewer, built):
    first, second = factories.district(), factories.district()
    factories.many_members(2, district_=first)
    factories.many_members(4, district_=second)
    client.force_login(viewer)
    for district, expected in ((first, 2), (second, 4), (first, 2)):
        response = client.get(reverse("metrics:district", args=[district.pk]))
        assert members_in_chart(response) == expected
    assert len(built) == 2


@pytest.mark.redis
def test_on_redis_the_chart_is_shared_and_an_outage_only_costs_the_drawing(client, viewer, built, settings, redis_url):
    default_cache_on_redis(settings, redis_url)
    try:
        factories.many_members(5)
        client.force_login(viewer)
        get(client)
        response, _queries = get(client)
        assert members_in_chart(response) == 5
        assert len(built) == 1
    finally:
        caches["default"].clear()
    default_cache_on_redis(settings, NOTHING_LISTENS, timeout=0.5)
    response, _queries = get(client)
    assert members_in_chart(response) == 5
    assert len(built) == 2


def test_the_rollup_and_member_history_charts_are_cached_too(client, viewer, monkeypatch):
    drawn = {"rollup": 0, "history": 0}
    real_rollup, real_history = charts.rollup_chart, charts.history_chart

    def rollup(groups, target):
        drawn["rollup"] += 1
        return real_rollup(groups, target)

    def history(page):
        drawn["history"] += 1
        return real_history(page)

    monkeypatch.setattr(charts, "rollup_chart", rollup)
    monkeypatch.setattr(charts, "history_chart", history)
    member, other = factories.many_members(2)
    client.force_login(viewer)
    for _ in range(2):
        assert client.get(reverse("metrics:divisions")).status_code == 200
        page = client.get(reverse("metrics:member", args=[member.pk]))
    assert drawn == {"rollup": 2, "history": 1}
    # The cached chart is this member's: another member's page draws its own.
    other_page = client.get(reverse("metrics:member", args=[other.pk]))
    assert drawn["history"] == 2
    assert page.context["chart"] != other_page.context["chart"]
