import pytest

from metrics.polling.budget import reset_local_budgets
from tests.fake_x import FakeX

X_TOKEN = "test-bearer-AAAA-secret-0123456789"


@pytest.fixture(autouse=True)
def _fresh_budgets():
    reset_local_budgets()
    yield
    reset_local_budgets()


@pytest.fixture
def live_settings(settings):
    """Live clients, no Redis budget (each test counts for itself), no backoff pauses."""
    settings.FOLLOWER_CLIENT = "live"
    settings.PLATFORM_BUDGET_REDIS_URL = ""
    settings.FETCH_RETRY_BASE_SECONDS = 0
    settings.FETCH_BATCH_SIZE = 0
    return settings


@pytest.fixture
def fake_x(live_settings):
    server = FakeX().start()
    live_settings.X_BEARER_TOKEN = X_TOKEN
    live_settings.X_API_BASE_URL = server.url
    yield server
    server.stop()
