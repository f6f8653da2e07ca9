import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from metrics.audience.places import gazetteer_import
from metrics.polling import runs
from metrics.polling.budget import reset_local_budgets
from tests import factories
from tests.audience.helpers import GAZETTEER
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


@pytest.fixture
def world(settings):
    """The local share's small data set (test_local_share): Bhopal's three seats (Asha 2,00,000, Bala 2,50,000,
    a third of 3,00,000 voters) and Sehore's one (Deepa, 1,50,000); the gazetteer of helpers.GAZETTEER."""
    settings.CONNECTIONS_ENCRYPTION_KEYS = "x" * 43 + "="  # a Fernet key (32 bytes, base64)
    division = factories.division("Bhopal division")
    bhopal = factories.district(division, "Bhopal")
    sehore = factories.district(division, "Sehore")
    factories.district(division, "Indore")
    today = timezone.localdate()
    asha = factories.member_with_counts("Asha", district_=bhopal, electors=200_000, series={"x": {today: 1_000}})
    bala = factories.legislator("Bala", factories.constituency(bhopal, electors=250_000))
    factories.constituency(bhopal, electors=300_000)  # the district's third seat (electors 7,50,000 in all)
    deepa = factories.legislator("Deepa", factories.constituency(sehore, electors=150_000))
    assert gazetteer_import(text=GAZETTEER, source="test")[2] == []
    return {"asha": asha, "bala": bala, "deepa": deepa, "bhopal": bhopal, "sehore": sehore}
