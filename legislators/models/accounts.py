"""Social accounts, their handle history, and who may see which places."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .people import Legislator
from .places import District, Division


class Platform(models.TextChoices):
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"


class AccountKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    PERSONAL = "personal", _("Personal")


class AccountStatus(models.TextChoices):
    OK = "ok", _("OK")
    PENDING = "pending", _("Not yet polled")
    NOT_FOUND = "not_found", _("Not found")
    SUSPENDED = "suspended", _("Suspended")
    PRIVATE = "private", _("Private or not a professional account")
    HIDDEN = "hidden", _("Count hidden")
    ERROR = "error", _("Error")


class SocialAccount(models.Model):
    Kind = AccountKind
    Status = AccountStatus

    URL_PATTERNS = {
        Platform.X: "https://x.com/{handle}",
        Platform.FACEBOOK: "https://www.facebook.com/{handle}",
        Platform.INSTAGRAM: "https://www.instagram.com/{handle}/",
        Platform.YOUTUBE: "https://www.youtube.com/@{handle}",
    }

    legislator = models.ForeignKey(
        Legislator, on_delete=models.CASCADE, related_name="accounts", verbose_name=_("legislator")
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=100)
    platform_id = models.CharField(
        _("platform id"),
        max_length=64,
        blank=True,
        help_text=_("The platform's stable id (X user id, Page id, YouTube channel id): followed across renames."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices, default=AccountKind.OFFICIAL)
    status = models.CharField(_("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.PENDING)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Retire an account instead of deleting it: its history stays.")
    )
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legislator", "platform"]
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        constraints = [
            # Handles are case-insensitive on every platform we poll.
            models.UniqueConstraint(Lower("handle"), "platform", name="account_handle_unique_per_platform"),
            models.UniqueConstraint(
                fields=["platform", "platform_id"],
                condition=~models.Q(platform_id=""),
                name="account_platform_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(platform__in=[choice.value for choice in Platform]), name="account_platform_valid"
            ),
            models.CheckConstraint(condition=models.Q(status__in=AccountStatus.values), name="account_status_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=AccountKind.values), name="account_kind_valid"),
            models.CheckConstraint(condition=~models.Q(handle=""), name="account_handle_not_empty"),
        ]
        indexes = [
            # The planner's "active accounts of a platform, by primary key".
            models.Index(fields=["platform", "active", "id"], name="account_plan_idx"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} {self.handle}"

    @property
    def url(self):
        return self.URL_PATTERNS[self.platform].format(handle=self.handle)


class UserScope(models.Model):
    """Where a dashboard user may look: the whole state, or some divisions and/or districts.

    A user without a scope, or with an empty one, sees nothing (a limited
    user whose last district is removed loses access, never gains the state);
    ``whole_state`` is the explicit grant of everything. Superusers see everything.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scope")
    whole_state = models.BooleanField(
        _("whole state"), default=False, help_text=_("Sees every division and district (leave the lists empty).")
    )
    divisions = models.ManyToManyField(Division, blank=True, verbose_name=_("divisions"))
    districts = models.ManyToManyField(District, blank=True, verbose_name=_("districts"))

    class Meta:
        verbose_name = _("user scope")
        verbose_name_plural = _("user scopes")

    def __str__(self):
        return str(self.user)


class ChangeSource(models.TextChoices):
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Import")
    POLL = "poll", _("Polling")
    MANUAL = "manual", _("Entered by hand")


class HandleChange(models.Model):
    """A rename of an account: the account (and its history) stays one."""

    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="handle_changes", verbose_name=_("account")
    )
    old_handle = models.CharField(_("old handle"), max_length=100)
    new_handle = models.CharField(_("new handle"), max_length=100)
    changed_on = models.DateField(_("changed on"))
    source = models.CharField(_("source"), max_length=8, choices=ChangeSource.choices, default=ChangeSource.POLL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "changed_on", "pk"]
        verbose_name = _("handle change")
        verbose_name_plural = _("handle changes")

    def __str__(self):
        return f"{self.old_handle} → {self.new_handle} ({self.changed_on})"
