# The web app, the Celery worker and beat all run this image (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

# An unprivileged user runs everything; the code stays owned by root (read-only to it). Its home holds
# gunicorn's control socket (~/.gunicorn, for gunicornc).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home --shell /usr/sbin/nologin app

WORKDIR /app
# Every package pinned and checked against its hash (requirements.lock, from `make lock`).
COPY requirements.lock .
RUN pip install --require-hashes --no-deps -r requirements.lock && pip check

COPY . .
# collectstatic needs a secret only to import settings; the real one comes at run time.
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build python manage.py collectstatic --no-input \
    && mkdir -p /app/var && chown app:app /app/var

USER app
EXPOSE 8000

# /healthz (database and broker reachable) over plain HTTP on the container's own port: it is exempt from
# the HTTPS redirect. The Host header is the first ALLOWED_HOSTS entry ("*" or ".example.org" become a
# name they allow) so the request is not refused as a disallowed host. No curl in the image: Python's urllib,
# which raises (exit 1) on anything but a 2xx.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('*.') or 'localhost'; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=8)"]

# gthread workers: a long download streams on its own thread while the worker keeps answering the
# arbiter (a sync worker busy streaming for more than --timeout seconds would be killed mid-file).
CMD ["gunicorn", "follower_tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--timeout", "60"]
