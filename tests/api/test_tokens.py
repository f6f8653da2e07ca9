"""Personal API tokens: made and revoked on the API tokens page and in the admin, stored hashed,
shown once; refused when revoked or expired; every use attributable."""

import hashlib
import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from metrics.models import ApiToken
from metrics.tokens import api_token_create, api_token_revoke
from tests import factories

pytestmark = pytest.mark.django_db

STANDINGS = "/api/v1/standings/"


def bearer(secret, keyword="Bearer"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


def test_the_page_makes_a_token_and_shows_its_secret_once(client, viewer):
    client.force_login(viewer)
    response = client.post(reverse("metrics:api_tokens"), {"name": "weekly script", "expires_on": ""})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("ft_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=viewer)
    assert token.name == "weekly script" and token.expires_at is None
    # Only the fingerprint is stored: the secret is nowhere in the row.
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values_list()))
    assert token.prefix == secret[:11]
    listing = client.get(reverse("metrics:api_tokens")).content.decode()
    assert "weekly script" in listing and token.prefix in listing and secret not in listing
    assert bearer(secret).get(STANDINGS).status_code == 200


def test_a_token_can_be_given_a_last_day(client, viewer):
    client.force_login(viewer)
    last_day = timezone.localdate() + timedelta(days=10)
    client.post(reverse("metrics:api_tokens"), {"name": "short", "expires_on": last_day.isoformat()})
    token = ApiToken.objects.get(user=viewer)
    assert timezone.localtime(token.expires_at).date() == last_day + timedelta(days=1)
    assert timezone.localtime(token.expires_at).time() == timezone.datetime.min.time()
    past = client.post(reverse("metrics:api_tokens"), {"name": "past", "expires_on": "2020-01-01"})
    assert past.status_code == 200 and "cannot be in the past" in past.content.decode()
    assert ApiToken.objects.filter(user=viewer).count() == 1


def test_the_user_revokes_their_token_and_it_is_refused_at_once(client, viewer):
    token, secret = api_token_create(user=viewer, name="laptop")
    client.force_login(viewer)
    assert bearer(secret).get(STANDINGS).status_code == 200
    response = client.post(reverse("metrics:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = bearer(secret).get(STANDINGS)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Token revoked."}
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'


def test_nobody_revokes_or_sees_another_users_token(client, viewer, analyst):
    token, _secret = api_token_create(user=analyst, name="theirs")
    client.force_login(viewer)
    assert client.post(reverse("metrics:api_token_revoke", args=[token.pk])).status_code == 404
    assert "theirs" not in client.get(reverse("metrics:api_tokens")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_is_a_post(client, viewer):
    token, _secret = api_token_create(user=viewer, name="x")
    client.force_login(viewer)
    assert client.get(reverse("metrics:api_token_revoke", args=[token.pk])).status_code == 405


def test_the_page_needs_the_dashboard_permission(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("metrics:api_tokens")).status_code == 403


def test_an_expired_token_is_refused(viewer):
    _token, secret = api_token_create(user=viewer, name="old", expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(secret).get(STANDINGS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Token expired."}


@pytest.mark.parametrize(
    "header",
    ["Bearer ft_not-a-real-token", "Bearer", "Bearer two parts", "Token ft_nope", "Bearer \u00e9t\u00e9"],
)
def test_a_wrong_token_is_refused(viewer, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
    assert client.get(STANDINGS).status_code == 401


def test_no_credentials_is_401_not_a_login_redirect(db):
    response = APIClient().get(STANDINGS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_token_keyword_works_too(viewer):
    _token, secret = api_token_create(user=viewer, name="t")
    assert bearer(secret, "Token").get(STANDINGS).status_code == 200


def test_a_deactivated_users_token_is_refused(viewer):
    _token, secret = api_token_create(user=viewer, name="t")
    viewer.is_active = False
    viewer.save()
    assert bearer(secret).get(STANDINGS).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(viewer):
    token, secret = api_token_create(user=viewer, name="t")
    client = bearer(secret)
    client.get(STANDINGS)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(STANDINGS)
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: not written again
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(seconds=61))
    client.get(STANDINGS)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_every_request_by_a_token_is_logged_with_the_token_and_its_user(viewer, caplog):
    token, secret = api_token_create(user=viewer, name="t")
    with caplog.at_level(logging.INFO, logger="metrics.api.authentication"):
        bearer(secret).get(STANDINGS + "?status=below")
    lines = [record.getMessage() for record in caplog.records if record.name == "metrics.api.authentication"]
    assert lines == [f"API request by token {token.pk} of user {viewer.pk} (viewer): GET {STANDINGS}?status=below"]
    assert secret not in caplog.text


def test_the_token_is_on_request_auth(viewer, rf):
    from metrics.api.authentication import ApiTokenAuthentication

    token, secret = api_token_create(user=viewer, name="t")
    request = rf.get(STANDINGS, HTTP_AUTHORIZATION=f"Bearer {secret}")
    user, auth = ApiTokenAuthentication().authenticate(request)
    assert user == viewer and auth == token


def test_session_auth_works_for_the_browser(client, viewer):
    client.force_login(viewer)
    assert client.get(STANDINGS).status_code == 200


# --- the admin --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    client.force_login(factories.user("root", is_staff=True, is_superuser=True))
    return client


def test_admins_see_every_token_and_revoke_them(admin_client, viewer, analyst):
    first, first_secret = api_token_create(user=viewer, name="viewer's")
    second, _ = api_token_create(user=analyst, name="analyst's")
    listing = admin_client.get(reverse("admin:metrics_apitoken_changelist")).content.decode()
    assert "viewer&#x27;s" in listing and "analyst&#x27;s" in listing and first.prefix in listing
    admin_client.post(
        reverse("admin:metrics_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [first.pk]},
    )
    first.refresh_from_db(), second.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert bearer(first_secret).get(STANDINGS).status_code == 401


def test_admins_make_a_token_for_a_user_and_see_the_secret_once(admin_client, viewer):
    response = admin_client.post(
        reverse("admin:metrics_apitoken_add"), {"user": viewer.pk, "name": "for the IT cell", "expires_at": ""}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode() and "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=viewer)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    change = admin_client.get(reverse("admin:metrics_apitoken_change", args=[token.pk])).content.decode()
    assert secret not in change
    assert bearer(secret).get(STANDINGS).status_code == 200


def test_tokens_are_never_deleted(admin_client, viewer):
    token, _ = api_token_create(user=viewer, name="t")
    assert admin_client.get(reverse("admin:metrics_apitoken_delete", args=[token.pk])).status_code == 403


def test_revoking_twice_keeps_the_first_time(viewer):
    token, _ = api_token_create(user=viewer, name="t")
    api_token_revoke(token=token, now=timezone.now() - timedelta(days=1))
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    api_token_revoke(token=ApiToken.objects.get(pk=token.pk))
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
