"""The pages satisfy the Content-Security-Policy in a real browser: no violation
reported, and the chart is still drawn (plotly from static, data from json_script)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform
from tests import factories
from tests.chromium import RECORD_VIOLATIONS, chromium_launcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return chromium_launcher()


def test_pages_raise_no_csp_violation_and_the_chart_draws(chromium, live_server, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = timezone.localdate()
    member = factories.legislator(
        "Chart <Member>", factories.constituency(electors=100_000), party_=factories.party("CSP"), name_hi="आशा"
    )
    account = factories.account(member, Platform.X)
    factories.counts(account, {today - timezone.timedelta(days=d): 5_000 + d for d in (0, 10, 20, 30)})
    editor = factories.user("editor", "Editor", is_staff=True, is_superuser=True)
    client.force_login(editor)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    urls = [
        reverse("metrics:overview"),
        reverse("metrics:member", args=[member.pk]),
        reverse("metrics:poll"),
        reverse("metrics:api_tokens"),
        reverse("admin:index"),
        reverse("admin:legislators_legislator_change", args=[member.pk]),
        reverse("admin:metrics_fetchrun_changelist"),
    ]
    with chromium() as browser:
        visit_all(browser, live_server, settings, session, urls, member_url=urls[1])


def visit_all(browser, live_server, settings, session, urls, *, member_url):
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        if url == member_url:
            page.wait_for_selector("#history-chart .main-svg", timeout=15_000)
        violations = page.evaluate("window.__csp")
        assert not violations, f"{url}: {violations}"
    assert not [line for line in console if "Content Security Policy" in line], console
    context.close()


def test_login_page_raises_no_csp_violation(chromium, live_server):
    url = live_server.url + reverse("login")
    with chromium() as browser:
        context = browser.new_context()
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == []
        context.close()
