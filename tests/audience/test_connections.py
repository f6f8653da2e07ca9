"""Connecting a member's accounts (Facebook Login for Business, Google with PKCE), the staff link, refresh and
revoke, against fake providers on 127.0.0.1; who may do it (legislators.access)."""

import html
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from follower_tracker import crypto
from legislators.models import Platform
from metrics.audience import connections
from metrics.audience.models import Connection
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return factories.legislator(name="Asha Verma")


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(factories.user("eddie", "Editor"))
    return client


def _start(client, account):
    response = client.post(reverse("metrics:connect_start", args=[account.pk]))
    assert response.status_code == 302
    return urlparse(response["Location"]), parse_qs(urlparse(response["Location"]).query)


def test_without_configuration_the_page_says_so_and_counts_need_none(editor_client, member, settings):
    settings.CONNECTIONS_ENCRYPTION_KEYS = ""
    account = factories.account(member, platform=Platform.INSTAGRAM, handle="asha.mp")
    page = editor_client.get(reverse("metrics:member_connections", args=[member.pk])).content.decode()
    assert "Not configured on this server" in page
    response = editor_client.post(reverse("metrics:connect_start", args=[account.pk]), follow=True)
    assert "Connecting is not configured on this server" in response.content.decode()
    assert not Connection.objects.exists()


def test_instagram_connects_through_facebook_login_for_business(editor_client, member, meta):
    account = factories.account(member, platform=Platform.INSTAGRAM, handle="asha.mp")
    meta.add_page("901", "ashapage", ig_id="17841400000000777", ig_username="asha.mp")
    url, query = _start(editor_client, account)
    assert url.netloc == "www.facebook.test" and url.path == "/v26.0/dialog/oauth"
    assert query["config_id"] == ["cfg-42"] and query["redirect_uri"] == ["http://testserver/connections/callback/"]
    response = editor_client.get(
        reverse("metrics:connect_callback"), {"code": meta.add_code(), "state": query["state"][0]}, follow=True
    )
    assert "is connected" in response.content.decode()
    connection = Connection.objects.get(account=account)
    assert connection.status == "connected" and connection.external_id == "17841400000000777"
    long_lived = [t for t in meta.user_tokens if t.startswith("EAALong")]
    assert crypto.decrypt(connection.access_token_encrypted) == long_lived[0]
    assert long_lived[0] not in connection.access_token_encrypted  # encrypted at rest
    assert connection.expires_at > timezone.now() + timedelta(days=59)


def test_a_page_connects_with_its_page_token(editor_client, member, meta):
    account = factories.account(member, platform=Platform.FACEBOOK, handle="ashapage")
    meta.add_page("901", "ashapage")
    _url, query = _start(editor_client, account)
    editor_client.get(reverse("metrics:connect_callback"), {"code": meta.add_code(), "state": query["state"][0]})
    connection = Connection.objects.get(account=account)
    assert crypto.decrypt(connection.access_token_encrypted) in meta.page_tokens
    assert connection.expires_at is None and connection.external_id == "901"


def test_a_login_that_does_not_manage_the_account_is_refused_with_the_reason(editor_client, member, meta):
    account = factories.account(member, platform=Platform.INSTAGRAM, handle="asha.mp")
    meta.add_page("902", "otherpage", ig_id="17841400000000999", ig_username="someone.else")
    _url, query = _start(editor_client, account)
    response = editor_client.get(
        reverse("metrics:connect_callback"), {"code": meta.add_code(), "state": query["state"][0]}
    )
    assert response.status_code == 400
    assert "does not manage 'asha.mp' (it manages: someone.else)" in html.unescape(response.content.decode())
    assert not Connection.objects.exists()


def test_youtube_connects_with_pkce_and_keeps_a_refresh_token(editor_client, member, google):
    account = factories.account(member, platform=Platform.YOUTUBE, handle="@ashaverma")
    google.add_channel("UCasha0000000000000000aa", "ashaverma")
    url, query = _start(editor_client, account)
    assert query["code_challenge_method"] == ["S256"] and query["access_type"] == ["offline"]
    code = google.add_code(query["code_challenge"][0], "UCasha0000000000000000aa")
    editor_client.get(reverse("metrics:connect_callback"), {"code": code, "state": query["state"][0]})
    connection = Connection.objects.get(account=account)
    assert connection.external_id == "UCasha0000000000000000aa"
    assert crypto.decrypt(connection.refresh_token_encrypted) in google.refresh


def test_a_callback_with_another_state_is_refused(editor_client, member, google):
    account = factories.account(member, platform=Platform.YOUTUBE, handle="@ashaverma")
    google.add_channel("UCasha0000000000000000aa", "ashaverma")
    _url, query = _start(editor_client, account)
    code = google.add_code(query["code_challenge"][0], "UCasha0000000000000000aa")
    response = editor_client.get(reverse("metrics:connect_callback"), {"code": code, "state": "forged"})
    assert response.status_code == 400 and not Connection.objects.exists()


def test_only_editors_connect_and_only_in_their_scope(member, meta):
    account = factories.account(member, platform=Platform.INSTAGRAM, handle="asha.mp")
    for group in ("Viewer", "Analyst"):
        client = Client()
        client.force_login(factories.user(f"u-{group}", group))
        assert client.get(reverse("metrics:member_connections", args=[member.pk])).status_code == 403
        assert client.post(reverse("metrics:connect_start", args=[account.pk])).status_code == 403
    elsewhere = factories.district()
    limited = Client()
    limited.force_login(factories.user("dist-editor", "Editor", districts=[elsewhere]))
    assert limited.get(reverse("metrics:member_connections", args=[member.pk])).status_code == 404
    assert limited.post(reverse("metrics:connect_start", args=[account.pk])).status_code == 404


def test_a_staff_link_connects_that_member_only_without_a_login(editor_client, member, meta):
    account = factories.account(member, platform=Platform.INSTAGRAM, handle="asha.mp")
    other = factories.account(factories.legislator(), platform=Platform.INSTAGRAM, handle="other.mp")
    meta.add_page("901", "ashapage", ig_id="17841400000000777", ig_username="asha.mp")
    page = editor_client.post(reverse("metrics:connect_link_create", args=[member.pk])).content.decode()
    link = page.split('class="link-copy"')[0].rsplit('value="', 1)[1].split('"')[0]
    staff = Client()
    path = urlparse(link).path
    assert "Asha Verma" in staff.get(path).content.decode()
    assert staff.post(path, {"account": other.pk}).status_code == 404  # another member's account
    response = staff.post(path, {"account": account.pk})
    state = parse_qs(urlparse(response["Location"]).query)["state"][0]
    done = staff.get(reverse("metrics:connect_callback"), {"code": meta.add_code(), "state": state})
    assert "is connected" in done.content.decode()
    connection = Connection.objects.get(account=account)
    assert connection.connected_via_link and connection.connected_by.username == "eddie"


def test_an_expired_or_altered_staff_link_does_nothing(member, settings, monkeypatch):
    token = connections.connect_link_make(legislator_id=member.pk, user_id=None)
    staff = Client()
    assert staff.get(reverse("metrics:connect_link", args=[token + "x"])).status_code == 404
    later = timezone.now().timestamp() + settings.CONNECT_LINK_HOURS * 3600 + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = staff.get(reverse("metrics:connect_link", args=[token]))
    assert response.status_code == 404 and "expired" in response.content.decode()


def _google_connection(member, google, *, expires_in=3599):
    account = factories.account(member, platform=Platform.YOUTUBE, handle="@ashaverma")
    google.add_channel("UCasha0000000000000000aa", "ashaverma")
    google.expires_in = expires_in
    flow_url, flow = connections.connect_begin(account=account)
    challenge = parse_qs(urlparse(flow_url).query)["code_challenge"][0]
    return connections.connect_complete(flow=flow, code=google.add_code(challenge, "UCasha0000000000000000aa"))


def test_a_token_near_expiry_is_refreshed_by_the_daily_job(member, google):
    connection = _google_connection(member, google)
    old = crypto.decrypt(connection.access_token_encrypted)
    assert connections.connections_refresh_due() == (1, 0)  # expires within CONNECTION_REFRESH_DAYS
    connection.refresh_from_db()
    assert crypto.decrypt(connection.access_token_encrypted) not in (old, "") and connection.refreshed_at


def test_a_refresh_the_provider_refuses_marks_the_connection_revoked(member, google):
    connection = _google_connection(member, google)
    google.refresh.clear()  # the owner removed the app in their Google account
    assert connections.connections_refresh_due() == (0, 1)
    connection.refresh_from_db()
    assert connection.status == "revoked" and "invalid_grant" in connection.status_reason
    assert connection.access_token_encrypted == "" == connection.refresh_token_encrypted


def test_revoking_from_the_page_tells_the_provider_and_erases_the_tokens(editor_client, member, google):
    connection = _google_connection(member, google)
    refresh = crypto.decrypt(connection.refresh_token_encrypted)
    response = editor_client.post(reverse("metrics:connection_revoke", args=[connection.pk]), follow=True)
    assert "is revoked: its tokens are erased" in response.content.decode()
    connection.refresh_from_db()
    assert google.revoked == [refresh]
    assert (connection.status, connection.access_token_encrypted, connection.revoked_by.username) == (
        "revoked",
        "",
        "eddie",
    )


def test_revoking_in_the_admin(member, google):
    connection = _google_connection(member, google)
    admin = Client()
    admin.force_login(factories.user("root", is_superuser=True, is_staff=True))
    response = admin.post(
        reverse("admin:metrics_connection_changelist"),
        {"action": "revoke_connections", "_selected_action": [connection.pk]},
        follow=True,
    )
    assert "1 connection(s) revoked." in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == "revoked" and len(google.revoked) == 1
