"""The constituency (seat) page: the sitting member and two aspirants against the same electors (hand-computed
shares), the roll in force after a roll change, the history of members with a party switch, scope (404 for a
user limited elsewhere), a fixed number of queries, and the links that lead to it."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legislators.models import Aspirant, Platform, SocialAccount, Term
from metrics.models import DailyStanding
from metrics.standings import daily
from metrics.standings import seat as seat_module
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days_ago(days):
    return TODAY - timedelta(days=days)


def _counted(person, platform, then, now):
    account = factories.account(person, platform, last_success_at=timezone.now())
    factories.counts(account, {days_ago(30): then, TODAY: now})
    return account


@pytest.fixture
def seat_state():
    """Ratanganj (Hilltop, North): rolls of 2,00,000 (400 days ago) and 2,50,000 (100 days ago); a member since
    2015 who switched party in 2022 (INC → BJP); two aspirants (one ended aspiration and one elsewhere, not shown)."""
    north, south = factories.division("North"), factories.division("South")
    hill, sea = factories.district(north, "Hilltop"), factories.district(south, "Seaside")
    seat = factories.constituency(hill, number=42, name="Ratanganj", electors=200_000, published_on=days_ago(400))
    seat.name_hi = "रतनगंज"
    seat.save()
    factories.voter_roll(seat, 250_000, published_on=days_ago(100))
    inc, bjp, bsp = factories.party("INC"), factories.party("BJP"), factories.party("BSP")
    inc.name, bjp.name = "Indian National Congress", "Bharatiya Janata Party"
    bjp.name_hi = "भारतीय जनता पार्टी"
    inc.save()
    bjp.save()
    former = factories.person("Old Member", name_hi="पुराने सदस्य")
    factories.term(former, seat, inc, start=date(2010, 1, 1), end=date(2014, 12, 31), end_reason="completion")
    sitting = factories.person("Sitting Member", name_hi="वर्तमान सदस्य")
    factories.term(sitting, seat, inc, start=date(2015, 1, 1), end=date(2022, 6, 30), end_reason="party_change")
    factories.term(sitting, seat, bjp, start=date(2022, 7, 1))
    # 13,000 + 2,000 = 15,000 followers / 2,50,000 = 6.00% (stretch); 30-day growth +3,000.
    _counted(sitting, Platform.X, 10_000, 13_000)
    _counted(sitting, Platform.FACEBOOK, 2_000, 2_000)
    first = factories.person("Asha Aspirant", name_hi="आशा आकांक्षी")
    # 6,500 + 500 = 7,000 / 2,50,000 = 2.80%; needs 12,500 − 7,000 = 5,500; +1,500 in 30 days → 110 days.
    _counted(first, Platform.X, 5_000, 6_500)
    _counted(first, Platform.INSTAGRAM, 500, 500)
    Aspirant.objects.create(legislator=first, constituency=seat, party=inc, start=days_ago(200), note="Ticket sought")
    second = factories.person("Bala Aspirant")
    # 2,400 / 2,50,000 = 0.96%; needs 10,100; −600 in 30 days → not at this rate.
    _counted(second, Platform.YOUTUBE, 3_000, 2_400)
    Aspirant.objects.create(legislator=second, constituency=seat, party=bsp, start=days_ago(50))
    gone = factories.person("Gone Aspirant")
    Aspirant.objects.create(legislator=gone, constituency=seat, start=days_ago(300), end=days_ago(10))
    elsewhere = factories.constituency(sea, number=7, name="Sagar", electors=100_000)
    Aspirant.objects.create(
        legislator=factories.person("Elsewhere Aspirant"), constituency=elsewhere, start=days_ago(5)
    )
    return {"seat": seat, "sitting": sitting, "first": first, "second": second, "hill": hill, "south": south}


def _page(client, user, seat, **query):
    client.force_login(user)
    url = reverse("metrics:constituency", args=[seat.pk])
    return client.get(url, query)


def _card(html, person):
    match = re.search(rf'<article class="contender[^"]*" data-contender="{person.pk}".*?</article>', html, re.S)
    assert match, f"no card for {person}"
    return match.group(0)


def _figure(card, name):
    return re.search(rf'data-figure="{name}">(.*?)</', card, re.S).group(1).strip()


def test_member_and_aspirants_side_by_side_against_the_same_electors(client, seat_state):
    response = _page(client, factories.user("viewer", "Viewer"), seat_state["seat"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="electors">2,50,000<' in html
    assert 'data-figure="required">12,500<' in html  # 5% of 2,50,000
    member = _card(html, seat_state["sitting"])
    assert 'data-kind="member"' in member
    assert (_figure(member, "share"), _figure(member, "needed"), _figure(member, "growth")) == ("6.00%", "0", "+3,000")
    assert _figure(member, "reach") == "15,000"
    assert "Stretch" in member
    assert "Bharatiya Janata Party (BJP)" in member
    assert re.search(r'data-platform="x">13,000<', member) and re.search(r'data-platform="facebook">2,000<', member)
    assert re.search(r'data-platform="youtube">—<', member)  # no account on YouTube
    first = _card(html, seat_state["first"])
    assert 'data-kind="aspirant"' in first
    assert (_figure(first, "share"), _figure(first, "needed"), _figure(first, "growth")) == ("2.80%", "5,500", "+1,500")
    assert (TODAY + timedelta(days=110)).strftime("%-d %b %Y") in _figure(first, "projected")
    assert "Ticket sought" in first and "Below" in first
    second = _card(html, seat_state["second"])
    assert (_figure(second, "share"), _figure(second, "needed"), _figure(second, "growth")) == (
        "0.96%",
        "10,100",
        "-600",
    )
    assert _figure(second, "projected") == "not at this rate"
    assert re.search(r'data-platform="youtube">2,400<', second)
    # The member first, then the aspirants by share; the ended aspiration and another seat's aspirant are not shown.
    order = re.findall(r'data-contender="(\d+)"', html)
    assert order == [str(seat_state["sitting"].pk), str(seat_state["first"].pk), str(seat_state["second"].pk)]
    assert "Gone Aspirant" not in html and "Elsewhere Aspirant" not in html


def test_the_roll_in_force_follows_the_day_and_the_history_shows_the_party_switch(client, seat_state):
    viewer = factories.user("viewer", "Viewer")
    html = _page(client, viewer, seat_state["seat"]).content.decode()
    rolls = re.findall(r'<tr( class="in-force" data-in-force="1")?>\s*<td>([^<]+)', html)
    in_force = [day.strip() for marker, day in rolls if marker]
    assert in_force == [days_ago(100).strftime("%-d %b %Y")]
    assert "+50,000" in html  # the second roll against the first
    # Before the second roll the first one is in force (2,00,000).
    earlier = _page(client, viewer, seat_state["seat"], date=days_ago(150).isoformat()).content.decode()
    assert 'data-figure="electors">2,00,000<' in earlier
    # History: newest first, the party switch as two terms of one person.
    terms = re.findall(r'<tr data-term="\d+">(.*?)</tr>', html, re.S)
    assert len(terms) == 3
    text = [re.sub(r"<[^>]+>", " ", row) for row in terms]
    assert "Sitting Member" in text[0] and "BJP" in text[0] and "serving" in text[0]
    assert "Sitting Member" in text[1] and "INC" in text[1] and "Changed party" in text[1]
    assert "30 Jun 2022" in text[1] and "1 Jan 2015" in text[1]
    assert "Old Member" in text[2] and "Completed the term" in text[2]


def test_in_hindi_names_and_the_party_are_in_hindi(client, seat_state):
    client.cookies["django_language"] = "hi"
    html = _page(client, factories.user("viewer", "Viewer"), seat_state["seat"]).content.decode()
    assert "रतनगंज" in html and "वर्तमान सदस्य" in html and "आशा आकांक्षी" in html
    assert "भारतीय जनता पार्टी (BJP)" in _card(html, seat_state["sitting"])


def test_a_user_limited_elsewhere_gets_404_and_one_limited_to_the_district_sees_it(client, seat_state):
    elsewhere = factories.user("south", "Viewer", divisions=[seat_state["south"]])
    assert _page(client, elsewhere, seat_state["seat"]).status_code == 404
    here = factories.user("hill", "Viewer", districts=[seat_state["hill"]])
    assert _page(client, here, seat_state["seat"]).status_code == 200
    assert _page(client, factories.user("noscope", "Viewer", whole_state=False), seat_state["seat"]).status_code == 404


def _queries(client, user, seat):
    client.force_login(user)
    url = reverse("metrics:constituency", args=[seat.pk])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_aspirants_rolls_or_terms(client, seat_state):
    viewer = factories.user("viewer", "Viewer")
    seat = seat_state["seat"]
    before = _queries(client, viewer, seat)
    bsp = factories.party("BSP")
    for index in range(5):
        person = factories.person(f"More Aspirant {index}")
        _counted(person, Platform.X, 1_000 + index, 1_100 + index)
        Aspirant.objects.create(legislator=person, constituency=seat, party=bsp, start=days_ago(20))
    for year in range(2000, 2010, 2):
        Term.objects.create(
            legislator=factories.person(f"Member of {year}"),
            constituency=seat,
            party=bsp,
            start=date(year, 1, 1),
            end=date(year + 1, 12, 31),
            end_reason="completion",
        )
        factories.voter_roll(seat, 150_000 + year, published_on=date(year, 1, 1))
    assert _queries(client, viewer, seat) == before


def test_a_vacant_seat_still_shows_its_aspirants(client, seat_state):
    Term.objects.filter(legislator=seat_state["sitting"], end__isnull=True).update(end=days_ago(3), end_reason="death")
    html = _page(client, factories.user("viewer", "Viewer"), seat_state["seat"]).content.decode()
    assert 'data-vacant="1"' in html
    assert re.findall(r'data-kind="(\w+)"', html) == ["aspirant", "aspirant"]
    assert "Died" in html


def test_the_member_page_search_and_district_page_link_to_the_seat(client, seat_state):
    viewer = factories.user("viewer", "Viewer")
    client.force_login(viewer)
    seat_url = reverse("metrics:constituency", args=[seat_state["seat"].pk])
    sitting = seat_state["sitting"]
    sitting.constituency = seat_state["seat"]
    sitting.save()
    member_html = client.get(reverse("metrics:member", args=[sitting.pk])).content.decode()
    assert f'href="{seat_url}" data-link="seat"' in member_html
    found = client.get(reverse("metrics:search"), {"q": "Ratanganj"}).content.decode()
    assert f'href="{seat_url}"' in found
    district = client.get(reverse("metrics:district", args=[seat_state["hill"].pk])).content.decode()
    assert f'href="{seat_url}"' in district


def test_the_api_gives_the_seat_page_of_a_constituency(seat_state):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(factories.user("viewer", "Viewer"))
    seat = seat_state["seat"]
    response = api.get(f"/api/v1/constituencies/{seat.pk}/")
    assert response.status_code == 200
    assert response.json()["page_url"] == f"/constituencies/{seat.pk}/"


def test_the_roll_chart_rings_the_roll_in_force_and_carries_it_to_the_day():
    from types import SimpleNamespace

    from metrics.web.charts import roll_chart

    def row(day, electors, in_force):
        return SimpleNamespace(roll=SimpleNamespace(published_on=day, total_electors=electors), in_force=in_force)

    rolls = [row(date(2023, 1, 5), 2_00_000, False), row(date(2024, 1, 5), 2_50_000, True)]
    figure = roll_chart(rolls, date(2024, 6, 1))
    line, ring = figure["data"]
    assert line["x"] == ["2023-01-05", "2024-01-05", "2024-06-01"]
    assert line["y"] == [200_000, 250_000, 250_000]
    assert ring["x"] == ["2024-01-05"] and ring["text"] == ["2,50,000"]
    axis = figure["layout"]["yaxis"]
    assert axis["tickvals"][0] <= 200_000 and axis["tickvals"][-1] >= 250_000
    assert "2,00,000" in axis["ticktext"]
    assert roll_chart([], date(2024, 6, 1)) is None


def _seat_page(seat, reader, day=None):
    return seat_module.seat_page(constituency_id=seat.pk, scope_user=reader, day=day)


def test_the_aspirants_figures_are_the_same_read_from_the_standings_table_and_worked_out_live(seat_state, monkeypatch):
    seat_place = seat_state["seat"]
    # An older count of the first aspirant's X: 4,000 followers 120 days ago (with its later counts, unchanged).
    x_account = SocialAccount.objects.get(legislator=seat_state["first"], platform=Platform.X)
    factories.counts(x_account, {days_ago(120): 4_000, days_ago(30): 5_000, TODAY: 6_500})
    # A day before the second roll (the first roll in force), a past day and today; the table empty: worked out live.
    reader = factories.user("reader", "Viewer")
    days = [days_ago(110), days_ago(10), TODAY]
    live_pages = {day: _seat_page(seat_place, reader, day) for day in days}
    daily.standings_rebuild()
    assert DailyStanding.objects.filter(aspirant=True, day=TODAY, constituency=seat_place).count() == 2
    # Now read from the table: the live computation is not called.
    monkeypatch.setattr(seat_module, "live_aspirants", lambda **kwargs: pytest.fail("worked out live"))
    for day in days:
        stored_page, live_page = _seat_page(seat_place, reader, day), live_pages[day]
        assert stored_page.aspirants == live_page.aspirants, day
        assert stored_page.member == live_page.member, day
        assert stored_page.electors == live_page.electors
    today_page = live_pages[TODAY]
    first = next(a for a in today_page.aspirants if a.id == seat_state["first"].pk)
    assert (first.reach, first.share, first.needed, first.growth_30) == (7_000, 2.8, 5_500, 1_500)
    # 110 days ago: 4,000 followers (X only: no Instagram count yet) against the first roll's 2,00,000.
    earlier = next(a for a in live_pages[days_ago(110)].aspirants if a.id == seat_state["first"].pk)
    assert (earlier.reach, earlier.share, earlier.needed, earlier.followers) == (
        4_000,
        2.0,
        6_000,
        {"x": 4_000, "instagram": None},
    )


def test_queries_do_not_grow_with_aspirants_read_from_the_standings_table(client, seat_state, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the queries of the rendered page (a served one runs none of them)
    viewer = factories.user("viewer", "Viewer")
    seat = seat_state["seat"]
    live = _queries(client, viewer, seat)
    daily.standings_rebuild()
    stored = _queries(client, viewer, seat)
    bsp = factories.party("BSP")
    for index in range(5):
        person = factories.person(f"More Aspirant {index}")
        _counted(person, Platform.X, 1_000 + index, 1_100 + index)
        Aspirant.objects.create(legislator=person, constituency=seat, party=bsp, start=days_ago(20))
    daily.standings_rebuild()
    html = _page(client, viewer, seat).content.decode()
    assert len(re.findall(r'data-kind="aspirant"', html)) == 7
    assert _queries(client, viewer, seat) == stored == live


def test_an_aspiration_written_without_its_change_mark_is_worked_out_live(seat_state):
    """An aspiration saved straight to the database (not through the services or the admin, so no row kept for
    it): the page still measures it, live, as it does every aspirant then."""
    daily.standings_rebuild()
    reader = factories.user("reader", "Viewer")
    late = factories.person("Late Aspirant")
    _counted(late, Platform.X, 2_000, 5_000)  # 5,000 / 2,50,000 = 2.00%
    Aspirant.objects.create(legislator=late, constituency=seat_state["seat"], start=days_ago(3))
    assert daily.ready_for(TODAY)[0]
    page = _seat_page(seat_state["seat"], reader)
    shares = {a.name: a.share for a in page.aspirants}
    assert shares == {"Asha Aspirant": 2.8, "Late Aspirant": 2.0, "Bala Aspirant": 0.96}
