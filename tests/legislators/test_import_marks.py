"""What an import re-keeps in the standings table: the people it changed, never the whole state for a few rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from legislators.imports import apply
from legislators.models import Aspirant, ChangeMark
from metrics.models import DailyStanding
from metrics.standings.daily import settle, standings_rebuild
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked(monkeypatch):
    """The people marked by each import (read in its transaction, just before it settles them)."""
    seen = []

    def recording_settle(*args, **kwargs):
        seen.append(set(ChangeMark.objects.values_list("legislator_id", flat=True)))
        return settle(*args, **kwargs)

    monkeypatch.setattr(apply, "settle", recording_settle)
    return seen


def electors_by_member(day):
    return dict(DailyStanding.objects.filter(day=day, aspirant=False).values_list("member_id", "electors"))


def test_a_roll_imported_for_one_seat_re_keeps_that_seats_people_only(marked):
    today = timezone.localdate()
    members = factories.many_members(5)
    seat = members[0].constituency
    hopeful = factories.person("Hopeful")
    Aspirant.objects.create(legislator=hopeful, constituency=seat, start=today - timedelta(days=20))
    standings_rebuild(since=today - timedelta(days=7))
    before = electors_by_member(today)
    header = ["state_code", "constituency", "published_on", "electors"]
    rows = [[seat.state_code, seat.number, (today - timedelta(days=3)).isoformat(), 250_000]]
    _batch, plan = apply.import_file(kind="voter_rolls", content=factories.csv_bytes(header, rows), filename="r.csv")
    assert plan.ok, plan.errors
    assert marked == [{members[0].pk, hopeful.pk}]  # the seat's member and its aspirant, nobody else
    after = electors_by_member(today)
    assert after[members[0].pk] == 250_000
    assert {pk: n for pk, n in after.items() if pk != members[0].pk} == {
        pk: n for pk, n in before.items() if pk != members[0].pk
    }
    # Before the new roll's day the seat still counts the old roll's electors.
    assert electors_by_member(today - timedelta(days=4))[members[0].pk] == 200_000
    aspirant_row = DailyStanding.objects.get(day=today, aspirant=True, member=hopeful)
    assert aspirant_row.electors == 250_000
    assert not ChangeMark.objects.exists()  # settled in the import's transaction


def test_a_counts_only_import_marks_nobody_beyond_its_counts(marked):
    today = timezone.localdate()
    members = factories.many_members(3)
    account = members[1].accounts.get(platform="x")
    header = ["platform", "handle", "date", "followers", "evidence_url"]
    rows = [
        [account.platform, account.handle, (today - timedelta(days=1)).isoformat(), 9_999, "https://example.org/s.png"]
    ]
    _batch, plan = apply.import_file(kind="counts", content=factories.csv_bytes(header, rows), filename="c.csv")
    assert plan.ok, plan.errors
    assert marked == [{members[1].pk}]
