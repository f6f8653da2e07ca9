"""Legislators files: one person across files, dated terms and appointments, and no silent decisions."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from legislators.imports import apply as imports
from legislators.models import Appointment, ImportBatch, Legislator, Term
from metrics.standings import engine
from tests import factories

pytestmark = pytest.mark.django_db

MLA_HEADER = ["name", "state_code", "constituency", "party", "term_start", "term_end"]


def seats(*numbers):
    district = factories.district()
    return {n: factories.constituency(district, number=n, state_code="ZZ", electors=100_000 + n) for n in numbers}


def run(header, rows, **options):
    return imports.import_file(
        kind="legislators", filename="members.csv", content=factories.csv_bytes(header, rows), **options
    )[1]


def test_two_assemblies_imported_in_turn_keep_a_reelected_member_as_one_person_with_two_terms():
    seats(1, 2, 3)
    first = run(
        MLA_HEADER,
        [
            ["DR. ASHA VERMAA", "ZZ", 1, "RED", "2018-12-11", ""],
            ["RAMESH KUMAR", "ZZ", 2, "BLUE", "2018-12-11", ""],
            ["SUNITA DEVI", "ZZ", 3, "RED", "2018-12-11", ""],
        ],
    )
    assert first.ok and first.count("create", "legislators.term") == 3
    # 2023: Asha Verma re-elected (no "Dr.", one "a" less: folded, so matched), seat 2 changes hands,
    # seat 3 changes party.
    second = run(
        MLA_HEADER,
        [
            ["Asha Verma", "ZZ", 1, "RED", "2023-12-03", ""],
            ["Mohan Lal", "ZZ", 2, "RED", "2023-12-03", ""],
            ["Sunita Devi", "ZZ", 3, "BLUE", "2023-12-03", ""],
        ],
        dry_run=True,
    )
    assert second.ok, [e.as_text() for e in second.errors]
    assert [(m.line, m.status) for m in second.matches] == [(2, "matched"), (3, "new"), (4, "matched")]
    closed = [c for c in second.changes if c.model == "legislators.term" and c.action == "update"]
    assert sorted(c.diff["end"][1] for c in closed) == [date(2023, 12, 2)] * 3
    assert Term.objects.filter(end__isnull=True).count() == 3  # a dry run writes nothing

    run(MLA_HEADER, [["Asha Verma", "ZZ", 1, "RED", "2023-12-03", ""]])
    run(
        MLA_HEADER,
        [["Mohan Lal", "ZZ", 2, "RED", "2023-12-03", ""], ["Sunita Devi", "ZZ", 3, "BLUE", "2023-12-03", ""]],
    )

    assert Legislator.objects.count() == 4
    asha = Legislator.objects.get(name="DR. ASHA VERMAA")
    assert list(asha.terms.values_list("start", "end", "end_reason")) == [
        (date(2018, 12, 11), date(2023, 12, 2), "completion"),
        (date(2023, 12, 3), None, ""),
    ]
    for day, count in ((date(2019, 6, 1), 3), (date(2024, 6, 1), 3)):
        assert len(engine.standings(day=day).members) == count
    parties = {m.constituency_number: m.party for m in engine.standings(day=date(2024, 6, 1)).members}
    assert parties == {1: "RED", 2: "RED", 3: "BLUE"}
    # The same file again changes nothing.
    again = run(MLA_HEADER, [["Mohan Lal", "ZZ", 2, "RED", "2023-12-03", ""]])
    assert again.ok and again.count("create") == 0 and again.count("update") == 0


MINISTERS_HEADER = ["name", "state_code", "constituency", "role", "role_from"]


@pytest.fixture
def mlas():
    places = seats(211, 217, 225, 176)
    members = {}
    for number, name in (
        (217, "DR. MOHAN YADAV"),
        (225, "JAGDISH DEWDA"),
        (211, "TULSIRAM SILAWAT"),
        (176, "KUNWAR VIJAY SHAH"),
    ):
        members[number] = factories.legislator(name, places[number], term_start=date(2018, 12, 11))
    return members


MINISTERS = [
    ["Mohan Yadav", "ZZ", 217, "Cabinet", "2020-07-02"],
    ["Jagdish Devda", "ZZ", 225, "Cabinet", "2020-07-02"],
    ["Tulsi Silawat", "ZZ", 211, "Cabinet", "2020-04-21"],
    ["Vijay Shah", "ZZ", 176, "Cabinet", "2020-07-02"],
]


def test_a_ministers_file_spelt_otherwise_is_matched_or_needs_a_decision_never_a_silent_duplicate(mlas):
    plan = run(MINISTERS_HEADER, MINISTERS)

    assert [(m.line, m.status) for m in plan.matches] == [
        (2, "matched"),
        (3, "matched"),
        (4, "decision"),
        (5, "matched"),
    ]
    assert plan.matches[0].person_id == mlas[217].pk
    assert plan.matches[2].candidates[0][:2] == (mlas[211].pk, "TULSIRAM SILAWAT")
    assert [(e.line, e.column) for e in plan.errors] == [(4, "name")]
    assert "A decision is needed" in plan.errors[0].message and "person_id" in plan.errors[0].message
    assert Legislator.objects.count() == 4 and not Appointment.objects.exists()

    decided = [row + [""] for row in MINISTERS]
    decided[2][-1] = str(mlas[211].pk)
    plan = run(MINISTERS_HEADER + ["person_id"], decided)

    assert plan.ok and plan.count("create", "legislators.appointment") == 4
    assert Legislator.objects.count() == 4  # no duplicate
    ministers = {m.name: m.role for m in engine.standings(day=date(2021, 1, 1), role="ministers").members}
    assert ministers == {
        n: "CABINET" for n in ("DR. MOHAN YADAV", "JAGDISH DEWDA", "KUNWAR VIJAY SHAH", "TULSIRAM SILAWAT")
    }
    assert engine.standings(day=date(2020, 5, 1), role="ministers").members[0].name == "TULSIRAM SILAWAT"


def test_a_row_marked_new_is_a_new_person_despite_a_like_name(mlas):
    plan = run(
        ["name", "state_code", "constituency", "term_start", "new", "how_elected"],
        [["Mohan Yadav", "ZZ", 217, "2024-01-10", "yes", "by-election"]],
    )
    # A new person in an occupied seat: refused, naming the member who holds it.
    assert [(e.line, e.column) for e in plan.errors] == [(2, "term_start")]
    assert "The seat is held by DR. MOHAN YADAV" in plan.errors[0].message
    assert Legislator.objects.count() == 4


def test_the_command_lists_matched_new_and_undecided_rows_and_refuses(mlas, tmp_path):
    path = tmp_path / "ministers.csv"
    path.write_bytes(
        factories.csv_bytes(
            MINISTERS_HEADER,
            MINISTERS + [["Asha New", "", "", "MOS", "2020-07-02"], ["Unheard Of", "ZZ", 176, "MOS", "2020-07-02"]],
        )
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_data", "legislators", str(path), "--dry-run", stdout=out, stderr=err)
    text = out.getvalue()
    assert "3 matched to a recorded person:" in text and "line 2: Mohan Yadav [217 " in text
    assert "1 new people:" in text and "line 6: Asha New" in text  # no seat, no term: a minister from outside
    assert "2 need a decision" in text and f"TULSIRAM SILAWAT (id {mlas[211].pk}" in text
    # A name like nobody's in an occupied seat, without a term: never a silent new person.
    assert (
        "line 7: Unheard Of [176 " in text and f"KUNWAR VIJAY SHAH (id {mlas[176].pk}: holds or held this seat)" in text
    )
    assert "line 4, column “name”" in err.getvalue()


def test_the_admin_preview_shows_the_same_three_lists(client, mlas):
    client.force_login(factories.user("editor", "Editor", is_staff=True))
    upload = SimpleUploadedFile("ministers.csv", factories.csv_bytes(MINISTERS_HEADER, MINISTERS))
    response = client.post(reverse("admin:legislators_importbatch_upload"), {"kind": "legislators", "file": upload})
    page = client.get(response["Location"]).content.decode()
    assert "Matched to a recorded person: 3" in page
    assert "New people: 0" in page
    assert "Need a decision: add the person&#x27;s id (person_id) or mark the row new: 1" in page
    assert "TULSIRAM SILAWAT (id" in page
    assert ImportBatch.objects.get().status == "refused"
    assert not Appointment.objects.exists()


def test_a_reference_person_id_and_a_term_end_alone_end_the_persons_term():
    seat = seats(5)[5]
    member = factories.legislator("Sitting Member", seat, term_start=date(2023, 12, 3))
    Legislator.objects.filter(pk=member.pk).update(reference_id="mp-p0005")
    plan = run(["person_id", "name", "term_end", "end_reason"], [["MP-P0005", "Anything", "2024-03-10", "death"]])
    assert plan.ok, [e.as_text() for e in plan.errors]
    assert list(member.terms.values_list("end", "end_reason")) == [(date(2024, 3, 10), "death")]
    assert engine.standings(day=date(2024, 3, 11)).members == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("DR. MOHAN YADAV", "Mohan Yadav"),
        ("JAGDISH DEWDA", "Jagdish Devda"),
        ("KOL SARAD JUGLAL", "Sharad Juglal Kol"),
        ("Smt. Usha Thakur", "USHA THAKUR"),
        ("PREMSINGH PATEL", "Prem Singh Patel"),
        ("O.P.S. BHADORIA", "OPS Bhadoria"),
        ("ALOK CHATURVEDI (PAJJAN BHAIYA)", "Alok Chaturvedi"),
        ("Adv. Kunwar Vijay Shah", "Vijay Shah"),
    ],
)
def test_spellings_of_one_name_fold_to_the_same_name(first, second):
    from legislators.names import same_name

    assert same_name(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("Tulsi Silawat", "TULSIRAM SILAWAT"), ("ARIF AQUEEL", "Atif Arif Aqueel"), ("Nagendra Singh", "Narendra Singh")],
)
def test_names_that_may_differ_are_not_folded_together(first, second):
    from legislators.names import same_name

    assert not same_name(first, second)
