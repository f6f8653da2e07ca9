"""The deployment files agree with each other: locks and their inputs, the Dockerfile,
docker-compose.yml's start order, healthchecks and secrets, .env.example.

(tests/integration/test_production_stack.py runs the stack itself.)
"""

import json
import re

import yaml
from django.conf import settings

ROOT = settings.BASE_DIR
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def _name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path):
    """name -> version of every `name==version` line, following -r includes."""
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        if line.startswith("-r "):
            pins |= _pins(line.split(maxsplit=1)[1])
        elif match := PIN.match(line):
            pins[_name(match.group(1))] = match.group(2)
    return pins


def _lock(path):
    """name -> (version, number of hashes) of a pip-compile --generate-hashes file."""
    entries, current = {}, None
    for line in (ROOT / path).read_text().splitlines():
        if match := PIN.match(line):
            current = _name(match.group(1))
            entries[current] = [match.group(2), 0]
        elif current and line.strip().startswith("--hash=sha256:"):
            entries[current][1] += 1
    return entries


def test_every_pin_of_the_inputs_is_in_its_lock_at_that_version_with_hashes():
    runtime, dev = _lock("requirements.lock"), _lock("requirements-dev.lock")
    for lock, inputs in [(runtime, "requirements.txt"), (dev, "requirements-dev.txt")]:
        for name, version in _pins(inputs).items():
            assert name in lock, f"{name} of {inputs} is not locked: run make lock"
            assert lock[name][0] == version, f"{name}=={version} in {inputs}, {lock[name][0]} locked: run make lock"
    assert all(hashes for _version, hashes in runtime.values()) and all(hashes for _version, hashes in dev.values())
    # The development environment runs what production runs.
    assert {name: dev.get(name, [None])[0] for name in runtime} == {name: entry[0] for name, entry in runtime.items()}
    # pyarrow is the optional parquet extra: in the development lock, not in the image's.
    assert "pyarrow" in _pins("requirements-parquet.txt") and "pyarrow" in dev and "pyarrow" not in runtime
    assert _pins("requirements.txt")["django"].startswith("5.2.")


def test_installs_go_through_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "$(VENV)/.installed: requirements.lock requirements-dev.lock" in makefile
    assert "pip install --quiet --require-hashes --no-deps -r requirements-dev.lock" in makefile
    assert "\nlock:" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "make .venv/.installed" in (ROOT / ".ci" / "run").read_text()


def test_the_image_runs_as_a_user_and_checks_healthz_like_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert "collectstatic --no-input" in dockerfile
    assert re.search(r'^CMD \["gunicorn", "follower_tracker.wsgi:application"', dockerfile, re.MULTILINE)
    healthcheck = re.search(r"^HEALTHCHECK [^\n]*\\\n\s+CMD (\[[^\n]*\])$", dockerfile, re.MULTILINE)
    assert json.loads(healthcheck.group(1)) == SERVICES["web"]["healthcheck"]["test"][1:]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "db.sqlite3", "var/", ".git", "staticfiles/", "test-artifacts/"} <= set(ignored)


def test_compose_migrates_once_before_web_worker_and_beat():
    migrate = SERVICES["migrate"]
    assert migrate["command"] == "python manage.py migrate --no-input"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        service = SERVICES[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert service["depends_on"]["redis"]["condition"] == "service_healthy", name
        assert "migrate" not in service["command"], name
        assert service["healthcheck"]["test"], name
    assert SERVICES["web"]["command"].startswith("gunicorn follower_tracker.wsgi:application ")
    assert SERVICES["worker"]["command"].startswith("celery -A follower_tracker worker ")
    assert SERVICES["beat"]["command"].startswith("celery -A follower_tracker beat")
    assert "celery@$$HOSTNAME" in SERVICES["worker"]["healthcheck"]["test"][1]
    assert "redis-cli ping" in SERVICES["redis"]["healthcheck"]["test"][1]
    assert "pg_isready" in SERVICES["postgres"]["healthcheck"]["test"][1]


def test_compose_writes_no_secret_and_env_example_names_each():
    text = (ROOT / "docker-compose.yml").read_text()
    for service in SERVICES.values():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|TOKEN|API_KEY", key):
                assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", str(value)), f"{key}: {value}"
    assert "${POSTGRES_PASSWORD:?" in SERVICES["web"]["environment"]["DATABASE_URL"]
    assert not re.search(r"://[^:/@\s]+:(?!\$\{)[^@\s]+@", text), "a password written in a URL"
    example = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if re.match(r"^\w+=", line)
    )
    required = set(re.findall(r"\$\{(\w+):\?", text))
    assert required == {"POSTGRES_PASSWORD", "SECRET_KEY"}
    for name in required:
        assert example[name].startswith("change-me"), name
    for name in ("SECURE_SSL_REDIRECT", "CSRF_TRUSTED_ORIGINS", "AXES_PROXY_COUNT", "POSTGRES_USER", "POSTGRES_DB"):
        assert name in example, name
