"""Account lifecycle: renames keep one account, retired accounts keep history, members leave office,
and a change of role is dated."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from legislators.models import Appointment, HandleChange, Legislator, SocialAccount
from legislators.services import account_record_rename, accounts_retire, legislator_change_role
from metrics.models import FollowerSnapshot
from metrics.polling.clients import AccountResult
from metrics.polling.runs import accounts_update_status
from metrics.standings import engine
from metrics.standings.history import member_history
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_renamed_x_handle_keeps_one_account_with_both_handles_and_one_continuous_chart(editor):
    today = timezone.localdate()
    member = factories.legislator(constituency_=factories.constituency(electors=100000))
    account = factories.account(member, handle="old_name", platform_id="12345")
    factories.counts(account, {today - timedelta(days=d): 1000 + (10 - d) * 10 for d in range(10, 5, -1)})

    account_record_rename(account=account, new_handle="new_name", day=today - timedelta(days=5), user=editor)
    factories.counts(account, {today - timedelta(days=d): 1000 + (10 - d) * 10 for d in range(5, -1, -1)})

    assert SocialAccount.objects.filter(legislator=member).count() == 1
    change = HandleChange.objects.get(account=account)
    assert (change.old_handle, change.new_handle, change.source) == ("old_name", "new_name", "poll")
    assert SocialAccount.objects.get(pk=account.pk).handle == "new_name"
    history = member_history(legislator_id=member.pk)
    assert [day for day, _count in history["combined"]] == [today - timedelta(days=d) for d in range(10, -1, -1)]
    assert [count for _day, count in history["platforms"]["x"]] == [1000 + i * 10 for i in range(11)]


def test_a_rename_reported_by_polling_is_recorded_with_its_date():
    member = factories.legislator()
    account = factories.account(member, handle="before_rename", platform_id="999")
    now = timezone.now()

    with transaction.atomic():
        accounts_update_status(
            results=[AccountResult(account_id=account.pk, followers=10, handle="after_rename", platform_id="999")],
            now=now,
        )

    account.refresh_from_db()
    assert account.handle == "after_rename"
    change = HandleChange.objects.get(account=account)
    assert (change.old_handle, change.changed_on, change.source) == ("before_rename", timezone.localdate(now), "poll")


def test_a_retired_account_stops_counting_but_keeps_its_history(editor):
    today = timezone.localdate()
    member = factories.legislator(constituency_=factories.constituency(electors=100000))
    kept = factories.account(member, handle="kept")
    retired = factories.account(
        member, handle="retired_one", platform=SocialAccount._meta.get_field("platform").choices[1][0]
    )
    factories.counts(kept, {today: 3000})
    factories.counts(retired, {today: 2000})

    assert accounts_retire(accounts=SocialAccount.objects.filter(pk=retired.pk), user=editor) == 1

    assert engine.standings(member_ids=[member.pk]).members[0].reach == 3000
    assert FollowerSnapshot.objects.filter(account=retired).count() == 1
    retired.refresh_from_db()
    assert retired.active is False


def test_a_member_whose_term_ended_drops_out_of_current_standings_but_keeps_history():
    today = timezone.localdate()
    member = factories.legislator(
        constituency_=factories.constituency(electors=100000),
        term_start=today - timedelta(days=400),
        term_end=today - timedelta(days=10),
    )
    account = factories.account(member)
    factories.counts(account, {today - timedelta(days=20): 5000, today - timedelta(days=15): 5100})

    assert member.pk not in [m.id for m in engine.standings().members]
    earlier = engine.standings(day=today - timedelta(days=15))
    assert [m.reach for m in earlier.members if m.id == member.pk] == [5100]
    assert len(member_history(legislator_id=member.pk)["combined"]) == 2


def test_the_role_filter_uses_the_role_held_on_the_as_on_day(editor):
    today = timezone.localdate()
    promoted = factories.legislator(name="Promoted", term_start=today - timedelta(days=300))
    factories.legislator(name="Always MLA")
    legislator_change_role(legislator=promoted, role="CABINET", effective_from=today - timedelta(days=30), user=editor)

    promoted.refresh_from_db()
    assert promoted.role == "CABINET"
    assert list(Appointment.objects.filter(legislator=promoted).values_list("role", "start", "end")) == [
        ("CABINET", today - timedelta(days=30), None)
    ]

    def names(day, role):
        return [m.name for m in engine.standings(day=day, role=role).members]

    assert names(today, "ministers") == ["Promoted"]
    assert names(today - timedelta(days=60), "ministers") == []
    assert names(today - timedelta(days=60), "MLA") == ["Always MLA", "Promoted"]
    before = engine.standings(day=today - timedelta(days=60)).members
    assert {m.name: m.role for m in before} == {"Always MLA": "MLA", "Promoted": "MLA"}


def test_the_role_filter_adds_no_query():
    for index in range(3):
        factories.legislator(role="CABINET" if index else "MLA")

    def count(**filters):
        with CaptureQueriesContext(connection) as captured:
            engine.standings(**filters)
        return len(captured)

    assert count(role="ministers") == count()
    assert Legislator.objects.count() == 3
