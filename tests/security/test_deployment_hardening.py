"""Deployment hardening: pages are not cached, /healthz answers over plain HTTP,
login throttling per address (also behind a proxy)."""

import pytest
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from follower_tracker.middleware import PrivatePagesMiddleware
from follower_tracker.throttling import client_ip
from tests import factories

NO_STORE = "private, no-store"
PASSWORD = "correct horse battery"


# --- Cache-Control on pages -------------------------------------------------


@pytest.mark.django_db
def test_login_page_and_dashboard_pages_are_private_and_not_stored(client):
    # The login view is never_cache (Django's own, stricter header, which includes both).
    assert {"private", "no-store"} <= _directives(client.get(reverse("login")))
    # The redirect to the login page is an HTML response too.
    assert client.get(reverse("metrics:overview"))["Cache-Control"] == NO_STORE
    client.force_login(factories.user("viewer", "Viewer"))
    page = client.get(reverse("metrics:overview"))
    assert page.status_code == 200 and page["Cache-Control"] == NO_STORE
    assert client.get("/no-such-page/")["Cache-Control"] == NO_STORE


def _directives(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.django_db
def test_a_response_that_sets_its_own_cache_control_keeps_it(client):
    health = client.get(reverse("healthz"))  # never_cache
    assert "no-cache" in health["Cache-Control"] and "max-age=0" in health["Cache-Control"]


def test_middleware_touches_only_html_without_cache_control():
    request = RequestFactory().get("/")

    def through(response):
        return PrivatePagesMiddleware(lambda _request: response)(request)

    assert through(HttpResponse("<p>page</p>"))["Cache-Control"] == NO_STORE
    own = HttpResponse("<p>page</p>")
    own["Cache-Control"] = "max-age=60"
    assert through(own)["Cache-Control"] == "max-age=60"
    assert not through(JsonResponse({"a": 1})).has_header("Cache-Control")
    assert not through(HttpResponse("a,b\n", content_type="text/csv")).has_header("Cache-Control")


def test_the_middleware_sits_right_below_whitenoise():
    """Whitenoise answers static files before any middleware below it runs."""
    middleware = settings.MIDDLEWARE
    whitenoise = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")
    assert middleware[whitenoise + 1] == "follower_tracker.middleware.PrivatePagesMiddleware"


@pytest.mark.django_db
def test_static_files_keep_whitenoise_cache_headers(settings, tmp_path):
    """Whitenoise's own header (here the short one of an unhashed file; a hashed file of the production
    manifest gets a year, immutable: tests/integration/test_production_stack.py)."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body { color: black; }\n")
    settings.STATIC_ROOT = tmp_path
    response = Client().get("/static/css/site.css")  # a new client: whitenoise reads STATIC_ROOT
    assert response.status_code == 200
    assert _directives(response) == {"max-age=60", "public"}


# --- /healthz over plain HTTP ------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_over_plain_http_while_pages_redirect_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # SecurityMiddleware reads its settings when the client builds the handler
    health = client.get(reverse("healthz"))
    assert health.status_code == 200 and health.json() == {"database": "ok", "broker": "ok"}
    login = client.get(reverse("login"))
    assert login.status_code == 301 and login["Location"].startswith("https://")
    assert client.get(reverse("login"), secure=True).status_code == 200


# --- Login throttling per address --------------------------------------------


def _fail(client, username):
    return client.post(reverse("login"), {"username": username, "password": "wrong"})


@pytest.mark.django_db
def test_one_address_trying_many_usernames_is_locked_out(settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    factories.user("viewer", "Viewer")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        # Each username once: far below the per-username limit.
        assert _fail(attacker, f"guess{number}").status_code == 200
    assert _fail(attacker, "guess-last").status_code == 429
    # The address is locked for every username, even with the right password ...
    response = attacker.post(reverse("login"), {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 429 and "Too many failed logins" in response.content.decode()
    # ... and another address is not.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post(reverse("login"), {"username": "viewer", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_its_own_username_only(settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    factories.user("viewer", "Viewer")
    office = Client(REMOTE_ADDR="203.0.113.10")
    for number in range(6):
        _fail(office, f"typo{number}")
    _fail(office, "viewer")
    assert office.post(reverse("login"), {"username": "viewer", "password": PASSWORD}).status_code == 302
    office.logout()
    # 6 failures of other usernames remain: the 8th failure from the address locks it.
    assert _fail(office, "typo-again").status_code == 200
    assert _fail(office, "typo-once-more").status_code == 429


@pytest.mark.django_db
def test_below_the_address_limit_one_username_still_locks_at_its_own_limit(settings):
    factories.user("viewer", "Viewer")
    client = Client(REMOTE_ADDR="203.0.113.11")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _fail(client, "viewer").status_code == 200
    assert _fail(client, "viewer").status_code == 429
    # Other usernames from the same address are not locked by that pair.
    factories.user("analyst", "Analyst")
    assert client.post(reverse("login"), {"username": "analyst", "password": PASSWORD}).status_code == 302


def test_client_address_behind_proxies_is_the_one_the_outermost_proxy_appended(settings):
    factory = RequestFactory()

    def address(forwarded=None, proxies=0):
        settings.TRUSTED_PROXY_COUNT = proxies
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return client_ip(factory.get("/", REMOTE_ADDR="10.0.0.2", **extra))

    assert address() == "10.0.0.2"
    assert address("192.0.2.1") == "10.0.0.2"  # no proxy configured: the header is ignored
    assert address("192.0.2.1", proxies=1) == "192.0.2.1"
    # Entries the client wrote itself stand to the left of what the proxies appended.
    assert address("1.1.1.1, 192.0.2.1", proxies=1) == "192.0.2.1"
    assert address("1.1.1.1, 192.0.2.1, 10.0.0.9", proxies=2) == "192.0.2.1"
    assert address("192.0.2.1", proxies=2) == "10.0.0.2"  # shorter than the proxies: the connecting address
    assert address("not-an-address", proxies=1) == "10.0.0.2"
    assert address("2001:db8::1", proxies=1) == "2001:db8::1"


@pytest.mark.django_db
def test_behind_a_proxy_clients_are_throttled_apart(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factories.user("viewer", "Viewer")
    proxy = "10.0.0.2"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(attacker, "viewer")
    assert attacker.post(reverse("login"), {"username": "viewer", "password": PASSWORD}).status_code == 429
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert colleague.post(reverse("login"), {"username": "viewer", "password": PASSWORD}).status_code == 302
