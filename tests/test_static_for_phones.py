"""Static files for phones: collected with hashed names and gzip/Brotli copies, sent compressed by the real
WSGI app with a year's immutable cache, in production and under `make run` (DEBUG with STATIC_HASHED=true).

collectstatic runs once, into a temporary folder, in a child process with the production settings (Brotli
quality 5 to keep it quick: the level changes the size, not what is sent or how it is cached).
"""

import gzip
import json
import os
import secrets
import subprocess
import sys

import brotli
import pytest
from django.conf import settings

from follower_tracker.staticfinders import PLOTLY_DIR, PLOTLY_FILE

ROOT = settings.BASE_DIR
YEAR = 365 * 24 * 3600

# Calls follower_tracker.wsgi.application itself (every middleware, whitenoise included) for each path.
PROBE = r"""
import base64, json, sys
from wsgiref.util import setup_testing_defaults
from follower_tracker.wsgi import application

answers = []
for path, accept in json.loads(sys.argv[1]):
    environ = {"PATH_INFO": path, "HTTP_ACCEPT_ENCODING": accept, "HTTP_HOST": "localhost",
               "wsgi.url_scheme": "https", "HTTPS": "on"}
    setup_testing_defaults(environ)
    seen = {}
    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)
    body = b"".join(application(environ, start_response))
    answers.append({"status": seen["status"], "headers": seen["headers"], "body": base64.b64encode(body).decode()})
print("ANSWERS " + json.dumps(answers))
"""


def _env(static_root, **extra):
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "STATIC_ROOT": str(static_root),
        "STATIC_BROTLI_QUALITY": "5",
        "DATABASE_URL": f"sqlite:///{static_root.parent / 'unused.sqlite3'}",
        **extra,
    }


def _run(args, env):
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("collected") / "static"
    _run(["manage.py", "collectstatic", "--no-input", "-v0"], _env(static_root))
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    return static_root, manifest


def _get(env, requests):
    import base64

    out = _run(["-c", PROBE, json.dumps(requests)], env)
    answers = json.loads(out.split("ANSWERS ", 1)[1])
    for answer in answers:
        answer["body"] = base64.b64decode(answer["body"])
    return answers


def _max_age(headers):
    directives = {part.strip() for part in headers["Cache-Control"].split(",")}
    ages = [int(part.split("=")[1]) for part in directives if part.startswith("max-age=")]
    return ages[0], directives


def test_plotly_is_sent_compressed_and_cached_for_a_year_with_its_hashed_name(collected):
    static_root, manifest = collected
    hashed = manifest["vendor/plotly.min.js"]
    assert hashed != "vendor/plotly.min.js" and (static_root / f"{hashed}.br").exists()
    original = (PLOTLY_DIR / PLOTLY_FILE).read_bytes()
    url = f"/static/{hashed}"
    as_brotli, as_gzip, plain = _get(_env(static_root), [(url, "gzip, deflate, br"), (url, "gzip, deflate"), (url, "")])
    for answer in (as_brotli, as_gzip, plain):
        assert answer["status"].startswith("200")
        age, directives = _max_age(answer["headers"])
        assert age >= YEAR and {"immutable", "public"} <= directives
        assert answer["headers"]["Content-Type"].startswith("text/javascript")
        assert "Accept-Encoding" in answer["headers"].get("Vary", "")
    assert as_brotli["headers"]["Content-Encoding"] == "br"
    assert brotli.decompress(as_brotli["body"]) == original
    assert len(as_brotli["body"]) < len(original) / 3
    assert as_gzip["headers"]["Content-Encoding"] == "gzip"
    assert gzip.decompress(as_gzip["body"]) == original
    assert "Content-Encoding" not in plain["headers"] and plain["body"] == original


def test_the_unhashed_name_is_not_cached_for_long(collected):
    static_root, _manifest = collected
    (answer,) = _get(_env(static_root), [("/static/vendor/plotly.min.js", "br")])
    age, directives = _max_age(answer["headers"])
    assert age <= 60 and "immutable" not in directives


def test_make_run_serves_the_same_hashed_compressed_files_under_debug(collected):
    """`make run` (DEBUG on, STATIC_HASHED=true): the login page links the hashed stylesheet and script,
    and whitenoise sends them compressed and immutable from the collected folder."""
    static_root, manifest = collected
    env = _env(static_root, DEBUG="true", STATIC_HASHED="true")
    (login,) = _get(env, [("/accounts/login/", "br")])
    assert login["status"].startswith("200"), login["status"]
    html = login["body"].decode()
    stylesheet = f"/static/{manifest['css/app.css']}"
    assert f'href="{stylesheet}"' in html
    (css,) = _get(env, [(stylesheet, "gzip, deflate, br")])
    assert css["headers"]["Content-Encoding"] == "br"
    age, directives = _max_age(css["headers"])
    assert age >= YEAR and "immutable" in directives
    assert brotli.decompress(css["body"]) == (static_root / manifest["css/app.css"]).read_bytes()


@pytest.mark.django_db
def test_pages_are_gzipped_for_browsers_that_accept_it_and_stay_private(client, viewer):
    from django.urls import reverse

    from tests import factories

    factories.many_members(60)
    client.force_login(viewer)
    plain = client.get(reverse("metrics:overview"))
    zipped = client.get(reverse("metrics:overview"), headers={"accept-encoding": "gzip, deflate, br"})
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert "no-store" in zipped["Cache-Control"]
    html = gzip.decompress(zipped.content).decode()
    assert "Bulk member" in html and len(zipped.content) < len(plain.content) / 4
    # The BREACH padding (a file name of random length in the gzip header), as Django's own middleware writes.
    assert zipped.content[3] & 0x08  # FNAME
    lengths = {
        len(client.get(reverse("metrics:overview"), headers={"accept-encoding": "gzip"}).content) for _ in range(8)
    }
    assert len(lengths) > 1
