"""The API's documentation page (Swagger UI from drf-spectacular-sidecar's static files) works in
Chromium under the site's Content-Security-Policy: no violation, nothing fetched from another host,
and every endpoint drawn from the schema."""

import pytest
from django.urls import reverse

from tests import factories
from tests.chromium import RECORD_VIOLATIONS, chromium_launcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return chromium_launcher()


def test_the_docs_page_draws_every_endpoint_without_a_csp_violation(chromium, live_server, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(factories.user("docs_reader", "Viewer"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        context = browser.new_context()
        context.add_init_script(RECORD_VIOLATIONS)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        requested, console = [], []
        page.on("request", lambda request: requested.append(request.url))
        page.on("console", lambda message: console.append(message.text))
        response = page.goto(live_server.url + reverse("api:docs"))
        assert response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        page.wait_for_load_state("networkidle")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        violations = page.evaluate("window.__csp")
        context.close()
    assert "/api/v1/standings/" in [path.replace("\u200b", "") for path in paths]
    assert len(paths) == 9
    assert not violations, violations
    assert not [line for line in console if "Content Security Policy" in line], console
    outside = [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert not outside, f"the docs page fetched from elsewhere: {outside}"
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in url for url in requested)
