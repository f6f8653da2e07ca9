"""Headless Chromium (Debian's, never a downloaded one) for the browser tests.

They skip, saying why, when Chromium or Playwright is missing, unless
REQUIRE_SERVICES=1 (CI), where that fails them instead.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM_ARGS, CHROMIUM_PATH

# The CI artifacts folder: ARTIFACTS_DIR (.ci/run sets it and prints it), else test-artifacts/ in the checkout.
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or Path(__file__).resolve().parents[2] / "test-artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _missing():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package (requirements-dev.txt)"
    if not (os.path.exists(CHROMIUM_PATH) or shutil.which(CHROMIUM_PATH)):
        return f"needs Chromium at {CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason and os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but the browser tests {reason}", pytrace=False)
    elif reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls
    # the tests make between browser steps are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
