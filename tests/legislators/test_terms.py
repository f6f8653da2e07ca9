"""People, terms, appointments and aspirants: the dates the database holds and the overlaps the services refuse.

Both databases: start ≤ end is a CHECK constraint; overlaps are refused by
Term/Appointment.clean() and every service (no exclusion constraint: it would
need btree_gist on PostgreSQL, and SQLite has none).
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from legislators import services
from legislators.models import Appointment, Aspirant, Legislator, Term
from metrics.standings import engine
from tests import factories

pytestmark = pytest.mark.django_db

DAY = date(2024, 1, 1)


def test_a_term_ending_before_it_starts_is_refused_by_the_database():
    person = factories.person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(legislator=person, start=DAY, end=DAY - timedelta(days=1))
    assert not Term.objects.exists()


def test_an_appointment_or_aspiration_ending_before_it_starts_is_refused_by_the_database():
    person = factories.person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(legislator=person, role="CABINET", start=DAY, end=DAY - timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Aspirant.objects.create(
            legislator=person, constituency=factories.constituency(), start=DAY, end=DAY - timedelta(days=1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(legislator=person, role="MLA", start=DAY)  # MLA is no appointment


def test_two_terms_of_one_seat_may_not_overlap():
    seat = factories.constituency()
    sitting = factories.legislator(name="Sitting", constituency_=seat, term_start=DAY)
    with pytest.raises(ValidationError, match="The seat is held by Sitting"):
        services.term_record(legislator=factories.person(), constituency=seat, start=DAY + timedelta(days=30))
    assert Term.objects.filter(constituency=seat).count() == 1
    services.term_close(term=sitting.terms.get(), end=DAY + timedelta(days=29), reason=Term.EndReason.DEATH)
    services.term_record(
        legislator=factories.person(),
        constituency=seat,
        start=DAY + timedelta(days=30),
        how_elected=Term.HowElected.BY_ELECTION,
    )
    assert Term.objects.filter(constituency=seat).count() == 2


def test_two_terms_of_one_person_may_not_overlap_even_in_two_seats():
    member = factories.legislator(constituency_=factories.constituency(), term_start=DAY)
    with pytest.raises(ValidationError, match="already has a term"):
        services.term_record(legislator=member, constituency=factories.constituency(), start=DAY + timedelta(days=5))
    assert member.terms.count() == 1


def test_a_term_ending_before_it_starts_gets_a_message_from_the_service():
    with pytest.raises(ValidationError, match="is before the start"):
        services.term_record(
            legislator=factories.person(), constituency=factories.constituency(), start=DAY, end=DAY - timedelta(1)
        )
    assert not Term.objects.exists()


def test_two_appointments_of_one_person_may_not_overlap():
    member = factories.legislator(role="CABINET", term_start=DAY)
    with pytest.raises(ValidationError, match="already Cabinet Minister"):
        services.appointment_record(legislator=member, role="MOS", start=DAY + timedelta(days=10))
    assert member.appointments.count() == 1


def test_the_current_fields_follow_the_terms_and_appointments():
    seat, later_seat = factories.constituency(), factories.constituency()
    person = factories.person(name="Mover")
    services.term_record(
        legislator=person,
        constituency=seat,
        party=factories.party("OLD"),
        start=DAY,
        end=DAY + timedelta(days=99),
        end_reason=Term.EndReason.SEAT_CHANGE,
    )
    services.term_record(
        legislator=person, constituency=later_seat, party=factories.party("NEW"), start=DAY + timedelta(100)
    )
    services.appointment_record(legislator=person, role="MOS", portfolio="Roads", start=DAY + timedelta(days=100))
    person.refresh_from_db()
    assert (person.constituency, person.party.short_name, person.role, person.portfolio) == (
        later_seat,
        "NEW",
        "MOS",
        "Roads",
    )
    assert (person.term_start, person.term_end) == (DAY + timedelta(days=100), None)


def test_an_aspirant_is_measured_on_the_seat_but_never_counted_as_a_member():
    seat = factories.constituency(electors=100_000)
    factories.legislator(name="Sitting", constituency_=seat, term_start=DAY)
    hopeful = factories.person(name="Hopeful")
    services.aspirant_record(legislator=hopeful, constituency=seat, start=DAY + timedelta(days=10))
    factories.counts(factories.account(hopeful), {DAY + timedelta(days=20): 9_000})

    day = DAY + timedelta(days=20)
    assert [m.name for m in engine.standings(day=day).members] == ["Sitting"]
    assert [a.legislator.name for a in engine.aspirants_queryset(day=day, constituency=seat)] == ["Hopeful"]
    assert engine.aspirants_queryset(day=DAY).count() == 0
    with pytest.raises(ValidationError, match="already an aspirant"):
        services.aspirant_record(legislator=hopeful, constituency=seat, start=DAY + timedelta(days=30))
    assert Legislator.objects.count() == 2
