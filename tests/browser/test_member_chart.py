"""The member chart in a real browser: hovering a day shows every platform's value on that day
(unified hover, Indian grouping), the range buttons narrow the axis, and Hindi dates in Hindi."""

from datetime import timedelta

import pytest
from django.utils import timezone

from legislators.models import Platform
from metrics.models import FollowerSnapshot
from metrics.numbers import indian_number
from tests import factories
from tests.browser.conftest import DESKTOP
from tests.browser.test_dashboard_in_browser import _log_in, _state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOVER_JS = """([day]) => {
  const chart = document.getElementById("history-chart");
  return {x: chart._fullLayout.xaxis.d2p(day), y: chart._fullLayout._size.h / 2};
}"""


def _hover(page, day):
    """Hover ``day`` in the member chart's plot area; the unified hover box's text."""
    point = page.evaluate(HOVER_JS, [day.isoformat()])
    page.locator("#history-chart .nsewdrag").first.hover(position=point)
    label = page.locator("#history-chart .hoverlayer .legend")
    label.wait_for()
    # SVG text: one <text> per line (the date, then each trace's "name: value").
    return "\n".join(label.locator("text").all_text_contents())


def _counts_on(member, day):
    rows = FollowerSnapshot.objects.filter(account__legislator=member, day=day).values_list(
        "account__platform", "followers"
    )
    return dict(rows)


def test_hovering_a_day_shows_every_platforms_value_in_indian_grouping(browser, live_server, screenshots):
    state = _state()
    factories.user("official", "Viewer")
    member = state["members"][10]  # 2,84,570 electors, 7%, growing: five-digit counts that change daily
    day = timezone.localdate() - timedelta(days=10)
    counts = _counts_on(member, day)
    assert set(counts) == {Platform.X, Platform.FACEBOOK}
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    _log_in(page, live_server.url, "official")
    page.goto(f"{live_server.url}/members/{member.pk}/")
    page.wait_for_selector("#history-chart .main-svg")

    text = _hover(page, day)
    header, *lines = text.splitlines()
    assert header == day.strftime("%-d %b %Y")
    values = dict(line.split(" : ") for line in lines)
    combined = counts[Platform.X] + counts[Platform.FACEBOOK]
    assert values["X"] == indian_number(counts[Platform.X])
    assert values["Facebook"] == indian_number(counts[Platform.FACEBOOK])
    assert values["Combined"] == indian_number(combined)
    assert values.keys() == {"X", "Facebook", "Combined", "Target 5.0%", "Stretch 6.0%"}
    page.screenshot(path=str(screenshots / "member-chart-hover-desktop.png"))

    # The axis's ticks are in Indian grouping too (no "15k").
    ticks = page.locator("#history-chart .ytick text").all_text_contents()
    assert ticks and all("k" not in tick for tick in ticks)
    assert any(tick.count(",") >= 1 for tick in ticks if len(tick) > 3)

    # "30 d" narrows the axis to the last 30 days; "All" shows the whole history again.
    page.locator("#history-chart .rangeselector .button", has_text="30 d").click()
    start = page.evaluate("document.getElementById('history-chart').layout.xaxis.range[0]")
    assert start[:10] == (timezone.localdate() - timedelta(days=30)).isoformat()
    page.locator("#history-chart .rangeselector .button", has_text="All").click()
    start = page.evaluate("document.getElementById('history-chart').layout.xaxis.range[0]")
    assert start[:10] <= (timezone.localdate() - timedelta(days=60)).isoformat()

    # In Hindi the hover's date is written with a Hindi month.
    with page.expect_navigation():
        page.click("button[name=language][value=hi]")
    page.wait_for_selector("#history-chart .main-svg")
    text = _hover(page, day)
    hindi_months = ["जन", "फ़र", "मार्च", "अप्रैल", "मई", "जून", "जुल", "अग", "सित", "अक्तू", "नव", "दिस"]
    assert hindi_months[day.month - 1] in text
    assert indian_number(counts[Platform.X]) in text
    assert page.locator("#history-chart .rangeselector .button", has_text="30 दिन").count() == 1
    page.screenshot(path=str(screenshots / "member-chart-hover-desktop-hindi.png"))
    context.close()


def test_the_distribution_hover_reads_one_percent_sign(browser, live_server):
    _state()
    factories.user("official", "Viewer")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    _log_in(page, live_server.url, "official")
    page.wait_for_selector("#distribution-chart .main-svg")
    counts = page.evaluate("document.getElementById('distribution-chart').data[0].y")
    band = next(index for index, count in enumerate(counts) if count)
    point = page.evaluate(
        """([band]) => {
          const chart = document.getElementById("distribution-chart");
          return {x: chart._fullLayout.xaxis.d2p(chart.data[0].x[band]), y: chart._fullLayout._size.h - 4};
        }""",
        [band],
    )
    page.locator("#distribution-chart .nsewdrag").first.hover(position=point)
    label = page.locator("#distribution-chart .hoverlayer .hovertext")
    label.wait_for()
    text = " ".join(label.locator("text").all_text_contents())
    assert "%%" not in text and "% of voters" in text
    context.close()
