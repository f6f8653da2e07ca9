"""Hostile names render as text everywhere; secrets never reach logs or stored errors; /healthz says little."""

import io
import json
import logging

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.urls import reverse
from django.utils import timezone

from follower_tracker.celery import _redact_secrets_in_worker_logs
from follower_tracker.celery import app as celery_app
from follower_tracker.logging import REDACTED, RedactSecretsFilter, redact
from legislators.models import Platform
from metrics.models import FetchRun
from metrics.polling import runs
from metrics.polling.clients.base import FetchOutcome
from metrics.polling.tasks import fetch_batch_task
from tests import factories

HOSTILE_NAME = "<script>alert('name')</script> \"Quoted\" O'Brien आशा देवी"
HOSTILE_HANDLE = "<img src=x onerror=alert(1)>"
HOSTILE_PARTY = '<b onmouseover="alert(2)">Party</b>'
TOKEN = "tok-live-9f8e7d6c5b4a3210"


@pytest.fixture
def hostile_member(db):
    place = factories.constituency(name="<i>Town</i>", electors=100_000)
    member = factories.legislator(
        HOSTILE_NAME, place, party_=factories.party("<s>"), name_hi="<script>alert('hi')</script> आशा"
    )
    member.party.name = HOSTILE_PARTY
    member.party.save()
    account = factories.account(member, Platform.X, handle=HOSTILE_HANDLE)
    factories.counts(account, {timezone.localdate(): 5_000})
    return member


def _assert_escaped(html, where):
    assert "<script>alert" not in html, f"{where}: a name became a script"
    assert "<img src=x onerror" not in html, f"{where}: a handle became an image"
    assert '<b onmouseover="alert(2)">' not in html, f"{where}: a party name became markup"


@pytest.mark.django_db
def test_hostile_names_render_escaped_on_every_page_and_in_chart_data(client, hostile_member, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    editor = factories.user("editor", "Editor", is_staff=True)
    client.force_login(editor)
    pages = {
        "overview": reverse("metrics:overview"),
        "member": reverse("metrics:member", args=[hostile_member.pk]),
        "admin list": reverse("admin:legislators_legislator_changelist"),
        "admin change": reverse("admin:legislators_legislator_change", args=[hostile_member.pk]),
        "admin accounts": reverse("admin:legislators_socialaccount_changelist"),
        "admin snapshots": reverse("admin:metrics_followersnapshot_changelist"),
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        html = response.content.decode()
        _assert_escaped(html, where)
    overview = client.get(pages["overview"]).content.decode()
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt; &quot;Quoted&quot; O&#x27;Brien आशा देवी" in overview
    member_page = client.get(pages["member"]).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in member_page
    # The chart's data block (json_script) cannot close its <script> element early.
    data = member_page.split('id="history-data" type="application/json">')[1].split("</script>")[0]
    assert "<" not in data and ">" not in data
    assert json.loads(data)["data"]


@pytest.mark.django_db
def test_hindi_page_shows_devanagari_escaped(client, hostile_member, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(factories.user("viewer", "Viewer"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    html = client.get(reverse("metrics:member", args=[hostile_member.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt; आशा" in html
    _assert_escaped(html, "member page in Hindi")


def test_redact_replaces_every_secret_setting(settings):
    settings.X_BEARER_TOKEN = TOKEN
    settings.SOME_NEW_PLATFORM_API_KEY = "key-abcdef123456"  # found by its name, without being listed
    text = f"GET https://api.example/2/users?ids=1 Authorization: Bearer {TOKEN} key=key-abcdef123456"
    cleaned = redact(text)
    assert TOKEN not in cleaned and "key-abcdef123456" not in cleaned
    assert cleaned.count(REDACTED) == 2
    assert redact(f"secret key {settings.SECRET_KEY}") == f"secret key {REDACTED}"


def test_redact_catches_a_secret_url_encoded_and_url_decoded(settings):
    # A Graph token with characters a URL encodes, and one that arrived encoded.
    settings.FACEBOOK_ACCESS_TOKEN = "EAAB/x+y=z|abc123"
    settings.YOUTUBE_API_KEY = "AIza%2Fsecret%3Dkey"
    echoed = (
        "Invalid token EAAB%2Fx%2By%3Dz%7Cabc123 (as sent); "
        "the same with + for spaces EAAB%2Fx%2By%3Dz%7Cabc123; "
        "key echoed back decoded: AIza/secret=key; raw: EAAB/x+y=z|abc123"
    )
    cleaned = redact(echoed)
    for leaked in ("EAAB/x+y=z|abc123", "EAAB%2Fx%2By%3Dz%7Cabc123", "AIza/secret=key", "AIza%2Fsecret%3Dkey"):
        assert leaked not in cleaned
    assert cleaned.count(REDACTED) == 4


def test_logs_never_show_a_token_even_in_a_traceback(settings):
    settings.X_BEARER_TOKEN = TOKEN
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    log = logging.getLogger("tests.redaction")
    log.addHandler(handler)
    try:
        log.warning("calling with %s", TOKEN)
        try:
            raise ValueError(f"401 Unauthorized for token {TOKEN}")
        except ValueError:
            log.exception("platform call failed")
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output
    assert "calling with [redacted]" in output and "401 Unauthorized for token [redacted]" in output


def test_the_configured_handlers_and_celerys_handlers_redact():
    root_handlers = logging.getLogger().handlers
    assert any(any(isinstance(f, RedactSecretsFilter) for f in h.filters) for h in root_handlers)
    worker_logger = logging.getLogger("tests.worker")
    handler = logging.StreamHandler(io.StringIO())
    worker_logger.addHandler(handler)
    try:
        _redact_secrets_in_worker_logs(logger=worker_logger)
        assert any(isinstance(f, RedactSecretsFilter) for f in handler.filters)
    finally:
        worker_logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_token_in_a_client_error_is_not_stored_on_the_run(settings, monkeypatch):
    settings.X_BEARER_TOKEN = TOKEN
    member = factories.legislator()
    factories.account(member, Platform.X)

    class LeakyClient:
        max_batch = 100

        def fetch(self, accounts):
            raise RuntimeError(f"403 Forbidden: https://api.x.com/2/users?access_token={TOKEN}")

    monkeypatch.setattr(runs, "get_client", lambda platform: LeakyClient())
    run = runs.fetch_run_plan(platform=Platform.X)
    with pytest.raises(RuntimeError):
        fetch_batch_task.apply(args=[run.batches.get().pk], throw=True)
    run.refresh_from_db()
    assert run.status == FetchRun.Status.FAILED
    stored = json.dumps(run.errors) + json.dumps(list(run.batches.values_list("errors", flat=True)))
    assert "403 Forbidden" in stored and TOKEN not in stored and REDACTED in stored


@pytest.mark.django_db
def test_a_token_in_an_account_error_is_not_stored(settings, monkeypatch):
    settings.X_BEARER_TOKEN = TOKEN
    account = factories.account(factories.legislator(), Platform.X)

    class Client:
        max_batch = 100

        def fetch(self, accounts):
            from metrics.polling.clients.base import AccountResult

            return FetchOutcome(
                results=[AccountResult(account_id=account.pk, status="error", error=f"bad token {TOKEN}")],
                errors=[f"call failed with {TOKEN}"],
            )

    monkeypatch.setattr(runs, "get_client", lambda platform: Client())
    run = runs.fetch_run_plan(platform=Platform.X)
    runs.fetch_batch(batch_id=run.batches.get().pk)
    run.refresh_from_db()
    account.refresh_from_db()
    assert TOKEN not in json.dumps(run.errors) and TOKEN not in account.last_error
    assert REDACTED in account.last_error


@pytest.mark.django_db
def test_a_server_error_page_shows_no_secret(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    settings.X_BEARER_TOKEN = TOKEN
    from unittest import mock

    with mock.patch("metrics.standings.pages.standings", side_effect=RuntimeError(f"boom {TOKEN}")):
        client.force_login(factories.user("viewer", "Viewer"))
        response = client.get(reverse("metrics:overview"))
    assert response.status_code == 500
    assert TOKEN not in response.content.decode() and "boom" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_and_nothing_else(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_says_503_when_the_broker_is_unreachable(client):
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}


@pytest.mark.django_db
def test_healthz_says_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server at 10.0.0.5 port 5432")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "broker": "ok"}
    assert "10.0.0.5" not in response.content.decode()
