"""Phone-first member lists and desktop fit, in Chromium: at 390 px each member is a card whose share,
status and followers needed are on screen without sideways scrolling (English and Hindi); at 1,366 px no
table is wider than its container. Screenshots of every page at both widths in both languages."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from legislators.models import Aspirant, Platform, Role
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


def _seat_with_aspirants(state):
    """The long-named seat of member 1, with two aspirants (one with counts) and a party switch in its history."""
    member = state["members"][1]
    term = member.terms.get()
    seat = term.constituency
    other = factories.party("LVM")
    other.name, other.name_hi = "Lok Vikas Morcha", "लोक विकास मोर्चा"
    other.save()
    today = timezone.localdate()
    term.end, term.end_reason = today - timedelta(days=400), "party_change"
    term.save()
    factories.term(member, seat, term.party, start=today - timedelta(days=399))
    factories.voter_roll(seat, 171_000, published_on=today - timedelta(days=90))
    for name, name_hi, followers in (("Kiran Aspirant", "किरण आकांक्षी", 4_200), ("Dinesh Aspirant", "", None)):
        person = factories.person(name, name_hi=name_hi)
        if followers:
            account = factories.account(person, Platform.INSTAGRAM, last_success_at=timezone.now())
            factories.counts(account, {today - timedelta(days=30): followers - 600, today: followers})
        Aspirant.objects.create(legislator=person, constituency=seat, party=other, start=today - timedelta(days=60))
    return seat


def _pages(state, base, seat):
    hilltop = state["districts"][0]
    return {
        "overview": f"{base}/",
        "stagnant": f"{base}/stagnant/",
        "divisions": f"{base}/divisions/",
        "division": f"{base}/divisions/{hilltop.division_id}/",
        "district": f"{base}/districts/{hilltop.pk}/",
        "member": f"{base}/members/{state['members'][1].pk}/",
        "seat": f"{base}/constituencies/{seat.pk}/",
        "search": f"{base}/search/?q=Hill",
        "freshness": f"{base}/freshness/",
        "count-entry": f"{base}/counts/enter/",
        "poll-now": f"{base}/poll/",
        "api-tokens": f"{base}/account/tokens/",
        "admin-index": f"{base}/admin/",
    }


# Pages whose tables become cards on a phone: nothing in them scrolls sideways at 390 px either.
PHONE_CARD_PAGES = {
    "overview",
    "stagnant",
    "divisions",
    "division",
    "district",
    "seat",
    "poll-now",
    "member",
    "freshness",
}
ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")


def _check_date_axes(page, language, problems, name):
    """The date axes' ticks read in the page's language (Hindi months in Hindi); returns the charts drawn."""
    drawn = set()
    for chart in ("#history-chart", "#roll-chart", "#progress-chart"):
        ticks = page.locator(f"{chart} .xtick text").all_text_contents()
        if not ticks:
            continue
        drawn.add(chart)
        english = [tick for tick in ticks if ENGLISH_MONTHS.search(tick)]
        if language == "hi" and english:
            problems.append((language, name, chart, english))
    return drawn


def _devanagari_renders(page):
    """True when the page's Hindi text is drawn with a font that has Devanagari (not boxes): five Devanagari
    letters are not as wide as five missing glyphs ("tofu", all one box)."""
    return page.evaluate(
        r"""() => {
        const c = document.createElement("canvas").getContext("2d");
        c.font = "16px " + getComputedStyle(document.body).fontFamily;
        return c.measureText("कमलमत").width !== c.measureText("\u{10FFFF}".repeat(5)).width;
    }"""
    )


def test_every_page_fits_at_1366_and_at_390_in_both_languages(browser, live_server, screenshots):
    """Screenshots of every page, logged out (login) and in (a superuser sees every page and the admin)."""
    state = _long_state()
    seat = _seat_with_aspirants(state)
    factories.user("boss", "Editor", is_staff=True, is_superuser=True)
    # The stored daily standings of the last 60 days: the overview draws its week-by-week progress chart.
    call_command("rebuild_standings", since=timezone.localdate() - timedelta(days=60), quiet=True, stdout=io.StringIO())
    base = live_server.url
    overflowing, axes, drawn = [], [], set()
    for language in ("en", "hi"):
        for label, viewport, phone in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
            context = _context(browser, base, viewport, language, phone=phone)
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.screenshot(path=str(screenshots / f"login-{label}-{language}.png"), full_page=True)
            if language == "hi":
                assert _devanagari_renders(page)
            _log_in(page, base, "boss")
            for name, url in _pages(state, base, seat).items():
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if page.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
                    overflowing.append((language, label, name, "page"))
                if not phone or name in PHONE_CARD_PAGES:
                    widths = page.eval_on_selector_all(
                        ".table-wrap", "wraps => wraps.map(w => [w.scrollWidth, w.clientWidth])"
                    )
                    overflowing += [(language, label, name, w) for w in widths if w[0] > w[1] + 1]
                drawn |= _check_date_axes(page, language, axes, name)
                page.screenshot(path=str(screenshots / f"{name}-{label}-{language}.png"), full_page=True)
            context.close()
    assert overflowing == []
    assert axes == []
    assert drawn == {"#history-chart", "#roll-chart", "#progress-chart"}  # every date axis was looked at


def test_the_seat_page_on_a_phone_is_cards_without_sideways_scrolling(browser, live_server, screenshots):
    state = _long_state()
    seat = _seat_with_aspirants(state)
    factories.user("official", "Viewer")
    for language in ("en", "hi"):
        context = _context(browser, live_server.url, PHONE, language, phone=True)
        page = context.new_page()
        _log_in(page, live_server.url, "official")
        page.goto(f"{live_server.url}/constituencies/{seat.pk}/")
        page.wait_for_selector("#roll-chart .main-svg")
        cards = page.locator("article.contender")
        assert cards.count() == 3  # the member and two aspirants
        for index in range(cards.count()):
            for part in ("h3", "[data-figure=share]", "[data-figure=needed]", "[data-figure=projected]"):
                box = cards.nth(index).locator(part).bounding_box()
                assert _inside(box, PHONE["width"]), (language, index, part, box)
        # Stacked one under another on a phone.
        first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
        assert second["y"] >= first["y"] + first["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if language == "hi":
            ticks = page.locator("#roll-chart .xtick text").all_text_contents()
            assert ticks and not any(ENGLISH_MONTHS.search(tick) for tick in ticks), ticks
        context.close()


def test_on_a_phone_the_rollup_tables_are_cards_without_sideways_scrolling(browser, live_server):
    state = _long_state()
    factories.user("official", "Viewer")
    for language in ("en", "hi"):
        context = _context(browser, live_server.url, PHONE, language, phone=True)
        page = context.new_page()
        _log_in(page, live_server.url, "official")
        page.goto(f"{live_server.url}/divisions/")
        rows = page.locator("table.rollup-list tr.rollup-row")
        assert rows.count() == 2 + 3  # two divisions, three districts
        for index in range(rows.count()):
            for part in (".c-name a", ".c-attainment", ".c-members", ".c-meets", ".c-na"):
                box = rows.nth(index).locator(part).bounding_box()
                assert _inside(box, PHONE["width"]), (language, index, part, box)
        widths = page.eval_on_selector_all(".table-wrap", "wraps => wraps.map(w => [w.scrollWidth, w.clientWidth])")
        assert all(scroll <= client + 1 for scroll, client in widths), widths
        if language == "hi":  # the districts' division in Hindi too
            assert "उत्तर" in rows.nth(2).locator(".c-division").inner_text()
        context.close()
    del state


def _freshness_rows(state):
    """Something in every table of the freshness page: a stale account and a problem account with long errors, a
    member without any account, a run per platform, and a connected account."""
    from metrics.audience.models import Connection
    from metrics.models import FetchRun

    now = timezone.now()
    stale, problem = state["members"][1].accounts.order_by("pk")
    stale.last_success_at, stale.last_error = now - timedelta(days=9), "HTTP 503 " + "upstream_timeout_" * 8
    stale.save()
    problem.status, problem.handle = "not_found", "a_rather_long_handle_that_was_renamed_by_its_owner_2026"
    problem.last_error, problem.last_checked_at = "The account does not exist (HTTP 404): " + "x" * 60, now
    problem.save()
    seat = factories.constituency(state["districts"][0], number=99, electors=100_000)
    factories.legislator("Without Accounts", seat)
    for platform in (Platform.X, Platform.FACEBOOK):
        FetchRun.objects.create(platform=platform, started_at=now, finished_at=now, status="done", accounts_ok=12)
    Connection.objects.create(
        account=stale, provider="facebook", status="error", connected_at=now, status_reason="token expired " * 6
    )


# Each card table: every body cell's box, its label and what its ::before shows, and its wrap's widths.
CARD_CELLS = """tables => tables.map(table => {
    const wrap = table.closest(".table-wrap");
    const rows = [...table.tBodies[0].rows].map(row => [...row.cells].map(cell => {
        const box = cell.getBoundingClientRect();
        return {label: cell.dataset.label || "", shown: getComputedStyle(cell, "::before").content,
                x: box.x, right: box.right, top: box.top, bottom: box.bottom, width: box.width};
    }));
    return {name: table.dataset.table, rows, wrap: [wrap.scrollWidth, wrap.clientWidth]};
})"""
CARD_TABLES = {
    "member": ["accounts"],
    "freshness": ["runs", "stale", "problems", "no-account", "connections"],
}


def _card_problems(page, width, *, phone):
    """What is wrong with the card tables of the page at this width: overflow (both widths), and on a phone an
    unlabelled cell, a cell off screen, or cells side by side (a row, not a card)."""
    tables = page.eval_on_selector_all("table.cards-table[data-table]", CARD_CELLS)
    problems = [(t["name"], "overflow", t["wrap"]) for t in tables if t["wrap"][0] > t["wrap"][1] + 1]
    for table in tables if phone else ():
        for index, cells in enumerate(table["rows"]):
            for cell in cells:
                # The ::before shows the label (Chromium gives its content resolved: "Platform: ").
                if not cell["label"] or cell["label"] not in cell["shown"]:
                    problems.append((table["name"], index, "unlabelled", cell))
                if cell["x"] < 0 or cell["right"] > width or cell["width"] <= 0:
                    problems.append((table["name"], index, "off screen", cell))
            problems += [
                (table["name"], index, "side by side", above, below)
                for above, below in zip(cells, cells[1:])
                if below["top"] < above["bottom"] - 1
            ]
    return [t["name"] for t in tables], problems


@pytest.mark.parametrize("language", ["en", "hi"])
def test_the_account_and_freshness_tables_are_labelled_cards_on_a_phone_and_fit_a_desktop(
    browser, live_server, screenshots, language
):
    state = _long_state()
    _freshness_rows(state)
    factories.user("boss", "Editor", is_staff=True, is_superuser=True)
    base = live_server.url
    urls = {"member": f"{base}/members/{state['members'][1].pk}/", "freshness": f"{base}/freshness/"}
    problems = []
    for label, viewport, phone in (("phone", PHONE, True), ("desktop", DESKTOP, False)):
        context = _context(browser, base, viewport, language, phone=phone)
        page = context.new_page()
        _log_in(page, base, "boss")
        for name, url in urls.items():
            page.goto(url)
            page.wait_for_load_state("networkidle")
            found, wrong = _card_problems(page, viewport["width"], phone=phone)
            assert sorted(found) == sorted(CARD_TABLES[name]), (name, found)
            problems += [(label, name, *problem) for problem in wrong]
            if page.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
                problems.append((label, name, "page wider than the screen"))
            page.screenshot(path=str(screenshots / f"{name}-cards-{label}-{language}.png"), full_page=True)
        context.close()
    assert problems == []
