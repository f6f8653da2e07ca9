"""One audit entry per change: a field a service records (a role, a handle) is not logged again by the admin."""

import pytest
from django.urls import reverse

from legislators.models import AuditEntry
from tests import factories
from tests.legislators.test_admin_data import legislator_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def entries_for(instance):
    return list(AuditEntry.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk)).order_by("pk"))


def test_a_role_changed_in_the_admin_is_one_entry(editor_client):
    member = factories.legislator(name="Rising Star", role="MLA")
    url = reverse("admin:legislators_legislator_change", args=[member.pk])

    assert editor_client.post(url, legislator_post(member, role="MOS")).status_code == 302

    [entry] = entries_for(member)
    assert entry.changes == {"role": ["MLA", "MOS"]}


def test_a_role_and_a_name_changed_together_are_one_entry_each(editor_client):
    member = factories.legislator(name="Rising Star", role="MLA")
    url = reverse("admin:legislators_legislator_change", args=[member.pk])

    editor_client.post(url, legislator_post(member, role="MOS", name="Risen Star"))

    changes = sorted(tuple(entry.changes) for entry in entries_for(member))
    assert changes == [("name",), ("role",)]


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
