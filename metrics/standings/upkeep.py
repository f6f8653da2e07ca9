"""Keeping the standings table in step with every write that changes it, in that write's transaction.

The writers below the standings (counts, the people and places) know
nothing of it: they send signals, received here (connected in
``MetricsConfig.ready``):

- counts (polls, manual counts, imports of counts): ``counts_written`` →
  the members of the touched accounts, from the earliest day written;
- terms and appointments (services, admin): the member, from the earliest of
  the old and the new start;
- voter rolls: the members who ever held the seat, from the roll's day (from
  the table's first day when it is, or was, the seat's oldest roll: it is in
  force before it too);
- targets: everyone, from the earliest of the old and new ``effective_from``;
- a member made inactive or active, an account added, moved or retired: that
  member, every day (the engine leaves retired accounts out of every day);
- an applied import of constituencies, voter rolls, legislators or accounts
  (bulk writes send no save signals): everyone, every day kept.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from legislators.models import Appointment, ImportBatch, Legislator, SocialAccount, Term, VoterRoll
from legislators.signals import people_changed
from metrics.counts import counts_written
from metrics.models import Target

from .daily import standings_keep

# Import kinds that change members or denominators in bulk.
MEMBERSHIP_IMPORTS = {
    ImportBatch.Kind.CONSTITUENCIES,
    ImportBatch.Kind.VOTER_ROLLS,
    ImportBatch.Kind.LEGISLATORS,
    ImportBatch.Kind.ACCOUNTS,
}
_BEFORE = "_standings_before"  # the stored values of an instance being saved (pre_save → post_save)


def on_counts_written(sender, *, touched, **kwargs):
    members = SocialAccount.objects.filter(pk__in=list(touched)).values("legislator_id")
    standings_keep(member_ids=members, since=min(touched.values()), extend=True)


def on_people_changed(sender, *, legislator_ids, since=None, **kwargs):
    standings_keep(member_ids=list(legislator_ids), since=since)


def _remember(fields):
    def receiver(sender, instance, **kwargs):
        before = None
        if instance.pk is not None:
            before = sender.objects.filter(pk=instance.pk).values(*fields).first()
        setattr(instance, _BEFORE, before)

    return receiver


def _earliest(*days):
    days = [day for day in days if day is not None]
    return min(days) if days else None


def _cascaded(instance, kwargs):
    """Deleted because something else is (a member, a seat): that delete's own rows go with it."""
    origin = kwargs.get("origin")
    return origin is not None and origin is not instance


def on_dated_record(sender, instance, **kwargs):
    """A term or appointment saved or deleted: its member(s), from the earliest start involved."""
    if _cascaded(instance, kwargs):
        return
    before = getattr(instance, _BEFORE, None) or {}
    members = {instance.legislator_id, before.get("legislator_id")} - {None}
    standings_keep(member_ids=members, since=_earliest(instance.start, before.get("start")))


def on_voter_roll(sender, instance, **kwargs):
    if _cascaded(instance, kwargs):
        return
    before = getattr(instance, _BEFORE, None) or {}
    seats = {instance.constituency_id, before.get("constituency_id")} - {None}
    since = _earliest(instance.published_on, before.get("published_on"))
    if not VoterRoll.objects.filter(constituency_id__in=seats, published_on__lt=since).exists():
        since = None  # the seat's oldest roll is in force before its day too
    members = Term.objects.filter(constituency_id__in=seats).values_list("legislator_id", flat=True)
    standings_keep(member_ids=set(members), since=since)


def on_target(sender, instance, **kwargs):
    before = getattr(instance, _BEFORE, None) or {}
    standings_keep(member_ids=None, since=_earliest(instance.effective_from, before.get("effective_from")))


def on_member(sender, instance, **kwargs):
    before = getattr(instance, _BEFORE, None)
    if before is not None and before["active"] != instance.active:
        standings_keep(member_ids=[instance.pk], since=None)


def on_account(sender, instance, created=False, **kwargs):
    if _cascaded(instance, kwargs):
        return
    before = getattr(instance, _BEFORE, None)
    moved = before is None or any(before[name] != getattr(instance, name) for name in ("active", "legislator_id"))
    if created or moved or kwargs.get("signal") is post_delete:
        members = {instance.legislator_id, (before or {}).get("legislator_id")} - {None}
        standings_keep(member_ids=members, since=None)


def on_import(sender, instance, **kwargs):
    if instance.status == ImportBatch.Status.APPLIED and instance.kind in MEMBERSHIP_IMPORTS:
        standings_keep(member_ids=None, since=None)


def connect():
    """Connect the receivers (MetricsConfig.ready); weak=False: they are module functions anyway."""
    counts_written.connect(on_counts_written, dispatch_uid="standings_counts")
    people_changed.connect(on_people_changed, dispatch_uid="standings_people")
    watched = [
        (Term, ["legislator_id", "start"], on_dated_record),
        (Appointment, ["legislator_id", "start"], on_dated_record),
        (VoterRoll, ["constituency_id", "published_on"], on_voter_roll),
        (Target, ["effective_from"], on_target),
        (Legislator, ["active"], on_member),
        (SocialAccount, ["active", "legislator_id"], on_account),
    ]
    for model, fields, receiver in watched:
        uid = f"standings_{model._meta.label_lower}"
        pre_save.connect(_remember(fields), sender=model, weak=False, dispatch_uid=f"{uid}_before")
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}_deleted")
    post_save.connect(on_import, sender=ImportBatch, dispatch_uid="standings_import")
