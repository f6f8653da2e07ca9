"""A real web process (gunicorn) against the test database, and a logged-in HTTP session."""

import os
import re
import subprocess
import sys
from contextlib import contextmanager

import requests

from tests.integration.celery_worker import ROOT, database_url

from .servers import free_port, wait_for_port


@contextmanager
def gunicorn(*, tmp_path, broker_url, extra_env=None):
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "VAR_DIR": str(tmp_path / "var"),
            "FOLLOWER_CLIENT": "demo",
            "DEBUG": "true",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra_env or {})
    log = open(tmp_path / "web.log", "wb")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "follower_tracker.wsgi",
        f"--bind=127.0.0.1:{port}",
        "--workers=2",
        "--timeout=30",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def logged_in_session(base_url, username, password):
    session = requests.Session()
    page = session.get(f"{base_url}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base_url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}/accounts/login/"},
        timeout=10,
    )
    assert response.status_code == 200 and "Log out" in response.text, response.text[:500]
    return session


def post_form(session, base_url, path, data):
    page = session.get(f"{base_url}{path}", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        f"{base_url}{path}",
        data={**data, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}{path}"},
        timeout=30,
    )
