"""Who is tracked: divisions, districts, constituencies, voter rolls, parties,
legislators and their social accounts.

Every rule that protects the numbers is a database constraint, so that the
admin, the importers and a stray shell session are all held to it.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Division(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self):
        return self.name


class District(models.Model):
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="districts", verbose_name=_("division")
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name


class Constituency(models.Model):
    class Kind(models.TextChoices):
        ASSEMBLY = "AC", _("Assembly")
        PARLIAMENTARY = "PC", _("Parliamentary")

    class Reserved(models.TextChoices):
        GENERAL = "GEN", _("General")
        SCHEDULED_CASTE = "SC", _("Scheduled Caste")
        SCHEDULED_TRIBE = "ST", _("Scheduled Tribe")

    state_code = models.CharField(_("state code"), max_length=2)
    kind = models.CharField(_("kind"), max_length=2, choices=Kind.choices, default=Kind.ASSEMBLY)
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100, blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="constituencies",
        verbose_name=_("district"),
    )
    reserved_category = models.CharField(
        _("reserved category"), max_length=3, choices=Reserved.choices, default=Reserved.GENERAL
    )

    class Meta:
        ordering = ["state_code", "kind", "number"]
        verbose_name = _("constituency")
        verbose_name_plural = _("constituencies")
        constraints = [
            models.UniqueConstraint(fields=["state_code", "kind", "number"], name="constituency_number_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=["AC", "PC"]), name="constituency_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(reserved_category__in=["GEN", "SC", "ST"]),
                name="constituency_reserved_valid",
            ),
            models.CheckConstraint(condition=models.Q(number__gt=0), name="constituency_number_positive"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"


class VoterRoll(models.Model):
    """The electors of a constituency as published on a date.

    The roll in force on a day is the newest one published on or before it
    (the oldest one when none is older): see legislators.rolls.
    """

    constituency = models.ForeignKey(
        Constituency, on_delete=models.CASCADE, related_name="voter_rolls", verbose_name=_("constituency")
    )
    published_on = models.DateField(_("published on"))
    total_electors = models.PositiveIntegerField(_("total electors"))
    male = models.PositiveIntegerField(_("male"), null=True, blank=True)
    female = models.PositiveIntegerField(_("female"), null=True, blank=True)
    third_gender = models.PositiveIntegerField(_("third gender"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["constituency", "-published_on"]
        verbose_name = _("voter roll")
        verbose_name_plural = _("voter rolls")
        constraints = [
            models.UniqueConstraint(fields=["constituency", "published_on"], name="voter_roll_one_per_day"),
            models.CheckConstraint(condition=models.Q(total_electors__gt=0), name="voter_roll_electors_positive"),
        ]

    def __str__(self):
        return f"{self.constituency} {self.published_on}: {self.total_electors}"


class Party(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(_("short name"), max_length=20, unique=True)
    colour = models.CharField(
        _("colour"), max_length=7, default="#777777", help_text=_("A hex colour such as #ff9933.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(condition=models.Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"), name="party_colour_hex"),
        ]

    def __str__(self):
        return self.short_name


class Role(models.TextChoices):
    CHIEF_MINISTER = "CM", _("Chief Minister")
    CABINET_MINISTER = "CABINET", _("Cabinet Minister")
    MINISTER_OF_STATE_INDEPENDENT = "MOS_IC", _("Minister of State (Independent Charge)")
    MINISTER_OF_STATE = "MOS", _("Minister of State")
    MLA = "MLA", _("MLA")


MINISTER_ROLES = [
    Role.CHIEF_MINISTER,
    Role.CABINET_MINISTER,
    Role.MINISTER_OF_STATE_INDEPENDENT,
    Role.MINISTER_OF_STATE,
]


class Legislator(models.Model):
    name = models.CharField(_("name"), max_length=150)
    name_hi = models.CharField(_("name (Hindi)"), max_length=150, blank=True)
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="legislators", verbose_name=_("party")
    )
    constituency = models.ForeignKey(
        Constituency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legislators",
        verbose_name=_("constituency"),
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MLA)
    portfolio = models.CharField(_("portfolio"), max_length=300, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo record"), default=False, editable=False, help_text=_("Created by seed_demo."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("legislator")
        verbose_name_plural = _("legislators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]), name="legislator_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True)
                | models.Q(term_start__isnull=True)
                | models.Q(term_end__gte=models.F("term_start")),
                name="legislator_term_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_minister(self):
        return self.role in MINISTER_ROLES


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


class RoleChange(models.Model):
    """The role a member holds from a date on (until the next change).

    ``Legislator.role`` is the role held today; this history answers "which
    role on that day" for the dashboard's "as on" date. A member without any
    row has held ``Legislator.role`` throughout.
    """

    legislator = models.ForeignKey(
        Legislator, on_delete=models.CASCADE, related_name="role_changes", verbose_name=_("legislator")
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    effective_from = models.DateField(_("from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legislator", "effective_from"]
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        constraints = [
            # Also the index behind "the role held on a day" (standings' role filter).
            models.UniqueConstraint(fields=["legislator", "effective_from"], name="role_change_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]), name="role_change_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.legislator} {self.get_role_display()} from {self.effective_from}"


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
