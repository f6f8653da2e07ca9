"""Rollup tables sort on every column (rollup_sort), and download as CSV/Excel in the order on screen."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rollup_state():
    """Divisions Alpha (3% attainment) and Beta (6%); Beta's districts Bhopal (7%) and Betul (5%)."""
    today = timezone.localdate()
    alpha, beta = factories.division("Alpha"), factories.division("Beta")
    districts = {
        "Amla": (alpha, 200_000, 6_000),
        "Bhopal": (beta, 100_000, 7_000),
        "Betul": (beta, 100_000, 5_000),
    }
    for name, (division, electors, followers) in districts.items():
        place = factories.district(division, name)
        factories.member_with_counts(
            f"Member of {name}",
            district_=place,
            electors=electors,
            series={Platform.X: {today - timedelta(days=30): followers, today: followers}},
        )
    return {"alpha": alpha, "beta": beta}


def names(groups):
    return [group.name for group in groups]


def test_the_divisions_page_sorts_both_tables_by_the_column_chosen(viewer_client, rollup_state):
    response = viewer_client.get(reverse("metrics:divisions"), {"rollup_sort": "-attainment"})
    assert names(response.context["rollup"].divisions) == ["Beta", "Alpha"]
    assert names(response.context["rollup"].districts) == ["Bhopal", "Betul", "Amla"]
    html = response.content.decode()
    assert 'aria-sort="descending"><a href="?rollup_sort=attainment">Attainment ▼' in html
    response = viewer_client.get(reverse("metrics:divisions"), {"rollup_sort": "attainment"})
    assert names(response.context["rollup"].districts) == ["Amla", "Betul", "Bhopal"]
    response = viewer_client.get(reverse("metrics:divisions"))
    assert names(response.context["rollup"].districts) == ["Amla", "Betul", "Bhopal"]  # by name


def test_the_division_page_sorts_its_districts(viewer_client, rollup_state):
    url = reverse("metrics:division", args=[rollup_state["beta"].pk])
    response = viewer_client.get(url, {"rollup_sort": "-reach"})
    assert names(response.context["rollup"].districts) == ["Bhopal", "Betul"]


def test_an_unknown_rollup_column_is_a_400(viewer_client, rollup_state):
    response = viewer_client.get(reverse("metrics:divisions"), {"rollup_sort": "password"})
    assert response.status_code == 400
    assert "Unknown sort column." in response.content.decode()


def test_both_rollup_tables_download_in_the_order_on_screen(client, analyst, rollup_state):
    client.force_login(analyst)
    html = client.get(reverse("metrics:divisions"), {"rollup_sort": "-attainment"}).content.decode()
    export = reverse("metrics:export", kwargs={"kind": "rollup", "fmt": "csv"})
    assert f"{export}?rollup_sort=-attainment&amp;by=division" in html
    assert f"{export}?rollup_sort=-attainment&amp;by=district" in html
    assert html.count(reverse("metrics:export", kwargs={"kind": "rollup", "fmt": "xlsx"})) == 2
    response = client.get(export, {"rollup_sort": "-attainment", "by": "district"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["Bhopal", "Betul", "Amla"]
