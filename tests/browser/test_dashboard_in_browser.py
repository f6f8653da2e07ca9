"""An official's morning in a real browser: log in, filter to one district,
sort, open a member and see the chart drawn, switch to Hindi; and a
district-limited viewer who cannot reach another district's member."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from legislators.models import Platform, Role
from metrics.models import FollowerSnapshot, LatestCount, Source
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
INDIAN_GROUPING = re.compile(r"\b\d{1,2},\d{2},\d{3}\b")  # 2,45,000 (not 245,000)
NAMES = [
    ("Kavita Rawal", "कविता रावल"),
    ("Mohan Tiwar", "मोहन तिवार"),
    ("Sunita Pandar", "सुनीता पंडार"),
    ("Ravi Kashyap", "रवि कश्यप"),
    ("Leela Bisht", "लीला बिष्ट"),
    ("Arun Negi", "अरुण नेगी"),
    ("Geeta Mehar", "गीता मेहर"),
    ("Vikram Sodha", "विक्रम सोढा"),
    ("Pooja Karki", "पूजा कार्की"),
    ("Naresh Joshan", "नरेश जोशन"),
    ("Meena Dhami", "मीना धामी"),
    ("Suresh Bhandal", "सुरेश भंडाल"),
]


def _state():
    """Two divisions, three districts, twelve invented members with 60 days of counts."""
    today = timezone.localdate()
    north, south = factories.division("Uttar"), factories.division("Dakshin")
    for division, hindi in ((north, "उत्तर"), (south, "दक्षिण")):
        division.name_hi = hindi
        division.save()
    districts = [
        factories.district(north, "Hilltop"),
        factories.district(north, "Lakeside"),
        factories.district(south, "Seaside"),
    ]
    for district, hindi in zip(districts, ("पहाड़ी", "झीलपुर", "सागरपुर"), strict=True):
        district.name_hi = hindi
        district.save()
    party = factories.party("JPP")
    members = []
    snapshots, latest = [], []
    now = timezone.now()
    for index, (name, name_hi) in enumerate(NAMES):
        district = districts[index % 3]
        electors = 150_000 + index * 13_457
        place = factories.constituency(
            district, number=index + 1, name=f"{district.name} {index + 1}", electors=electors
        )
        member = factories.legislator(
            name=name,
            name_hi=name_hi,
            constituency_=place,
            party_=party,
            role=Role.CABINET_MINISTER if index == 0 else Role.MLA,
        )
        members.append(member)
        share_today = 0.02 + index * 0.005  # 2% to 7.5%: some below, some above the target
        for platform, part in ((Platform.X, 0.6), (Platform.FACEBOOK, 0.4)):
            account = factories.account(member, platform, handle=f"browser_{index}_{platform}", last_success_at=now)
            today_count = round(electors * share_today * part)
            rate = 0.0 if index % 4 == 3 else 0.002 * (1 + index % 3)
            for offset in range(60, -1, -1):
                followers = round(today_count / (1 + rate) ** offset)
                snapshots.append(
                    FollowerSnapshot(
                        account=account,
                        day=today - timedelta(days=offset),
                        followers=followers,
                        posts=500 + 60 - offset,
                        source=Source.API,
                        fetched_at=now,
                    )
                )
            latest.append(
                LatestCount(
                    account=account, day=today, followers=today_count, posts=560, source=Source.API, fetched_at=now
                )
            )
    FollowerSnapshot.objects.bulk_create(snapshots)
    LatestCount.objects.bulk_create(latest)
    return {"districts": districts, "members": members}


class RequestLog:
    """Every URL the page asked for, to prove nothing loads from outside the server."""

    def __init__(self, page, base_url):
        self.base_url = base_url
        self.urls = []
        page.on("request", lambda request: self.urls.append(request.url))

    def outside(self):
        return [
            url for url in self.urls if not url.startswith(self.base_url) and not url.startswith(("data:", "blob:"))
        ]


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/")
    assert "/accounts/login/" in page.url  # every page needs a login
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def _table_names(page):
    return page.locator("table.standings tbody td.member-cell > a").all_inner_texts()


def test_an_official_filters_sorts_opens_a_member_and_reads_it_in_hindi(browser, live_server, screenshots):
    state = _state()
    factories.user("official", "Viewer")
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    requests = RequestLog(page, base)

    _log_in(page, base, "official")
    page.wait_for_selector("#distribution-chart .main-svg")
    assert page.locator("[data-figure=tracked]").inner_text() == "12"
    page.screenshot(path=str(screenshots / "overview-desktop.png"), full_page=True)

    # Filter to one district.
    page.select_option("select[name=district]", label="Hilltop")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    hilltop = [name for index, (name, _hi) in enumerate(NAMES) if index % 3 == 0]
    assert sorted(_table_names(page)) == sorted(hilltop)
    assert "district=" in page.url

    # Sort by followers, most first, then reverse.
    with page.expect_navigation():
        page.get_by_role("link", name="Followers", exact=True).click()
    descending = _table_names(page)
    assert descending == list(reversed(hilltop))  # the data give later members more followers
    with page.expect_navigation():
        page.get_by_role("link", name="Followers ▼").click()
    assert _table_names(page) == list(reversed(descending))
    assert "district=" in page.url  # the filter survives the sort

    # Open a member: the Plotly chart is drawn as SVG.
    page.locator("table.standings").get_by_role("link", name="Kavita Rawal").click()
    page.wait_for_selector("#history-chart .main-svg")
    assert page.locator("#history-chart svg.main-svg").count() >= 1
    assert page.locator("#history-chart .scatterlayer .trace").count() >= 4  # X, Facebook, combined, target...
    assert "browser_0_x" in page.content()
    member_url = page.url
    page.screenshot(path=str(screenshots / "member-desktop.png"), full_page=True)

    # Switch to Hindi: Devanagari text, Indian digit grouping, and it is remembered.
    with page.expect_navigation():
        page.click("button[name=language][value=hi]")
    assert page.locator("html").get_attribute("lang") == "hi"
    heading = page.locator("h1").inner_text()
    assert heading.startswith("कविता रावल")
    body = page.locator("main").inner_text()
    assert "पंजीकृत मतदाता" in body  # "registered voters"
    assert INDIAN_GROUPING.search(page.locator("[data-figure=electors]").inner_text())
    page.goto(f"{base}/")
    page.wait_for_selector("#distribution-chart .main-svg")
    assert page.locator("html").get_attribute("lang") == "hi"
    assert "निगरानी में सदस्य" in page.locator("main").inner_text()  # "members tracked"
    assert DEVANAGARI.search(" ".join(_table_names(page)))
    assert INDIAN_GROUPING.search(page.locator("table.standings").inner_text())
    page.screenshot(path=str(screenshots / "overview-desktop-hindi.png"), full_page=True)

    # The same pages on a 390-pixel-wide phone, back in English.
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    phone.add_cookies(context.cookies())
    phone_page = phone.new_page()
    phone_requests = RequestLog(phone_page, base)
    phone_page.goto(f"{base}/")
    phone_page.wait_for_selector("#distribution-chart .main-svg")
    # Nothing but the table's own scroller may be wider than the screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chart_width = phone_page.locator("#distribution-chart .main-svg").first.bounding_box()["width"]
    assert chart_width <= PHONE["width"]
    phone_page.screenshot(path=str(screenshots / "overview-phone.png"), full_page=True)
    phone_page.goto(member_url)
    phone_page.wait_for_selector("#history-chart .main-svg")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone_page.screenshot(path=str(screenshots / "member-phone.png"), full_page=True)

    assert requests.urls and phone_requests.urls
    assert requests.outside() == [] and phone_requests.outside() == []
    phone.close()
    context.close()
    assert state["members"]


def test_a_district_limited_viewer_cannot_see_another_districts_member(browser, live_server):
    state = _state()
    hilltop, _lakeside, seaside = state["districts"]
    factories.user("hill_only", "Viewer", districts=[hilltop])
    elsewhere = next(m for m in state["members"] if m.constituency.district_id == seaside.pk)
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    requests = RequestLog(page, base)

    _log_in(page, base, "hill_only")
    names = _table_names(page)
    assert names and elsewhere.name not in names
    assert all(name in [n for i, (n, _h) in enumerate(NAMES) if i % 3 == 0] for name in names)

    response = page.goto(f"{base}/members/{elsewhere.pk}/")
    assert response.status == 404
    assert elsewhere.name not in page.content()
    response = page.goto(f"{base}/districts/{seaside.pk}/")
    assert response.status == 404
    assert requests.outside() == []
    context.close()


def test_the_district_list_follows_the_chosen_division(browser, live_server):
    _state()
    factories.user("official", "Viewer")
    base = live_server.url
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    _log_in(page, base, "official")

    def offered():
        return page.eval_on_selector_all(
            "form.filters select[name=district] option", "options => options.filter(o => !o.hidden).map(o => o.text)"
        )

    assert offered() == ["All districts", "Hilltop", "Lakeside", "Seaside"]
    page.select_option("form.filters select[name=district]", label="Hilltop")
    page.select_option("form.filters select[name=division]", label="Dakshin")
    assert offered() == ["All districts", "Seaside"]
    # Hilltop is in Uttar: the choice left over from before is cleared, not sent with Dakshin.
    assert page.input_value("form.filters select[name=district]") == ""
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    seaside_names = [name for index, (name, _hi) in enumerate(NAMES) if index % 3 == 2]
    assert sorted(_table_names(page)) == sorted(seaside_names)
    # After the page reloads with the division chosen, the list is still narrowed to it.
    assert offered() == ["All districts", "Seaside"]
    page.select_option("form.filters select[name=division]", label="Uttar")
    assert offered() == ["All districts", "Hilltop", "Lakeside"]
    context.close()
