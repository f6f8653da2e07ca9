"""Bulk import: validation before anything is written, dry runs, idempotence, mappings and Hindi headers."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from legislators.imports import apply as imports
from legislators.models import (
    Appointment,
    AuditEntry,
    Constituency,
    District,
    Division,
    ImportBatch,
    Legislator,
    SocialAccount,
    VoterRoll,
)
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = ["state_code", "number", "name", "district", "division", "reserved_category", "electors", "roll_date"]
ROLL_DAY = "2023-10-04"


def constituency_rows(count, *, bad=None):
    """``count`` rows; ``bad`` maps a 0-based row index to a {column: value} override."""
    rows = []
    for index in range(count):
        row = {
            "state_code": "ZZ",
            "number": index + 1,
            "name": f"Seat {index + 1}",
            "district": f"District {index % 10}",
            "division": f"Division {index % 3}",
            "reserved_category": ["GEN", "SC", "ST"][index % 3],
            "electors": 200000 + index,
            "roll_date": ROLL_DAY,
        }
        row.update((bad or {}).get(index, {}))
        rows.append([row[column] for column in HEADER])
    return rows


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Division, District, Constituency, VoterRoll, AuditEntry, Legislator, SocialAccount)
    }


def import_constituencies(content, *, user=None, dry_run=False, **options):
    return imports.import_file(
        kind=ImportBatch.Kind.CONSTITUENCIES,
        content=content,
        filename="seats.csv",
        user=user,
        dry_run=dry_run,
        **options,
    )


def test_three_bad_rows_among_500_refuse_the_file_naming_exactly_those_lines_and_writing_nothing(editor):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    # Row index i is on line i + 2 (line 1 is the header).
    bad = {99: {"electors": "-5"}, 248: {"roll_date": future}, 398: {"reserved_category": "XYZ"}}
    before = table_counts()

    batch, plan = import_constituencies(factories.csv_bytes(HEADER, constituency_rows(500, bad=bad)), user=editor)

    assert sorted(error.line for error in plan.errors) == [101, 250, 400]
    by_line = {error.line: error for error in plan.errors}
    assert by_line[101].column == "electors" and "expected a number above 0" in by_line[101].message
    assert by_line[250].column == "roll_date" and "in the future" in by_line[250].message
    assert by_line[400].column == "reserved_category" and "GEN, SC, ST" in by_line[400].message
    assert table_counts() == before
    assert batch.status == ImportBatch.Status.REFUSED

    fixed = factories.csv_bytes(HEADER, constituency_rows(500))
    batch, plan = import_constituencies(fixed, user=editor)
    assert plan.ok and batch.status == ImportBatch.Status.APPLIED
    assert Constituency.objects.filter(state_code="ZZ").count() == 500
    assert VoterRoll.objects.filter(published_on=date(2023, 10, 4)).count() == 500
    assert (batch.created, batch.updated, batch.unchanged) == (500, 0, 0)

    after_first = table_counts()
    batch, plan = import_constituencies(fixed, user=editor)
    assert (batch.created, batch.updated, batch.unchanged) == (0, 0, 500)
    assert plan.count("create") == plan.count("update") == 0
    assert table_counts() == after_first  # not even an audit entry


def test_dry_run_reports_created_updated_unchanged_and_writes_nothing(editor):
    import_constituencies(factories.csv_bytes(HEADER, constituency_rows(5)), user=editor)
    rows = constituency_rows(7, bad={0: {"name": "Seat One Renamed"}, 1: {"electors": 999999}})
    before = table_counts()

    batch, plan = import_constituencies(factories.csv_bytes(HEADER, rows), user=editor, dry_run=True)

    assert table_counts() == before
    assert batch.status == ImportBatch.Status.PREVIEWED
    summary = plan.summary()
    assert summary["legislators.constituency"] == {"create": 2, "update": 1, "unchanged": 4}
    assert summary["legislators.voterroll"] == {"create": 2, "update": 1, "unchanged": 4}
    renamed = next(c for c in plan.changes if c.action == "update" and c.model == "legislators.constituency")
    assert renamed.diff == {"name": ["Seat 1", "Seat One Renamed"]}


def test_an_update_records_field_old_and_new_with_its_author_and_import(editor):
    import_constituencies(factories.csv_bytes(HEADER, constituency_rows(2)), user=editor)
    batch, _plan = import_constituencies(
        factories.csv_bytes(HEADER, constituency_rows(2, bad={1: {"electors": 123456}})), user=editor
    )
    entry = AuditEntry.objects.get(batch=batch)
    roll = VoterRoll.objects.get(constituency__number=2)
    assert (entry.model, entry.object_id, entry.action) == ("legislators.voterroll", str(roll.pk), "update")
    assert entry.changes == {"total_electors": [200001, 123456]}
    assert entry.user == editor and entry.source == "import"


def test_hindi_headers_import_and_the_electors_total_matches():
    header = ["राज्य", "क्रमांक", "नाम", "जिला", "संभाग", "आरक्षण", "कुल मतदाता", "प्रकाशन तिथि"]
    rows = constituency_rows(40)

    batch, plan = import_constituencies(factories.csv_bytes(header, rows))

    assert plan.ok, [e.as_text() for e in plan.errors]
    assert Constituency.objects.count() == 40
    assert sum(VoterRoll.objects.values_list("total_electors", flat=True)) == sum(r[6] for r in rows)


def test_a_layout_we_did_not_choose_imports_through_a_mapping_and_fixed_values():
    # Like a published master file: extra columns, other names, no state code or roll date.
    header = ["ac_no", "ac_name_eci", "district_2018", "reserved_2018", "pc_name", "electors_2018", "electors_2023"]
    rows = [
        [n, f"Seat {n}", f"DIST {n % 7}", ["GEN", "SC", "ST"][n % 3], "Somewhere", 150000 + n, 180000 + 7 * n]
        for n in range(1, 231)
    ]
    mapping = {
        "ac_no": "number",
        "ac_name_eci": "name",
        "district_2018": "district",
        "reserved_2018": "reserved_category",
        "electors_2023": "electors",
    }
    constants = {"state_code": "ZZ", "division": "Unassigned", "roll_date": ROLL_DAY}

    batch, plan = import_constituencies(factories.csv_bytes(header, rows), mapping=mapping, constants=constants)

    assert plan.ok, [e.as_text() for e in plan.errors]
    assert Constituency.objects.count() == 230
    assert District.objects.count() == 7
    assert sum(VoterRoll.objects.values_list("total_electors", flat=True)) == sum(r[6] for r in rows)
    assert any("pc_name" in warning for warning in plan.warnings)  # unused columns are reported, not errors


def test_a_missing_required_column_is_named_with_what_is_expected():
    _batch, plan = import_constituencies(factories.csv_bytes(["state_code", "name"], [["ZZ", "Seat"]]))
    messages = [error.as_text() for error in plan.errors]
    assert any("line 1" in m and "“number”" in m and "expected a header" in m for m in messages)
    assert any("“district”" in m for m in messages)


def test_import_queries_do_not_grow_with_the_number_of_rows():
    def queries_for(count, state):
        rows = [[state] + row[1:] for row in constituency_rows(count)]
        with CaptureQueriesContext(connection) as captured:
            _batch, plan = import_constituencies(factories.csv_bytes(HEADER, rows))
        assert plan.ok
        return len(captured)

    # SQLite splits bulk statements into chunks of ~999 parameters, hence "a few", not "equal".
    few, many = queries_for(20, "AA"), queries_for(600, "BB")
    assert many < 45, many
    assert many - few < 20, (few, many)


def test_voter_rolls_errors_name_line_column_what_and_what_is_expected():
    factories.constituency(number=1, state_code="ZZ")
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    header = ["state_code", "constituency", "published_on", "electors"]
    rows = [
        ["ZZ", 1, "2024-01-01", 250000],
        ["ZZ", 999, "2024-01-01", 250000],
        ["ZZ", 1, "2024-02-01", 0],
        ["ZZ", 1, "2024-03-01", "many"],
        ["ZZ", 1, future, 250000],
        ["ZZ", 1, "2024-01-01", 260000],
    ]
    _batch, plan = imports.import_file(
        kind="voter_rolls", content=factories.csv_bytes(header, rows), filename="rolls.csv"
    )
    found = {(e.line, e.column): e.message for e in plan.errors}
    assert set(found) == {
        (3, "constituency"),
        (4, "electors"),
        (5, "electors"),
        (6, "published_on"),
        (7, "published_on"),
    }
    assert "Unknown constituency number 999" in found[(3, "constituency")]
    assert "expected a number above 0" in found[(4, "electors")]
    assert "not a whole number" in found[(5, "electors")]
    assert "in the future" in found[(6, "published_on")]
    assert "appears twice" in found[(7, "published_on")] and "line 2" in found[(7, "published_on")]
    assert VoterRoll.objects.count() == 0


def test_legislators_import_checks_roles_and_dates_a_change_of_role():
    place = factories.constituency(number=7, state_code="ZZ")
    header = ["name", "state_code", "constituency", "party", "role", "term_start"]
    _batch, plan = imports.import_file(
        kind="legislators",
        filename="members.csv",
        content=factories.csv_bytes(header, [["A Member", "ZZ", 7, "ABC", "Deputy Emperor", "2023-12-03"]]),
    )
    assert [(e.line, e.column) for e in plan.errors] == [(2, "role")]
    assert "CM, CABINET, MOS_IC, MOS, MLA" in plan.errors[0].message

    ok = factories.csv_bytes(header, [["A Member", "ZZ", 7, "ABC", "विधायक", "2023-12-03"]])
    _batch, plan = imports.import_file(kind="legislators", filename="members.csv", content=ok)
    assert plan.ok
    member = Legislator.objects.get(name="A Member")
    assert (member.role, member.constituency, member.party.short_name) == ("MLA", place, "ABC")

    header.append("role_from")
    promoted = factories.csv_bytes(
        header, [["A Member", "ZZ", 7, "ABC", "Cabinet Minister", "2023-12-03", "2024-06-01"]]
    )
    _batch, plan = imports.import_file(kind="legislators", filename="members.csv", content=promoted)
    assert plan.ok and plan.count("create", "legislators.appointment") == 1
    history = list(Appointment.objects.filter(legislator=member).values_list("role", "start", "end"))
    assert history == [("CABINET", date(2024, 6, 1), None)]


def test_account_urls_are_normalised_and_impossible_or_duplicate_handles_are_refused():
    place = factories.constituency(number=3, state_code="ZZ")
    member = factories.legislator(name="Asha Devi", constituency_=place)
    other = factories.legislator(name="Someone Else")
    factories.account(other, handle="taken_name")
    header = ["member", "state_code", "constituency", "platform", "handle", "kind"]
    rows = [
        ["Asha Devi", "ZZ", 3, "", "https://x.com/AshaDevi", "official"],
        ["Asha Devi", "ZZ", 3, "", "https://twitter.com/ashadevi", "personal"],
        ["Asha Devi", "ZZ", 3, "x", "this_name_is_far_too_long", ""],
        ["Asha Devi", "ZZ", 3, "x", "@taken_name", ""],
        ["Asha Devi", "ZZ", 3, "", "https://www.youtube.com/@asha.devi", ""],
    ]
    _batch, plan = imports.import_file(kind="accounts", filename="a.csv", content=factories.csv_bytes(header, rows))
    found = {(e.line, e.column): e.message for e in plan.errors}
    assert set(found) == {(3, "handle"), (4, "handle"), (5, "handle")}
    assert "appears twice" in found[(3, "handle")]
    assert "cannot be a X handle" in found[(4, "handle")] and "1-15 letters" in found[(4, "handle")]
    assert "already belongs to Someone Else" in found[(5, "handle")]
    assert SocialAccount.objects.filter(legislator=member).count() == 0

    good = [
        rows[0],
        rows[4],
        ["Asha Devi", "ZZ", 3, "", "https://facebook.com/asha.devi.official", ""],
        ["Asha Devi", "ZZ", 3, "", "https://instagram.com/asha_devi", "personal"],
    ]
    _batch, plan = imports.import_file(kind="accounts", filename="a.csv", content=factories.csv_bytes(header, good))
    assert plan.ok, [e.as_text() for e in plan.errors]
    assert sorted(member.accounts.values_list("platform", "handle", "kind")) == [
        ("facebook", "asha.devi.official", "official"),
        ("instagram", "asha_devi", "personal"),
        ("x", "AshaDevi", "official"),
        ("youtube", "asha.devi", "official"),
    ]


def test_counts_import_from_xlsx_is_marked_manual_with_its_evidence():
    from metrics.models import FollowerSnapshot, LatestCount

    member = factories.legislator()
    account = factories.account(member, handle="counted")
    day = timezone.localdate() - timedelta(days=1)
    content = factories.xlsx_bytes(
        ["platform", "handle", "date", "followers", "evidence_url"],
        [["x", "https://x.com/counted", day, 4321, "https://example.org/shot.png"]],
    )
    _batch, plan = imports.import_file(kind="counts", filename="counts.xlsx", content=content)
    assert plan.ok, [e.as_text() for e in plan.errors]
    snapshot = FollowerSnapshot.objects.get(account=account, day=day)
    assert (snapshot.followers, snapshot.source, snapshot.evidence_url) == (
        4321,
        "import",
        "https://example.org/shot.png",
    )
    assert LatestCount.objects.get(account=account).followers == 4321


def test_the_command_dry_runs_maps_and_refuses_with_line_numbers(tmp_path, capsys):
    path = tmp_path / "seats.csv"
    path.write_bytes(factories.csv_bytes(["ac", "naam", "district", "division"], [[1, "Seat 1", "D", "V"]]))
    call_command(
        "import_data",
        "constituencies",
        str(path),
        "--dry-run",
        "--map",
        "ac=number",
        "--map",
        "naam=name",
        "--set",
        "state_code=ZZ",
    )
    assert "1 would be created" in capsys.readouterr().out
    assert Constituency.objects.count() == 0

    call_command(
        "import_data", "constituencies", str(path), "--map", "ac=number", "--map", "naam=name", "--set", "state_code=ZZ"
    )
    assert Constituency.objects.count() == 1

    path.write_bytes(factories.csv_bytes(["ac", "naam", "district"], [[0, "Seat 1", "D"]]))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_data",
            "constituencies",
            str(path),
            "--map",
            "ac=number",
            "--map",
            "naam=name",
            "--set",
            "state_code=ZZ",
        )
    assert "line 2, column “ac”" in capsys.readouterr().err


def test_the_readme_documents_every_import_column():
    from pathlib import Path

    from legislators.imports.columns import COLUMNS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for kind, columns in COLUMNS.items():
        assert f"`{kind}`" in readme
        for column in columns:
            assert f"| `{column.name}` |" in readme, (kind, column.name)


def test_an_accounts_file_with_a_known_id_under_a_new_handle_records_a_rename():
    from legislators.models import HandleChange

    member = factories.legislator(name="Known Member")
    account = factories.account(member, handle="old_handle", platform_id="4242")
    content = factories.csv_bytes(
        ["member_id", "platform", "handle", "platform_id"], [[member.pk, "x", "https://x.com/new_handle", "4242"]]
    )
    _batch, plan = imports.import_file(kind="accounts", filename="a.csv", content=content)
    assert plan.ok, [e.as_text() for e in plan.errors]
    account.refresh_from_db()
    assert account.handle == "new_handle" and SocialAccount.objects.count() == 1
    change = HandleChange.objects.get(account=account)
    assert (change.old_handle, change.new_handle, change.source) == ("old_handle", "new_handle", "import")
