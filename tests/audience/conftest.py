import pytest
from cryptography.fernet import Fernet

from metrics.polling import runs
from metrics.polling.budget import reset_local_budgets
from tests.fake_oauth import FakeGoogle, FakeMeta

KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _fresh_budgets():
    reset_local_budgets()
    yield
    reset_local_budgets()


@pytest.fixture
def connect_settings(settings):
    """Connections configured: an encryption key; live clients; no backoff pauses."""
    settings.CONNECTIONS_ENCRYPTION_KEYS = KEY
    settings.FOLLOWER_CLIENT = "live"
    settings.PLATFORM_BUDGET_REDIS_URL = ""
    settings.FETCH_RETRY_BASE_SECONDS = 0
    settings.FETCH_BATCH_SIZE = 0
    settings.SITE_URL = "http://testserver"
    runs.jitter.seed(18)
    return settings


@pytest.fixture
def meta(connect_settings):
    server = FakeMeta().start()
    connect_settings.FACEBOOK_APP_ID = server.app_id
    connect_settings.FACEBOOK_APP_SECRET = server.app_secret
    connect_settings.FACEBOOK_LOGIN_CONFIG_ID = "cfg-42"
    connect_settings.FACEBOOK_DIALOG_URL = "https://www.facebook.test"
    connect_settings.GRAPH_API_BASE_URL = server.url
    connect_settings.GRAPH_API_VERSION = server.version
    yield server
    server.stop()


@pytest.fixture
def google(connect_settings):
    server = FakeGoogle().start()
    connect_settings.GOOGLE_CLIENT_ID = server.client_id
    connect_settings.GOOGLE_CLIENT_SECRET = server.client_secret
    connect_settings.GOOGLE_AUTHORIZE_URL = "https://accounts.google.test/o/oauth2/v2/auth"
    connect_settings.GOOGLE_TOKEN_URL = f"{server.url}/token"
    connect_settings.GOOGLE_REVOKE_URL = f"{server.url}/revoke"
    connect_settings.YOUTUBE_API_BASE_URL = f"{server.url}/youtube/v3"
    connect_settings.YOUTUBE_ANALYTICS_BASE_URL = f"{server.url}/v2"
    yield server
    server.stop()
