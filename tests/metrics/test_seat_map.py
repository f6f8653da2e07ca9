"""The constituency map on the overview, division and district pages: one location per constituency with a
shape, coloured by share on a scale centred on the target, n/a seats grey, hover text (name and number, member,
share, followers needed in Indian grouping; Hindi in Hindi), a click's page in customdata, the user's scope,
the view fitted to the page's seats, and a fixed number of queries."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from legislators.imports.shapes import clean_geometry
from legislators.models import ConstituencyShape, Platform
from metrics.standings.engine import standings
from metrics.standings.seat_map import seat_map
from metrics.web import views
from tests import factories

pytestmark = pytest.mark.django_db

LICENCE = "Boundaries: Test Survey (CC BY 4.0)"


def square(lon, lat, size=0.1):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def add_shape(seat, lon, lat, size=0.1):
    text, box, points, _thinned = clean_geometry(square(lon, lat, size))
    west, south, east, north = box
    return ConstituencyShape.objects.create(
        constituency=seat,
        geometry=text,
        west=west,
        south=south,
        east=east,
        north=north,
        points=points,
        licence=LICENCE,
        imported_at=timezone.now(),
    )


def seat_member(seat, name, electors_share, *, party=None, name_hi=""):
    """A member of ``seat`` whose X account holds ``electors_share`` of the seat's electors today."""
    member = factories.legislator(name=name, constituency_=seat, party_=party, name_hi=name_hi)
    if electors_share is not None:
        electors = seat.voter_rolls.get().total_electors
        account = factories.account(member, Platform.X)
        factories.counts(account, {timezone.localdate() - timedelta(days=1): round(electors * electors_share)})
    return member


@pytest.fixture
def world():
    """Division North (districts Alpha, Beta), division South (district Gamma); six seats, five with a shape."""
    north, south = factories.division("North"), factories.division("South")
    alpha, beta = factories.district(north, "Alpha"), factories.district(north, "Beta")
    gamma = factories.district(south, "Gamma")
    party, other = factories.party("AAA"), factories.party("BBB")
    seats = {
        "A1": factories.constituency(alpha, number=1, name="Amber", electors=250_000),
        "A2": factories.constituency(alpha, number=2, name="Azure", electors=3_000_000),
        "A3": factories.constituency(alpha, number=3, name="Ash", electors=200_000),  # no shape
        "B1": factories.constituency(beta, number=4, name="Birch", electors=200_000),
        "B2": factories.constituency(beta, number=5, name="Bay", electors=200_000),  # vacant
        "C1": factories.constituency(gamma, number=6, name="Cedar", electors=400_000),
    }
    members = {
        "A1": seat_member(seats["A1"], "Asha Verma", 0.06, party=party, name_hi="आशा वर्मा"),
        "A2": seat_member(seats["A2"], "Arjun Rao", 0.01, party=party),
        "A3": seat_member(seats["A3"], "Anil Das", 0.03, party=party),
        "B1": seat_member(seats["B1"], "Bela Sen", None, party=other),  # no account: n/a
        "C1": seat_member(seats["C1"], "Chand Pal", 0.04, party=party),
    }
    for index, key in enumerate(("A1", "A2", "B1", "B2")):
        add_shape(seats[key], 77.0 + index * 0.1, 23.0)
    add_shape(seats["C1"], 80.0, 21.5, size=0.2)
    return {"seats": seats, "members": members, "places": (north, south, alpha, beta, gamma), "parties": (party, other)}


def map_figure(response):
    assert response.status_code == 200
    found = re.search(r'<script id="seat-map-data" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(found.group(1)) if found else None


def by_location(figure):
    """{constituency id: ("grey" or "share", z, hover text, click url)}; each location must be drawn once."""
    seen = {}
    for trace in figure["data"]:
        assert trace["type"] == "choroplethmap"
        features = {f["id"] for f in trace["geojson"]["features"]}
        assert features == set(trace["locations"])  # every shape in the page once, with its trace
        for location, z, text, url in zip(
            trace["locations"], trace["z"], trace["text"], trace["customdata"], strict=True
        ):
            assert int(location) not in seen
            grey = trace["colorscale"] == [[0, "#c4c4c4"], [1, "#c4c4c4"]]
            seen[int(location)] = ("grey" if grey else "share", z, text, url)
    return seen


def seat_page(seat):
    try:
        return reverse("metrics:constituency", args=[seat.pk])
    except NoReverseMatch:
        return ""


def test_the_overview_map_draws_each_shaped_seat_once_coloured_by_share(client, world):
    seats, members = world["seats"], world["members"]
    client.force_login(factories.user("viewer", "Viewer"))
    response = client.get(reverse("metrics:overview"))
    figure = map_figure(response)
    drawn = by_location(figure)

    assert set(drawn) == {seats[key].pk for key in ("A1", "A2", "B1", "B2", "C1")}
    coloured = figure["data"][0]
    assert (coloured["zmin"], coloured["zmax"]) == (0, 10.0)  # the 5% target in the middle of the scale
    assert coloured["colorscale"][2] == [0.5, "#ffffbf"]
    assert coloured["showscale"] is False  # the key is the page's legend, with the scale's stops
    assert figure["layout"]["map"]["style"] == "white-bg"
    assert drawn[seats["A1"].pk][:2] == ("share", 6.0) and drawn[seats["A2"].pk][:2] == ("share", 1.0)
    assert drawn[seats["C1"].pk][:2] == ("share", 4.0)
    assert drawn[seats["B1"].pk][0] == drawn[seats["B2"].pk][0] == "grey"  # n/a
    assert figure["data"][1]["colorscale"] == [[0, "#c4c4c4"], [1, "#c4c4c4"]]

    _trace, _z, text, url = drawn[seats["A2"].pk]
    assert text == "2 Azure<br>Member: Arjun Rao<br>Share of voters: 1.00%<br>Followers needed: 1,20,000"
    assert url == reverse("metrics:member", args=[members["A2"].pk])
    assert "Share of voters: n/a (no follower count yet)" in drawn[seats["B1"].pk][2]
    assert drawn[seats["B1"].pk][3] == reverse("metrics:member", args=[members["B1"].pk])
    assert drawn[seats["B2"].pk][2] == "5 Bay<br>No sitting member<br>Share of voters: n/a"
    assert drawn[seats["B2"].pk][3] == seat_page(seats["B2"])

    # The view is fitted to the seats shown; the page says which seat has no shape, credits the shapes,
    # explains the colours and links the table.
    assert figure["fit"] == [77.0, 21.5, 80.2, 23.1]
    text = response.content.decode()
    assert "1 constituency has no shape and is not on the map: 3 Ash." in text
    assert LICENCE in text and 'href="#table"' in text
    for stop in ("0%: far below the target", "2.5%: below", "5%: at the target", "7.5%: above", "10% or more"):
        assert stop in text
    assert '<span class="swatch swatch-na"></span>n/a' in text
    assert text.count('id="seat-map-data"') == 1


def test_hover_in_hindi(client, world):
    client.force_login(factories.user("viewer", "Viewer"))
    client.cookies["django_language"] = "hi"
    drawn = by_location(map_figure(client.get(reverse("metrics:overview"))))
    text = drawn[world["seats"]["A1"].pk][2]
    assert text.startswith("1 Amber<br>सदस्य: आशा वर्मा<br>मतदाताओं में हिस्सा: 6.00%<br>")
    assert "आवश्यक फ़ॉलोअर: 0" in text
    vacant = drawn[world["seats"]["B2"].pk][2]
    assert "लागू नहीं" in vacant and "No sitting member" not in vacant
    page = client.get(reverse("metrics:overview")).content.decode()
    assert "5%: लक्ष्य पर" in page and "तालिका रूप" in page


def test_a_member_the_filters_leave_out_is_grey_but_still_opens_the_member(client, world):
    client.force_login(factories.user("viewer", "Viewer"))
    _party, other = world["parties"]
    drawn = by_location(map_figure(client.get(reverse("metrics:overview"), {"party": other.pk})))
    colour, _z, text, url = drawn[world["seats"]["A1"].pk]
    assert colour == "grey" and "Member not among those shown (filters)" in text
    assert url == reverse("metrics:member", args=[world["members"]["A1"].pk])


def test_a_limited_user_sees_only_their_seats_on_the_map(client, world):
    _north, _south, alpha, _beta, _gamma = world["places"]
    client.force_login(factories.user("local", "Viewer", districts=[alpha]))
    response = client.get(reverse("metrics:overview"))
    drawn = by_location(map_figure(response))
    assert set(drawn) == {world["seats"]["A1"].pk, world["seats"]["A2"].pk}
    body = response.content.decode()
    for outside in ("Birch", "Bay", "Cedar", "Bela Sen", "Chand Pal"):
        assert outside not in body
    assert map_figure(response)["fit"] == [77.0, 23.0, 77.2, 23.1]


def test_division_and_district_pages_are_zoomed_to_their_seats(client, world):
    north, south, _alpha, beta, gamma = world["places"]
    client.force_login(factories.user("viewer", "Viewer"))
    division = map_figure(client.get(reverse("metrics:division", args=[north.pk])))
    assert {int(x) for t in division["data"] for x in t["locations"]} == {
        world["seats"][key].pk for key in ("A1", "A2", "B1", "B2")
    }
    assert division["fit"] == [77.0, 23.0, 77.4, 23.1]
    district = map_figure(client.get(reverse("metrics:district", args=[beta.pk])))
    assert {int(x) for t in district["data"] for x in t["locations"]} == {
        world["seats"]["B1"].pk,
        world["seats"]["B2"].pk,
    }
    assert district["fit"] == [77.2, 23.0, 77.4, 23.1]
    assert len(district["data"]) == 1  # both grey: no coloured trace, no colour bar
    south_map = map_figure(client.get(reverse("metrics:division", args=[south.pk])))
    assert south_map["fit"] == [80.0, 21.5, 80.2, 21.7]
    gamma_page = client.get(reverse("metrics:district", args=[gamma.pk]))
    assert map_figure(gamma_page) is not None


def test_no_map_without_shapes(client, world):
    ConstituencyShape.objects.all().delete()
    client.force_login(factories.user("viewer", "Viewer"))
    response = client.get(reverse("metrics:overview"))
    assert map_figure(response) is None and 'id="seat-map"' not in response.content.decode()


def test_the_selector_reads_two_queries_whatever_the_number_of_seats(world, django_assert_num_queries):
    viewer = factories.user("viewer", "Viewer")
    result = standings(scope_user=viewer)
    with django_assert_num_queries(2):  # the seats with their shapes, the sitting members (the scope is cached)
        found = seat_map(standings=result, scope_user=viewer)
    assert len(found.seats) == 5 and found.without_shape == ["3 Ash"]


# --- the map kept in the chart cache ------------------------------------------------------------------------


def map_section(response):
    """The map's whole <section> as the page sends it (data block, legend, notes, credits)."""
    text = response.content.decode()
    start = text.index('<section class="seat-map"')
    return text[start : text.index("</section>", start)]


@pytest.fixture
def selector_runs(monkeypatch):
    """How many times the pages ran the map's selector (the real one still runs)."""
    calls = []
    real = views.seat_map

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(views, "seat_map", counting)
    return calls


def queries_of(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    return response, [query["sql"] for query in queries.captured_queries]


def test_a_second_request_reads_the_map_from_the_cache_without_its_queries(client, world, selector_runs, settings):
    # The map's own cache, under every page that renders (the page cache, which would serve the whole second
    # page, is off here: tests/metrics/test_page_cache.py checks it).
    settings.PAGE_CACHE_SECONDS = 0
    north = world["places"][0]
    client.force_login(factories.user("viewer", "Viewer"))
    url = reverse("metrics:division", args=[north.pk])
    first, first_queries = queries_of(client, url)
    second, second_queries = queries_of(client, url)
    assert len(selector_runs) == 1
    assert map_section(second) == map_section(first)
    # The division page's other chart is drawn without queries: the drop is the map's two.
    assert len(second_queries) == len(first_queries) - 2
    shapes = ConstituencyShape._meta.db_table
    assert any(shapes in sql for sql in first_queries) and not any(shapes in sql for sql in second_queries)

    overview = reverse("metrics:overview")
    miss, _sql = queries_of(client, overview)
    hit, hit_queries = queries_of(client, overview)
    assert len(selector_runs) == 2
    assert map_section(hit) == map_section(miss)
    assert "1 constituency has no shape and is not on the map: 3 Ash." in map_section(hit)
    assert LICENCE in map_section(hit)
    assert not any(shapes in sql for sql in hit_queries)


def test_the_cached_map_follows_the_filters(client, world, selector_runs):
    seats = world["seats"]
    _party, other = world["parties"]
    client.force_login(factories.user("viewer", "Viewer"))
    overview = reverse("metrics:overview")
    assert by_location(map_figure(client.get(overview)))[seats["A1"].pk][0] == "share"
    assert by_location(map_figure(client.get(overview, {"party": other.pk})))[seats["A1"].pk][0] == "grey"
    searched = by_location(map_figure(client.get(overview, {"q": "Asha"})))
    assert searched[seats["A1"].pk][0] == "share" and searched[seats["C1"].pk][0] == "grey"
    assert by_location(map_figure(client.get(overview)))[seats["A1"].pk][0] == "share"
    assert len(selector_runs) == 3


def test_a_limited_user_never_gets_another_scopes_cached_map(client, world, selector_runs):
    _north, _south, alpha, beta, _gamma = world["places"]
    seats = world["seats"]
    overview = reverse("metrics:overview")
    client.force_login(factories.user("viewer", "Viewer"))
    assert len(by_location(map_figure(client.get(overview)))) == 5
    client.force_login(factories.user("local", "Viewer", districts=[alpha]))
    response = client.get(overview)
    assert set(by_location(map_figure(response))) == {seats["A1"].pk, seats["A2"].pk}
    assert "Cedar" not in response.content.decode()
    client.force_login(factories.user("other", "Viewer", districts=[beta]))
    assert set(by_location(map_figure(client.get(overview)))) == {seats["B1"].pk, seats["B2"].pk}
    assert len(selector_runs) == 3


def test_hindi_and_english_maps_are_kept_apart(client, world, selector_runs):
    client.force_login(factories.user("viewer", "Viewer"))
    overview = reverse("metrics:overview")
    a1 = world["seats"]["A1"].pk
    assert "Member: Asha Verma" in by_location(map_figure(client.get(overview)))[a1][2]
    client.cookies["django_language"] = "hi"
    hindi = client.get(overview)
    assert "सदस्य: आशा वर्मा" in by_location(map_figure(hindi))[a1][2]
    assert "constituency has no shape" not in map_section(hindi)
    client.cookies["django_language"] = "en"
    assert "Member: Asha Verma" in by_location(map_figure(client.get(overview)))[a1][2]
    assert len(selector_runs) == 2
