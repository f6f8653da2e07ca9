"""Writes for the people and places we track: account lifecycle and roles.

Each writes its own audit entry (legislators.audit), so the admin, the
importers and polling leave the same trail.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from .audit import audit_entry, audit_record
from .models import AuditEntry, ChangeSource, HandleChange, Legislator, RoleChange, SocialAccount

EARLIEST_ROLE_DAY = date(1950, 1, 26)


def account_record_rename(*, account, new_handle, day=None, source=ChangeSource.POLL, user=None, batch=None):
    """Record that ``account`` is now called ``new_handle`` (from ``day``): one account, two handles.

    Called by polling when the platform reports a new handle for a known id,
    and by the admin and the importers. Returns the HandleChange, or None
    when the handle is unchanged (case aside: handles are case-insensitive).
    """
    old_handle = account.handle
    if not new_handle or old_handle == new_handle:
        return None
    day = day or timezone.localdate()
    with transaction.atomic():
        change = HandleChange.objects.create(
            account=account, old_handle=old_handle, new_handle=new_handle, changed_on=day, source=source
        )
        SocialAccount.objects.filter(pk=account.pk).update(handle=new_handle, updated_at=timezone.now())
        account.handle = new_handle
        audit_record(
            instance=account,
            action=AuditEntry.Action.UPDATE,
            changes={"handle": (old_handle, new_handle)},
            source=source,
            user=user,
            batch=batch,
            note=f"renamed on {day.isoformat()}",
        )
    return change


def accounts_retire(*, accounts, user=None, source=ChangeSource.ADMIN):
    """Retire accounts instead of deleting them: polling stops, their history stays."""
    accounts = list(accounts.filter(active=True)) if hasattr(accounts, "filter") else [a for a in accounts if a.active]
    if not accounts:
        return 0
    with transaction.atomic():
        SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(active=False, updated_at=timezone.now())
        AuditEntry.objects.bulk_create(
            audit_entry(
                instance=account,
                action=AuditEntry.Action.RETIRE,
                changes={"active": (True, False)},
                source=source,
                user=user,
            )
            for account in accounts
        )
    return len(accounts)


def legislator_change_role(*, legislator, role, effective_from=None, user=None, source=ChangeSource.ADMIN, note=""):
    """A dated change of role (an MLA made minister): the role before it stays in the history.

    The first change also records the role held until then (from the term's
    start), so that "the role on a day" before the change is still known.
    """
    effective_from = effective_from or timezone.localdate()
    with transaction.atomic():
        old_role = legislator.role
        if not legislator.role_changes.exists() and old_role != role:
            RoleChange.objects.create(
                legislator=legislator, role=old_role, effective_from=legislator.term_start or EARLIEST_ROLE_DAY
            )
        change, _created = RoleChange.objects.update_or_create(
            legislator=legislator, effective_from=effective_from, defaults={"role": role, "note": note}
        )
        current = (
            legislator.role_changes.filter(effective_from__lte=timezone.localdate()).order_by("-effective_from").first()
        )
        if current is not None and current.role != legislator.role:
            Legislator.objects.filter(pk=legislator.pk).update(role=current.role, updated_at=timezone.now())
            legislator.role = current.role
        audit_record(
            instance=legislator,
            action=AuditEntry.Action.UPDATE,
            changes={"role": (old_role, role)},
            source=source,
            user=user,
            note=f"role from {effective_from.isoformat()}",
        )
    return change
