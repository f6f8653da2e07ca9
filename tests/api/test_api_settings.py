"""The API's settings come from the environment and refuse what they cannot understand."""

from tests.test_settings import run_with


def test_a_throttle_rate_that_is_not_requests_per_period_stops_start_up():
    result = run_with({"API_THROTTLE_RATE": "lots"})
    assert result.returncode != 0
    assert "API_THROTTLE_RATE='lots': expected requests/period, e.g. 120/min." in result.stderr


def test_a_throttle_rate_per_hour_is_understood():
    assert run_with({"API_THROTTLE_RATE": "5000/hour"}).returncode == 0
