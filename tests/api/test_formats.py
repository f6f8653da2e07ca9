"""CSV (streamed, neutralised as the exports), Parquet (typed; pandas reads it from the URL with a
token header), and the formats a view does not offer."""

import csv
import io

import pandas as pd
import pytest

from metrics.api import renderers

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_is_streamed_with_the_exports_formula_neutralisation(api, people, state):
    response = api(people["analyst"]).get("/api/v1/standings/", {"format": "csv", "sort": "name"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="api_standings_')
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeffid,name,name_hi,role,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    names = [row["name"] for row in rows]
    assert "'=Chitra formula" in names and "=Chitra formula" not in names
    esha = next(row for row in rows if row["name"] == "Esha No Roll")
    assert esha["share"] == "n/a" and esha["status"] == "n/a" and esha["followers_youtube"] == ""
    dev = next(row for row in rows if row["name"] == "Dev Kumar")
    assert dev["followers_x"] == "" and dev["followers_instagram"] == "2600"


def test_every_list_offers_csv(api, people, state):
    client = api(people["analyst"])
    for url in ("members", "constituencies", "standings", "rollups", "fetch-runs", "freshness"):
        response = client.get(f"/api/v1/{url}/", {"format": "csv"})
        assert response.status_code == 200, url
        text = body(response).decode("utf-8-sig")
        assert len(text.splitlines()) >= 2, url
    runs_csv = body(client.get("/api/v1/fetch-runs/", {"format": "csv"})).decode("utf-8-sig")
    runs = list(csv.DictReader(io.StringIO(runs_csv)))
    assert runs[0]["errors"] == '["12345: not_found"]'


def test_accept_header_negotiates_csv_too(api, people, state):
    response = api(people["analyst"]).get("/api/v1/rollups/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_parquet_of_standings_is_typed(api, people, state):
    response = api(people["analyst"]).get("/api/v1/standings/", {"format": "parquet"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    frame = pd.read_parquet(io.BytesIO(response.content))
    assert len(frame) == 6
    assert frame["reach"].dtype.kind in "if"  # a number column (float when a member has no count: NaN)
    esha = frame[frame["name"] == "Esha No Roll"].iloc[0]
    assert pd.isna(esha["share"]) and esha["status"] == "n/a"
    assert frame["stagnant"].dtype == bool
    assert set(frame.columns) >= {"id", "share", "followers_x", "projected_date", "growth_30"}


def test_parquet_of_a_history(api, people, state):
    asha = state["members"]["asha"]
    response = api(people["analyst"]).get(f"/api/v1/members/{asha.pk}/history/", {"format": "parquet"})
    frame = pd.read_parquet(io.BytesIO(response.content))
    assert list(frame.columns) == ["date", "platform", "followers"]
    assert set(frame["platform"]) == {"all", "x", "facebook"}


def test_parquet_is_offered_only_for_standings_and_history(api, people, state):
    response = api(people["analyst"]).get("/api/v1/members/", {"format": "parquet"})
    assert response.status_code == 406
    assert response.json()["detail"] == "format=parquet is not offered here: use one of json, csv."
    assert api(people["analyst"]).get("/api/v1/standings/", {"format": "xml"}).status_code == 406


def test_without_pyarrow_parquet_is_a_406_that_says_why(api, people, state, monkeypatch):
    monkeypatch.setattr(renderers, "parquet_available", lambda: False)
    response = api(people["analyst"]).get("/api/v1/standings/", {"format": "parquet"})
    assert response.status_code == 406
    assert "pyarrow" in response.json()["detail"]
    assert api(people["analyst"]).get("/api/v1/standings/", {"format": "csv"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_pandas_reads_parquet_and_csv_straight_from_the_url_with_a_token(live_server, people, state, token_for):
    """The README's example: pandas.read_parquet(url, storage_options={"Authorization": "Bearer ..."})."""
    headers = {"Authorization": f"Bearer {token_for(people['analyst'])}"}
    url = live_server.url + "/api/v1/standings/?format=parquet&sort=name"
    frame = pd.read_parquet(url, storage_options=headers)
    assert frame["name"].tolist()[0] == "=Chitra formula"  # Parquet is data, not a spreadsheet: no apostrophe
    table = pd.read_csv(live_server.url + "/api/v1/standings/?format=csv&sort=name", storage_options=headers)
    assert table["name"].tolist()[0] == "'=Chitra formula"
    assert table["id"].tolist() == frame["id"].tolist()
