"""The constituency map in Chromium, at 390 px and 1,366 px, in English and Hindi: one shape drawn per imported
constituency, a click on a shape opens that seat's member, the hover reads the member in the chosen script, no
Content-Security-Policy violation, no request leaves the test server (each one intercepted: only the server,
blob: and data: pass), no sideways scrolling on a phone; the district page zoomed to its seats.

The map is MapLibre (plotly's choroplethmap) drawing on a WebGL canvas, not SVG: the shapes drawn are counted
with MapLibre's own ``queryRenderedFeatures`` (the features on screen, by constituency), and a click is made
at the pixel MapLibre projects a seat's centre to."""

import json

import pytest

from legislators.imports import apply as imports
from legislators.models import ConstituencyShape, ImportBatch
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_dashboard_in_browser import _log_in, _state
from tests.chromium import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZE = 0.18


def _corner(index):
    return 77.0 + (index % 5) * 0.2, 23.0 + (index // 5) * 0.2


def _import_shapes(numbers):
    """The seats' squares on a 5-wide grid, through the boundaries import (dry run, then apply)."""
    features = []
    for index, number in enumerate(numbers):
        lon, lat = _corner(index)
        ring = [[lon, lat], [lon + SIZE, lat], [lon + SIZE, lat + SIZE], [lon, lat + SIZE], [lon, lat]]
        features.append(
            {"type": "Feature", "properties": {"AC_NO": number}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    batch, plan = imports.import_preview(kind=ImportBatch.Kind.BOUNDARIES, content=content, filename="grid.geojson")
    assert plan.ok, plan.errors
    imports.import_apply(batch=batch)
    assert ConstituencyShape.objects.count() == len(numbers)


# Resolves once MapLibre has drawn everything, then lists the constituency ids of the features on screen.
DRAWN_JS = """async () => {
  const gd = document.getElementById("seat-map");
  const map = gd._fullLayout.map._subplot.map;
  if (!map.loaded()) { await new Promise((done) => map.once("idle", done)); }
  const layers = map.getStyle().layers.filter((l) => l.type === "fill").map((l) => l.id);
  const ids = map.queryRenderedFeatures({layers}).map((f) => String(f.properties.id ?? f.id));
  return [...new Set(ids)].sort();
}"""
# The viewport pixel of a seat's centre (the map element scrolled into view first).
POINT_JS = """([lon, lat]) => {
  const map = document.getElementById("seat-map")._fullLayout.map._subplot.map;
  const box = map.getCanvas().getBoundingClientRect();
  const p = map.project([lon, lat]);
  return {x: box.left + p.x, y: box.top + p.y};
}"""


def _centre(index):
    lon, lat = _corner(index)
    return [lon + SIZE / 2, lat + SIZE / 2]


def _open_map(page, url):
    page.goto(url)
    page.wait_for_selector("#seat-map[data-drawn]")
    page.locator("#seat-map").scroll_into_view_if_needed()
    return page.evaluate(DRAWN_JS)


def _intercept(context, base):
    """Every request of the context: the server's pass, any other is recorded and refused."""
    outside = []

    def route(route):
        url = route.request.url
        if url.startswith(base) or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", route)
    return outside


@pytest.mark.parametrize(("viewport", "width"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_map_draws_every_imported_seat_and_a_click_opens_its_member(
    browser, live_server, screenshots, viewport, width
):
    state = _state()
    members = state["members"]
    vacant = factories.constituency(state["districts"][0], number=13, name="Hilltop 13", electors=150_000)
    _import_shapes(list(range(1, 14)))
    factories.user("official", "Viewer")
    ids = sorted(str(pk) for pk in ConstituencyShape.objects.values_list("constituency_id", flat=True))
    district = state["districts"][0]
    division = district.division
    in_division = sorted(
        str(m.constituency_id) for m in members if m.constituency.district.division_id == division.pk
    ) + [str(vacant.pk)]
    in_district = sorted(
        [*(str(m.constituency_id) for m in members if m.constituency.district_id == district.pk), str(vacant.pk)]
    )
    base = live_server.url
    context = browser.new_context(viewport=viewport)
    context.add_init_script(RECORD_VIOLATIONS)
    outside = _intercept(context, base)
    page = context.new_page()
    _log_in(page, base, "official")

    for language in ("en", "hi"):
        if language == "hi":
            with page.expect_navigation():
                page.click("button[name=language][value=hi]")
        assert _open_map(page, f"{base}/") == ids  # one shape per imported seat, the vacant one too
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        box = page.locator("#seat-map").bounding_box()
        assert box["width"] <= viewport["width"] and 280 <= box["height"] <= 600
        page.locator("section.seat-map").screenshot(path=str(screenshots / f"seat-map-{width}-{language}.png"))
        page.screenshot(path=str(screenshots / f"seat-map-page-{width}-{language}.png"), full_page=True)

        # The hover names the member in the chosen script (Kavita Rawal, seat 1).
        point = page.evaluate(POINT_JS, _centre(0))
        page.mouse.move(point["x"], point["y"])
        hover = page.locator("#seat-map .hoverlayer .hovertext")
        hover.wait_for()
        text = " ".join(hover.locator("text").all_text_contents())
        assert ("कविता रावल" if language == "hi" else "Kavita Rawal") in text
        assert ("मतदाताओं में हिस्सा" if language == "hi" else "Share of voters") in text

        assert page.evaluate("window.__csp") == []
        # A click on seat 6 opens its member's page.
        point = page.evaluate(POINT_JS, _centre(5))
        with page.expect_navigation():
            page.mouse.click(point["x"], point["y"])
        assert page.url == f"{base}/members/{members[5].pk}/"
        assert page.evaluate("window.__csp") == []

    # The division page: its seats only (the map's legend and click work as on the overview).
    page.goto(f"{base}/divisions/{division.pk}/")
    page.wait_for_selector("#seat-map[data-drawn]")
    page.locator("#seat-map").scroll_into_view_if_needed()
    assert page.evaluate(DRAWN_JS) == sorted(in_division)
    assert page.evaluate("window.__csp") == []

    # The district page: zoomed to its four seats and the vacant one.
    page.goto(f"{base}/districts/{district.pk}/")
    page.wait_for_selector("#seat-map[data-drawn]")
    page.locator("#seat-map").scroll_into_view_if_needed()
    shown = page.evaluate(DRAWN_JS)
    assert shown == in_district
    assert page.evaluate("document.getElementById('seat-map')._fullLayout.map.zoom") > 7
    page.locator("#seat-map").screenshot(path=str(screenshots / f"seat-map-district-{width}-hi.png"))
    assert page.evaluate("window.__csp") == []
    assert outside == []
    context.close()
