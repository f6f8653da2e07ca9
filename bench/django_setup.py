"""Django for the harness: the project's settings pointed at one data set's schema."""

import logging
import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(database_url):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "follower_tracker.settings")
    import django
    from django.conf import settings

    django.setup()
    # The figures, not the project's INFO lines (an API request logged per call).
    logging.disable(logging.INFO)
    # Pages are measured without collectstatic: whitenoise's warning about the
    # missing STATIC_ROOT says nothing about the numbers (pytest ignores it too).
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    # Measure the code, not DEBUG's query log; the test client's host.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    settings.SECURE_SSL_REDIRECT = False


def use_schema(schema):
    """Point the default connection at ``schema`` (closing the current one)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    connection.close()
    options = connection.settings_dict.setdefault("OPTIONS", {})
    kept = [part for part in options.get("options", "").split("-c ") if part and "search_path" not in part]
    options["options"] = " ".join(f"-c {part.strip()}" for part in [*kept, f"search_path={schema}"])
    ContentType.objects.clear_cache()


def migrate():
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def schema_connection(schema):
    """A second connection to ``schema`` (opened on first use), for ``activate``."""
    import copy

    from django.db import connections
    from django.db.utils import load_backend

    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    options = settings_dict.setdefault("OPTIONS", {})
    kept = [part for part in options.get("options", "").split("-c ") if part and "search_path" not in part]
    options["options"] = " ".join(f"-c {part.strip()}" for part in [*kept, f"search_path={schema}"])
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")


def activate(wrapper):
    """Make ``wrapper`` the default connection of this thread."""
    from django.db import connections

    connections["default"] = wrapper
