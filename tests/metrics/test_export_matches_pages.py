"""A download holds exactly the rows of the page, in the page's order, across all its pages."""

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform, Role
from metrics.numbers import indian_number
from tests import factories


class StandingsTableParser(HTMLParser):
    """The overview table's rows: (member id, [cell texts])."""

    def __init__(self):
        super().__init__()
        self.rows = []
        self._in_table = self._in_body = False
        self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "standings" in (attrs.get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self._row = [None, []]
        elif self._row is not None and tag == "td":
            self._cell = []
        elif self._cell is not None and tag == "a" and self._row[0] is None:
            match = re.search(r"/members/(\d+)/", attrs.get("href", ""))
            if match:
                self._row[0] = int(match.group(1))

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row[0] is not None:
                self.rows.append((self._row[0], self._row[1]))
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_rows(client, params):
    """Every row of every page of the overview for these filters."""
    rows = []
    page = 1
    while True:
        response = client.get(reverse("metrics:overview"), {**params, "page": page})
        assert response.status_code == 200
        html = response.content.decode()
        parser = StandingsTableParser()
        parser.feed(html)
        rows += parser.rows
        if f"page={page + 1}" not in html:
            return rows, page
        page += 1


def csv_rows(client, params):
    response = client.get(reverse("metrics:export", kwargs={"kind": "standings", "fmt": "csv"}), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def state(db):
    """56 members over two divisions: growing, stagnant, without a voter roll, without counts."""
    today = timezone.localdate()
    north, south = factories.division("North"), factories.division("South")
    districts = [
        factories.district(north, "Upper"),
        factories.district(north, "Lower"),
        factories.district(south, "Coast"),
    ]
    roles = [Role.MLA, Role.MLA, Role.MLA, Role.CABINET_MINISTER, Role.MINISTER_OF_STATE]
    for i in range(56):
        growth = 0 if i % 4 == 0 else 10 * i  # every fourth member is stagnant
        series = {Platform.X: {today - timedelta(days=40): 4_000 + 97 * i, today: 4_000 + 97 * i + growth}}
        if i % 3 == 0:
            series[Platform.FACEBOOK] = {today - timedelta(days=40): 1_000 + i, today: 1_000 + i + growth}
        if i % 11 == 0:
            series = {}  # no counts at all: n/a
        factories.member_with_counts(
            f"Member {chr(65 + i % 26)}{i:02d}",
            district_=districts[i % 3],
            electors=None if i % 13 == 0 else 150_000 + 1_000 * i,
            series=series,
            role=roles[i % 5],
        )
    return {"north": north, "south": south, "districts": districts}


@pytest.mark.django_db
@pytest.mark.usefixtures("standings_source")
@pytest.mark.parametrize(
    "make_params",
    [
        lambda s: {},
        lambda s: {"division": s["north"].pk, "role": Role.MLA, "sort": "-reach"},
        lambda s: {"status": "stagnant", "platform": Platform.X, "sort": "name"},
        lambda s: {"q": "member", "district": s["districts"][2].pk, "sort": "-growth"},
    ],
    ids=["no-filters", "division-role-by-reach", "stagnant-on-x-by-name", "search-district-by-growth"],
)
def test_csv_rows_equal_the_page_rows_across_all_pages(client, analyst, state, make_params):
    client.force_login(analyst)
    params = make_params(state)
    shown, pages = page_rows(client, params)
    exported = csv_rows(client, params)

    assert [int(row["Member id"]) for row in exported] == [member_id for member_id, _cells in shown]
    # The figures agree too: followers (column 7) and share of voters (column 8) as the page shows them.
    for (member_id, cells), row in zip(shown, exported, strict=True):
        reach = row["Followers, all platforms"]
        assert cells[6] == indian_number(None if reach == "n/a" else int(reach)), member_id
        share = row["Share of voters %"]
        assert cells[7] == ("n/a" if share == "n/a" else f"{float(share):.2f}%"), member_id
    if not params:
        assert pages == 2 and len(exported) == 56  # the unfiltered table spans two pages


@pytest.mark.django_db
@pytest.mark.usefixtures("standings_source")
def test_export_of_a_division_limited_user_holds_only_their_members(client, state):
    limited = factories.user("limited", "Analyst", divisions=[state["south"]])
    client.force_login(limited)
    exported = csv_rows(client, {})
    shown, _pages = page_rows(client, {})
    assert {row["Division"] for row in exported} == {"South"}
    assert [int(row["Member id"]) for row in exported] == [member_id for member_id, _ in shown]
