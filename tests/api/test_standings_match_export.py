"""The API's standings are the standings export's rows, row for row, for the same filters and day:
one selector behind page, export and API."""

from datetime import timedelta

import pytest

from metrics.reports import options, tables, writers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standings_source")]


def all_rows(client, params):
    rows, response = [], client.get("/api/v1/standings/", {**params, "page_size": 2})
    while True:
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        if not response.json()["next"]:
            return rows
        response = client.get(response.json()["next"])


def plain(value):
    return None if value is writers.BLANK or value == "" else value


def as_export(row):
    """An API row in the export's terms: labels for codes, the projection as a date or its reason."""
    reason = {
        "met": "met",
        "beyond": "beyond 5 years",
        "not_at_this_rate": "not at this rate",
    }.get(row["projection"])
    export = {
        **row,
        "role": row["role_label"],
        "constituency": row["constituency"],
        "status": {"stretch": "Meets stretch", "meets": "Meets target", "below": "Below target", "n/a": "n/a"}[
            row["status"]
        ],
        "projected": row["projected_date"],
        "projected_note": reason,
        "na_reason": str(tables.NA_REASONS[row["na_reason"]]) if row["na_reason"] else None,
    }
    return {key: plain(value) for key, value in export.items()}


def export_rows(params, user):
    table = tables.build("standings", params, user=user)
    keys = [column.key for column in table.columns]
    rows = []
    # The party's full name is the export's alone (the API gives the short name; the parties have their own ids):
    # checked in tests/legislators/test_hindi_party_and_portfolio.py.
    for values in table.rows:
        row = {key: plain(value) for key, value in zip(keys, values, strict=True)}
        del row["party_name"]
        # Dates (the projected date, the voter roll's) as JSON writes them.
        row = {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in row.items()}
        rows.append(row)
    return [key for key in keys if key != "party_name"], rows


@pytest.mark.parametrize(
    "make_params",
    [
        lambda state: {},
        lambda state: {"sort": "name"},
        lambda state: {"division": state["north"].pk, "sort": "-reach"},
        lambda state: {"status": "below"},
        lambda state: {"status": "n/a"},
        lambda state: {"platform": "x", "sort": "-share"},
        lambda state: {"role": "ministers"},
        lambda state: {"party": state["party"].pk, "q": "a", "sort": "growth"},
        lambda state: {"date": (state["today"] - timedelta(days=30)).isoformat(), "sort": "projected"},
        lambda state: {"district": state["seaside"].pk, "sort": "-needed"},
    ],
)
@pytest.mark.parametrize("who", ["analyst", "uphill_analyst"])
def test_api_standings_equal_the_standings_export_row_for_row(api, people, state, make_params, who):
    params = make_params(state)
    user = people[who]
    client = api(user)
    if who == "uphill_analyst" and params.get("district") == state["seaside"].pk:
        # A place outside the scope: the API and the export refuse it as the pages do (as if it did not exist).
        assert client.get("/api/v1/standings/", params).status_code == 400
        with pytest.raises(options.BadParameters):
            export_rows(params, user)
        return
    keys, expected = export_rows(params, user)
    got = [as_export(row) for row in all_rows(client, params)]
    assert [row["id"] for row in got] == [row["id"] for row in expected]
    for api_row, export_row in zip(got, expected, strict=True):
        differing = {key: (api_row[key], export_row[key]) for key in keys if api_row[key] != export_row[key]}
        assert not differing, f"member {export_row['id']}: {differing}"
