"""Local shares computed by hand on a small data set: cities in and out of the district, the unknown
remainder, a district holding three seats (apportioned by electors), YouTube views applied to subscribers;
the fallbacks with their reasons; the page, the district rollup, the filter and the export; query counts."""

import csv
import io

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from metrics.audience import connections
from metrics.audience.local import local_shares
from metrics.standings.engine import standings
from tests import factories
from tests.audience.helpers import ASHA_INSTAGRAM, stored_geography

pytestmark = pytest.mark.django_db


def _shares():
    result = standings()
    return {
        m.name: s for m, s in ((m, local_shares(members=result.members, day=result.day)[m.id]) for m in result.members)
    }


def test_cities_in_and_out_of_a_district_of_three_seats(world):
    stored_geography(world["asha"], Platform.INSTAGRAM, ASHA_INSTAGRAM, total=20_000)
    asha = _shares()["Asha"]
    # In the district: 6,000 + 1,500 = 7,500. The district's three seats: 2,00,000 + 2,50,000 + 3,00,000 = 7,50,000.
    assert asha.district_estimate == 7_500 and asha.district_electors == 750_000 and asha.seats_in_district == 3
    # Apportioned to Asha's seat by electors: 7,500 × 2,00,000 / 7,50,000 = 2,000 of 2,00,000 voters: 1.00%.
    assert asha.seat_estimate == pytest.approx(2_000)
    assert asha.share == pytest.approx(1.0)
    assert asha.status == "local"  # ≥ LOCAL_SHARE_MIN_PERCENT (1%)
    # Placed by city: 10,100 of 20,000 (50.5%); the 9,900 remainder is not guessed at.
    assert asha.coverage == pytest.approx(0.505)
    (account,) = asha.accounts
    assert (account.listed, account.total, account.in_district) == (10_100, 20_000, 7_500)


def test_a_second_seat_of_the_district_and_a_single_seat_district(world):
    stored_geography(
        world["bala"], Platform.INSTAGRAM, {"Bhopal, Madhya Pradesh": 1_200, "Sehore, Madhya Pradesh": 300}, total=5_000
    )
    stored_geography(
        world["deepa"],
        Platform.INSTAGRAM,
        {"Sehore, Madhya Pradesh": 2_400, "Bhopal, Madhya Pradesh": 600},
        total=6_000,
    )
    shares = _shares()
    # Bala: 1,200 × 2,50,000 / 7,50,000 = 400 of 2,50,000: 0.16%, not local.
    assert shares["Bala"].seat_estimate == pytest.approx(400) and shares["Bala"].share == pytest.approx(0.16)
    assert shares["Bala"].status == "not_local"
    # Deepa: Sehore has one seat: 2,400 of 1,50,000: 1.60%, local; no apportioning.
    assert shares["Deepa"].seat_estimate == pytest.approx(2_400) and shares["Deepa"].share == pytest.approx(1.6)
    assert not shares["Deepa"].apportioned and shares["Deepa"].status == "local"


def test_youtube_views_by_city_are_applied_to_the_subscribers(world):
    stored_geography(world["asha"], Platform.INSTAGRAM, ASHA_INSTAGRAM, total=20_000)
    stored_geography(
        world["asha"],
        Platform.YOUTUBE,
        {"Bhopal": 8_000, "Indore": 4_000},
        total=40_000,
        metric="views",
        followers=10_000,
    )
    asha = _shares()["Asha"]
    # YouTube: 8,000 of 40,000 views from the district → 10,000 subscribers × 0.2 = 2,000; district: 7,500 + 2,000.
    assert asha.district_estimate == pytest.approx(9_500)
    # Seat: 9,500 × 2,00,000 / 7,50,000 = 2,533.33 of 2,00,000 voters: 1.2667%.
    assert asha.seat_estimate == pytest.approx(2_533.333, abs=0.001)
    assert asha.share == pytest.approx(1.266667, abs=1e-6)
    # Covered: Instagram 10,100 + YouTube 10,000 × 12,000 / 40,000 = 3,000, of 30,000 followers: 43.67%.
    assert asha.coverage == pytest.approx(13_100 / 30_000)


def test_the_fallbacks_say_why(world):
    shares = _shares()
    assert shares["Bala"].share is None and "No account is connected" in shares["Bala"].reason
    account = stored_geography(world["bala"], Platform.INSTAGRAM, {"Bhopal, Madhya Pradesh": 1_200}, total=5_000)
    connections.connection_revoke(connection=account.connection, reason="revoked by eddie")
    bala = _shares()["Bala"]
    assert bala.share is None and bala.status == "n/a"
    assert "Instagram connection revoked" in bala.reason and "revoked by eddie" in bala.reason


def test_the_page_the_filter_the_rollup_and_the_export(world):
    stored_geography(world["asha"], Platform.INSTAGRAM, ASHA_INSTAGRAM, total=20_000)
    stored_geography(world["bala"], Platform.INSTAGRAM, {"Bhopal, Madhya Pradesh": 1_200}, total=5_000)
    stored_geography(world["deepa"], Platform.INSTAGRAM, {"Sehore, Madhya Pradesh": 2_400}, total=6_000)
    client = Client()
    client.force_login(factories.user("ana", "Analyst"))
    page = client.get(reverse("metrics:local")).content.decode()
    assert "An estimate" in page and "Local (2)" in page and "Not local (1)" in page
    # The rollup: Bhopal 2,000 + 400 = 2,400 of 7,50,000 = 0.32%; Sehore 2,400 of 1,50,000 = 1.60%.
    assert (
        '≈ 2,400</td><td class="num" data-label="Voters of the district">7,50,000</td>'
        '<td class="num" data-label="Local share (estimate)">≈ 0.32%'
    ) in page
    assert "≈ 1.60%" in page
    local_only = client.get(reverse("metrics:local"), {"local": "local"}).content.decode()
    assert "Asha" in local_only and "Deepa" in local_only and f'data-member="{world["bala"].pk}"' not in local_only
    assert client.get(reverse("metrics:local"), {"local": "nearby"}).status_code == 400
    download = b"".join(client.get("/exports/local.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(download)))
    asha = next(row for row in rows if row["Member"] == "Asha")
    assert (
        asha["Local share of voters % (estimate)"] == "1.00" and asha["Estimated followers among the voters"] == "2000"
    )
    assert asha["Followers placed by city %"] == "50.50" and asha["Local status"] == "Local"


def test_the_member_page_shows_the_estimate_beside_the_total(world):
    stored_geography(world["asha"], Platform.INSTAGRAM, ASHA_INSTAGRAM, total=20_000)
    client = Client()
    client.force_login(factories.user("vera", "Viewer"))
    page = client.get(reverse("metrics:member", args=[world["asha"].pk])).content.decode()
    assert 'data-figure="local-share">≈ 1.00%' in page and "≈ 2,000" in page
    assert (
        "The district holds 3 seats" in page and "50.5%" in page and timezone.localdate().strftime("%-d %b %Y") in page
    )


def test_local_shares_take_a_fixed_number_of_queries(world):
    for index in range(6):
        member = factories.legislator(f"Extra {index}", factories.constituency(world["bhopal"], electors=100_000))
        stored_geography(
            member, Platform.INSTAGRAM, {"Bhopal, Madhya Pradesh": 100 * (index + 1)}, total=1_000, handle=f"e{index}"
        )
    result = standings()
    with CaptureQueriesContext(db_connection) as few:
        local_shares(members=[m for m in result.members if m.name.startswith("Extra")][:2], day=result.day)
    with CaptureQueriesContext(db_connection) as many:
        local_shares(members=result.members, day=result.day)
    assert len(few) == len(many) == 5


def test_the_local_status_filters_every_standings_page(world):
    stored_geography(world["asha"], Platform.INSTAGRAM, ASHA_INSTAGRAM, total=20_000)  # 1.00%: local
    stored_geography(world["bala"], Platform.INSTAGRAM, {"Bhopal, Madhya Pradesh": 1_200}, total=5_000)  # 0.16%
    assert [m.name for m in standings(status="local").members] == ["Asha"]
    client = Client()
    client.force_login(factories.user("vic", "Viewer"))
    page = client.get(reverse("metrics:overview"), {"status": "local"}).content.decode()
    assert f"/members/{world['asha'].pk}/" in page and f"/members/{world['bala'].pk}/" not in page
    api = client.get("/api/v1/standings/", {"status": "local"}).json()
    assert [row["name"] for row in api["results"]] == ["Asha"]
