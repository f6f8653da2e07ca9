"""Debian's headless Chromium for the tests that drive a browser (never a downloaded one)."""

import contextlib
import os

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Collects the page's Content-Security-Policy violations in window.__csp (added as an init script).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push([e.violatedDirective, e.blockedURI || "inline", e.sourceFile + ":" + e.lineNumber].join(" "));
});
"""


def chromium_launcher():
    """A context manager factory that opens headless Chromium (``with launch() as browser``).

    Call it after the test has written its data: Playwright's sync API runs an
    event loop on this thread, and an ORM call made while it runs gets a
    connection of its own that nothing closes (the test database could then
    not be dropped at the end of the run). Skips without Chromium, or fails
    under REQUIRE_SERVICES=1.
    """
    if not os.path.exists(CHROMIUM_PATH):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but there is no Chromium at {CHROMIUM_PATH}")
        pytest.skip(f"no Chromium at {CHROMIUM_PATH}")
    playwright_api = pytest.importorskip("playwright.sync_api")

    @contextlib.contextmanager
    def launch():
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()

    return launch
