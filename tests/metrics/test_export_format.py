"""Downloads made for spreadsheets: BOM, numbers as numbers, n/a, inert formulas, names in Devanagari."""

import csv
import io
import zipfile
from datetime import timedelta

import openpyxl
import pandas as pd
import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from metrics.reports import writers
from tests import factories

FORMULA_NAMES = ['=HYPERLINK("http://x","y")', "+91 98xxx", "-2+3", "@SUM(A1)", "\tTabbed", "\rReturned"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def members(db):
    today = timezone.localdate()
    place = factories.district(factories.division("Devbhumi"), "Shikharganj")
    made = {
        "hindi": factories.member_with_counts(
            "Utkarsh Raghuvanshal",
            name_hi="उत्कर्ष रघुवंशल",
            district_=place,
            electors=200_000,
            series={Platform.X: {today - timedelta(days=31): 9_000, today: 10_500}},
        ),
        "no_roll": factories.member_with_counts(
            "Roll Missing", district_=place, electors=None, series={Platform.X: {today: 5_000}}
        ),
    }
    for index, name in enumerate(FORMULA_NAMES):
        made[name] = factories.member_with_counts(
            name, district_=place, electors=100_000 + index, series={Platform.FACEBOOK: {today: 1_000 + index}}
        )
    return made


def export(client, kind="standings", fmt="csv", **params):
    return client.get(reverse("metrics:export", kwargs={"kind": kind, "fmt": fmt}), params)


def csv_text(response):
    return b"".join(response.streaming_content).decode("utf-8")


def test_csv_starts_with_a_bom_and_names_the_report_filter_and_date(analyst_client, members):
    division = members["hindi"].constituency.district.division
    response = export(analyst_client, division=division.pk, status="below")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    day = timezone.localdate().isoformat()
    assert f'filename="standings_devbhumi_below_{day}.csv"' in disposition
    assert csv_text(response).startswith("\ufeffMember id,Member,")


def test_pandas_reads_numbers_as_numbers_and_devanagari_survives(analyst_client, members):
    frame = pd.read_csv(io.BytesIO(b"".join(export(analyst_client).streaming_content)), encoding="utf-8-sig")
    hindi = frame[frame["Member id"] == members["hindi"].pk].iloc[0]
    assert hindi["Member (Hindi)"] == "उत्कर्ष रघुवंशल"
    assert hindi["Electors"] == 200_000
    assert hindi["Followers: X"] == 10_500
    assert hindi["Share of voters %"] == pytest.approx(5.25)
    assert hindi["Growth, 30 days"] == 1_500
    assert frame["Electors"].dtype.kind in "if"  # numeric, with n/a read as missing
    assert frame["Share of voters %"].dtype.kind == "f"


def test_missing_values_export_as_n_a_never_as_zero(analyst_client, members):
    rows = list(csv.DictReader(io.StringIO(csv_text(export(analyst_client))[1:])))
    no_roll = next(row for row in rows if row["Member id"] == str(members["no_roll"].pk))
    assert no_roll["Electors"] == "n/a"
    assert no_roll["Share of voters %"] == "n/a"
    assert no_roll["Followers needed"] == "n/a"
    assert no_roll["Followers, all platforms"] == "5000"
    assert no_roll["Why n/a"] == "no voter roll"
    assert no_roll["Followers: Facebook"] == ""  # no account there: blank, not n/a and not 0


def test_percentages_have_two_decimals_in_csv(analyst_client, members):
    rows = list(csv.DictReader(io.StringIO(csv_text(export(analyst_client))[1:])))
    hindi = next(row for row in rows if row["Member id"] == str(members["hindi"].pk))
    assert hindi["Share of voters %"] == "5.25"
    assert hindi["Target %"] == "5.00"


def test_formula_like_names_export_as_text_in_csv(analyst_client, members):
    rows = list(csv.DictReader(io.StringIO(csv_text(export(analyst_client))[1:])))
    names = {row["Member id"]: row["Member"] for row in rows}
    for name in FORMULA_NAMES:
        cell = names[str(members[name].pk)]
        assert cell == "'" + name, "a formula-like name must be prefixed so spreadsheets keep it as text"


def test_formula_like_names_export_as_text_in_xlsx(analyst_client, members):
    response = export(analyst_client, fmt="xlsx")
    assert response.status_code == 200
    content = response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    id_column, name_column = header.index("Member id"), header.index("Member")
    cells = {row[id_column].value: row[name_column] for row in sheet.iter_rows(min_row=2)}
    for name in FORMULA_NAMES:
        cell = cells[members[name].pk]
        # (XML turns a carriage return into a line feed when the file is read.)
        assert cell.data_type == "s" and cell.value == name.replace("\r", "\n")
        assert cell.quotePrefix is True
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere in the file


def test_xlsx_round_trip_numbers_devanagari_frozen_header_and_widths(analyst_client, members):
    response = export(analyst_client, fmt="xlsx")
    assert response["Content-Type"] == writers.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith(f"{timezone.localdate().isoformat()}.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 30
    header = [cell.value for cell in sheet[1]]
    assert sheet["A1"].font.bold
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    hindi = rows[members["hindi"].pk]
    assert hindi["Member (Hindi)"] == "उत्कर्ष रघुवंशल"
    assert hindi["Electors"] == 200_000 and isinstance(hindi["Electors"], int)
    assert hindi["Share of voters %"] == pytest.approx(5.25) and isinstance(hindi["Share of voters %"], float)
    assert rows[members["no_roll"].pk]["Share of voters %"] == "n/a"


def test_xlsx_past_the_row_limit_explains_and_points_to_csv(analyst_client, members, settings):
    settings.EXPORT_XLSX_MAX_ROWS = 3
    response = export(analyst_client, fmt="xlsx", status="below")
    assert response.status_code == 413
    html = response.content.decode()
    assert "Too many rows for Excel" in html
    assert reverse("metrics:export", kwargs={"kind": "standings", "fmt": "csv"}) + "?status=below" in html


def test_only_users_who_may_export_can_download(client, members, viewer, outsider, editor, analyst):
    url = reverse("metrics:export", kwargs={"kind": "standings", "fmt": "csv"})
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for person, status in ((viewer, 403), (outsider, 403), (analyst, 200), (editor, 200)):
        client.force_login(person)
        assert client.get(url).status_code == status, person.username


def test_bad_filters_get_a_clear_400_not_a_500(analyst_client, members):
    response = export(analyst_client, sort="bogus", start="not-a-date", kind="growth")
    assert response.status_code == 400
    assert "Unknown sort column." in response.content.decode()
    assert export(analyst_client, kind="nonsense").status_code == 404


def test_the_overview_offers_downloads_with_its_query_string_to_exporters_only(client, members, analyst, viewer):
    client.force_login(analyst)
    html = client.get(reverse("metrics:overview"), {"status": "below", "sort": "-reach", "page": 1}).content.decode()
    csv_url = reverse("metrics:export", kwargs={"kind": "standings", "fmt": "csv"})
    assert f'href="{csv_url}?status=below&amp;sort=-reach"' in html
    assert "Download Excel" in html
    client.force_login(viewer)
    assert "Download CSV" not in client.get(reverse("metrics:overview")).content.decode()


def test_neutralise_leaves_ordinary_text_and_numbers_alone():
    assert writers.neutralise("Ratanganj North") == "Ratanganj North"
    assert writers.csv_cell(-12, writers.INTEGER) == "-12"  # a negative number stays a number
    assert writers.csv_cell("-12", writers.TEXT) == "'-12"
    assert writers.csv_cell(None, writers.PERCENT) == "n/a"
    assert writers.csv_cell(5.0, writers.PERCENT) == "5.00"


def test_headers_follow_the_users_language_and_n_a_stays_n_a(analyst_client, members):
    analyst_client.cookies["django_language"] = "hi"
    text = csv_text(export(analyst_client))
    rows = list(csv.reader(io.StringIO(text[1:])))
    header = rows[0]
    assert header[:3] == ["सदस्य आईडी", "सदस्य", "सदस्य (हिन्दी)"]
    no_roll = dict(zip(header, next(row for row in rows if row[0] == str(members["no_roll"].pk)), strict=True))
    assert no_roll["मतदाता"] == "n/a"  # machine-readable in every language
    assert no_roll["लागू क्यों नहीं"] == "कोई मतदाता सूची नहीं"


@pytest.mark.parametrize(
    "url_name, kwargs, query, expected",
    [
        ("overview", {}, "status=below&page=3", ("standings", "status=below")),
        ("stagnant", {}, "division=4", ("standings", "division=4&status=stagnant&sort=growth")),
        ("stagnant", {}, "sort=name", ("standings", "sort=name&status=stagnant")),
        ("district", {"pk": 7}, "division=2&sort=-reach", ("standings", "sort=-reach&district=7")),
        ("division", {"pk": 3}, "role=MLA", ("rollup", "role=MLA&division=3&by=district")),
        ("divisions", {}, "", ("rollup", "by=division")),
        ("freshness", {}, "page=2", ("freshness", "stale=on")),
    ],
)
def test_each_table_page_gets_the_download_of_what_it_shows(rf, url_name, kwargs, query, expected):
    from django.urls import ResolverMatch

    from metrics.web.templatetags.downloads import page_export

    request = rf.get("/somewhere/?" + query)
    request.resolver_match = ResolverMatch(lambda r: None, (), kwargs, url_name=url_name)
    assert page_export(request) == expected
