"""Values that pass the row checks but not the database: a line-numbered error from the command and the
admin, and the database unchanged (limits read from the model fields, not from a second list)."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from legislators.models import AuditEntry, Legislator, Party, Term, VoterRoll
from legislators.validation import clean_for_field
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat():
    place = factories.constituency(number=9, state_code="ZZ")
    member = factories.legislator("Sitting Member", place, term_start=date(2023, 12, 3))
    return {"place": place, "member": member}


ROLL = ["state_code", "constituency", "published_on", "electors"]
MEMBER = ["name", "state_code", "constituency", "party", "term_start"]

CASES = {
    "party short name over its max_length": (
        "legislators",
        MEMBER,
        ["New Member", "ZZ", 9, "A" * 21, "2024-01-01"],
        "party",
        "Short name is 21 characters long: expected at most 20.",
    ),
    "a 200-character name": (
        "legislators",
        ["name", "state_code", "constituency", "new", "term_start", "term_end"],
        ["N" * 200, "ZZ", 9, "yes", "2020-01-01", "2023-12-02"],
        "name",
        "Name is 200 characters long: expected at most 150.",
    ),
    "electors beyond the column's range": (
        "voter_rolls",
        ROLL,
        ["ZZ", 9, "2023-10-04", "3000000000"],
        "electors",
        "Total electors 3000000000 is out of range: expected a number from 0 to 2147483647.",
    ),
    "a term end before the stored term start": (
        "legislators",
        ["name", "state_code", "constituency", "term_end"],
        ["Sitting Member", "ZZ", 9, "2020-01-01"],
        "term_end",
        "The term end 2020-01-01 is before the stored term start 2023-12-03",
    ),
    "nan": ("voter_rolls", ROLL, ["ZZ", 9, "2023-10-04", "nan"], "electors", "Electors “nan” is not a whole number"),
    "inf": ("voter_rolls", ROLL, ["ZZ", 9, "2023-10-04", "inf"], "electors", "Electors “inf” is not a whole number"),
}


def database():
    return (
        Legislator.objects.count(),
        list(Term.objects.values_list("id", "start", "end")),
        Party.objects.count(),
        VoterRoll.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_import_data_names_the_line_and_column_and_writes_nothing(case, seat, tmp_path):
    kind, header, row, column, message = CASES[case]
    path = tmp_path / "file.csv"
    path.write_bytes(factories.csv_bytes(header, [row]))
    before = database()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_data", kind, str(path), stdout=io.StringIO(), stderr=err)
    assert f"line 2, column “{column}”: {message}" in err.getvalue()
    assert database() == before


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_admin_preview_names_the_line_and_column_and_writes_nothing(case, seat, client):
    kind, header, row, column, message = CASES[case]
    client.force_login(factories.user("editor", "Editor", is_staff=True))
    before = database()
    upload = SimpleUploadedFile("file.csv", factories.csv_bytes(header, [row]))
    response = client.post(reverse("admin:legislators_importbatch_upload"), {"kind": kind, "file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<td>2</td>" in html and f"<td>{column}</td>" in html
    assert message.replace("“", "&ldquo;")[:40] in html or message[:40] in html
    assert database()[:4] == before[:4]  # (the batch itself is recorded as refused; nothing else changes)


def test_the_limits_come_from_the_model_fields():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at most 20"):
        clean_for_field(Party, "short_name", "A" * 21)
    assert clean_for_field(Party, "short_name", "A" * 20) == "A" * 20
    with pytest.raises(ValidationError, match="finite"):
        clean_for_field(VoterRoll, "total_electors", float("inf"))
    assert clean_for_field(VoterRoll, "total_electors", 2_147_483_647) == 2_147_483_647
