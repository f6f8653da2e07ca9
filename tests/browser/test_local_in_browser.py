"""The local share in Chromium: the member page (an estimate beside the total; a fallback with its reason),
the "Followers in their own constituency" page, the connections page and the seat page (the local share
under the total, or the fallback) fit at 1,366 and 390 px in English and Hindi. Screenshots: local-*,
member-local-*, member-fallback-*, connections-*, seat-local-*, seat-fallback-*."""

import pytest

from metrics.audience import connections
from metrics.audience.oauth import Tokens
from metrics.audience.places import gazetteer_import
from metrics.audience.store import geographies_store
from metrics.polling.clients.geography import GeographyResult
from tests import factories
from tests.audience.conftest import KEY
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_dashboard_in_browser import _log_in, _state
from tests.browser.test_layout_in_browser import _card_problems, _context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local_state():
    state = _state()
    hilltop = state["districts"][0]
    gazetteer_import(text=f"name,state,district,kind\nHilltop,Test State,{hilltop.name},headquarters\n", source="test")
    local_member, fallback_member = [m for m in state["members"] if m.constituency.district_id == hilltop.pk][:2]
    account = factories.account(local_member, platform="instagram", handle="local.member")
    connections.connection_store(account=account, provider="facebook", tokens=Tokens("tok-browser-0001"))
    geographies_store(
        results=[
            GeographyResult(
                account.pk, total=40_000, followers=40_000, cities={"Hilltop, Test State": 9_000, "Mumbai": 3_000}
            )
        ],
        platform="instagram",
    )
    other = factories.account(fallback_member, platform="youtube", handle="@fallback")
    revoked = connections.connection_store(account=other, provider="google", tokens=Tokens("tok-browser-0002"))
    connections.connection_revoke(connection=revoked, reason="revoked by editor")
    return local_member, fallback_member


def test_local_pages_fit_in_both_languages(browser, live_server, screenshots, settings):
    settings.CONNECTIONS_ENCRYPTION_KEYS = KEY
    settings.GOOGLE_REVOKE_URL = "http://127.0.0.1:9/revoke"  # nothing listens: the provider is not told
    local_member, fallback_member = _local_state()
    factories.user("editor", "Editor")
    base = live_server.url
    pages = {
        "local": f"{base}/local/",
        "member-local": f"{base}/members/{local_member.pk}/",
        "member-fallback": f"{base}/members/{fallback_member.pk}/",
        "connections": f"{base}/members/{local_member.pk}/connections/",
        "seat-local": f"{base}/constituencies/{local_member.constituency_id}/",
        "seat-fallback": f"{base}/constituencies/{fallback_member.constituency_id}/",
    }
    # The card tables of each page (labelled cards on a phone, no overflow at either width).
    card_tables = {
        "local": ["local-districts", "local-members"],
        "member-local": ["accounts", "local-accounts"],
        "member-fallback": ["accounts"],
        "connections": ["member-connections"],
        "seat-local": [],  # the seat page's cards are its contenders, not a card table
        "seat-fallback": [],
    }
    overflowing = []
    for language in ("en", "hi"):
        for label, viewport, phone in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
            context = _context(browser, base, viewport, language, phone=phone)
            page = context.new_page()
            _log_in(page, base, "editor")
            for name, url in pages.items():
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if page.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
                    overflowing.append((language, label, name, "page"))
                found, wrong = _card_problems(page, viewport["width"], phone=phone)
                assert sorted(found) == sorted(card_tables[name]), (name, found)
                overflowing += [(language, label, name, *problem) for problem in wrong]
                page.screenshot(path=str(screenshots / f"{name}-{label}-{language}.png"), full_page=True)
            if language == "en" and not phone:
                page.goto(pages["member-local"])
                assert page.locator("[data-figure=local-share]").inner_text().startswith("≈")
                page.goto(pages["member-fallback"])
                assert "YouTube connection revoked" in page.locator("[data-note=local-fallback]").inner_text()
                page.goto(pages["seat-local"])
                assert page.locator(".is-member [data-figure=local-share]").inner_text().startswith("≈")
                page.goto(pages["seat-fallback"])
                assert (
                    "YouTube connection revoked" in page.locator(".is-member [data-note=local-fallback]").inner_text()
                )
            context.close()
    assert overflowing == []
