"""The audit trail: one writer of AuditEntry rows, and the admin that leaves an entry per change.

Beside each change, its ChangeMark (``changes_mark``): who changed from which day, for what is kept
day by day from the records (the standings table settles the marks).

Every change goes through a service that writes its AuditEntry (who, when,
field → [old, new], from which import), so the admin, the importers and the
polling code leave the same trail. A change that a service records itself
(a role, a handle) is left out of the admin's own entry: one entry per change.
"""

from datetime import date, datetime
from decimal import Decimal

from django.contrib import admin

from .models import Aspirant, AuditEntry, ChangeMark, ChangeSource, Term


def jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "_meta"):  # a model instance
        return str(value)
    return value


def model_label(model_or_instance):
    return model_or_instance._meta.label_lower


def audit_entry(
    *,
    instance=None,
    model="",
    object_id="",
    object_repr="",
    action,
    changes=None,
    source,
    user=None,
    batch=None,
    note="",
):
    """An unsaved AuditEntry (callers bulk-create them)."""
    if instance is not None:
        model, object_id, object_repr = model_label(instance), instance.pk, str(instance)
    return AuditEntry(
        model=model,
        object_id=str(object_id),
        object_repr=str(object_repr)[:200],
        action=action,
        changes={name: [jsonable(old), jsonable(new)] for name, (old, new) in (changes or {}).items()},
        source=source,
        user=user if user is not None and user.is_authenticated else None,
        batch=batch,
        note=note[:300],
    )


def audit_record(**kwargs):
    entry = audit_entry(**kwargs)
    entry.save()
    return entry


def audit_trail_for(*, instance):
    return AuditEntry.objects.filter(model=model_label(instance), object_id=str(instance.pk)).select_related(
        "user", "batch"
    )


def admin_changes(form, *, exclude=()):
    """{field: (old, new)} from a bound admin ModelForm (old from the form's initial values)."""
    changes = {}
    for name in form.changed_data:
        if name in exclude or name not in form.fields:
            continue
        old = form.initial.get(name)
        new = form.cleaned_data.get(name)
        field = form.instance._meta.get_field(name) if name in {f.name for f in form.instance._meta.fields} else None
        if field is not None and field.is_relation and old is not None:
            old = str(field.related_model._default_manager.filter(pk=old).first() or old)
        if hasattr(new, "all") and not hasattr(new, "_meta"):  # a queryset (many-to-many)
            new = [str(item) for item in new]
        changes[name] = (old, new)
    return changes


def record_admin_save(*, form, user, change, exclude=()):
    """The audit entry for an admin save (called from ModelAdmin.save_model / save_formset).

    ``exclude``: fields whose change a service records itself (a role, a handle).
    """
    action = AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE
    changes = admin_changes(form, exclude=exclude if change else ())
    if change and not changes:
        return None
    if not change:
        changes = {name: (None, value) for name, (_old, value) in changes.items()}
    return audit_record(instance=form.instance, action=action, changes=changes, source=ChangeSource.ADMIN, user=user)


def record_admin_delete(*, instance, user):
    return audit_record(instance=instance, action=AuditEntry.Action.DELETE, source=ChangeSource.ADMIN, user=user)


class AuditedAdmin(admin.ModelAdmin):
    """Every save and delete through the admin leaves an AuditEntry with its author;
    the object's History page shows them."""

    object_history_template = "admin/audited_object_history.html"
    # Fields whose change a service saves and audits itself (save_model calls it).
    audited_by_service = ()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_admin_save(form=form, user=request.user, change=change, exclude=self.audited_by_service)
        changes_mark_record(obj, initial=form.initial if change else None)

    def delete_model(self, request, obj):
        record_admin_delete(instance=obj, user=request.user)
        changes_mark_record(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_admin_delete(instance=obj, user=request.user)
            changes_mark_record(obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_admin_delete(instance=obj, user=request.user)
            changes_mark_record(obj)
            obj.delete()
        for obj in instances:
            obj.save()
        formset.save_m2m()
        for inline_form in formset.forms:
            if inline_form.instance.pk and inline_form.has_changed() and inline_form not in formset.deleted_forms:
                record_admin_save(form=inline_form, user=request.user, change=bool(inline_form.initial))
                changes_mark_record(inline_form.instance, initial=inline_form.initial)

    def history_view(self, request, object_id, extra_context=None):
        entries = []
        obj = self.get_object(request, object_id)
        if obj is not None:
            entries = list(audit_trail_for(instance=obj)[:500])
        extra_context = {**(extra_context or {}), "audit_entries": entries}
        return super().history_view(request, object_id, extra_context=extra_context)


# --- Change marks: what changed from when (ChangeMark) ----------------------


def changes_mark(*, legislator_ids=None, since=None):
    """Mark members (None: everyone) as changed from ``since`` (None: from the start), in the caller's
    transaction: whatever is kept day by day from the records recomputes them (one insert)."""
    if legislator_ids is None:
        ChangeMark.objects.create(legislator=None, since=since)
        return
    changes_mark_days(dict.fromkeys(legislator_ids, since))


def changes_mark_days(since_by_legislator):
    """Mark each member as changed from its own day ({legislator id: day or None}); one insert."""
    marks = [ChangeMark(legislator_id=pk, since=since) for pk, since in since_by_legislator.items() if pk is not None]
    if marks:
        ChangeMark.objects.bulk_create(marks, batch_size=2000)


def _earliest(*days):
    known = [day for day in days if day is not None]
    return min(known) if known else None


def people_of_seats(seat_ids):
    """The people who held the seats or sought them (aspirants: measured against the seat's electors too)."""
    members = Term.objects.filter(constituency_id__in=seat_ids).values_list("legislator_id", flat=True)
    aspirants = Aspirant.objects.filter(constituency_id__in=seat_ids).values_list("legislator_id", flat=True)
    return set(members.order_by().union(aspirants.order_by()))


def changes_mark_record(instance, *, initial=None):
    """The marks of a record saved or deleted through the admin (``initial``: the form's values before).

    Terms, appointments, aspirations: the person from the earlier start (before or after the edit); accounts
    and people: the person, every day; voter rolls and seats: the people who held or sought the seat, every day;
    a district: everyone (its division is kept on the rows); a target: everyone from the earlier day.
    Names are read at display time: renaming marks nothing that needs it."""
    initial = initial or {}
    label = model_label(instance)
    if label in ("legislators.term", "legislators.appointment", "legislators.aspirant"):
        people = {instance.legislator_id, initial.get("legislator")}
        changes_mark_days(dict.fromkeys(people, _earliest(instance.start, initial.get("start"))))
    elif label == "legislators.socialaccount":
        changes_mark(legislator_ids={instance.legislator_id, initial.get("legislator")})
    elif label == "legislators.legislator":
        changes_mark(legislator_ids=[instance.pk])
    elif label == "legislators.voterroll":
        changes_mark(legislator_ids=people_of_seats({instance.constituency_id, initial.get("constituency")}))
    elif label == "legislators.constituency":
        changes_mark(legislator_ids=people_of_seats({instance.pk}))
    elif label == "legislators.district":
        changes_mark()
    elif label == "metrics.target":
        changes_mark(since=_earliest(instance.effective_from, initial.get("effective_from")))
