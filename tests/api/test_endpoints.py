"""Every endpoint for every group, and a district-limited user who sees nothing of other places:
not by id, not by a filter, not by following a cursor made for someone else."""

import csv
import datetime
import io

import pytest
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standings_source")]

LISTS = ["members", "constituencies", "standings", "rollups", "fetch-runs", "freshness"]
FRESHNESS_ONLY = {"fetch-runs", "freshness"}


def urls(state):
    asha = state["members"]["asha"]
    return {
        **{name: f"/api/v1/{name}/" for name in LISTS},
        "member": f"/api/v1/members/{asha.pk}/",
        "history": f"/api/v1/members/{asha.pk}/history/",
        "constituency": f"/api/v1/constituencies/{asha.constituency_id}/",
        "schema": "/api/v1/schema/",
    }


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))


# Who gets what: (JSON, CSV). Viewers read; analysts and editors also see freshness and download.
EXPECTED = {
    "viewer": lambda name: (403 if name in FRESHNESS_ONLY else 200, 403),
    "analyst": lambda name: (200, 200),
    "editor": lambda name: (200, 200),
    "uphill_analyst": lambda name: (200, 200),
    "outsider": lambda name: (403, 403),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_endpoint_for_every_group(api, people, state, who):
    client = api(people[who])
    wrong = []
    for name, url in urls(state).items():
        json_status, csv_status = EXPECTED[who](name)
        got = client.get(url).status_code
        if got != json_status:
            wrong.append(f"{url}: {got}, expected {json_status}")
        if name in LISTS or name == "history":
            got = client.get(url, {"format": "csv"}).status_code
            if got != csv_status:
                wrong.append(f"{url}?format=csv: {got}, expected {csv_status}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_gets_401_everywhere(state):
    client = APIClient()
    for url in urls(state).values():
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def _all_ids(client, url, params=None, key="id"):
    """Every row's key, following next links to the end."""
    ids, next_url = [], url
    params = dict(params or {}, page_size=2)
    while next_url:
        response = client.get(next_url, params if next_url == url else None)
        assert response.status_code == 200, response.content
        ids += [row[key] for row in response.json()["results"]]
        next_url = response.json()["next"]
    return ids


def test_a_limited_users_lists_hold_only_their_places(api, people, state):
    client = api(people["uphill_analyst"])
    uphill = {state["members"][name].pk for name in ("asha", "bala")}
    assert set(_all_ids(client, "/api/v1/members/")) == uphill
    assert set(_all_ids(client, "/api/v1/standings/")) == uphill
    assert {row["member_id"] for row in client.get("/api/v1/freshness/").json()["results"]} == uphill
    seats = {state["members"][name].constituency_id for name in ("asha", "bala")}
    assert set(_all_ids(client, "/api/v1/constituencies/")) == seats
    assert [row["id"] for row in client.get("/api/v1/rollups/").json()["results"]] == [state["uphill"].pk]
    by_division = client.get("/api/v1/rollups/", {"by": "division"}).json()["results"]
    assert [(row["id"], row["members"]) for row in by_division] == [(state["north"].pk, 2)]
    for name in ("standings", "members", "constituencies", "freshness", "rollups"):
        text = body(client.get(f"/api/v1/{name}/", {"format": "csv"})).decode()
        for other in ("Chitra", "Dev Kumar", "Esha", "Farid", "Downhill", "Seaside"):
            assert other not in text, (name, other)


def test_a_limited_user_gets_404_for_anything_outside_by_id(api, people, state):
    client = api(people["uphill_analyst"])
    dev = state["members"]["dev"]
    for url in (
        f"/api/v1/members/{dev.pk}/",
        f"/api/v1/members/{dev.pk}/history/",
        f"/api/v1/members/{dev.pk}/history/?format=csv",
        f"/api/v1/constituencies/{dev.constituency_id}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Dev" not in response.content.decode()
    # The same answer as for an id that does not exist.
    assert client.get("/api/v1/members/999999/").json() == client.get(f"/api/v1/members/{dev.pk}/").json()


def test_a_limited_user_cannot_filter_their_way_outside(api, people, state):
    client = api(people["uphill_analyst"])
    for params in (
        {"division": state["south"].pk},
        {"district": state["seaside"].pk},
        {"district": state["downhill"].pk},
    ):
        for name in ("standings", "members", "constituencies", "rollups", "freshness"):
            response = client.get(f"/api/v1/{name}/", params)
            assert response.status_code == 400, (name, params)
            # The message for a place outside the scope is the one for a place that does not exist.
            missing = client.get(f"/api/v1/{name}/", {next(iter(params)): 999999})
            assert response.json() == missing.json()
    assert client.get("/api/v1/standings/", {"q": "Dev"}).json()["results"] == []


def test_a_cursor_made_for_someone_else_stays_inside_the_users_scope(api, people, state):
    editor, limited = api(people["editor"]), api(people["uphill_analyst"])
    uphill = {state["members"][name].pk for name in ("asha", "bala")}
    for url in ("/api/v1/standings/?sort=name", "/api/v1/members/", "/api/v1/constituencies/"):
        first = editor.get(url, {"page_size": 1}).json()
        next_url = first["next"]
        while next_url:  # walk the editor's cursors; each, followed by the limited user, shows only their rows
            seen = limited.get(next_url)
            assert seen.status_code in (200, 404), seen.content
            if seen.status_code == 200:
                rows = seen.json()["results"]
                if url.startswith("/api/v1/constituencies/"):
                    seats = {state["members"][name].constituency_id for name in ("asha", "bala")}
                    assert {row["id"] for row in rows} <= seats
                else:
                    assert {row["id"] for row in rows} <= uphill
            next_url = editor.get(next_url).json()["next"]


def test_a_made_up_cursor_is_refused(api, people, state):
    client = api(people["viewer"])
    assert client.get("/api/v1/standings/", {"cursor": "made-up"}).status_code == 404
    assert client.get("/api/v1/members/", {"cursor": "made-up"}).status_code == 404


def test_fetch_run_errors_are_only_for_users_who_see_every_place(api, people, state):
    assert api(people["analyst"]).get("/api/v1/fetch-runs/").json()["results"][0]["errors"] == ["12345: not_found"]
    assert api(people["uphill_analyst"]).get("/api/v1/fetch-runs/").json()["results"][0]["errors"] == []


def test_pages_follow_one_another_without_gaps_or_repeats(api, people, state):
    client = api(people["viewer"])
    everyone = [row["id"] for row in client.get("/api/v1/standings/", {"sort": "-share"}).json()["results"]]
    assert len(everyone) == 6
    assert _all_ids(client, "/api/v1/standings/", {"sort": "-share"}) == everyone
    assert _all_ids(client, "/api/v1/members/") == sorted(everyone)
    # And back: the previous link of the last page leads to the page before it.
    last = client.get("/api/v1/standings/", {"sort": "-share", "page_size": 4})
    second = client.get(last.json()["next"]).json()
    assert [row["id"] for row in second["results"]] == everyone[4:]
    back = client.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == everyone[:4]


def test_a_bad_filter_is_a_400_with_the_forms_message(api, people, state):
    client = api(people["viewer"])
    response = client.get("/api/v1/standings/", {"date": "2999-01-01", "status": "great"})
    assert response.status_code == 400
    assert response.json()["date"] == ["The date cannot be in the future."]
    assert "status" in response.json()
    both = client.get("/api/v1/standings/", {"division": state["south"].pk, "district": state["uphill"].pk})
    assert both.status_code == 400 and "Uphill" in both.json()["district"][0]
    history = client.get(f"/api/v1/members/{state['members']['asha'].pk}/history/", {"step": "hourly"})
    assert history.status_code == 400 and "step" in history.json()
    # In the format asked for? No: errors are always JSON.
    assert client.get("/api/v1/standings/", {"date": "junk", "format": "csv"})["Content-Type"] == "application/json"


def test_the_history_per_platform_and_combined_daily_weekly_monthly(api, people, state):
    asha = state["members"]["asha"]
    client = api(people["viewer"])
    url = f"/api/v1/members/{asha.pk}/history/"
    daily = client.get(url).json()
    rows = daily["results"]
    assert {row["platform"] for row in rows} == {"all", "x", "facebook"}
    by_day = {}
    for row in rows:
        by_day.setdefault(row["date"], {})[row["platform"]] = row["followers"]
    assert all(values["all"] == values["x"] + values["facebook"] for values in by_day.values())
    assert daily["end"] == state["today"].isoformat()
    weekly = client.get(url, {"step": "weekly", "platform": "x"}).json()["results"]
    assert {row["platform"] for row in weekly} == {"x"}
    # Weeks end on Sunday (the last one on the end day), each holding its last count.
    assert all(
        datetime.date.fromisoformat(row["date"]).weekday() == 6 or row["date"] == state["today"].isoformat()
        for row in weekly
    )
    start = (state["today"] - datetime.timedelta(days=40)).isoformat()
    monthly = client.get(url, {"step": "monthly", "start": start})
    assert monthly.status_code == 200
    assert all(row["date"] >= start for row in monthly.json()["results"])


def test_members_carry_their_accounts_and_constituencies_their_rolls(api, people, state):
    client = api(people["viewer"])
    asha = client.get(f"/api/v1/members/{state['members']['asha'].pk}/").json()
    assert asha["role"] == "CABINET" and asha["district"] == "Uphill"
    assert sorted(account["platform"] for account in asha["accounts"]) == ["facebook", "x"]
    assert all(account["latest_followers"] for account in asha["accounts"])
    seat = client.get(f"/api/v1/constituencies/{state['members']['asha'].constituency_id}/").json()
    assert seat["electors"] == 100_000 and seat["voter_rolls"][0]["total_electors"] == 100_000
    flat = csv_rows(api(people["analyst"]).get("/api/v1/members/", {"format": "csv"}))
    row = next(r for r in flat if r["name"] == "Asha Rao")
    assert row["accounts"] == "2" and row["handle_x"] and row["handle_youtube"] == ""
