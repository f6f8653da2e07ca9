"""The page cache (metrics/web/page_cache.py): a repeated page within a poll interval is served from the
cache with none of its queries, but never across data versions, scopes, permissions or languages, and the
parts that belong to the request (the top bar's forms and their CSRF tokens) are rendered every time."""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from metrics.counts import snapshot_enter
from metrics.standings import daily
from tests import factories
from tests.caching import NOTHING_LISTENS, default_cache_on_redis

pytestmark = pytest.mark.django_db
# The user with their scope (and on PostgreSQL their permissions), elsewhere their permissions, the data version;
# the session comes from the cache.
HIT_QUERIES = 2 if connection.vendor == "postgresql" else 3


@pytest.fixture(autouse=True)
def no_chart_cache(settings):
    settings.CHART_CACHE_SECONDS = 0  # a zero timeout keeps nothing: each rendered page draws its charts


def fetch(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return response, len(queries)


def main(response):
    """The page's main content as a person reads it (the top bar and its tokens left out)."""
    return re.search(r'<main class="content">(.*)</main>', response.text, re.S).group(1)


def headline(response, name):
    return re.search(rf'data-figure="{name}">([^<]*)<', response.text).group(1)


def test_a_repeated_page_is_served_from_the_cache_with_a_constant_few_queries(client, viewer, built):
    factories.many_members(12)
    client.force_login(viewer)
    overview = reverse("metrics:overview")
    first, first_queries = fetch(client, overview)
    second, second_queries = fetch(client, overview)
    assert len(built) == 1
    assert main(second) == main(first)
    assert headline(second, "tracked") == "12"
    assert "<title>Overview · Follower Tracker</title>" in second.text
    assert second_queries == HIT_QUERIES < first_queries
    # Many more members: a served page still costs the same few queries.
    factories.many_members(30)
    fetch(client, overview)
    third, third_queries = fetch(client, overview)
    assert headline(third, "tracked") == "42"
    assert third_queries == HIT_QUERIES


@pytest.mark.parametrize(
    "name, args",
    [("stagnant", []), ("divisions", []), ("member", ["member"]), ("district", ["district"])],
)
def test_every_cached_page_keeps_its_title_and_content(client, viewer, name, args):
    place = factories.district()
    member = factories.many_members(3, district_=place)[0]
    values = {"member": member.pk, "district": place.pk}
    url = reverse(f"metrics:{name}", args=[values[arg] for arg in args])
    client.force_login(viewer)
    first, first_queries = fetch(client, url)
    second, second_queries = fetch(client, url)
    assert main(second) == main(first)
    assert re.search("<title>(.*?)</title>", second.text).group(1) == re.search(
        "<title>(.*?)</title>", first.text
    ).group(1)
    assert second_queries == HIT_QUERIES < first_queries
    if name == "member":
        assert f"<title>{member.name} · Follower Tracker</title>" in second.text


def test_a_count_entered_by_hand_shows_on_the_next_request(client, viewer, analyst, built):
    member = factories.member_with_counts(
        "Asha", electors=100_000, series={Platform.X: {timezone.localdate() - timedelta(days=1): 4_000}}
    )
    client.force_login(viewer)
    url = reverse("metrics:member", args=[member.pk])
    before, _queries = fetch(client, url)
    assert headline(before, "reach") == "4,000"
    with transaction.atomic():
        snapshot_enter(
            account=member.accounts.get(),
            day=timezone.localdate(),
            followers=6_000,
            posts=None,
            evidence_url="https://example.org/screenshot.png",
            now=timezone.now(),
            user=analyst,
        )
        daily.settle()
    after, _queries = fetch(client, url)
    assert headline(after, "reach") == "6,000"


def test_a_limited_user_never_gets_a_page_kept_for_the_whole_state(client, built):
    mine = factories.district()
    factories.many_members(3, district_=mine)
    factories.many_members(9)
    overview = reverse("metrics:overview")
    client.force_login(factories.user("everyone", "Viewer"))
    assert headline(fetch(client, overview)[0], "tracked") == "12"
    client.force_login(factories.user("limited", "Viewer", districts=[mine]))
    assert headline(fetch(client, overview)[0], "tracked") == "3"
    # Another user of the same scope is served the kept page.
    client.force_login(factories.user("same", "Viewer", districts=[mine]))
    page, queries = fetch(client, overview)
    assert headline(page, "tracked") == "3" and queries == HIT_QUERIES + 2  # the scope's districts and divisions
    # A member outside the limited scope: the whole-state user's kept page is not served, the 404 is.
    outside = factories.many_members(1)[0]
    client.force_login(factories.user("everyone2", "Viewer"))
    fetch(client, reverse("metrics:member", args=[outside.pk]))
    client.force_login(factories.user("limited2", "Viewer", districts=[mine]))
    assert client.get(reverse("metrics:member", args=[outside.pk])).status_code == 404


def test_download_links_follow_the_users_permissions_not_the_kept_page(client, viewer, analyst):
    factories.many_members(4)
    overview = reverse("metrics:overview")
    client.force_login(analyst)
    assert "Download CSV" in fetch(client, overview)[0].text
    client.force_login(viewer)
    assert "Download CSV" not in fetch(client, overview)[0].text


def test_hindi_and_english_are_kept_apart(client, viewer):
    factories.many_members(3)
    client.force_login(viewer)
    overview = reverse("metrics:overview")
    english = fetch(client, overview)[0]
    client.cookies["django_language"] = "hi"
    hindi = fetch(client, overview)[0]
    assert "All members" in main(english) and "All members" not in main(hindi)
    assert re.search("[\u0900-\u097f]", main(hindi))


def test_filters_sort_and_page_are_kept_apart(client, viewer):
    mine = factories.district()
    factories.many_members(2, district_=mine)
    factories.many_members(5)
    client.force_login(viewer)
    overview = reverse("metrics:overview")
    assert headline(fetch(client, overview)[0], "tracked") == "7"
    assert headline(fetch(client, overview, {"district": mine.pk})[0], "tracked") == "2"
    # A bad filter is answered afresh every time (never kept, never served from a kept page).
    for _ in range(2):
        assert client.get(overview, {"district": "nonsense"}).status_code == 400


def test_the_top_bar_forms_of_a_served_page_work_for_each_user(viewer, built):
    """Each user's language switch and log-out carry that user's own CSRF token, on a page served from the cache."""
    factories.many_members(3)
    overview = reverse("metrics:overview")
    tokens = []
    for user in (viewer, factories.user("second", "Viewer")):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        page = browser.get(overview)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        tokens.append(token)
        switched = browser.post(
            reverse("set_language"), {"language": "hi", "next": overview, "csrfmiddlewaretoken": token}
        )
        assert switched.status_code == 302
        assert browser.get(overview).status_code == 200
    assert len(built) == 2  # the second user was served the English page kept for the first, then Hindi's
    assert tokens[0] != tokens[1]


@pytest.mark.redis
def test_on_redis_the_page_is_shared_and_an_outage_only_costs_the_render(client, viewer, built, settings, redis_url):
    default_cache_on_redis(settings, redis_url)
    try:
        factories.many_members(3)
        client.force_login(viewer)
        overview = reverse("metrics:overview")
        fetch(client, overview)
        _page, queries = fetch(client, overview)
        assert len(built) == 1 and queries == HIT_QUERIES
    finally:
        caches["default"].clear()
    default_cache_on_redis(settings, NOTHING_LISTENS, timeout=0.5)
    down, _queries = fetch(client, overview)
    assert headline(down, "tracked") == "3"
    assert len(built) == 2
