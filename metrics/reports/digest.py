"""The weekly digest: what changed since the last one (how many more or fewer
meet the target, who crossed it and who fell below, the slipping members, the
biggest movers in share points), then the headline figures, the ten furthest
from target, stagnant members and stale accounts, for one division or the
whole state, in English or Hindi, with the standings CSV attached; every name
links to its member page.

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


def changes_since(before, now):
    """What changed between two Standings of the same place: the members who crossed the target, those who
    fell below it, the change in how many meet it, and the biggest movers in share points (a share, not a
    count of followers, so big and small constituencies compare fairly). No query."""
    meets = (arithmetic.Status.MEETS, arithmetic.Status.STRETCH)
    earlier = {member.id: member for member in before.members}
    crossed, fell_below, moved = [], [], []
    for member in now.members:
        then = earlier.get(member.id)
        if then is None or then.status == arithmetic.Status.NOT_APPLICABLE:
            continue
        if member.status in meets and then.status == arithmetic.Status.BELOW:
            crossed.append(member)
        elif member.status == arithmetic.Status.BELOW and then.status in meets:
            fell_below.append(member)
        if member.share is not None and then.share is not None and member.share != then.share:
            moved.append((member, member.share - then.share))
    moved.sort(key=lambda pair: (-pair[1], pair[0].name.lower()))
    return {
        "since": before.day,
        "crossed": sort_members(crossed, "name"),
        "fell_below": sort_members(fell_below, "name"),
        "meets_change": len(now.meeting_target) - len(before.meeting_target),
        "movers": [{"member": member, "points": points} for member, points in moved[:TOP] if points > 0],
    }


def digest_context(*, division=None, day=None, since=None):
    """The digest's figures (language-independent; two standings runs, one freshness query).

    ``since``: the day of the last digest (default a week before ``day``): what changed is measured from it.
    """
    day = day or engine.today()
    since = min(since or day - timedelta(days=7), day - timedelta(days=1))
    standings = engine.standings(day=day, division=division.pk if division else None)
    before = engine.standings(day=since, division=division.pk if division else None)
    below = [member for member in standings.members if member.status == arithmetic.Status.BELOW]
    # Furthest from target: the lowest share of voters among those below it
    # (a share, not a count, so big and small constituencies compare fairly).
    furthest = sort_members(below, "share")[:TOP]
    changes = changes_since(before, standings)
    movers = changes["movers"]
    slipping = sorted(
        standings.slipping,
        key=lambda m: m.falls_below_target.day if m.falls_below_target and m.falls_below_target.day else day.max,
    )
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
        "changes": changes,
        "slipping": slipping[:TOP],
        "member_prefix": reverse("metrics:member", args=[0])[: -len("0/")],  # + the member id + "/"
        "seat_prefix": reverse("metrics:constituency", args=[0])[: -len("0/")],  # + the constituency id + "/"
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


def digest_build(*, division=None, language="en", day=None, since=None):
    """Render the digest in ``language`` (subject, text, HTML, CSV attachment)."""
    context = digest_context(division=division, day=day, since=since)
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
    since = timezone.localtime(recipients.last_sent_at).date() if recipients.last_sent_at else None
    digest = digest_build(division=recipients.division, language=recipients.language, day=day, since=since)
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
