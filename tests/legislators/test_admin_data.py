"""The admin: import pages, the audit trail with its authors, retire instead of delete, actions, columns."""

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legislators.models import Appointment, AuditEntry, Constituency, HandleChange, ImportBatch, Legislator
from metrics.models import Target
from metrics.standings import engine
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def legislator_post(member, **changes):
    """The person's change form as posted: names, and the inlines (terms, appointments, aspirations, accounts)."""
    data = {"name": member.name, "name_hi": member.name_hi, "active": "on"}
    terms = list(member.terms.all())
    appointments = list(member.appointments.all())
    for prefix, rows in (("terms", terms), ("appointments", appointments), ("aspirations", []), ("accounts", [])):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
    for index, term in enumerate(terms):
        data.update(
            {
                f"terms-{index}-id": term.pk,
                f"terms-{index}-legislator": member.pk,
                f"terms-{index}-constituency": term.constituency_id or "",
                f"terms-{index}-party": term.party_id or "",
                f"terms-{index}-start": term.start.isoformat(),
                f"terms-{index}-end": term.end.isoformat() if term.end else "",
                f"terms-{index}-how_elected": term.how_elected,
                f"terms-{index}-end_reason": term.end_reason,
                f"terms-{index}-source": term.source,
            }
        )
    for index, appointment in enumerate(appointments):
        data.update(
            {
                f"appointments-{index}-id": appointment.pk,
                f"appointments-{index}-legislator": member.pk,
                f"appointments-{index}-role": appointment.role,
                f"appointments-{index}-portfolio": appointment.portfolio,
                f"appointments-{index}-start": appointment.start.isoformat(),
                f"appointments-{index}-end": appointment.end.isoformat() if appointment.end else "",
                f"appointments-{index}-source": appointment.source,
            }
        )
    data.update(changes)
    return data


def test_upload_preview_apply_through_the_admin_records_the_author(editor_client, editor):
    content = factories.csv_bytes(
        ["state_code", "number", "name", "district", "division", "electors", "roll_date"],
        [["ZZ", 1, "Seat 1", "D1", "V1", 150000, "2023-10-04"], ["ZZ", 2, "Seat 2", "D1", "V1", 160000, "2023-10-04"]],
    )
    response = editor_client.post(
        reverse("admin:legislators_importbatch_upload"),
        {"kind": "constituencies", "file": SimpleUploadedFile("seats.csv", content), "mapping": "", "constants": ""},
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "admin:legislators_importbatch_preview", args=[batch.pk]
    )
    preview = editor_client.get(response.url).content.decode()
    assert "Dry run: what would change" in preview and "Seat 2" in preview
    assert Constituency.objects.count() == 0

    editor_client.post(response.url, {"apply": "1"})

    assert Constituency.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == "applied" and batch.created_by == editor
    entries = AuditEntry.objects.filter(batch=batch, model="legislators.constituency")
    assert entries.count() == 2 and {e.user for e in entries} == {editor}
    seat = Constituency.objects.get(number=2)
    history = editor_client.get(reverse("admin:legislators_constituency_history", args=[seat.pk])).content.decode()
    assert "editor" in history and "seats.csv" in history


def test_a_refused_upload_lists_each_error_with_line_and_column(editor_client):
    content = factories.csv_bytes(
        ["state_code", "number", "name", "district", "division"], [["ZZ", "x", "Seat", "D", "V"]]
    )
    response = editor_client.post(
        reverse("admin:legislators_importbatch_upload"),
        {"kind": "constituencies", "file": SimpleUploadedFile("bad.csv", content), "mapping": "", "constants": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "1 error: nothing will be written" in page
    assert "<td>2</td><td>number</td>" in page and "expected a number above 0" in page


def test_templates_download_with_the_documented_columns(editor_client):
    response = editor_client.get(reverse("admin:legislators_importbatch_template", args=["voter_rolls", "csv"]))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:5] == ["state_code", "constituency", "constituency_kind", "published_on", "electors"]
    xlsx = editor_client.get(reverse("admin:legislators_importbatch_template", args=["accounts", "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_an_admin_edit_appears_in_the_history_with_its_author_and_old_and_new_values(editor_client, editor):
    member = factories.legislator(name="Old Name")
    url = reverse("admin:legislators_legislator_change", args=[member.pk])

    response = editor_client.post(url, legislator_post(member, name="New Name"))

    assert response.status_code == 302
    entry = AuditEntry.objects.get(model="legislators.legislator", object_id=str(member.pk))
    assert (entry.user, entry.source, entry.changes) == (editor, "admin", {"name": ["Old Name", "New Name"]})
    history = editor_client.get(reverse("admin:legislators_legislator_history", args=[member.pk])).content.decode()
    assert "Old Name → New Name" in history and "editor" in history


def test_a_target_changed_in_the_admin_is_audited(client, editor):
    client.force_login(editor)
    target = Target.objects.get()
    client.post(
        reverse("admin:metrics_target_change", args=[target.pk]),
        {
            "percent": "5.50",
            "stretch_percent": "6.00",
            "effective_from": target.effective_from.isoformat(),
            "note": target.note,
        },
    )
    entry = AuditEntry.objects.get(model="metrics.target")
    assert entry.user == editor and entry.changes["percent"] == ["5.00", "5.50"]


def test_a_change_of_role_in_the_admin_is_a_dated_appointment_and_the_role_before_stays(editor_client):
    today = timezone.localdate()
    member = factories.legislator(name="Rising Star", role="MLA", term_start=today - timedelta(days=100))
    post = legislator_post(member)
    post.update(
        {
            "appointments-TOTAL_FORMS": "1",
            "appointments-0-legislator": member.pk,
            "appointments-0-role": "MOS",
            "appointments-0-start": today.isoformat(),
        }
    )
    response = editor_client.post(reverse("admin:legislators_legislator_change", args=[member.pk]), post)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == "MOS"  # the current role, copied from the appointment held today
    assert list(Appointment.objects.filter(legislator=member).values_list("role", "start")) == [("MOS", today)]
    yesterday = engine.standings(day=today - timedelta(days=1), member_ids=[member.pk]).members
    assert [m.role for m in yesterday] == ["MLA"]


def test_overlapping_terms_in_the_admin_are_refused_with_a_message(editor_client):
    today = timezone.localdate()
    seat = factories.constituency()
    factories.legislator(name="Sitting", constituency_=seat, term_start=today - timedelta(days=100))
    newcomer = factories.person(name="Newcomer")
    post = legislator_post(newcomer)
    post.update(
        {
            "terms-TOTAL_FORMS": "1",
            "terms-0-legislator": newcomer.pk,
            "terms-0-constituency": seat.pk,
            "terms-0-start": (today - timedelta(days=10)).isoformat(),
            "terms-0-how_elected": "by_election",
        }
    )
    response = editor_client.post(reverse("admin:legislators_legislator_change", args=[newcomer.pk]), post)

    assert response.status_code == 200
    assert "The seat is held by Sitting" in response.content.decode()
    assert not newcomer.terms.exists()


def test_accounts_cannot_be_deleted_in_the_admin_only_retired(editor_client, editor):
    account = factories.account(factories.legislator(), handle="to_retire")
    assert editor_client.get(reverse("admin:legislators_socialaccount_delete", args=[account.pk])).status_code == 403
    response = editor_client.post(
        reverse("admin:legislators_socialaccount_changelist"),
        {"action": "retire_accounts", "_selected_action": [account.pk]},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.active is False
    entry = AuditEntry.objects.get(model="legislators.socialaccount")
    assert (entry.action, entry.user) == ("retire", editor)


def test_poll_now_queues_a_planned_fetch_per_platform(editor_client, django_capture_on_commit_callbacks):
    member = factories.legislator()
    x_account = factories.account(member, handle="poll_me")
    youtube = factories.account(member, platform="youtube", handle="pollme.yt")
    with (
        mock.patch("metrics.polling.tasks.plan_fetch_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        editor_client.post(
            reverse("admin:legislators_socialaccount_changelist"),
            {"action": "poll_accounts_now", "_selected_action": [x_account.pk, youtube.pk]},
        )
    assert sorted(call.args[0] for call in delay.call_args_list) == ["x", "youtube"]
    assert [call.args[1] for call in delay.call_args_list if call.args[0] == "x"] == [[x_account.pk]]


def test_a_handle_given_as_a_url_is_normalised_and_a_rename_is_kept(editor_client):
    member = factories.legislator()
    account = factories.account(member, handle="first_name")
    url = reverse("admin:legislators_socialaccount_change", args=[account.pk])
    data = {
        "legislator": member.pk,
        "platform": "x",
        "handle": "https://twitter.com/second_name",
        "platform_id": "",
        "kind": "official",
        "status": "pending",
        "active": "on",
    }
    assert editor_client.post(url, data).status_code == 302
    account.refresh_from_db()
    assert account.handle == "second_name"
    assert HandleChange.objects.get(account=account).old_handle == "first_name"

    data["handle"] = "no-dashes-allowed-on-x"
    page = editor_client.post(url, data).content.decode()
    assert "cannot be a X handle: expected 1-15 letters, digits or _" in page

    factories.account(factories.legislator(name="Other Member"), handle="Taken_Elsewhere")
    data["handle"] = "taken_elsewhere"
    page = editor_client.post(url, data).content.decode()
    assert "already belongs to Other Member" in page


def test_the_changelists_computed_columns_take_a_fixed_number_of_queries(editor_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = editor_client.get(reverse("admin:legislators_legislator_changelist"))
        assert response.status_code == 200
        return len(captured), response.content.decode()

    def add_member(n):
        member = factories.legislator(constituency_=factories.constituency(electors=100000))
        factories.counts(factories.account(member, handle=f"member_{n}"), {timezone.localdate(): 5000 + n})

    add_member(0)
    few, page = queries()
    assert "5.00" in page  # 5,000 of 100,000 electors
    for n in range(1, 8):
        add_member(n)
    many, _page = queries()
    assert few == many
    accounts = editor_client.get(reverse("admin:legislators_socialaccount_changelist"))
    assert accounts.status_code == 200


def test_the_audit_trail_exports_as_csv_with_authors(editor_client, editor):
    member = factories.legislator(name="Before")
    editor_client.post(
        reverse("admin:legislators_legislator_change", args=[member.pk]), legislator_post(member, name="After")
    )
    entry = AuditEntry.objects.get()
    response = editor_client.post(
        reverse("admin:legislators_auditentry_changelist"),
        {"action": "export_audit_csv", "_selected_action": [entry.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["when", "by", "source"]
    assert rows[1][1:3] == ["editor", "admin"] and rows[1][8:11] == ["name", "Before", "After"]


def test_search_finds_members_in_either_script(editor_client):
    factories.legislator(name="Kamla Devi", name_hi="कमला देवी")
    page = editor_client.get(reverse("admin:legislators_legislator_changelist"), {"q": "कमला"}).content.decode()
    assert "Kamla Devi" in page
    assert Legislator.objects.count() == 1


def test_every_data_management_admin_page_opens_for_an_editor(editor_client, editor):
    member = factories.legislator(constituency_=factories.constituency(electors=100000))
    account = factories.account(member, handle="smoke_test")
    from legislators.services import account_record_rename

    account_record_rename(account=account, new_handle="smoke_test2", user=editor)
    for name in (
        "legislator",
        "socialaccount",
        "constituency",
        "voterroll",
        "term",
        "appointment",
        "aspirant",
        "handlechange",
        "auditentry",
        "importbatch",
    ):
        response = editor_client.get(reverse(f"admin:legislators_{name}_changelist"))
        assert response.status_code == 200, name
    assert editor_client.get(reverse("admin:legislators_importbatch_upload")).status_code == 200
    assert editor_client.get(reverse("admin:legislators_socialaccount_change", args=[account.pk])).status_code == 200
    assert editor_client.get(reverse("admin:legislators_legislator_change", args=[member.pk])).status_code == 200
    assert editor_client.get(reverse("admin:metrics_followersnapshot_add")).status_code == 200


def test_a_count_added_in_the_admin_is_manual_with_its_evidence_and_author(editor_client, editor):
    from metrics.models import FollowerSnapshot

    account = factories.account(factories.legislator(), platform="facebook", handle="some.page")
    day = timezone.localdate()
    response = editor_client.post(
        reverse("admin:metrics_followersnapshot_add"),
        {
            "account": account.pk,
            "day": day.isoformat(),
            "followers": "321",
            "posts": "",
            "evidence_url": "https://example.org/page.png",
            "taken_at": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    snapshot = FollowerSnapshot.objects.get(account=account, day=day)
    assert (snapshot.source, snapshot.evidence_url) == ("manual", "https://example.org/page.png")
    assert AuditEntry.objects.get(model="metrics.followersnapshot").user == editor


def test_ending_a_term_and_adding_the_next_in_one_admin_save_is_a_dated_party_switch(editor_client):
    today = timezone.localdate()
    seat = factories.constituency()
    member = factories.legislator(
        name="Switcher", constituency_=seat, party_=factories.party("OLD"), term_start=today - timedelta(days=100)
    )
    post = legislator_post(member)
    switch = today - timedelta(days=10)
    post.update(
        {
            "terms-0-end": (switch - timedelta(days=1)).isoformat(),
            "terms-0-end_reason": "party_change",
            "terms-TOTAL_FORMS": "2",
            "terms-1-legislator": member.pk,
            "terms-1-constituency": seat.pk,
            "terms-1-party": factories.party("NEW").pk,
            "terms-1-start": switch.isoformat(),
            "terms-1-how_elected": "general",
        }
    )
    response = editor_client.post(reverse("admin:legislators_legislator_change", args=[member.pk]), post)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(member.terms.values_list("party__short_name", "end")) == [
        ("OLD", switch - timedelta(days=1)),
        ("NEW", None),
    ]
    member.refresh_from_db()
    assert member.party.short_name == "NEW"
    # Two rows of the same save that overlap are refused, naming both.
    post = legislator_post(member)
    post["terms-1-start"] = (switch - timedelta(days=5)).isoformat()
    response = editor_client.post(reverse("admin:legislators_legislator_change", args=[member.pk]), post)
    assert response.status_code == 200 and "Rows 1 and 2 overlap" in response.content.decode()
