"""The admin's "poll now" actions enqueue the scheduled plan task at once."""

from unittest import mock

import pytest
from django.urls import reverse

from legislators.models import Platform
from tests import factories

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:legislators_socialaccount_changelist"


@pytest.fixture
def accounts():
    member = factories.legislator()
    return {
        "x1": factories.account(member, platform=Platform.X),
        "x2": factories.account(member, platform=Platform.X),
        "yt": factories.account(member, platform=Platform.YOUTUBE),
        "retired": factories.account(member, platform=Platform.X, active=False),
    }


def _act(admin_client, action, selected, django_capture_on_commit_callbacks):
    with (
        mock.patch("metrics.polling.admin_actions.plan_fetch_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client.post(
            reverse(CHANGELIST), {"action": action, "_selected_action": [a.pk for a in selected]}, follow=True
        )
    return response, sorted(call.args for call in delay.call_args_list)


def test_poll_now_queues_the_selected_active_accounts_per_platform(
    admin_client, accounts, django_capture_on_commit_callbacks
):
    selected = [accounts["x1"], accounts["yt"], accounts["retired"]]
    response, queued = _act(admin_client, "poll_accounts_now", selected, django_capture_on_commit_callbacks)
    assert queued == [("x", [accounts["x1"].pk]), ("youtube", [accounts["yt"].pk])]
    assert "2 accounts queued for polling" in response.content.decode()


def test_poll_platform_now_queues_whole_platforms(admin_client, accounts, django_capture_on_commit_callbacks):
    response, queued = _act(admin_client, "poll_platforms_now", [accounts["x2"]], django_capture_on_commit_callbacks)
    assert queued == [("x", None)]
    assert "Polling queued for: x" in response.content.decode()


def test_a_viewer_cannot_poll(client, viewer, accounts):
    client.force_login(viewer)
    response = client.post(reverse(CHANGELIST), {"action": "poll_accounts_now", "_selected_action": [1]})
    assert response.status_code == 302 and "/login/" in response["Location"]
