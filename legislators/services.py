"""Writes for the people and places we track: account lifecycle, terms, appointments, aspirants.

Each writes its own audit entry (legislators.audit), so the admin, the
importers and polling leave the same trail.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_entry, audit_record, changes_mark
from .models import (
    Appointment,
    Aspirant,
    AuditEntry,
    ChangeSource,
    HandleChange,
    Legislator,
    Role,
    SocialAccount,
    Term,
    overlapping,
)

# The first day of the Republic: the start given to a term whose start was
# never recorded (a member carried over from before terms existed).
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
        changes_mark(legislator_ids={account.legislator_id for account in accounts})  # every day: no longer counted
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


def legislators_refresh_current(*, ids, today=None):
    """Copy each person's current term and appointment onto the Legislator row: the "current" fields.

    The current term is the one covering today, else the latest one begun
    before today, else the first one to come; the current role is the
    appointment held today, else MLA. Two queries and one bulk update,
    whatever the number of people. Returns the number of rows changed.
    """
    ids = set(ids)
    if not ids:
        return 0
    today = today or timezone.localdate()
    terms, appointments = {}, {}
    for term in Term.objects.filter(legislator_id__in=ids).order_by("start"):
        terms.setdefault(term.legislator_id, []).append(term)
    for appointment in Appointment.objects.filter(legislator_id__in=ids, start__lte=today).order_by("start"):
        if appointment.end is None or appointment.end >= today:
            appointments[appointment.legislator_id] = appointment
    changed = []
    fields = ["constituency_id", "party_id", "term_start", "term_end", "role", "portfolio", "portfolio_hi"]
    for person in Legislator.objects.filter(pk__in=ids):
        current = _current_term(terms.get(person.pk, []), today)
        appointment = appointments.get(person.pk)
        values = {
            "constituency_id": current.constituency_id if current else None,
            "party_id": current.party_id if current else None,
            "term_start": current.start if current else None,
            "term_end": current.end if current else None,
            "role": appointment.role if appointment else Role.MLA,
            "portfolio": appointment.portfolio if appointment else "",
            "portfolio_hi": appointment.portfolio_hi if appointment else "",
        }
        if any(getattr(person, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(person, name, value)
            person.updated_at = timezone.now()
            changed.append(person)
    Legislator.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=500)
    return len(changed)


def _current_term(terms, today):
    """``terms`` sorted by start: the one covering today, else the latest begun, else the first to come."""
    begun = [term for term in terms if term.start <= today]
    if begun:
        return begun[-1]
    return terms[0] if terms else None


def _record(instance, *, source, user, batch=None, note=""):
    """Validate (field rules, constraints, overlaps), save and audit a new term/appointment/aspirant."""
    instance.full_clean()
    instance.save()
    audit_record(
        instance=instance,
        action=AuditEntry.Action.CREATE,
        changes={
            field.name: (None, getattr(instance, field.attname))
            for field in instance._meta.concrete_fields
            if field.name not in ("id", "created_at", "updated_at")
        },
        source=source,
        user=user,
        batch=batch,
        note=note,
    )
    return instance


def _update(instance, values, *, source, user, note=""):
    """Validate and save changed fields of a term/appointment, with its audit entry."""
    old = {name: getattr(instance, name) for name in values}
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    audit_record(
        instance=instance,
        action=AuditEntry.Action.UPDATE,
        changes={name: (old[name], value) for name, value in values.items() if old[name] != value},
        source=source,
        user=user,
        note=note,
    )
    return instance


def term_record(
    *,
    legislator,
    constituency,
    start,
    party=None,
    end=None,
    how_elected=Term.HowElected.GENERAL,
    end_reason="",
    source="",
    user=None,
    change_source=ChangeSource.ADMIN,
):
    """A new term (a seat from ``start``): refused with a ValidationError when it overlaps
    another term of the person or of the seat, or ends before it starts."""
    with transaction.atomic():
        term = _record(
            Term(
                legislator=legislator,
                constituency=constituency,
                party=party,
                start=start,
                end=end,
                how_elected=how_elected,
                end_reason=end_reason,
                source=source,
            ),
            source=change_source,
            user=user,
        )
        changes_mark(legislator_ids=[legislator.pk], since=start)
        legislators_refresh_current(ids=[legislator.pk])
    return term


def term_close(*, term, end, reason, user=None, change_source=ChangeSource.ADMIN):
    """End a term on ``end`` (the last day served) for ``reason`` (a Term.EndReason)."""
    with transaction.atomic():
        old_end = term.end
        _update(term, {"end": end, "end_reason": reason}, source=change_source, user=user)
        changes_mark(legislator_ids=[term.legislator_id], since=min(end, old_end) if old_end else end)
        legislators_refresh_current(ids=[term.legislator_id])
    return term


def term_change_party(*, term, party, day, user=None, change_source=ChangeSource.ADMIN):
    """A dated party switch: ``term`` ends the day before ``day`` and the same seat continues
    from ``day`` under ``party`` (until the old term's end). Returns the new term."""
    if not term.covers(day):
        raise ValidationError(
            _("The switch on %(day)s is outside the term %(term)s: expected a day the term covers.")
            % {"day": day.isoformat(), "term": term}
        )
    with transaction.atomic():
        changes_mark(legislator_ids=[term.legislator_id], since=day)
        if day == term.start:
            _update(term, {"party": party}, source=change_source, user=user, note="party from the term's first day")
            legislators_refresh_current(ids=[term.legislator_id])
            return term
        old_end, old_reason = term.end, term.end_reason
        _update(
            term,
            {"end": day - timedelta(days=1), "end_reason": Term.EndReason.PARTY_CHANGE},
            source=change_source,
            user=user,
        )
        new = _record(
            Term(
                legislator_id=term.legislator_id,
                constituency_id=term.constituency_id,
                party=party,
                start=day,
                end=old_end,
                end_reason=old_reason,
                how_elected=term.how_elected,
                source=term.source,
            ),
            source=change_source,
            user=user,
            note=f"party switch on {day.isoformat()}",
        )
        legislators_refresh_current(ids=[term.legislator_id])
    return new


def appointment_record(
    *,
    legislator,
    role,
    start,
    portfolio="",
    portfolio_hi="",
    end=None,
    source="",
    user=None,
    change_source=ChangeSource.ADMIN,
):
    """A new ministerial appointment; refused when it overlaps another of the person's."""
    with transaction.atomic():
        appointment = _record(
            Appointment(
                legislator=legislator,
                role=role,
                portfolio=portfolio,
                portfolio_hi=portfolio_hi,
                start=start,
                end=end,
                source=source,
            ),
            source=change_source,
            user=user,
        )
        changes_mark(legislator_ids=[legislator.pk], since=start)
        legislators_refresh_current(ids=[legislator.pk])
    return appointment


def legislator_change_role(
    *,
    legislator,
    role,
    effective_from=None,
    portfolio="",
    portfolio_hi="",
    user=None,
    source=ChangeSource.ADMIN,
    note="",
):
    """A dated change of role (a reshuffle): the appointment held on ``effective_from`` ends the day
    before and, unless the new role is MLA, a new appointment starts on that day. The roles before
    stay in the history. Returns the new Appointment (None for MLA)."""
    effective_from = effective_from or timezone.localdate()
    with transaction.atomic():
        changes_mark(legislator_ids=[legislator.pk], since=effective_from)
        held = overlapping_appointments(legislator_id=legislator.pk, start=effective_from, end=effective_from).first()
        old_end = None
        if held is not None:
            old_end = held.end
            if held.start == effective_from:
                held_id = held.pk
                audit_record(
                    instance=held,
                    action=AuditEntry.Action.DELETE,
                    source=source,
                    user=user,
                    note=f"replaced by {role} from {effective_from.isoformat()}",
                )
                Appointment.objects.filter(pk=held_id).delete()
            else:
                _update(held, {"end": effective_from - timedelta(days=1)}, source=source, user=user, note=note)
        new = None
        if role != Role.MLA:
            new = _record(
                Appointment(
                    legislator=legislator,
                    role=role,
                    portfolio=portfolio,
                    portfolio_hi=portfolio_hi,
                    start=effective_from,
                    end=old_end,
                    source=note,
                ),
                source=source,
                user=user,
                note=note,
            )
        old_role = legislator.role
        legislators_refresh_current(ids=[legislator.pk])
        legislator.refresh_from_db()
        audit_record(
            instance=legislator,
            action=AuditEntry.Action.UPDATE,
            changes={"role": (old_role, role)},
            source=source,
            user=user,
            note=f"role from {effective_from.isoformat()}",
        )
    return new


def overlapping_appointments(*, legislator_id, start, end):
    return overlapping(Appointment.objects.filter(legislator_id=legislator_id), start=start, end=end).order_by("start")


def aspirant_record(
    *, legislator, constituency, start, party=None, end=None, note="", user=None, change_source=ChangeSource.ADMIN
):
    """Record a person as an aspirant for a seat from ``start`` (counted apart from the members; the standings
    table keeps the person's aspirant rows from ``start``)."""
    with transaction.atomic():
        aspirant = _record(
            Aspirant(legislator=legislator, constituency=constituency, party=party, start=start, end=end, note=note),
            source=change_source,
            user=user,
        )
        changes_mark(legislator_ids=[legislator.pk], since=start)
        return aspirant
