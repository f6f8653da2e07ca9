"""Party and portfolio names in Hindi where an admin gives them: the import columns take them, and the member
page, the member lists and the standings export show them in Hindi (else the English ones)."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from legislators.imports import apply as imports
from legislators.models import Appointment, Legislator, Party, Role
from legislators.reference_loader import STATES
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = [
    "name",
    "state_code",
    "constituency",
    "party",
    "party_hi",
    "term_start",
    "role",
    "role_from",
    "portfolio",
    "portfolio_hi",
]


def _run(rows):
    return imports.import_file(kind="legislators", filename="m.csv", content=factories.csv_bytes(HEADER, rows))[1]


def test_the_import_takes_the_party_and_portfolio_in_hindi():
    district = factories.district()
    factories.constituency(district, number=1, state_code="ZZ", electors=100_000)
    factories.party("OLD")  # recorded without a Hindi name: the file gives it one
    factories.constituency(district, number=2, state_code="ZZ", electors=100_000)
    result = _run(
        [
            ["Asha Verma", "ZZ", 1, "NEW", "नई पार्टी", "2023-12-03", "CABINET", "2023-12-25", "Finance", "वित्त"],
            ["Ravi Kumar", "ZZ", 2, "OLD", "पुरानी पार्टी", "2023-12-03", "MLA", "", "", ""],
        ]
    )
    assert result.ok, [e.as_text() for e in result.errors]
    assert Party.objects.get(short_name="NEW").name_hi == "नई पार्टी"
    assert Party.objects.get(short_name="OLD").name_hi == "पुरानी पार्टी"
    appointment = Appointment.objects.get(legislator__name="Asha Verma")
    assert (appointment.portfolio, appointment.portfolio_hi) == ("Finance", "वित्त")


def test_the_reference_parties_have_hindi_names():
    parties = STATES["mp"].parties
    assert parties["BJP"][1] == "भारतीय जनता पार्टी"
    assert parties["INC"][1] == "भारतीय राष्ट्रीय कांग्रेस"
    assert parties["BSP"][1] == "बहुजन समाज पार्टी"


@pytest.fixture
def minister(db):
    party = factories.party("BJP")
    party.name, party.name_hi = "Bharatiya Janata Party", "भारतीय जनता पार्टी"
    party.save()
    seat = factories.constituency(factories.district(), electors=100_000)
    person = factories.legislator("Asha Verma", seat, role=Role.CABINET_MINISTER, party_=party, portfolio="Finance")
    Appointment.objects.filter(legislator=person).update(portfolio_hi="वित्त")
    Legislator.objects.filter(pk=person.pk).update(portfolio="Finance", portfolio_hi="वित्त")
    factories.counts(factories.account(person), {date.today(): 1_000})
    return person


@pytest.mark.parametrize(
    ("language", "portfolio", "party"),
    [("en", "Finance", "Bharatiya Janata Party"), ("hi", "वित्त", "भारतीय जनता पार्टी")],
)
def test_member_page_and_lists_show_the_portfolio_and_party_in_the_language(
    client, minister, language, portfolio, party
):
    client.force_login(factories.user("analyst", "Analyst"))
    client.cookies["django_language"] = language
    page = client.get(reverse("metrics:member", args=[minister.pk])).content.decode()
    assert f'<span data-field="portfolio">{portfolio}</span>' in page
    assert f'<span data-field="party">{party}</span>' in page
    overview = client.get(reverse("metrics:overview")).content.decode()
    assert f' · {portfolio}"' in overview  # the role's hover text
    response = client.get(reverse("metrics:export", kwargs={"kind": "standings", "fmt": "csv"}))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    column = rows[0].index("विभाग" if language == "hi" else "Portfolio")
    assert rows[1][column] == portfolio
    # The party: its short name, then its full name in the export's language, in the next column.
    short = rows[0].index("दल" if language == "hi" else "Party")
    assert rows[0][short + 1] == ("दल (पूरा नाम)" if language == "hi" else "Party (full name)")
    assert rows[1][short : short + 2] == ["BJP", party]


def _standings_rows(client, language):
    client.cookies["django_language"] = language
    response = client.get(reverse("metrics:export", kwargs={"kind": "standings", "fmt": "xlsx"}))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_standings_export_gives_the_english_full_name_of_a_party_without_a_hindi_one(client, minister):
    other = factories.party("LVM")
    other.name = "Lok Vikas Morcha"  # no Hindi name given
    other.save()
    member = factories.legislator(
        "Ravi Kumar", factories.constituency(factories.district(), electors=100_000), party_=other
    )
    factories.counts(factories.account(member), {date.today(): 500})
    factories.legislator("Partyless", factories.constituency(factories.district(), electors=100_000))
    client.force_login(factories.user("analyst", "Analyst"))
    for language, header, bjp in (
        ("en", "Party (full name)", "Bharatiya Janata Party"),
        ("hi", "दल (पूरा नाम)", "भारतीय जनता पार्टी"),
    ):
        rows = _standings_rows(client, language)
        column = rows[0].index(header)
        by_name = {row[1]: row[column] for row in rows[1:]}
        assert by_name == {"Asha Verma": bjp, "Ravi Kumar": "Lok Vikas Morcha", "Partyless": None}, language


def test_the_current_portfolio_in_hindi_is_copied_to_the_person():
    from legislators import services

    person = factories.legislator("Ravi Kumar", factories.constituency(factories.district()))
    services.appointment_record(
        legislator=person, role=Role.MINISTER_OF_STATE, start=date(2024, 1, 1), portfolio="Energy", portfolio_hi="ऊर्जा"
    )
    person.refresh_from_db()
    assert (person.role, person.portfolio, person.portfolio_hi) == (Role.MINISTER_OF_STATE, "Energy", "ऊर्जा")


def test_the_demo_gives_its_parties_and_portfolios_in_hindi():
    from django.core.management import call_command

    call_command("seed_demo", "--members", "12", "--days", "3", stdout=io.StringIO())
    assert set(Party.objects.values_list("short_name", "name_hi")) >= {("JPP", "जनता प्रगति पार्टी")}
    ministers = Appointment.objects.exclude(portfolio="")
    assert ministers.exists() and not ministers.filter(portfolio_hi="").exists()
