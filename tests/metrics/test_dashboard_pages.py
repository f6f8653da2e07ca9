"""The officials' dashboard through the test client: who sees what, the
filters, the rollups, the member page and the freshness page."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import AccountStatus, Platform, Role
from metrics.models import FetchRun
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standings_source")]
TODAY = timezone.localdate()


def days_ago(days):
    return TODAY - timedelta(days=days)


@pytest.fixture
def state():
    """Two divisions, three districts, five members with counts."""
    north, south = factories.division("North"), factories.division("South")
    hill = factories.district(north, "Hilltop")
    hill.name_hi = "पहाड़ी"
    hill.save()
    lake = factories.district(north, "Lakeside")
    sea = factories.district(south, "Seaside")
    people = {}

    def member(key, district, electors, followers_now, followers_30, **extra):
        place = factories.constituency(district, electors=electors)
        person = factories.legislator(name=key, constituency_=place, **extra)
        account = factories.account(person, Platform.X, handle=f"{key.lower().replace(' ', '_')}_x")
        account.last_success_at = timezone.now()
        account.save()
        factories.counts(account, {days_ago(90): followers_30, days_ago(30): followers_30, TODAY: followers_now})
        people[key] = person
        return person

    # Hilltop: 100,000 + 300,000 electors; 6,000 + 9,000 followers → 15,000 / 400,000 = 3.75% weighted
    # (a mean of the two shares would say 4.5%).
    member("Asha Meets", hill, 100_000, 6_000, 5_000, name_hi="आशा मीट्स", role=Role.CABINET_MINISTER)
    member("Bala Below", hill, 300_000, 9_000, 9_000)
    member("Chetan Lake", lake, 200_000, 12_000, 11_000)
    member("Dev Sea", sea, 200_000, 2_000, 1_000)
    people["Esha Nocount"] = factories.legislator(name="Esha Nocount", constituency_=factories.constituency(sea))
    return {"north": north, "south": south, "hill": hill, "lake": lake, "sea": sea, "people": people}


def member_url(person, **query):
    url = reverse("metrics:member", args=[person.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


DASHBOARD_URLS = ["metrics:overview", "metrics:stagnant", "metrics:divisions", "metrics:freshness"]


@pytest.mark.parametrize("name", DASHBOARD_URLS)
def test_every_page_asks_an_anonymous_visitor_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", DASHBOARD_URLS)
def test_a_user_in_no_group_is_refused(client, outsider, name):
    client.force_login(outsider)
    assert client.get(reverse(name)).status_code == 403


def test_a_viewer_sees_the_dashboard_but_not_the_freshness_page(viewer_client, state):
    for url in (
        reverse("metrics:overview"),
        reverse("metrics:stagnant"),
        reverse("metrics:divisions"),
        reverse("metrics:division", args=[state["north"].pk]),
        reverse("metrics:district", args=[state["hill"].pk]),
        member_url(state["people"]["Asha Meets"]),
    ):
        assert viewer_client.get(url).status_code == 200, url
    assert viewer_client.get(reverse("metrics:freshness")).status_code == 403
    assert b"Data freshness" not in viewer_client.get(reverse("metrics:overview")).content


def test_overview_headline_counts_members_meeting_the_target_and_the_na(viewer_client, state):
    response = viewer_client.get(reverse("metrics:overview"))
    summary = response.context["summary"]
    assert summary["tracked"] == 5
    assert summary["meets"] == 2  # Asha 6% (stretch) and Chetan 6% (stretch)
    assert summary["stretch"] == 2
    assert summary["stagnant"] == 1  # Bala did not grow in 30 days
    assert summary["not_applicable"] == 1
    assert "no voter roll: 1" in response.content.decode()


def test_overview_lists_the_furthest_from_target_and_the_fastest_growing(viewer_client, state):
    table = viewer_client.get(reverse("metrics:overview")).context["table"]
    assert [m.name for m in table.furthest] == ["Dev Sea", "Bala Below"]  # 1% then 3%
    assert [m.name for m in table.fastest][0] == "Dev Sea"  # +100% in 30 days


def test_overview_filters_to_one_district_and_sorts(viewer_client, state):
    url = reverse("metrics:overview") + f"?district={state['hill'].pk}&sort=-reach"
    names = [m.name for m in viewer_client.get(url).context["page"]]
    assert names == ["Bala Below", "Asha Meets"]
    url = reverse("metrics:overview") + f"?district={state['hill'].pk}&sort=reach"
    assert [m.name for m in viewer_client.get(url).context["page"]] == ["Asha Meets", "Bala Below"]


@pytest.mark.parametrize(
    "sort",
    [
        "name",
        "role",
        "party",
        "constituency",
        "district",
        "electors",
        "reach",
        "share",
        "status",
        "needed",
        "growth",
        "projected",
    ],
)
def test_every_column_sorts_both_ways_with_na_last(viewer_client, state, sort):
    for direction in ("", "-"):
        response = viewer_client.get(reverse("metrics:overview") + f"?sort={direction}{sort}")
        assert response.status_code == 200
        names = [m.name for m in response.context["page"]]
        assert len(names) == 5
        if sort in ("electors", "reach", "share", "needed", "status"):
            assert names[-1] == "Esha Nocount"


def test_search_finds_a_member_by_english_or_hindi_name(viewer_client, state):
    for query in ("asha", "आशा"):
        names = [m.name for m in viewer_client.get(reverse("metrics:overview"), {"q": query}).context["page"]]
        assert names == ["Asha Meets"], query


def test_role_filter_all_ministers(viewer_client, state):
    names = [m.name for m in viewer_client.get(reverse("metrics:overview"), {"role": "ministers"}).context["page"]]
    assert names == ["Asha Meets"]


def test_bad_filters_get_a_clear_400_not_a_crash(viewer_client, state):
    response = viewer_client.get(reverse("metrics:overview"), {"date": (TODAY + timedelta(days=3)).isoformat()})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert viewer_client.get(reverse("metrics:overview"), {"sort": "drop table"}).status_code == 400


def test_the_table_paginates(viewer_client, state):
    district = factories.district()
    factories.many_members(60, district_=district)
    first = viewer_client.get(reverse("metrics:overview"), {"district": district.pk})
    assert len(first.context["page"]) == 50
    second = viewer_client.get(reverse("metrics:overview"), {"district": district.pk, "page": 2})
    assert len(second.context["page"]) == 10
    assert "Page 2 of 2" in second.content.decode()


def test_as_on_a_past_day_uses_that_days_counts(viewer_client, state):
    response = viewer_client.get(reverse("metrics:overview"), {"date": days_ago(30).isoformat(), "q": "Dev"})
    (dev,) = response.context["page"]
    assert dev.reach == 1_000


def test_rollups_are_weighted_by_electors_not_a_mean_of_percentages(viewer_client, state):
    page = viewer_client.get(reverse("metrics:division", args=[state["north"].pk])).context["rollup"]
    hill = next(group for group in page.districts if group.key == state["hill"].pk)
    assert hill.attainment == pytest.approx(15_000 * 100 / 400_000)
    assert hill.meets == 1 and hill.stagnant == 1
    assert {group.key for group in page.districts} == {state["hill"].pk, state["lake"].pk}


def test_divisions_page_draws_a_bar_per_district_and_drills_down(viewer_client, state):
    response = viewer_client.get(reverse("metrics:divisions"))
    content = response.content.decode()
    chart = json.loads(
        re.search(r'<script id="district-data" type="application/json">(.*?)</script>', content).group(1)
    )
    assert set(chart["data"][0]["y"]) == {"Hilltop", "Lakeside", "Seaside"}
    assert reverse("metrics:district", args=[state["hill"].pk]) in content
    district = viewer_client.get(reverse("metrics:district", args=[state["hill"].pk]))
    assert [m.name for m in district.context["page"]] == ["Bala Below", "Asha Meets"]
    assert member_url(state["people"]["Asha Meets"]) in district.content.decode()


def test_member_page_shows_identity_accounts_and_the_gain_needed_by_a_deadline(viewer_client, state):
    bala = state["people"]["Bala Below"]
    deadline = TODAY + timedelta(days=100)
    response = viewer_client.get(member_url(bala, deadline=deadline.isoformat()))
    page = response.context["page"]
    # 5% of 3,00,000 is 15,000: 6,000 more in 100 days is 60 a day; the current rate is 0.
    assert page.standing.needed == 6_000
    assert page.daily_gain_needed == pytest.approx(60.0)
    assert page.standing.daily_gain == 0
    content = response.content.decode()
    assert "bala_below_x" in content and "https://x.com/bala_below_x" in content
    assert "6,000" in content and "3,00,000" in content
    assert "not at this rate" in content


def test_member_page_deadline_defaults_to_the_next_election(viewer_client, state, settings):
    settings.NEXT_ELECTION_DATE = (TODAY + timedelta(days=600)).isoformat()
    page = viewer_client.get(member_url(state["people"]["Bala Below"])).context["page"]
    assert page.deadline == TODAY + timedelta(days=600)
    assert page.daily_gain_needed == pytest.approx(10.0)


def test_member_page_chart_has_platform_combined_target_lines_and_roll_changes(viewer_client, state):
    asha = state["people"]["Asha Meets"]
    factories.voter_roll(asha.constituency, 120_000, published_on=days_ago(10))
    response = viewer_client.get(member_url(asha))
    chart = response.context["chart"]
    names = [trace["name"] for trace in chart["data"]]
    assert names[:2] == ["X", "Combined"]
    assert any(name.startswith("Target 5.0") for name in names)
    assert any(name.startswith("Stretch 6.0") for name in names)
    assert [shape["x0"] for shape in chart["layout"]["shapes"]] == [days_ago(10).isoformat()]
    assert "1,20,000" in chart["layout"]["annotations"][0]["text"]
    # The target line follows the roll in force: 5% of the first roll, then 5% of 1,20,000.
    first_roll = asha.constituency.voter_rolls.order_by("published_on").first().total_electors
    target = next(trace for trace in chart["data"] if trace["name"].startswith("Target"))
    line = dict(zip(target["x"], target["y"], strict=True))
    before = [y for x, y in line.items() if x < days_ago(10).isoformat()]
    after = [y for x, y in line.items() if x >= days_ago(10).isoformat()]
    assert before and set(before) == {round(first_roll * 5 / 100)}
    assert after and set(after) == {6_000}
    assert 'id="history-data" type="application/json"' in response.content.decode()


def test_member_page_shows_both_scripts(viewer_client, state):
    content = viewer_client.get(member_url(state["people"]["Asha Meets"])).content.decode()
    assert "Asha Meets" in content and "आशा मीट्स" in content
    assert "Cabinet Minister" in content


def test_a_member_page_for_no_such_member_is_404(viewer_client, state):
    assert viewer_client.get(reverse("metrics:member", args=[999_999])).status_code == 404


def test_bad_deadline_is_a_clear_400(viewer_client, state):
    response = viewer_client.get(member_url(state["people"]["Bala Below"], deadline=days_ago(1).isoformat()))
    assert response.status_code == 400
    assert "deadline must be after" in response.content.decode()


def test_a_district_limited_viewer_sees_only_their_district_everywhere(client, state):
    limited = factories.user("hill_viewer", "Viewer", districts=[state["hill"]])
    client.force_login(limited)
    overview = client.get(reverse("metrics:overview"))
    names = {m.name for m in overview.context["standings"].members}
    assert names == {"Asha Meets", "Bala Below"}
    assert client.get(member_url(state["people"]["Asha Meets"])).status_code == 200
    assert client.get(member_url(state["people"]["Dev Sea"])).status_code == 404
    assert client.get(member_url(state["people"]["Chetan Lake"])).status_code == 404
    assert client.get(reverse("metrics:district", args=[state["sea"].pk])).status_code == 404
    assert client.get(reverse("metrics:division", args=[state["south"].pk])).status_code == 404
    assert client.get(reverse("metrics:division", args=[state["north"].pk])).status_code == 200
    rollup = client.get(reverse("metrics:divisions")).context["rollup"]
    assert [group.key for group in rollup.districts] == [state["hill"].pk]
    # The district filter offers only what they may see; another district is refused.
    district_choices = overview.context["form"].fields["district"].queryset
    assert list(district_choices) == [state["hill"]]
    assert client.get(reverse("metrics:overview"), {"district": state["sea"].pk}).status_code == 400


def test_a_division_limited_analyst_sees_the_freshness_of_their_division_only(client, state):
    limited = factories.user("south_analyst", "Analyst", divisions=[state["south"]])
    client.force_login(limited)
    fresh = client.get(reverse("metrics:freshness")).context["fresh"]
    assert [member.name for member in fresh.no_account] == ["Dev Sea", "Esha Nocount"][1:]


def test_freshness_shows_runs_stale_and_problem_accounts_and_members_without_one(client, analyst, state):
    FetchRun.objects.create(
        platform="x", started_at=timezone.now(), status=FetchRun.Status.DONE, accounts_ok=3, accounts_failed=1
    )
    dev = state["people"]["Dev Sea"]
    stale = dev.accounts.get()
    stale.last_success_at = timezone.now() - timedelta(days=3)
    stale.save()
    gone = factories.account(
        state["people"]["Chetan Lake"],
        Platform.INSTAGRAM,
        handle="chetan_gone",
        status=AccountStatus.SUSPENDED,
        last_error="User suspended",
    )
    client.force_login(analyst)
    response = client.get(reverse("metrics:freshness"))
    fresh = response.context["fresh"]
    x_row = next(row for row in fresh.platforms if row.platform == "x")
    assert x_row.run.accounts_ok == 3 and x_row.run.accounts_failed == 1
    assert next(row for row in fresh.platforms if row.platform == "youtube").run is None
    assert stale in fresh.stale and gone in fresh.stale  # never polled successfully
    assert fresh.problems == [gone]
    assert [member.name for member in fresh.no_account] == ["Esha Nocount"]
    content = response.content.decode()
    assert "Suspended" in content and "Never polled." in content


def test_freshness_says_how_long_ago_in_the_pages_language(client, analyst, state):
    for account in (state["people"]["Dev Sea"].accounts.get(), state["people"]["Asha Meets"].accounts.first()):
        account.last_success_at = timezone.now() - timedelta(days=9, hours=2)
        account.save()
    client.force_login(analyst)
    english = client.get(reverse("metrics:freshness")).content.decode().replace("\xa0", " ")  # no-break spaces
    assert "(1 week, 2 days)" in english
    client.cookies["django_language"] = "hi"
    hindi = client.get(reverse("metrics:freshness")).content.decode().replace("\xa0", " ")
    assert "(1 सप्ताह, 2 दिन)" in hindi and "week" not in hindi


def test_flags_mark_inactive_stale_spikes_and_not_found_accounts(viewer_client, state):
    person = factories.legislator(
        name="Flag Member", constituency_=factories.constituency(state["lake"], electors=100_000)
    )
    steady = factories.account(person, Platform.X, handle="flag_x")
    series = {days_ago(offset): (5_000 + (30 - offset) * 10, 40) for offset in range(30, 0, -1)}
    series[TODAY] = (9_000, 40)  # a day's jump far beyond +10 a day
    factories.counts(steady, series)
    old = factories.account(person, Platform.FACEBOOK, handle="flag_fb", status=AccountStatus.NOT_FOUND)
    factories.counts(old, {days_ago(40): 100, days_ago(5): 100})
    response = viewer_client.get(reverse("metrics:overview"), {"q": "Flag"})
    (row,) = response.context["page"]
    kinds = {(flag.kind, flag.platform) for flag in row.flags}
    assert ("spike", "x") in kinds
    assert ("inactive", "x") in kinds  # 40 posts then 40 posts: none in 30 days
    assert ("stale", "facebook") in kinds
    assert ("handle", "facebook") in kinds
    assert "Sudden rise" in response.content.decode()
    member = viewer_client.get(member_url(person)).context["page"]
    assert [flag.kind for flag in member.unusual] == ["spike"]


def test_language_switch_is_remembered_and_shows_hindi(client, viewer, state):
    client.force_login(viewer)
    response = client.post(reverse("set_language"), {"language": "hi", "next": reverse("metrics:overview")})
    assert response.status_code == 302
    content = client.get(reverse("metrics:overview")).content.decode()
    assert 'lang="hi"' in content
    assert "सदस्य" in content  # "members", from the compiled Hindi messages
    assert "आशा मीट्स" in content  # the name in the chosen script
    assert "पहाड़ी" in content
    content = client.get(member_url(state["people"]["Bala Below"])).content.decode()
    assert "3,00,000" in content  # Indian grouping in Hindi too
