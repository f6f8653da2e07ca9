"""The data migration from one-row members to people with terms and appointments loses nothing."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from legislators.models import Appointment, Legislator, SocialAccount, Term
from metrics.standings import engine

BEFORE = [("legislators", "0003_grant_data_management_permissions")]


def _latest():
    """Every app's newest migration: where a test leaves the database for the next one."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


AFTER = None  # the newest migrations (_latest())


def _migrate(targets):
    targets = targets or _latest()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_every_member_becomes_a_person_with_a_term_and_every_role_an_appointment():
    old = _migrate(BEFORE)
    try:
        Division = old.get_model("legislators", "Division")
        District = old.get_model("legislators", "District")
        Constituency = old.get_model("legislators", "Constituency")
        Party = old.get_model("legislators", "Party")
        OldLegislator = old.get_model("legislators", "Legislator")
        RoleChange = old.get_model("legislators", "RoleChange")
        OldAccount = old.get_model("legislators", "SocialAccount")
        district = District.objects.create(name="D", division=Division.objects.create(name="V"))
        seats = [
            Constituency.objects.create(state_code="ZZ", number=n, name=f"Seat {n}", district=district)
            for n in (1, 2, 3)
        ]
        party = Party.objects.create(name="Party", short_name="P")
        plain = OldLegislator.objects.create(
            name="Plain MLA", constituency=seats[0], party=party, term_start=date(2019, 1, 1)
        )
        OldAccount.objects.create(legislator=plain, platform="x", handle="plain_mla")
        OldLegislator.objects.create(
            name="Minister",
            constituency=seats[1],
            role="CABINET",
            portfolio="Finance",
            term_start=date(2020, 1, 1),
            term_end=date(2024, 12, 31),
        )
        promoted = OldLegislator.objects.create(name="Promoted", constituency=seats[2], role="MOS")
        RoleChange.objects.create(legislator=promoted, role="MLA", effective_from=date(1950, 1, 26))
        RoleChange.objects.create(legislator=promoted, role="MOS", effective_from=date(2022, 5, 1))
        shuffled = OldLegislator.objects.create(name="Shuffled", role="CM", active=False)
        for role, day in (("CABINET", date(2021, 1, 1)), ("MLA", date(2022, 1, 1)), ("CM", date(2023, 1, 1))):
            RoleChange.objects.create(legislator=shuffled, role=role, effective_from=day)
    finally:
        _migrate(AFTER)

    assert Legislator.objects.count() == 4 and Term.objects.count() == 4
    terms = {
        t.legislator.name: (
            t.constituency_id and t.constituency.number,
            t.party_id and t.party.short_name,
            t.start,
            t.end,
        )
        for t in Term.objects.select_related("legislator", "constituency", "party")
    }
    assert terms == {
        "Plain MLA": (1, "P", date(2019, 1, 1), None),
        "Minister": (2, None, date(2020, 1, 1), date(2024, 12, 31)),
        "Promoted": (3, None, date(1950, 1, 26), None),
        "Shuffled": (None, None, date(1950, 1, 26), None),
    }
    assert Term.objects.get(legislator__name="Promoted").source == "migrated: the term's start was not recorded"
    appointments = sorted(Appointment.objects.values_list("legislator__name", "role", "portfolio", "start", "end"))
    assert appointments == [
        ("Minister", "CABINET", "Finance", date(2020, 1, 1), date(2024, 12, 31)),
        ("Promoted", "MOS", "", date(2022, 5, 1), None),
        ("Shuffled", "CABINET", "", date(2021, 1, 1), date(2021, 12, 31)),
        ("Shuffled", "CM", "", date(2023, 1, 1), None),
    ]
    # The accounts stay on the person; the standings on a past day read the migrated history.
    assert SocialAccount.objects.get().legislator.name == "Plain MLA"
    Legislator.objects.filter(name="Shuffled").update(active=True)
    roles = {
        day: {m.name: m.role for m in engine.standings(day=day).members} for day in (date(2021, 6, 1), date(2022, 6, 1))
    }
    assert roles[date(2021, 6, 1)] == {
        "Minister": "CABINET",
        "Plain MLA": "MLA",
        "Promoted": "MLA",
        "Shuffled": "CABINET",
    }
    assert roles[date(2022, 6, 1)] == {"Minister": "CABINET", "Plain MLA": "MLA", "Promoted": "MOS", "Shuffled": "MLA"}


@pytest.mark.django_db(transaction=True)
def test_users_keep_what_they_saw_when_an_empty_scope_starts_to_mean_nothing():
    old = _migrate([("legislators", "0006_remove_rolechange")])
    try:
        User = old.get_model("auth", "User")
        UserScope = old.get_model("legislators", "UserScope")
        District = old.get_model("legislators", "District")
        Division = old.get_model("legislators", "Division")
        home = District.objects.create(name="Home", division=Division.objects.create(name="North"))
        User.objects.create(username="no_scope")
        UserScope.objects.create(user=User.objects.create(username="empty_scope"))
        UserScope.objects.create(user=User.objects.create(username="limited")).districts.add(home)
        User.objects.create(username="root", is_superuser=True)
    finally:
        _migrate(AFTER)

    from legislators.models import UserScope

    whole = dict(UserScope.objects.values_list("user__username", "whole_state"))
    assert whole == {"no_scope": True, "empty_scope": True, "limited": False}  # the superuser needs none
