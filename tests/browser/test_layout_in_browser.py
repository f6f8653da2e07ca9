"""Phone-first member lists and desktop fit, in Chromium: at 390 px each member is a card whose share,
status and followers needed are on screen without sideways scrolling (English and Hindi); at 1,366 px no
table is wider than its container. Screenshots of every page at both widths in both languages."""

import pytest
from django.conf import settings

from legislators.models import Role
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_dashboard_in_browser import _log_in, _state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _long_state():
    """The browser state, with the longest role label and a long seat name (what overflowed at 1,366 px)."""
    state = _state()
    member = state["members"][1]
    factories.appointment(member, Role.MINISTER_OF_STATE_INDEPENDENT, start=member.terms.get().start)
    seat = member.terms.get().constituency
    seat.name = "Narsinghpur Gadarwara Tendukheda Road"
    seat.save()
    return state


def _context(browser, base, viewport, language, *, phone=False):
    options = {"viewport": viewport}
    if phone:
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    context = browser.new_context(**options)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    return context


def _inside(box, width):
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width and box["width"] > 0


@pytest.mark.parametrize("language", ["en", "hi"])
def test_on_a_phone_a_members_share_status_and_needed_are_on_screen(browser, live_server, language):
    _long_state()
    factories.user("official", "Viewer")
    context = _context(browser, live_server.url, PHONE, language, phone=True)
    page = context.new_page()
    _log_in(page, live_server.url, "official")
    assert page.locator("html").get_attribute("lang") == language
    rows = page.locator("table.standings tr.member-row")
    assert rows.count() == 12
    for index in (0, 1, rows.count() - 1):
        row = rows.nth(index)
        row.scroll_into_view_if_needed()
        for part in (".c-name a", ".c-share .share-value", ".c-share .share-bar", ".c-status .badge", ".c-needed"):
            cell = row.locator(part).first
            assert cell.is_visible(), part
            assert _inside(cell.bounding_box(), PHONE["width"]), (part, cell.bounding_box())
        # Role, party and seat on the card's second line, under the name.
        name_box = row.locator(".c-name").bounding_box()
        role_box = row.locator(".c-role").bounding_box()
        assert role_box["y"] >= name_box["y"] + name_box["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Sorting works the same: the header is still there as links.
    with page.expect_navigation():
        page.locator("table.standings thead a").nth(9).click()  # followers needed
    assert "sort=-needed" in page.url
    context.close()


def _pages(state, base):
    hilltop = state["districts"][0]
    return {
        "overview": f"{base}/",
        "stagnant": f"{base}/stagnant/",
        "divisions": f"{base}/divisions/",
        "division": f"{base}/divisions/{hilltop.division_id}/",
        "district": f"{base}/districts/{hilltop.pk}/",
        "member": f"{base}/members/{state['members'][1].pk}/",
        "freshness": f"{base}/freshness/",
        "search": f"{base}/search/?q=Hill",
    }


def test_every_page_fits_at_1366_and_at_390_in_both_languages(browser, live_server, screenshots):
    state = _long_state()
    factories.user("analyst", "Analyst")
    base = live_server.url
    overflowing = []
    for language in ("en", "hi"):
        for label, viewport, phone in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
            context = _context(browser, base, viewport, language, phone=phone)
            page = context.new_page()
            _log_in(page, base, "analyst")
            for name, url in _pages(state, base).items():
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if page.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
                    overflowing.append((language, label, name, "page"))
                if not phone:
                    widths = page.eval_on_selector_all(
                        ".table-wrap", "wraps => wraps.map(w => [w.scrollWidth, w.clientWidth])"
                    )
                    overflowing += [(language, label, name, w) for w in widths if w[0] > w[1] + 1]
                page.screenshot(path=str(screenshots / f"{name}-{label}-{language}.png"), full_page=True)
            context.close()
    assert overflowing == []
