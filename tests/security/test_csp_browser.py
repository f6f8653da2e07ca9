"""The pages satisfy the Content-Security-Policy in a real browser: no violation
reported, and the chart is still drawn (plotly from static, data from json_script)."""

import os

import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push([e.violatedDirective, e.blockedURI || "inline", e.sourceFile + ":" + e.lineNumber].join(" "));
});
"""


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.skip(f"no Chromium at {executable}")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_pages_raise_no_csp_violation_and_the_chart_draws(browser, live_server, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = timezone.localdate()
    member = factories.legislator(
        "Chart <Member>", factories.constituency(electors=100_000), party_=factories.party("CSP"), name_hi="आशा"
    )
    account = factories.account(member, Platform.X)
    factories.counts(account, {today - timezone.timedelta(days=d): 5_000 + d for d in (0, 10, 20, 30)})
    editor = factories.user("editor", "Editor", is_staff=True, is_superuser=True)
    client.force_login(editor)
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    urls = [
        reverse("metrics:overview"),
        reverse("metrics:member", args=[member.pk]),
        reverse("metrics:poll"),
        reverse("admin:index"),
        reverse("admin:legislators_legislator_change", args=[member.pk]),
        reverse("admin:metrics_fetchrun_changelist"),
    ]
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        if url == reverse("metrics:member", args=[member.pk]):
            page.wait_for_selector("#history-chart .main-svg", timeout=15_000)
        violations = page.evaluate("window.__csp")
        assert not violations, f"{url}: {violations}"
    assert not [line for line in console if "Content Security Policy" in line], console
    context.close()


def test_login_page_raises_no_csp_violation(browser, live_server):
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    context.close()
