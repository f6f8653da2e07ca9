import pytest

from metrics.polling import runs
from metrics.polling.budget import reset_local_budgets
from tests.fake_graph import FakeGraph
from tests.fake_x import FakeX
from tests.fake_youtube import FakeYouTube

X_TOKEN = "test-bearer-AAAA-secret-0123456789"
FB_TOKEN = "EAAB-facebook-secret-token-987"
IG_TOKEN = "EAAB-instagram-secret-token-654"
YT_KEY = "AIza-youtube-secret-key-123456"
OUR_IG_ID = "17841405309211844"


@pytest.fixture(autouse=True)
def _fresh_budgets():
    reset_local_budgets()
    yield
    reset_local_budgets()


@pytest.fixture
def live_settings(settings):
    """Live clients, no Redis budget (each test counts for itself), no backoff pauses, seeded jitter."""
    settings.FOLLOWER_CLIENT = "live"
    settings.PLATFORM_BUDGET_REDIS_URL = ""
    settings.FETCH_RETRY_BASE_SECONDS = 0
    settings.FETCH_BATCH_SIZE = 0
    runs.jitter.seed(16)
    return settings


@pytest.fixture
def fake_x(live_settings):
    server = FakeX().start()
    live_settings.X_BEARER_TOKEN = X_TOKEN
    live_settings.X_API_BASE_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def fake_graph(live_settings):
    """A Graph API server for Facebook Pages and Instagram Business Discovery; the tokens it accepts are set."""
    server = FakeGraph(token=FB_TOKEN, business_account_id=OUR_IG_ID).start()
    live_settings.FACEBOOK_ACCESS_TOKEN = FB_TOKEN
    live_settings.INSTAGRAM_ACCESS_TOKEN = FB_TOKEN  # one system-user token for both, as in practice
    live_settings.INSTAGRAM_BUSINESS_ACCOUNT_ID = OUR_IG_ID
    live_settings.GRAPH_API_BASE_URL = server.url
    live_settings.GRAPH_API_VERSION = server.version
    yield server
    server.stop()


@pytest.fixture
def fake_youtube(live_settings):
    server = FakeYouTube(key=YT_KEY).start()
    live_settings.YOUTUBE_API_KEY = YT_KEY
    live_settings.YOUTUBE_API_BASE_URL = server.base_url
    yield server
    server.stop()


@pytest.fixture
def built(monkeypatch):
    """How many times the distribution chart was drawn (the real function still runs): for the chart cache,
    and for the page cache (a page served from it draws nothing)."""
    from metrics.web import charts

    calls = []
    real = charts.distribution_chart

    def counting(members, target):
        calls.append(len(members))
        return real(members, target)

    monkeypatch.setattr(charts, "distribution_chart", counting)
    return calls
