"""Editors start a poll now; a dead broker gives a message, not a 500."""

from unittest import mock

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from metrics.models import FetchRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_poll_page_lists_each_platform_with_its_last_run(editor_client):
    FetchRun.objects.create(platform="youtube", started_at="2026-01-02T03:04:00Z", status="done", accounts_ok=7)
    page = editor_client.get(reverse("metrics:poll")).content.decode()
    assert "YouTube" in page and "2026-01-02" in page and "never polled" in page
    assert page.count('name="platform"') == 4


def test_poll_now_queues_a_poll(editor_client):
    with mock.patch("metrics.web.views.plan_fetch_task.delay") as delay:
        response = editor_client.post(reverse("metrics:poll"), {"platform": "x"}, follow=True)
    delay.assert_called_once_with("x")
    assert "A poll of X is queued." in response.content.decode()


def test_poll_now_with_the_broker_down_says_the_queue_is_unavailable(editor_client):
    with mock.patch("metrics.web.views.plan_fetch_task.delay", side_effect=OperationalError("Connection refused")):
        response = editor_client.post(reverse("metrics:poll"), {"platform": "facebook"}, follow=True)
    assert response.status_code == 200
    assert "The queue is unavailable, so Facebook cannot be polled now." in response.content.decode()


def test_poll_now_refuses_an_unknown_platform(editor_client):
    with mock.patch("metrics.web.views.plan_fetch_task.delay") as delay:
        response = editor_client.post(reverse("metrics:poll"), {"platform": "myspace"}, follow=True)
    delay.assert_not_called()
    assert "Choose a platform to poll." in response.content.decode()


def test_viewers_and_analysts_cannot_poll(client, viewer, analyst):
    for person in (viewer, analyst):
        client.force_login(person)
        with mock.patch("metrics.web.views.plan_fetch_task.delay") as delay:
            assert client.post(reverse("metrics:poll"), {"platform": "x"}).status_code == 403
        delay.assert_not_called()
