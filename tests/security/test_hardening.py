"""Production hardening: deploy checks, headers, cookies, CSRF, CSP, login throttling."""

import json
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from tests import factories

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "tracker.example.org",
    "DJANGO_SETTINGS_MODULE": "follower_tracker.settings",
}
HARDENING_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_SSL_REDIRECT",
]


def _production(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    env.update(PRODUCTION_ENV)
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=120
    )


def test_check_deploy_with_production_settings_reports_nothing():
    result = _production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.fixture
def production_settings(settings):
    """The hardening values the settings file gives under DEBUG=false, applied to this test."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {HARDENING_SETTINGS!r}}}))"
    )
    result = _production("-c", script)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    for name, value in values.items():
        setattr(settings, name, value)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return values


@pytest.mark.django_db
def test_production_responses_carry_security_headers_and_safe_cookies(production_settings):
    factories.user("viewer", "Viewer")
    client = Client()
    login = client.post(reverse("login"), {"username": "viewer", "password": "correct horse battery"}, secure=True)
    assert login.status_code == 302
    session = login.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    page = client.get(reverse("metrics:overview"), secure=True)
    assert page.status_code == 200
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in page["Content-Security-Policy"]
    # Plain http is sent to https.
    plain = client.get(reverse("metrics:overview"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


def test_content_security_policy_allows_no_inline_script():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-eval'" not in str(directives)
    # No inline style attributes either; only plotly's injected <style> elements.
    assert directives["style-src"] == ["'self'"]
    assert directives["style-src-elem"] == ["'self'", "'unsafe-inline'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    # The constituency map's MapLibre worker comes from a blob: URL: workers only, never scripts.
    assert directives["worker-src"] == ["'self'", "blob:"]
    assert all("blob:" not in values for name, values in directives.items() if name != "worker-src")


class _Inventory(HTMLParser):
    """Inline scripts, event-handler attributes and POST forms (with or without a CSRF token)."""

    def __init__(self):
        super().__init__()
        self.inline_scripts = []
        self.handlers = []
        self.post_forms = []  # [has_token]
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [f"<{tag} {name}>" for name in attrs if name.startswith("on")]
        if tag == "script":
            self._in_script = attrs
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.post_forms.append(False)
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self.post_forms:
            self.post_forms[-1] = True

    def handle_data(self, data):
        if self._in_script is not None and data.strip():
            if "src" not in self._in_script and self._in_script.get("type") != "application/json":
                self.inline_scripts.append(data.strip()[:80])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


@pytest.fixture
def pages(client, settings):
    """The HTML of every page of the site, as an editor (who sees the most)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    member = factories.legislator("Page member", factories.constituency(electors=100_000))
    factories.counts(factories.account(member, Platform.X), {timezone.localdate(): 1_000})
    login_page = client.get(reverse("login")).content.decode()
    client.force_login(factories.user("editor", "Editor", is_staff=True))
    urls = [reverse("metrics:overview"), reverse("metrics:member", args=[member.pk]), reverse("metrics:poll")]
    return {"login": login_page} | {url: client.get(url).content.decode() for url in urls}


@pytest.mark.django_db
def test_pages_have_no_inline_script_and_every_post_form_has_a_csrf_token(pages):
    for url, html in pages.items():
        inventory = _Inventory()
        inventory.feed(html)
        assert not inventory.inline_scripts, f"{url}: inline script {inventory.inline_scripts}"
        assert not inventory.handlers, f"{url}: event handler attributes {inventory.handlers}"
        assert inventory.post_forms and all(inventory.post_forms), f"{url}: a POST form without a CSRF token"


@pytest.mark.django_db
def test_every_post_endpoint_refuses_a_request_without_csrf_token(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    editor = factories.user("editor", "Editor", is_staff=True)
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(reverse("login"), {"username": "editor", "password": "x"}).status_code == 403
    assert anonymous.post(reverse("set_language"), {"language": "hi"}).status_code == 403
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    for url, data in [
        (reverse("metrics:poll"), {"platform": "x"}),
        (reverse("logout"), {}),
        (reverse("admin:legislators_division_add"), {"name": "Forged"}),
    ]:
        assert client.post(url, data).status_code == 403, url


@pytest.mark.django_db
def test_sixth_bad_login_is_refused_with_a_clear_lockout_page(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    factories.user("viewer", "Viewer")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "viewer", "password": "wrong"})
        assert response.status_code == 200 and "did not match" in response.content.decode()
    # The fifth failure locks the account from this address ...
    assert client.post(reverse("login"), {"username": "viewer", "password": "wrong"}).status_code == 429
    # ... so the sixth attempt is refused even with the right password.
    response = client.post(reverse("login"), {"username": "viewer", "password": "correct horse battery"})
    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed logins" in page and "Try again in 15 minutes" in page
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by this one's failures.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post(reverse("login"), {"username": "viewer", "password": "correct horse battery"}).status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    factories.user("editor", "Editor", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "editor", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "editor", "password": "correct horse battery"})
    assert response.status_code == 429


def test_secret_key_and_tokens_come_only_from_the_environment():
    """No settings module or app reads os.environ except through follower_tracker/env.py."""
    offenders = []
    for folder in ("follower_tracker", "legislators", "metrics"):
        for path in (settings.BASE_DIR / folder).rglob("*.py"):
            text = path.read_text()
            if path.name in ("env.py", "celery.py", "wsgi.py", "asgi.py"):
                continue  # env.py is the reader; the others only set DJANGO_SETTINGS_MODULE
            if re.search(r"os\.environ|os\.getenv", text):
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert not offenders, offenders
