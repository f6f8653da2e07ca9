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
    """A person: a member (while a term covers the day), a minister (while an
    appointment does) or an aspirant. The social accounts belong to the person,
    so a re-elected or re-seated member keeps one unbroken history.

    ``constituency``, ``party``, ``role``, ``portfolio``, ``term_start`` and
    ``term_end`` are the CURRENT values, copied from the terms and appointments
    by ``services.legislators_refresh_current`` (never edited by hand): pages that
    show a person as of today read them. Anything "as on a day" reads Term and
    Appointment (metrics.standings.engine.members_queryset).
    """

    name = models.CharField(_("name"), max_length=150)
    name_hi = models.CharField(_("name (Hindi)"), max_length=150, blank=True)
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="legislators",
        verbose_name=_("party"),
    )
    constituency = models.ForeignKey(
        Constituency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="legislators",
        verbose_name=_("constituency"),
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MLA, editable=False)
    portfolio = models.CharField(_("portfolio"), max_length=300, blank=True, editable=False)
    term_start = models.DateField(_("term start"), null=True, blank=True, editable=False)
    term_end = models.DateField(_("term end"), null=True, blank=True, editable=False)
    reference_id = models.CharField(
        _("reference id"),
        max_length=20,
        blank=True,
        editable=False,
        help_text=_("The person's id in the shipped reference data (load_reference), e.g. mp-p0001."),
    )
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
            models.UniqueConstraint(
                fields=["reference_id"], condition=~models.Q(reference_id=""), name="legislator_reference_id_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_minister(self):
        return self.role in MINISTER_ROLES


def overlapping(queryset, *, start, end):
    """The rows of ``queryset`` (with ``start``/``end`` fields, end None = open) whose dates meet [start, end]."""
    if end is not None:
        queryset = queryset.filter(start__lte=end)
    return queryset.filter(models.Q(end__isnull=True) | models.Q(end__gte=start))


def _dates_ordered(prefix):
    return models.CheckConstraint(
        condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")), name=f"{prefix}_dates_ordered"
    )


class Term(models.Model):
    """A person's seat from a day to a day (open: still serving), with the party of that time.

    Two terms of one person never overlap, nor two terms of one seat. The
    database holds start ≤ end; the overlaps are checked by ``clean()`` and
    by every service that writes terms (an exclusion constraint would need
    PostgreSQL's btree_gist extension, and SQLite has none). A change of
    party during a term is a dated change: the term ends the day before
    ("changed party") and a new one, same seat, starts on the day.
    """

    class HowElected(models.TextChoices):
        GENERAL = "general", _("General election")
        BY_ELECTION = "by_election", _("By-election")

    class EndReason(models.TextChoices):
        COMPLETION = "completion", _("Completed the term")
        RESIGNATION = "resignation", _("Resigned")
        DEATH = "death", _("Died")
        DISQUALIFICATION = "disqualification", _("Disqualified")
        SEAT_CHANGE = "seat_change", _("Changed seat")
        PARTY_CHANGE = "party_change", _("Changed party")

    legislator = models.ForeignKey(Legislator, on_delete=models.CASCADE, related_name="terms", verbose_name=_("person"))
    constituency = models.ForeignKey(
        Constituency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terms",
        verbose_name=_("constituency"),
        help_text=_("Empty only for a term carried over from a member recorded without a seat."),
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="terms", verbose_name=_("party")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty while the term lasts."))
    how_elected = models.CharField(
        _("how elected"), max_length=12, choices=HowElected.choices, default=HowElected.GENERAL
    )
    end_reason = models.CharField(_("why it ended"), max_length=16, choices=EndReason.choices, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legislator", "start"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            _dates_ordered("term"),
            models.CheckConstraint(
                condition=models.Q(how_elected__in=["general", "by_election"]), name="term_how_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(end_reason="")
                | models.Q(
                    end_reason__in=[
                        "completion",
                        "resignation",
                        "death",
                        "disqualification",
                        "seat_change",
                        "party_change",
                    ],
                    end__isnull=False,
                ),
                name="term_end_reason_valid",
            ),
            # Also the indexes behind "the term covering a day" (per person) and the seat's overlap check.
            models.UniqueConstraint(fields=["legislator", "start"], name="term_one_start_per_person"),
            models.UniqueConstraint(fields=["constituency", "start"], name="term_one_start_per_seat"),
        ]

    def __str__(self):
        seat = self.constituency if self.constituency_id else _("no seat")
        return f"{self.legislator} · {seat} · {self.start}–{self.end or ''}"

    def covers(self, day):
        return self.start <= day and (self.end is None or self.end >= day)

    def clean(self):
        """Dates in order, and no overlap with another term of the person or of the seat."""
        from django.core.exceptions import ValidationError

        from .validation import term_conflicts

        messages = term_conflicts(
            legislator_id=self.legislator_id,
            constituency_id=self.constituency_id,
            start=self.start,
            end=self.end,
            exclude_pk={self.pk, *getattr(self, "edited_together", ())},
        )
        if messages:
            raise ValidationError(messages)


class Appointment(models.Model):
    """A ministerial office held from a day to a day: Chief Minister, Cabinet, MoS (I/C) or MoS.

    On a day a person holds at most one (checked like terms); a member
    without one that day is an MLA. A reshuffle ends one appointment and
    starts the next.
    """

    legislator = models.ForeignKey(
        Legislator, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=8, choices=[(r.value, r.label) for r in MINISTER_ROLES])
    portfolio = models.CharField(_("portfolio"), max_length=300, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty while the appointment lasts."))
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legislator", "start"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            _dates_ordered("appointment"),
            models.CheckConstraint(
                condition=models.Q(role__in=[role.value for role in MINISTER_ROLES]), name="appointment_role_valid"
            ),
            # Also the index behind "the appointment held on a day" (standings' role column).
            models.UniqueConstraint(fields=["legislator", "start"], name="appointment_one_start_per_person"),
        ]

    def __str__(self):
        return f"{self.legislator} · {self.get_role_display()} · {self.start}–{self.end or ''}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from .validation import appointment_conflicts

        messages = appointment_conflicts(
            legislator_id=self.legislator_id,
            start=self.start,
            end=self.end,
            exclude_pk={self.pk, *getattr(self, "edited_together", ())},
        )
        if messages:
            raise ValidationError(messages)


class Aspirant(models.Model):
    """A person recorded against a seat without holding it (seeking the ticket), from a day to a day.

    Measured against the same electorate as the seat's member, but never
    counted among the members: standings count terms, not aspirants.
    """

    legislator = models.ForeignKey(
        Legislator, on_delete=models.CASCADE, related_name="aspirations", verbose_name=_("person")
    )
    constituency = models.ForeignKey(
        Constituency, on_delete=models.PROTECT, related_name="aspirants", verbose_name=_("constituency")
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="aspirants", verbose_name=_("party")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["constituency", "start"]
        verbose_name = _("aspirant")
        verbose_name_plural = _("aspirants")
        constraints = [
            _dates_ordered("aspirant"),
            models.UniqueConstraint(fields=["legislator", "constituency", "start"], name="aspirant_one_start"),
        ]

    def __str__(self):
        return f"{self.legislator} → {self.constituency} · {self.start}–{self.end or ''}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from .validation import aspirant_conflicts

        messages = aspirant_conflicts(
            legislator_id=self.legislator_id,
            constituency_id=self.constituency_id,
            start=self.start,
            end=self.end,
            exclude_pk={self.pk, *getattr(self, "edited_together", ())},
        )
        if messages:
            raise ValidationError(messages)


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
    """Limits a dashboard user to some divisions and/or districts.

    A user without a scope (or with an empty one) sees every member.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scope")
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
