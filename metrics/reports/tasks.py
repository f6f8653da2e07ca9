"""Celery task of reports: the weekly digest (its name kept as stored in the beat schedule)."""

import logging

from celery import shared_task

from . import digest

logger = logging.getLogger(__name__)


@shared_task(name="metrics.tasks.send_digests_task", acks_late=True)
def send_digests_task():
    """Weekly (beat schedule "Weekly digest", editable in the admin)."""
    sent, failed = digest.digests_send_all()
    logger.info("Digest: %s sent, %s failed", sent, len(failed))
    return sent
