"""`manage.py standings --date D --format csv` on a hand-built state."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from legislators.models import Platform, Role
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standings_source")]

D = date(2026, 3, 31)


def run_csv(*args):
    out = io.StringIO()
    call_command("standings", *args, stdout=out)
    return {row["name"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


@pytest.fixture
def state():
    division = factories.division("Northern")
    district = factories.district(division, "Riverside")
    # A roll revision after D must not be used for D.
    hill = factories.constituency(
        district, number=12, name="Hill", electors=180_000, published_on=D - timedelta(days=300)
    )
    factories.voter_roll(hill, 240_000, published_on=D + timedelta(days=10))
    asha = factories.legislator("Asha Example", hill, Role.CABINET_MINISTER, factories.party("AAA"))
    x = factories.account(asha, Platform.X)
    fb = factories.account(asha, Platform.FACEBOOK)
    factories.counts(x, {D - timedelta(days=30): 5_000, D: 6_000, D + timedelta(days=5): 50_000})
    factories.counts(fb, {D - timedelta(days=30): 2_000, D - timedelta(days=2): 2_000})

    lake = factories.constituency(
        district, number=13, name="Lake", electors=100_000, published_on=D - timedelta(days=300)
    )
    ravi = factories.legislator("Ravi Example", lake, Role.MLA, factories.party("BBB"))
    factories.counts(factories.account(ravi, Platform.YOUTUBE), {D - timedelta(days=45): 6_500, D: 6_400})

    seatless = factories.legislator("Nomad Example", None, Role.MINISTER_OF_STATE)
    factories.counts(factories.account(seatless), {D: 100})
    return {"asha": asha, "ravi": ravi}


def test_csv_standings_on_a_past_day(state):
    rows = run_csv("--date", D.isoformat(), "--format", "csv")

    asha = rows["Asha Example"]
    assert asha["electors"] == "180000"  # the roll in force on D, not the later revision
    assert asha["followers_x"] == "6000" and asha["followers_facebook"] == "2000"
    assert asha["reach"] == "8000"
    assert asha["share_percent"] == "4.44"
    assert asha["status"] == "below"
    assert asha["followers_needed"] == "1000"
    assert asha["growth_30_days"] == "1000"
    assert asha["stagnant"] == "no"
    assert asha["projected_date"] == (D + timedelta(days=30)).isoformat()
    assert asha["district"] == "Riverside" and asha["constituency_number"] == "12"

    ravi = rows["Ravi Example"]
    assert ravi["share_percent"] == "6.40"
    assert ravi["status"] == "stretch"
    assert ravi["followers_needed"] == "0"
    assert ravi["growth_30_days"] == "-100"
    assert ravi["stagnant"] == "yes"
    assert ravi["projected_date"] == "met"

    nomad = rows["Nomad Example"]
    assert nomad["share_percent"] == "n/a"
    assert nomad["status"] == "n/a"
    assert nomad["followers_needed"] == "n/a"
    assert nomad["electors"] == "n/a"


def test_later_day_uses_the_new_roll(state):
    rows = run_csv("--date", (D + timedelta(days=10)).isoformat(), "--format", "csv")
    assert rows["Asha Example"]["electors"] == "240000"
    assert rows["Asha Example"]["reach"] == "52000"


def test_table_format_summarises_and_leaves_out_na(state):
    out = io.StringIO()
    call_command("standings", "--date", D.isoformat(), stdout=out)
    text = out.getvalue()
    assert "1 of 2 meet the target" in text
    assert "1 n/a" in text
    assert "1,80,000" in text  # Indian digit grouping


def test_bad_date_is_refused_clearly():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("standings", "--date", "31/03/2026")


def test_csv_cells_that_a_spreadsheet_would_run_are_kept_as_text(state):
    """Names and places beginning with = + - @ (formulas in Excel, LibreOffice, Sheets) are prefixed with an
    apostrophe in the CSV, whether the rows come from the stored table or the live computation."""
    place = factories.constituency(
        factories.district(name="@District"),
        number=77,
        name="+Seat",
        electors=100_000,
        published_on=D - timedelta(days=300),
    )
    sly = factories.legislator('=HYPERLINK("http://x")', place, Role.MLA, factories.party("-P"))
    factories.counts(factories.account(sly, Platform.X), {D: 1_000})
    rows = run_csv("--date", D.isoformat(), "--format", "csv")
    row = rows['\'=HYPERLINK("http://x")']
    assert (row["constituency"], row["district"], row["party"]) == ("'+Seat", "'@District", "'-P")
    assert rows["Asha Example"]["district"] == "Riverside"  # ordinary text untouched
