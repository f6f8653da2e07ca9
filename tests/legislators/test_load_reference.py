"""``load_reference mp``: the shipped Madhya Pradesh reference, loaded once, read by the standings of any day."""

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from legislators.models import (
    Appointment,
    AuditEntry,
    Constituency,
    District,
    Division,
    Legislator,
    Party,
    SocialAccount,
    Term,
    VoterRoll,
)
from metrics.models import FollowerSnapshot
from metrics.standings import engine
from tests import factories

pytestmark = pytest.mark.django_db

TABLES = (Division, District, Constituency, VoterRoll, Party, Legislator, Term, Appointment, AuditEntry)


def load():
    out = io.StringIO()
    call_command("load_reference", "mp", stdout=out)
    return out.getvalue()


def standings(day, *options):
    out = io.StringIO()
    call_command("standings", "--date", day, *options, stdout=out)
    return out.getvalue()


def table_counts():
    return {model.__name__: model.objects.count() for model in TABLES}


def test_the_2018_and_2023_assemblies_on_a_day_of_each_with_their_electors():
    load()

    assert (Division.objects.count(), District.objects.count(), Constituency.objects.count()) == (10, 50, 230)
    reserved = {r: Constituency.objects.filter(reserved_category=r).count() for r in ("GEN", "SC", "ST")}
    assert reserved == {"GEN": 148, "SC": 35, "ST": 47}
    assert Division.objects.get(name="Gwalior").name_hi == "ग्वालियर"
    assert (
        Constituency.objects.get(number=156).district.name,
        Constituency.objects.get(number=156).district.division.name,
    ) == ("Sehore", "Bhopal")
    assert (VoterRoll.objects.count(), Legislator.objects.count(), Term.objects.count()) == (460, 362, 460)
    assert Appointment.objects.count() == 39
    assert not VoterRoll.objects.filter(source="").exists() and not Term.objects.filter(source="").exists()
    # No follower counts and no handles for real people.
    assert SocialAccount.objects.count() == 0 and FollowerSnapshot.objects.count() == 0

    for day, electors, text in (("2019-06-01", 50_433_079, "5,04,33,079"), ("2024-06-01", 56_057_953, "5,60,57,953")):
        rows = list(csv.DictReader(io.StringIO(standings(day, "--format", "csv"))))
        assert len(rows) == 230, day
        assert len({row["constituency_number"] for row in rows}) == 230
        assert sum(int(row["electors"]) for row in rows) == electors
        assert {row["status"] for row in rows} == {"n/a"}  # no counts yet: n/a, never 0
        assert f"230 members; the electors of their seats (rolls in force): {text}" in standings(day)
    in_2019 = {m.constituency_number: m for m in engine.standings(day=date(2019, 6, 1)).members}
    assert (in_2019[156].name, in_2019[156].party) == ("Shivraj Singh Chouhan", "BJP")  # re-elected: the 2023 spelling
    assert in_2019[22].role == "MLA"  # the 2020 council was not sworn in yet
    in_2021 = {m.constituency_number: m for m in engine.standings(day=date(2021, 6, 1)).members}
    assert (in_2021[156].role, in_2021[22].role, in_2021[14].role) == ("CM", "CABINET", "MOS")


def test_a_reelected_member_is_one_person_with_two_terms_and_one_account_history():
    load()
    twice = Legislator.objects.filter(reference_id="mp-p0217").get()  # Ujjain South, 2018 and 2023
    assert list(twice.terms.values_list("constituency__number", "start", "end", "end_reason")) == [
        (217, date(2018, 12, 11), date(2023, 12, 2), "completion"),
        (217, date(2023, 12, 3), None, ""),
    ]
    re_elected = [p for p in Legislator.objects.all() if p.terms.count() == 2]
    assert len(re_elected) == 98
    swapped = Legislator.objects.get(reference_id="mp-p0084")  # Jaisinghnagar 2018 → Jaitpur 2023
    assert list(swapped.terms.values_list("constituency__number", flat=True)) == [84, 85]

    account = factories.account(twice, handle="added_by_an_admin")
    factories.counts(account, {date(2019, 6, 1): 10_000, date(2024, 6, 1): 30_000})
    before = engine.standings(day=date(2019, 6, 1), member_ids=[twice.pk]).members
    after = engine.standings(day=date(2024, 6, 1), member_ids=[twice.pk]).members
    assert [(m.id, m.reach) for m in before + after] == [(twice.pk, 10_000), (twice.pk, 30_000)]
    assert (
        after[0].electors
        == VoterRoll.objects.get(constituency__number=217, published_on=date(2023, 11, 17)).total_electors
    )
    from metrics.standings.history import member_history

    assert len(member_history(legislator_id=twice.pk)["combined"]) == 2  # one line across both terms


def test_running_it_again_changes_nothing_and_keeps_an_admins_correction():
    first = load()
    assert "terms: 460 created" in first
    chief = Appointment.objects.get(role="CM")
    chief.end = date(2023, 12, 13)  # an admin sets the council's end, as PROVENANCE.md suggests
    chief.save()
    before = table_counts()

    again = load()

    assert table_counts() == before
    assert "Reference already loaded: nothing changed." in again
    assert "appointments: 0 created, 38 unchanged, 1 kept as edited" in again
    assert Appointment.objects.get(role="CM").end == date(2023, 12, 13)


def test_it_refuses_a_database_with_demo_data_and_writes_nothing():
    call_command("seed_demo", "--members", "3", "--days", "2", stdout=io.StringIO())
    before = table_counts()
    with pytest.raises(CommandError, match="demo data"):
        load()
    assert table_counts() == before


def test_a_stored_term_in_the_way_refuses_the_whole_load():
    seat = factories.constituency(number=1, state_code="MP", name="Sheopur")
    factories.legislator(name="Someone Else", constituency_=seat, term_start=date(2020, 1, 1))
    before = table_counts()
    with pytest.raises(CommandError, match="overlaps the stored term"):
        load()
    assert table_counts() == before


def test_the_council_file_names_are_matched_or_need_a_decision_never_a_new_person():
    """The council of ministers' spellings against the TCPD ballot names of the loaded reference."""
    load()
    header = ["name", "state_code", "constituency", "role", "role_from"]
    council = [
        ["Mohan Yadav", "MP", 217, "Cabinet", "2020-07-02"],  # Dr. Mohan Yadav
        ["Narottam Mishra", "MP", 22, "Cabinet", "2020-04-21"],  # DR.NAROTTAM MISHRA
        ["Vishwas Sarang", "MP", 151, "Cabinet", "2020-07-02"],  # Vishvas Sarang
        ["Tulsi Silawat", "MP", 211, "Cabinet", "2020-04-21"],  # Tulsiram Silawat: alike
        ["Pradyuman Singh Tomar", "MP", 15, "Cabinet", "2020-07-02"],  # Pradhuman Singh Tomar: alike
        ["Ramkishore Kanware", "MP", 110, "Minister of State", "2020-07-02"],  # RAM KISHOR (NANO) KAWRE
    ]
    from legislators.imports import apply as imports

    _batch, plan = imports.import_file(
        kind="legislators", filename="council.csv", content=factories.csv_bytes(header, council), dry_run=True
    )

    statuses = {m.name: (m.status, m.person_id) for m in plan.matches}
    person = {ref: Legislator.objects.get(reference_id=ref).pk for ref in ("mp-p0217", "mp-p0022", "mp-p0151")}
    assert statuses["Mohan Yadav"] == ("matched", person["mp-p0217"])
    assert statuses["Narottam Mishra"] == ("matched", person["mp-p0022"])
    assert statuses["Vishwas Sarang"] == ("matched", person["mp-p0151"])
    for name in ("Tulsi Silawat", "Pradyuman Singh Tomar", "Ramkishore Kanware"):
        assert statuses[name][0] == "decision", name
    kanware = next(m for m in plan.matches if m.name == "Ramkishore Kanware")
    assert kanware.candidates[0][1] == "RAM KISHOR (NANO) KAWRE"
    assert not plan.matched("new") and not plan.ok
    assert Legislator.objects.count() == 362
