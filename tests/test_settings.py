"""Settings come from the environment and refuse values they cannot understand."""

import os
import subprocess
import sys

from django.conf import settings

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def run_with(env):
    full = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL")}
    full.update(env, DJANGO_SETTINGS_MODULE="follower_tracker.settings")
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=full, capture_output=True, text=True, cwd=settings.BASE_DIR
    )


def test_zero_configuration_runs():
    result = run_with({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_debug_yes_stops_start_up_with_a_clear_message():
    result = run_with({"DEBUG": "yes"})
    assert result.returncode != 0
    assert "DEBUG='yes' is not understood" in result.stderr


def test_placeholder_secret_refused_when_debug_off():
    result = run_with({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_start_with_a_real_secret():
    result = run_with({"DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "tracker.example.org"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_days_are_asia_kolkata_and_both_languages_ship():
    assert settings.TIME_ZONE == "Asia/Kolkata"
    assert [code for code, _ in settings.LANGUAGES] == ["en", "hi"]
