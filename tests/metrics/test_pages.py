"""The two first pages: behind login, showing the numbers and the chart."""

from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standings_source")]


@pytest.fixture
def member():
    today = timezone.localdate()
    place = factories.constituency(name="Hill Town", electors=200_000)
    person = factories.legislator("Asha Example", place, name_hi="आशा उदाहरण")
    factories.counts(
        factories.account(person, Platform.X, handle="asha_x"), {today - timedelta(days=30): 9_000, today: 12_345}
    )
    factories.counts(factories.account(person, Platform.YOUTUBE, handle="ashatube"), {today: 1_000})
    return person


def full_table(response):
    """The members table (the page also lists the ten furthest and fastest before it)."""
    page = response.content.decode()
    return page[page.index('<table class="standings') :]


@pytest.mark.parametrize("name, args", [("metrics:overview", []), ("metrics:member", [1])])
def test_pages_need_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logged_in_user_without_a_group_is_refused(client, outsider, member):
    client.force_login(outsider)
    assert client.get(reverse("metrics:overview")).status_code == 403


def test_overview_shows_headline_and_member_row(viewer_client, member):
    response = viewer_client.get(reverse("metrics:overview"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Asha Example" in page
    assert "13,345" in page  # reach, Indian grouping
    assert "6.67%" in page  # 13,345 / 2,00,000
    assert 'data-figure="meets">1<' in page


def test_overview_sorts_by_any_column_and_rejects_junk(viewer_client, member):
    other = factories.legislator("Zed Example", factories.constituency(electors=100_000))
    factories.counts(factories.account(other), {timezone.localdate(): 50})
    page = full_table(viewer_client.get(reverse("metrics:overview"), {"sort": "-share"}))
    assert page.index("Asha Example") < page.index("Zed Example")
    page = full_table(viewer_client.get(reverse("metrics:overview"), {"sort": "share"}))
    assert page.index("Zed Example") < page.index("Asha Example")
    assert viewer_client.get(reverse("metrics:overview"), {"sort": "drop table"}).status_code == 400
    assert viewer_client.get(reverse("metrics:overview"), {"date": "not-a-date"}).status_code == 400


def test_member_page_has_accounts_numbers_and_chart(viewer_client, member):
    response = viewer_client.get(reverse("metrics:member", args=[member.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "आशा उदाहरण" in page
    assert "https://x.com/asha_x" in page
    assert 'id="history-data"' in page and "Target 5.0%" in page
    assert "/static/vendor/plotly.min.js" in page
    assert "rounds subscriber counts" in page  # YouTube note


def test_unknown_member_is_404(viewer_client):
    assert viewer_client.get(reverse("metrics:member", args=[999999])).status_code == 404


def test_plotly_is_served_from_the_installed_package():
    path = finders.find("vendor/plotly.min.js")
    assert path and path.endswith("plotly.min.js")


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
