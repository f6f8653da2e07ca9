"""The one writer of audience geographies: a day's cities per account, and what a poll said of a connection.

A geography is upserted per (account, day) with its cities replaced, in one
transaction per batch (a retried batch overwrites, never adds). A result that
is not a geography (no data, below the threshold, revoked, expired) writes no
geography: the stored ones stay as they were; it sets the connection's status
and reason, which the member page shows.
"""

from django.db import transaction
from django.utils import timezone

from follower_tracker.logging import redact
from metrics.audience.models import AudienceCity, AudienceGeography, Connection, ConnectionStatus

from .places import Gazetteer, unmatched_record

# A result's status → the connection's status (None: it stays connected, with the reason shown).
CONNECTION_STATUS = {"revoked": ConnectionStatus.REVOKED, "expired": ConnectionStatus.EXPIRED}
REASONS = {
    "no_data": "no audience by city reported",
    "below_threshold": "below the platform's 100-follower threshold for audience by city",
}


def geographies_store(*, results, platform, now=None):
    """Store the results of one batch (GeographyResult-like objects). Returns the number of geographies written."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    gazetteer = Gazetteer()
    written, unknown = 0, {}
    with transaction.atomic():
        for result in results:
            if result.status == "ok":
                _store_one(result, day=day, now=now)
                written += 1
                for name, value in result.cities.items():
                    if gazetteer.district_of(name) is None:
                        unknown[name] = max(value, unknown.get(name, 0))
                Connection.objects.filter(account_id=result.account_id).update(last_geography_at=now, status_reason="")
                continue
            if result.status == "not_connected":  # its connection already says why
                continue
            reason = redact(REASONS.get(result.status, "") + (f": {result.error}" if result.error else ""))[:300]
            status = CONNECTION_STATUS.get(result.status)
            fields = {"status_reason": reason.lstrip(": ")}
            if status == ConnectionStatus.REVOKED:
                fields.update(status=status, access_token_encrypted="", refresh_token_encrypted="", revoked_at=now)
            elif status is not None:
                fields["status"] = status
            Connection.objects.filter(account_id=result.account_id).update(**fields)
        unmatched_record(names=unknown, platform=platform, day=day)
    return written


def _store_one(result, *, day, now):
    listed = sum(result.cities.values())
    geography, _ = AudienceGeography.objects.update_or_create(
        account_id=result.account_id,
        day=day,
        defaults={
            "metric": result.metric,
            "total": result.total,
            "other": max(0, result.total - listed),
            "followers": result.followers,
            "fetched_at": now,
        },
    )
    geography.cities.all().delete()
    AudienceCity.objects.bulk_create(
        AudienceCity(geography=geography, name=name[:200], value=value) for name, value in result.cities.items()
    )
