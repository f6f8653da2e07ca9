"""Standings through an assembly's life: a by-election, a party switch and a cabinet reshuffle, day by day."""

from datetime import date, timedelta

import pytest

from legislators import services
from legislators.models import Term
from metrics.standings import engine
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standings_source")]

ELECTED = date(2023, 12, 3)
DIED = date(2024, 3, 10)
BY_ELECTION = date(2024, 6, 4)
SWITCH = date(2024, 8, 1)
RESHUFFLE = date(2024, 9, 15)


def on(day):
    return {m.name: (m.constituency_number, m.party, m.role, m.electors) for m in engine.standings(day=day).members}


@pytest.fixture
def assembly():
    """Two seats, three people: the Chief Minister (seat 1), a Cabinet minister (seat 2) who dies,
    and the by-election's winner in seat 2."""
    red, blue = factories.party("RED"), factories.party("BLUE")
    district = factories.district()
    first = factories.constituency(district, number=1, electors=100_000, published_on=ELECTED - timedelta(days=30))
    second = factories.constituency(district, number=2, electors=200_000, published_on=ELECTED - timedelta(days=30))
    chief = factories.person(name="Chief")
    services.term_record(legislator=chief, constituency=first, party=red, start=ELECTED)
    services.appointment_record(legislator=chief, role="CM", start=ELECTED + timedelta(days=10))
    elder = factories.person(name="Elder")
    services.term_record(legislator=elder, constituency=second, party=red, start=ELECTED)
    services.appointment_record(
        legislator=elder, role="CABINET", portfolio="Health", start=ELECTED + timedelta(days=10)
    )
    return {"red": red, "blue": blue, "first": first, "second": second, "chief": chief, "elder": elder}


def test_a_by_election_a_party_switch_and_a_reshuffle_move_the_standings_on_their_days(assembly):
    assert on(ELECTED + timedelta(days=20)) == {
        "Chief": (1, "RED", "CM", 100_000),
        "Elder": (2, "RED", "CABINET", 200_000),
    }

    # The Cabinet minister dies: the seat is vacant until the by-election's winner takes it.
    elder = assembly["elder"]
    services.term_close(term=elder.terms.get(), end=DIED, reason=Term.EndReason.DEATH)
    services.legislator_change_role(legislator=elder, role="MLA", effective_from=DIED + timedelta(days=1))
    newcomer = factories.person(name="Newcomer")
    services.term_record(
        legislator=newcomer,
        constituency=assembly["second"],
        party=assembly["blue"],
        start=BY_ELECTION,
        how_elected=Term.HowElected.BY_ELECTION,
    )
    assert on(DIED) == {"Chief": (1, "RED", "CM", 100_000), "Elder": (2, "RED", "CABINET", 200_000)}
    assert on(DIED + timedelta(days=1)) == {"Chief": (1, "RED", "CM", 100_000)}
    assert on(BY_ELECTION - timedelta(days=1)) == {"Chief": (1, "RED", "CM", 100_000)}
    assert on(BY_ELECTION) == {"Chief": (1, "RED", "CM", 100_000), "Newcomer": (2, "BLUE", "MLA", 200_000)}

    # The newcomer crosses the floor: same seat, same person, another party from that day.
    services.term_change_party(term=newcomer.terms.get(), party=assembly["red"], day=SWITCH)
    assert on(SWITCH - timedelta(days=1))["Newcomer"] == (2, "BLUE", "MLA", 200_000)
    assert on(SWITCH)["Newcomer"] == (2, "RED", "MLA", 200_000)
    assert list(newcomer.terms.values_list("party__short_name", "start", "end", "end_reason")) == [
        ("BLUE", BY_ELECTION, SWITCH - timedelta(days=1), "party_change"),
        ("RED", SWITCH, None, ""),
    ]

    # A reshuffle: the newcomer joins the cabinet as MoS; the party filter and the ministers filter follow.
    services.legislator_change_role(legislator=newcomer, role="MOS", effective_from=RESHUFFLE, portfolio="Health")
    assert on(RESHUFFLE - timedelta(days=1))["Newcomer"][2] == "MLA"
    assert on(RESHUFFLE)["Newcomer"][2] == "MOS"
    ministers = [m.name for m in engine.standings(day=RESHUFFLE, role="ministers").members]
    assert ministers == ["Chief", "Newcomer"]
    blue_before = [m.name for m in engine.standings(day=SWITCH - timedelta(days=1), party=assembly["blue"].pk).members]
    assert blue_before == ["Newcomer"]
    assert engine.standings(day=SWITCH, party=assembly["blue"].pk).members == []
    # Today's values on the person follow the history.
    newcomer.refresh_from_db()
    assert (newcomer.party.short_name, newcomer.role, newcomer.portfolio) == ("RED", "MOS", "Health")


def test_an_account_keeps_one_history_across_the_members_terms(assembly):
    chief = assembly["chief"]
    services.term_close(term=chief.terms.get(), end=date(2024, 2, 29), reason=Term.EndReason.SEAT_CHANGE)
    services.term_record(
        legislator=chief, constituency=factories.constituency(electors=300_000), start=date(2024, 3, 1)
    )
    account = factories.account(chief)
    factories.counts(account, {date(2024, 2, 1): 5_000, date(2024, 4, 1): 15_000})

    assert engine.standings(day=date(2024, 2, 1), member_ids=[chief.pk]).members[0].electors == 100_000
    later = engine.standings(day=date(2024, 4, 1), member_ids=[chief.pk]).members[0]
    assert (later.electors, later.reach, later.share) == (300_000, 15_000, 5.0)
