"""One audit entry per change: a field a service records (a handle) is not logged again by the admin, and an
appointment added beside a name change is one entry each."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import Appointment, AuditEntry
from tests import factories
from tests.legislators.test_admin_data import legislator_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def entries_for(instance):
    return list(AuditEntry.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk)).order_by("pk"))


def appointment_post(member, **changes):
    post = legislator_post(member, **changes)
    post.update(
        {
            "appointments-TOTAL_FORMS": "1",
            "appointments-0-legislator": member.pk,
            "appointments-0-role": "MOS",
            "appointments-0-start": timezone.localdate().isoformat(),
        }
    )
    return post


def test_an_appointment_added_in_the_admin_is_one_entry(editor_client):
    member = factories.legislator(name="Rising Star", role="MLA", term_start=timezone.localdate() - timedelta(days=100))
    url = reverse("admin:legislators_legislator_change", args=[member.pk])

    assert editor_client.post(url, appointment_post(member)).status_code == 302

    appointment = Appointment.objects.get(legislator=member)
    [entry] = entries_for(appointment)
    assert entry.action == "create" and entry.changes["role"] == [None, "MOS"]
    assert entries_for(member) == []  # the person's own fields did not change: no entry for them


def test_an_appointment_and_a_name_changed_together_are_one_entry_each(editor_client):
    member = factories.legislator(name="Rising Star", role="MLA", term_start=timezone.localdate() - timedelta(days=100))
    url = reverse("admin:legislators_legislator_change", args=[member.pk])

    editor_client.post(url, appointment_post(member, name="Risen Star"))

    [person_entry] = entries_for(member)
    assert person_entry.changes == {"name": ["Rising Star", "Risen Star"]}
    assert len(entries_for(Appointment.objects.get(legislator=member))) == 1


def test_a_handle_renamed_in_the_admin_is_one_entry(editor_client):
    member = factories.legislator()
    account = factories.account(member, handle="first_name")
    data = {
        "legislator": member.pk,
        "platform": "x",
        "handle": "second_name",
        "platform_id": "",
        "kind": "official",
        "status": "pending",
        "active": "on",
    }
    editor_client.post(reverse("admin:legislators_socialaccount_change", args=[account.pk]), data)

    [entry] = entries_for(account)
    assert entry.changes["handle"] == ["first_name", "second_name"]
