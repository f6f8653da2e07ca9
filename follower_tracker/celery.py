import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "follower_tracker.settings")

app = Celery("follower_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live beside their concern: metrics.polling.tasks and metrics.reports.tasks.
app.autodiscover_tasks(["metrics.polling", "metrics.reports"])


@app.on_after_configure.connect
def _make_filesystem_queue_folders(sender, **kwargs):
    """The embedded filesystem broker needs its folders before the first message."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _redact_secrets_in_worker_logs(logger, **kwargs):
    """Celery replaces the root logger's handlers: give its handlers the redacting filter too."""
    from .logging import RedactSecretsFilter

    for handler in logger.handlers:
        if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
            handler.addFilter(RedactSecretsFilter())
