"""Records of changes: import batches and the audit trail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import ChangeSource


class ImportBatch(models.Model):
    """One uploaded file: previewed (a dry run), then applied or refused.

    The file's bytes are kept so that "apply" writes exactly what was
    previewed, and so an audit entry can say which file a change came from.
    """

    class Kind(models.TextChoices):
        CONSTITUENCIES = "constituencies", _("Constituencies")
        VOTER_ROLLS = "voter_rolls", _("Voter rolls")
        LEGISLATORS = "legislators", _("Legislators")
        ACCOUNTS = "accounts", _("Social accounts")
        COUNTS = "counts", _("Follower counts entered by hand")
        BOUNDARIES = "boundaries", _("Constituency boundaries (GeoJSON)")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed (dry run)")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused (errors)")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"), editable=False)
    options = models.JSONField(_("options"), default=dict, blank=True, help_text=_("Column mapping and fixed values."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.get_kind_display()} {self.filename} ({self.created_at:%Y-%m-%d %H:%M})"


class AuditEntry(models.Model):
    """Who changed what, when, and from which import: field → [old, new].

    Written by the services (and the admin's save/delete hooks), never by
    signals, so every entry knows its author and its batch.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        RETIRE = "retire", _("Retired")

    model = models.CharField(_("record type"), max_length=60, help_text=_("app_label.model"))
    object_id = models.CharField(_("record id"), max_length=40)
    object_repr = models.CharField(_("record"), max_length=200)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=ChangeSource.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("by")
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries", verbose_name=_("import")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            # One record's history (the admin's History page).
            models.Index(fields=["model", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.model} {self.object_repr}: {self.action}"


class ChangeMark(models.Model):
    """A record that changed from a day on: one member's (``legislator``), or everyone's (NULL).

    Written in the transaction of the change (counts, terms, appointments,
    voter rolls, accounts, targets) by the services and the admin, so that
    whatever is kept day by day from the records (the standings table)
    recomputes the marked members from ``since`` (NULL: from its first day)
    and removes the marks, in the same transaction or before its next read.
    The people and places need not know who keeps what: a mark only says
    what changed from when.
    """

    legislator = models.ForeignKey(
        "legislators.Legislator", on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    since = models.DateField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "change mark"
        verbose_name_plural = "change marks"

    def __str__(self):
        return f"{self.legislator_id or 'everyone'} from {self.since or 'the start'}"
