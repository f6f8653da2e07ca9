"""Every dashboard page issues the same number of queries for 10 members as for 500."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from metrics.models import FetchRun
from tests import factories

MAX_QUERIES = 20


def _page_urls(member, district):
    return {
        "overview": reverse("metrics:overview"),
        "overview filtered and sorted": reverse("metrics:overview")
        + f"?district={district.pk}&sort=-growth&page=2&platform=x",
        "stagnant": reverse("metrics:stagnant"),
        "divisions": reverse("metrics:divisions"),
        "division": reverse("metrics:division", args=[district.division_id]),
        "district": reverse("metrics:district", args=[district.pk]),
        "member": reverse("metrics:member", args=[member.pk]),
        "freshness": reverse("metrics:freshness"),
    }


def _query_counts(client, urls):
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
def test_every_page_query_count_is_the_same_for_10_and_500_members(client, analyst):
    district = factories.district()
    members = factories.many_members(10, district_=district)
    for platform in ("x", "facebook"):
        FetchRun.objects.create(platform=platform, started_at=timezone.now(), accounts_ok=10)
    client.force_login(analyst)
    urls = _page_urls(members[0], district)

    with_10 = _query_counts(client, urls)
    factories.many_members(490, district_=district)
    with_500 = _query_counts(client, urls)

    assert with_500 == with_10
    assert max(with_10.values()) <= MAX_QUERIES, with_10


@pytest.mark.django_db
def test_a_district_limited_viewer_pages_have_bounded_queries(client):
    district = factories.district()
    members = factories.many_members(20, district_=district)
    factories.many_members(20)
    viewer = factories.user("limited", "Viewer", districts=[district])
    client.force_login(viewer)
    urls = _page_urls(members[0], district)
    urls.pop("freshness")
    counts = _query_counts(client, urls)
    assert max(counts.values()) <= MAX_QUERIES, counts
