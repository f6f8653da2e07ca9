"""The API's endpoints issue a fixed number of queries whatever the number of members (as the pages)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.tokens import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db


def queries_of(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


def all_endpoints(client, member_id):
    return {
        url.replace(f"/{member_id}/", "/ID/") + f"?{query}": queries_of(
            client, url, dict(p.split("=") for p in query.split("&") if p)
        )
        for url, query in [
            ("/api/v1/standings/", ""),
            ("/api/v1/standings/", "format=csv"),
            ("/api/v1/standings/", "format=parquet&sort=name"),
            ("/api/v1/rollups/", "by=division"),
            ("/api/v1/members/", ""),
            ("/api/v1/members/", "format=csv"),
            ("/api/v1/constituencies/", ""),
            ("/api/v1/constituencies/", "format=csv"),
            ("/api/v1/freshness/", ""),
            ("/api/v1/fetch-runs/", ""),
            (f"/api/v1/members/{member_id}/", ""),
            (f"/api/v1/members/{member_id}/history/", "step=weekly"),
        ]
    }


def test_query_counts_do_not_grow_with_the_members(api, analyst):
    client = api(analyst)
    client.get("/api/v1/fetch-runs/")  # the token's first use writes its last-used time: not counted below
    first = all_endpoints(client, factories.many_members(5)[0].pk)
    second = all_endpoints(client, factories.many_members(120)[0].pk)
    assert first == second
    assert max(first.values()) <= 12, first


def test_a_token_costs_one_query_and_one_write_a_minute(analyst):
    from rest_framework.test import APIClient

    _token, secret = api_token_create(user=analyst, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    first = queries_of(client, "/api/v1/fetch-runs/")
    second = queries_of(client, "/api/v1/fetch-runs/")
    assert first == second + 1  # last_used_at written on the first request only
