"""The top bar's search: members, constituencies (name or number) and districts, in English or Hindi,
each linking to its page; a limited user finds nothing outside their scope."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    north, south = factories.division("Narmadapuram"), factories.division("Rewa")
    raisen = factories.district(north, "Raisen")
    raisen.name_hi = "रायसेन"
    raisen.save()
    satna = factories.district(south, "Satna")
    ratanganj = factories.constituency(raisen, number=141, name="Ratanganj", electors=200_000)
    ratanganj.name_hi = "रतनगंज"
    ratanganj.save()
    maihar = factories.constituency(satna, number=66, name="Maihar", electors=210_000)
    vacant = factories.constituency(raisen, number=142, name="Ratanpur Khurd", electors=150_000)
    asha = factories.legislator("Asha Verma", ratanganj, name_hi="आशा वर्मा")
    kamal = factories.legislator("Kamal Verma", maihar, name_hi="कमल वर्मा")
    vacant.terms.all().delete()
    return {"raisen": raisen, "satna": satna, "ratanganj": ratanganj, "maihar": maihar, "asha": asha, "kamal": kamal}


def search(client, query):
    response = client.get(reverse("metrics:search"), {"q": query})
    assert response.status_code == 200
    return response.context["results"], response.content.decode()


def test_a_member_is_found_by_an_english_or_a_hindi_name(viewer_client, places):
    results, html = search(viewer_client, "verma")
    assert [m["name"] for m in results.members] == ["Asha Verma", "Kamal Verma"]
    assert reverse("metrics:member", args=[places["asha"].pk]) in html
    results, _html = search(viewer_client, "आशा")
    assert [m["id"] for m in results.members] == [places["asha"].pk]


def test_a_constituency_is_found_by_name_hindi_name_or_number_and_links_to_its_page_and_member(viewer_client, places):
    for query in ("Ratanganj", "ratanganj", "रतनगंज", "141"):
        results, html = search(viewer_client, query)
        assert [seat.number for seat in results.constituencies] == [141], query
        seat = results.constituencies[0]
        assert seat.member_id == places["asha"].pk and seat.member_name == "Asha Verma"
        assert f'<a href="{reverse("metrics:constituency", args=[seat.id])}">141 ' in html
        assert reverse("metrics:member", args=[places["asha"].pk]) in html
    results, html = search(viewer_client, "Ratan")
    assert [seat.number for seat in results.constituencies] == [141, 142]
    assert results.constituencies[1].member_id is None  # vacant: listed, no member link
    assert "no member on this day" in html


def test_a_district_is_found_in_either_script_and_links_to_its_page(viewer_client, places):
    for query in ("Raisen", "रायसेन"):
        results, html = search(viewer_client, query)
        assert [district.name for district in results.districts] == ["Raisen"]
        assert reverse("metrics:district", args=[places["raisen"].pk]) in html


def test_nothing_matches_says_so_and_an_empty_query_explains(viewer_client, places):
    results, html = search(viewer_client, "Zzyzx")
    assert results.found == 0 and 'data-results="none"' in html
    results, html = search(viewer_client, "   ")
    assert results.query == "" and "in English or Hindi" in html


def test_a_limited_user_finds_nothing_outside_their_scope(client, places):
    client.force_login(factories.user("raisen_only", "Viewer", districts=[places["raisen"]]))
    results, html = search(client, "verma")
    assert [m["name"] for m in results.members] == ["Asha Verma"]
    for query in ("Maihar", "66", "Kamal", "कमल", "Satna"):
        results, html = search(client, query)
        assert results.found == 0, query
        shown = html.replace(query, "")  # the query itself is echoed back in the box and heading
        assert "Kamal" not in shown and "Maihar" not in shown and "Satna" not in shown


def test_the_search_box_is_in_the_top_bar(viewer_client, places):
    html = viewer_client.get(reverse("metrics:overview")).content.decode()
    assert f'action="{reverse("metrics:search")}"' in html and 'name="q"' in html


def test_search_needs_a_login_and_a_dashboard_group(client, outsider):
    assert client.get(reverse("metrics:search"), {"q": "a"}).status_code == 302
    client.force_login(outsider)
    assert client.get(reverse("metrics:search"), {"q": "a"}).status_code == 403


def test_search_queries_do_not_grow_with_the_matches(viewer_client, places, django_assert_max_num_queries):
    for index in range(15):
        factories.legislator(f"Verma {index}", factories.constituency(places["raisen"], name=f"Vermapur {index}"))
    with django_assert_max_num_queries(12):
        search(viewer_client, "verma")
