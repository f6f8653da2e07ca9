"""The local share beside the total share on the seat page, in the standings export (CSV, XLSX) and in the
API's standings, hand-computed on test_local_share's ``world`` (conftest.py); n/a (never 0) without one;
the fetch-runs API names each run's kind."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from legislators.models import Aspirant, Platform
from metrics.models import FetchRun
from tests import factories
from tests.audience.helpers import ASHA_INSTAGRAM, stored_geography

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LOCAL = "Local share of voters % (estimate)"
DAY = "Audience by city as of"
COVERAGE = "Followers placed by city %"


@pytest.fixture
def asha_seat(world):
    """Asha's seat (2,00,000 voters, one of Bhopal's three seats: 7,50,000) with her Instagram geography
    (1.00%, see test_local_share), an aspirant with geography and one without."""
    stored_geography(world["asha"], Platform.INSTAGRAM, ASHA_INSTAGRAM, total=20_000)
    seat = world["asha"].constituency
    chitra = factories.person("Chitra Aspirant")
    # 3,000 in Bhopal of 10,000 followers (30% placed) → 3,000 × 2,00,000 / 7,50,000 = 800 of 2,00,000: 0.40%.
    stored_geography(chitra, Platform.INSTAGRAM, {"Bhopal, Madhya Pradesh": 3_000}, total=10_000, handle="chitra")
    Aspirant.objects.create(legislator=chitra, constituency=seat, start=TODAY - timedelta(days=10))
    dinesh = factories.person("Dinesh Aspirant")
    factories.counts(factories.account(dinesh, Platform.X), {TODAY: 1_500})
    Aspirant.objects.create(legislator=dinesh, constituency=seat, start=TODAY - timedelta(days=5))
    return {**world, "seat": seat, "chitra": chitra, "dinesh": dinesh}


def _viewer_client():
    client = Client()
    client.force_login(factories.user("vera", "Viewer"))
    return client


def _card(html, person):
    match = re.search(rf'<article class="contender[^"]*" data-contender="{person.pk}".*?</article>', html, re.S)
    assert match, f"no card for {person}"
    return match.group(0)


def test_the_seat_page_shows_each_local_share_beside_the_total(asha_seat):
    html = _viewer_client().get(reverse("metrics:constituency", args=[asha_seat["seat"].pk])).content.decode()
    member = _card(html, asha_seat["asha"])
    # Total: 1,000 followers of 2,00,000 = 0.50%; local: ≈ 1.00% (2,000 of 2,00,000), an estimate.
    assert 'data-figure="share">0.50%<' in member
    assert 'data-figure="local-share">≈ 1.00%<' in member and "local share of voters (estimate)" in member
    note = re.search(r'data-note="estimate">(.*?)</p>', member, re.S).group(1)
    assert "≈ 2,000 followers among the seat" in note
    assert f"as of {TODAY:%-d %b %Y}" in note and "places 50.5% of the counted followers" in note
    assert ">Local<" in member
    chitra = _card(html, asha_seat["chitra"])
    assert 'data-figure="local-share">≈ 0.40%<' in chitra and ">Not local<" in chitra and "places 30.0%" in chitra
    # An aspirant without geography: the total only, no local block and no fallback note.
    dinesh = _card(html, asha_seat["dinesh"])
    assert 'data-figure="share">0.75%<' in dinesh
    assert "local-share" not in dinesh and "local-fallback" not in dinesh


def test_the_seat_page_says_why_a_member_has_no_local_share(world):
    html = _viewer_client().get(reverse("metrics:constituency", args=[world["bala"].constituency.pk])).content.decode()
    member = _card(html, world["bala"])
    assert 'data-figure="local-share"' not in member
    fallback = re.search(r'data-note="local-fallback">(.*?)</p>', member, re.S).group(1)
    assert fallback.startswith("No local share: showing the total share only.")
    assert "No account is connected" in fallback


def test_the_seat_page_queries_do_not_grow_with_aspirants_with_geography(asha_seat, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the queries of the rendered page (a served one runs none of them)
    client = _viewer_client()
    url = reverse("metrics:constituency", args=[asha_seat["seat"].pk])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(db_connection) as before:
        assert client.get(url).status_code == 200
    for index in range(4):
        person = factories.person(f"More Aspirant {index}")
        stored_geography(person, Platform.INSTAGRAM, {"Berasia": 100 * (index + 1)}, total=1_000, handle=f"more{index}")
        Aspirant.objects.create(legislator=person, constituency=asha_seat["seat"], start=TODAY - timedelta(days=3))
    with CaptureQueriesContext(db_connection) as after:
        html = client.get(url).content.decode()
    assert len(after) == len(before)
    assert html.count('data-figure="local-share"') == 6  # Asha, Chitra and the four new aspirants


def _export_rows(client, fmt):
    response = client.get(reverse("metrics:export", kwargs={"kind": "standings", "fmt": fmt}))
    assert response.status_code == 200
    if fmt == "csv":
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return {row["Member"]: row for row in csv.DictReader(io.StringIO(text))}
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    return {row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_the_standings_export_has_the_local_share_beside_the_total(asha_seat):
    client = Client()
    client.force_login(factories.user("ana", "Analyst"))
    rows = _export_rows(client, "csv")
    asha, bala = rows["Asha"], rows["Bala"]
    assert (asha["Share of voters %"], asha[LOCAL], asha[DAY], asha[COVERAGE]) == (
        "0.50",
        "1.00",
        TODAY.isoformat(),
        "50.50",
    )
    assert (bala[LOCAL], bala[DAY], bala[COVERAGE]) == ("n/a", "n/a", "n/a")
    header = list(asha)
    assert header.index(LOCAL) == header.index("Share of voters %") + 1
    sheet = _export_rows(client, "xlsx")
    assert sheet["Asha"][LOCAL] == pytest.approx(1.0) and sheet["Asha"][COVERAGE] == pytest.approx(50.5)
    assert sheet["Asha"][DAY].date() == TODAY
    assert (sheet["Bala"][LOCAL], sheet["Bala"][DAY], sheet["Bala"][COVERAGE]) == ("n/a", "n/a", "n/a")


def test_the_api_standings_give_the_local_share_and_the_schema_documents_it(asha_seat):
    api = APIClient()
    api.force_authenticate(factories.user("ana", "Analyst"))
    rows = {row["name"]: row for row in api.get("/api/v1/standings/").json()["results"]}
    asha, bala = rows["Asha"], rows["Bala"]
    assert asha["share"] == pytest.approx(0.5) and asha["local_share"] == pytest.approx(1.0)
    assert asha["local_share_day"] == TODAY.isoformat() and asha["local_share_coverage"] == pytest.approx(50.5)
    assert (bala["local_share"], bala["local_share_day"], bala["local_share_coverage"]) == (None, None, None)
    response = api.get("/api/v1/standings/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    flat = {row["name"]: row for row in csv.DictReader(io.StringIO(text))}
    assert (flat["Asha"]["local_share"], flat["Asha"]["local_share_coverage"]) == ("1.00", "50.50")
    assert flat["Bala"]["local_share"] == "n/a"
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["Standing"]["properties"]
    for name in ("local_share", "local_share_day", "local_share_coverage"):
        assert fields[name]["nullable"] is True and fields[name]["description"]
    assert "estimate" in fields["local_share"]["description"]


def test_the_fetch_runs_api_names_the_kind_of_each_run(world):
    now = timezone.now()
    for kind in (FetchRun.Kind.COUNTS, FetchRun.Kind.GEOGRAPHY):
        FetchRun.objects.create(platform=Platform.INSTAGRAM, kind=kind, status="done", started_at=now, finished_at=now)
    api = APIClient()
    api.force_authenticate(factories.user("ana", "Analyst"))
    runs = api.get("/api/v1/fetch-runs/").json()["results"]
    assert [run["kind"] for run in runs] == ["geography", "counts"]  # newest first
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["FetchRun"]["properties"]["kind"]["allOf"][0]["$ref"].endswith(
        "/FetchRunKindEnum"
    )
    assert schema["components"]["schemas"]["FetchRunKindEnum"]["enum"] == ["counts", "geography"]
