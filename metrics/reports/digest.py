"""The weekly digest: headline figures, the ten furthest from target, the
biggest movers, stagnant members and stale accounts, for one division or the
whole state, in English or Hindi, with the standings CSV attached.

Everything comes from the standings engine and ``freshness_accounts()``,
the same reads as the pages, so the e-mail and the dashboard agree.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from metrics import arithmetic
from metrics.models import DigestRecipients
from metrics.standings import engine, freshness
from metrics.standings.filters import sort_members

from . import tables, writers

logger = logging.getLogger(__name__)

TOP = 10  # furthest from target, biggest movers
LIST_LIMIT = 25  # stagnant members and stale accounts shown in the mail (all are in the CSV)
RESEND_AFTER = timedelta(hours=12)


@dataclass
class Digest:
    subject: str
    text: str
    html: str
    attachment_name: str
    attachment: bytes
    context: dict


def digest_context(*, division=None, day=None):
    """The digest's figures (language-independent; one standings run, one freshness query)."""
    day = day or engine.today()
    standings = engine.standings(day=day, division=division.pk if division else None)
    below = [member for member in standings.members if member.status == arithmetic.Status.BELOW]
    # Furthest from target: the lowest share of voters among those below it
    # (a share, not a count, so big and small constituencies compare fairly).
    furthest = sort_members(below, "share")[:TOP]
    growing = [member for member in standings.members if member.growth_7 is not None and member.growth_7 > 0]
    movers = sorted(growing, key=lambda member: (-member.growth_7, member.name.lower()))[:TOP]
    stagnant = sort_members(standings.stagnant, "-needed")
    stale = freshness.freshness_accounts(division=division.pk if division else None, stale_only=True)
    return {
        "day": day,
        "division": division,
        "standings": standings,
        "target": standings.target,
        "summary": standings.summary(),
        "furthest": furthest,
        "movers": movers,
        "stagnant": stagnant[:LIST_LIMIT],
        "stagnant_more": max(0, len(stagnant) - LIST_LIMIT),
        "stagnant_total": len(stagnant),
        "stale": stale[:LIST_LIMIT],
        "stale_more": max(0, len(stale) - LIST_LIMIT),
        "stale_total": len(stale),
        "stale_after_days": settings.STALE_AFTER_DAYS,
        "site_url": settings.SITE_URL.rstrip("/"),
        "overview_path": reverse("metrics:overview"),
    }


def digest_build(*, division=None, language="en", day=None):
    """Render the digest in ``language`` (subject, text, HTML, CSV attachment)."""
    context = digest_context(division=division, day=day)
    with translation.override(language):
        context["language"] = language
        subject = " ".join(render_to_string("metrics/digest/subject.txt", context).split())
        text = render_to_string("metrics/digest/body.txt", context)
        html = render_to_string("metrics/digest/body.html", context)
        params = {"division": str(division.pk)} if division else {}
        if day:
            params["date"] = day.isoformat()
        params["sort"] = "share"
        table = tables.build("standings", params)
        attachment = writers.csv_bytes(table)
    return Digest(subject, text, html, table.filename("csv"), attachment, context)


def digest_send(*, recipients_id, day=None, to=None, connection=None, force=True):
    """E-mail one list its digest; returns the number of messages sent (0 or 1).

    Without ``force``, a list mailed in the last RESEND_AFTER hours is
    skipped, so a redelivered beat task does not mail everyone twice.
    """
    recipients = DigestRecipients.objects.select_related("division").filter(pk=recipients_id).first()
    if recipients is None:
        logger.warning("Digest recipients %s no longer exist", recipients_id)
        return 0
    now = timezone.now()
    if not force and recipients.last_sent_at and recipients.last_sent_at > now - RESEND_AFTER:
        logger.info("Digest for %s already sent at %s", recipients, recipients.last_sent_at)
        return 0
    addresses = to or recipients.addresses
    if not addresses:
        logger.warning("Digest recipients %s have no addresses", recipients)
        return 0
    digest = digest_build(division=recipients.division, language=recipients.language, day=day)
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=digest.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=addresses,
        connection=connection,
    )
    message.attach_alternative(digest.html, "text/html")
    message.attach(digest.attachment_name, digest.attachment, "text/csv")
    sent = message.send()
    if sent and not to:
        DigestRecipients.objects.filter(pk=recipients.pk).update(last_sent_at=now)
    return sent


def digests_send_all(*, day=None):
    """Send every active list its digest; one failing list does not stop the others."""
    sent = 0
    failed = []
    for recipients_id in DigestRecipients.objects.filter(active=True).order_by("pk").values_list("pk", flat=True):
        try:
            sent += digest_send(recipients_id=recipients_id, day=day, force=False)
        except Exception:  # an SMTP error for one list is logged; the others still go
            logger.exception("Digest for recipients %s failed", recipients_id)
            failed.append(recipients_id)
    return sent, failed
