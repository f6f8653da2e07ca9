"""What is measured: follower snapshots (one per account per day), the latest
count per account, fetch runs and their batches, the target; and the API tokens."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legislators.models import Platform, SocialAccount


class Source(models.TextChoices):
    API = "api", _("API")
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported")
    DEMO = "demo", _("Demo")


class FollowerSnapshot(models.Model):
    """One account's count on one Asia/Kolkata day.

    The unique (account, day) constraint is what makes polling idempotent:
    a second poll the same day, or a retried batch, overwrites the row.
    """

    # No index of its own: the unique (account, day) index below serves every
    # lookup by account, and a second one cost a quarter of each day's writes.
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="snapshots", db_index=False)
    day = models.DateField(_("day"))
    followers = models.BigIntegerField(_("followers"), validators=[MinValueValidator(0)])
    posts = models.BigIntegerField(_("posts"), null=True, blank=True, validators=[MinValueValidator(0)])
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.API)
    fetched_at = models.DateTimeField(_("taken at"))
    evidence_url = models.URLField(_("evidence"), blank=True)

    class Meta:
        ordering = ["account", "day"]
        verbose_name = _("follower snapshot")
        verbose_name_plural = _("follower snapshots")
        permissions = [
            ("view_dashboard", "Can view the dashboard"),
            ("export_reports", "Can export reports"),
            ("view_freshness", "Can view the data freshness page"),
        ]
        constraints = [
            # Also the index behind "one account's days" (history charts,
            # the count on or before a day).
            models.UniqueConstraint(fields=["account", "day"], name="snapshot_one_per_account_day"),
            models.CheckConstraint(condition=models.Q(followers__gte=0), name="snapshot_followers_non_negative"),
            models.CheckConstraint(
                condition=models.Q(posts__isnull=True) | models.Q(posts__gte=0), name="snapshot_posts_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=[choice.value for choice in Source]), name="snapshot_source_valid"
            ),
        ]
        indexes = [
            # "One day's accounts": growth and freshness scans by day.
            models.Index(fields=["day"], name="snapshot_day_idx"),
        ]

    def __str__(self):
        return f"{self.account} {self.day}: {self.followers}"


class LatestCount(models.Model):
    """The newest snapshot of each account, kept in the same transaction as
    the history so that today's standings never scan the history."""

    account = models.OneToOneField(SocialAccount, on_delete=models.CASCADE, primary_key=True, related_name="latest")
    day = models.DateField(_("day"))
    followers = models.BigIntegerField(_("followers"))
    posts = models.BigIntegerField(_("posts"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    fetched_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("latest count")
        verbose_name_plural = _("latest counts")
        constraints = [
            models.CheckConstraint(condition=models.Q(followers__gte=0), name="latest_followers_non_negative"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.day}: {self.followers}"


class FetchRun(models.Model):
    """One poll of one platform: planned into batches, each fetched by a task."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        STOPPED = "stopped", _("Stopped")  # token invalid, credits depleted: see note

    class Kind(models.TextChoices):
        COUNTS = "counts", _("Follower counts")
        GEOGRAPHY = "geography", _("Audience geography")

    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    # What the run polls: the public counts, or the connected accounts' audience by city.
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COUNTS)
    client = models.CharField(_("client"), max_length=10, default="live")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    batches_total = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    accounts_ok = models.PositiveIntegerField(_("accounts ok"), default=0)
    accounts_failed = models.PositiveIntegerField(_("accounts failed"), default=0)
    api_calls = models.PositiveIntegerField(_("API calls"), default=0)
    # Accounts per outcome, e.g. {"ok": 240, "not_found": 6, "suspended": 4}.
    status_counts = models.JSONField(_("accounts per status"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The start of the schedule interval a scheduled run belongs to (None for
    # a run asked for by hand). One run per platform per slot: a second beat
    # started by mistake, or a plan message delivered twice, finds the slot
    # taken and plans nothing.
    slot = models.DateTimeField(_("schedule slot"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("fetch run")
        verbose_name_plural = _("fetch runs")
        indexes = [models.Index(fields=["platform", "-started_at"], name="fetchrun_platform_recent_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "kind", "slot"],
                condition=models.Q(slot__isnull=False),
                name="fetchrun_one_per_slot",
            )
        ]
        permissions = [("poll_now", "Can start a poll now")]

    def __str__(self):
        return f"{self.get_platform_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        if self.finished_at:
            return self.finished_at - self.started_at
        return None


class FetchBatch(models.Model):
    """A slice of a run's accounts, fetched by one task.

    The batch row records its own outcome, so a batch that is retried or
    redelivered overwrites its figures instead of adding to the run's twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(FetchRun, on_delete=models.CASCADE, related_name="batches")
    index = models.PositiveIntegerField()
    account_ids = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    accounts_ok = models.PositiveIntegerField(default=0)
    accounts_failed = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    status_counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Retries spent, each kind against its own limit: waits for a rate limit
    # (FETCH_RATE_LIMIT_RETRIES) and backoffs after a 5xx, a timeout or an
    # unusable reply (FETCH_TRANSIENT_RETRIES).
    rate_limit_waits = models.PositiveIntegerField(default=0)
    transient_retries = models.PositiveIntegerField(default=0)
    # Every attempt that did not finish, oldest first: {"attempt", "at",
    # "error", "wait"} (wait: seconds before the next attempt; null when the
    # batch gave up). A successful retry keeps it.
    retry_history = models.JSONField(default=list, blank=True)
    # Accounts whose results an earlier, interrupted attempt already recorded:
    # the retry asks the platform only for the others.
    settled_account_ids = models.JSONField(default=list, blank=True)
    # Why the last attempt did not finish (a 429, a 500) while a retry waits.
    last_attempt_error = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)  # the successful attempt's fetch and write
    # api_calls, accounts_ok/failed, status_counts and errors add up over the
    # attempts: an interrupted attempt's calls and results count too.

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="batch_index_unique_per_run")]

    def __str__(self):
        return f"{self.run} #{self.index}"


class Target(models.Model):
    """The share of electors a member's followers should reach, from a date on."""

    percent = models.DecimalField(_("target %"), max_digits=5, decimal_places=2, default=Decimal("5.00"))
    stretch_percent = models.DecimalField(_("stretch %"), max_digits=5, decimal_places=2, default=Decimal("6.00"))
    effective_from = models.DateField(_("effective from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__gt=0, percent__lte=100), name="target_percent_range"),
            models.CheckConstraint(
                condition=models.Q(stretch_percent__gte=models.F("percent"), stretch_percent__lte=100),
                name="target_stretch_not_below_target",
            ),
        ]

    def __str__(self):
        return f"{self.percent}% / {self.stretch_percent}% from {self.effective_from}"


class DigestRecipients(models.Model):
    """A mailing list for the weekly digest: one division, or the whole state.

    Edited in the admin; the digest schedule itself is a django-celery-beat
    periodic task ("Weekly digest").
    """

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        HINDI = "hi", "हिन्दी"

    name = models.CharField(_("name"), max_length=100, unique=True)
    division = models.ForeignKey(
        "legislators.Division",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="digest_recipients",
        verbose_name=_("division"),
        help_text=_("Leave empty for a digest of the whole state."),
    )
    emails = models.TextField(_("e-mail addresses"), help_text=_("One address per line (commas also work)."))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    active = models.BooleanField(_("active"), default=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("digest recipients")
        verbose_name_plural = _("digest recipients")
        constraints = [
            models.CheckConstraint(condition=models.Q(language__in=["en", "hi"]), name="digest_language_valid"),
        ]

    def __str__(self):
        return self.name

    @property
    def addresses(self):
        return [part.strip() for part in self.emails.replace(",", "\n").splitlines() if part.strip()]

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        bad = []
        for address in self.addresses:
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError({"emails": _("Not e-mail addresses: %(bad)s") % {"bad": ", ".join(bad)}})
        if not self.addresses:
            raise ValidationError({"emails": _("Give at least one e-mail address.")})


class ApiToken(models.Model):
    """A personal API token (README "API"): the user's own, for scripts and other tools.

    Only the SHA-256 of the secret is stored; the secret is shown once, when
    the token is made. A token is never deleted: revoked, it stays as the
    record that its requests were the user's.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “weekly report script”.")
    )
    # The secret's first characters, shown in lists so its owner can tell tokens apart.
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    # The lookup of every API request ("the token with this hash"): the unique index serves it.
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def state(self, now=None):
        """ "active", "revoked" or "expired"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"


class DailyStanding(models.Model):
    """One member's standing on one day, as the standings engine worked it out; or (``aspirant``) one
    aspirant's standing against the seat sought, measured as a member's is against that seat's electors.

    The arithmetic stays in ``metrics.arithmetic`` and the engine; this table
    only stores the engine's results so pages, exports and the party's
    progress over time read rows instead of recomputing them. Kept by
    ``metrics.standings.daily`` (rebuilt by ``manage.py rebuild_standings``,
    kept in the same transaction as the counts, terms, rolls and targets that
    change it). Ids, not names: a row is read joined to today's names.

    The row key: a member's row is (member, day) among the member rows; an
    aspirant's is (day, seat, person) among the aspirant rows (a person may
    hold one seat and seek another, or seek two, on the same day). Every
    reader of members' figures reads ``aspirant=False`` rows only.
    """

    member = models.ForeignKey(
        "legislators.Legislator", on_delete=models.CASCADE, related_name="daily_standings", db_index=False
    )
    day = models.DateField(_("day"))
    aspirant = models.BooleanField(_("aspirant"), default=False)
    # Who and where that day (the term and appointment covering it).
    role = models.CharField(_("role"), max_length=8)
    party = models.ForeignKey(
        "legislators.Party", on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    constituency = models.ForeignKey(
        "legislators.Constituency", on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    district = models.ForeignKey(
        "legislators.District", on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    division = models.ForeignKey(
        "legislators.Division", on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    portfolio = models.CharField(_("portfolio"), max_length=300, blank=True)
    # The numbers (NULL: n/a or unknown, never 0).
    accounts = models.PositiveSmallIntegerField(_("accounts"), default=0)
    # The platforms the member has active accounts on, comma-separated (a platform's followers may be
    # NULL with an account: no count yet), and the posts over 30 days per platform.
    platforms = models.CharField(max_length=60, blank=True)
    posts_30_x = models.BigIntegerField(null=True)
    posts_30_facebook = models.BigIntegerField(null=True)
    posts_30_instagram = models.BigIntegerField(null=True)
    posts_30_youtube = models.BigIntegerField(null=True)
    followers_x = models.BigIntegerField(null=True)
    followers_facebook = models.BigIntegerField(null=True)
    followers_instagram = models.BigIntegerField(null=True)
    followers_youtube = models.BigIntegerField(null=True)
    reach = models.BigIntegerField(_("reach"), null=True)
    electors = models.BigIntegerField(_("electors"), null=True)
    # The voter roll the electors come from (its published_on: after the day before the seat's first roll).
    roll_day = models.DateField(null=True)
    share = models.FloatField(_("share %"), null=True)
    status = models.CharField(_("status"), max_length=8)
    needed = models.BigIntegerField(_("followers needed"), null=True)
    growth_7 = models.BigIntegerField(null=True)
    growth_30 = models.BigIntegerField(null=True)
    growth_90 = models.BigIntegerField(null=True)
    stagnant = models.BooleanField(_("stagnant"), default=False)
    # The projection: a day, or one of "reached", "beyond", "not_at_this_rate", "unknown".
    projected_on = models.DateField(_("projected date"), null=True)
    projection = models.CharField(_("projection"), max_length=16)
    na_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("daily standing")
        verbose_name_plural = _("daily standings")
        constraints = [
            # Also the index of "one member's days" (a member's trend); members' rows only.
            models.UniqueConstraint(
                fields=["member", "day"], condition=Q(aspirant=False), name="daily_standing_one_per_member_day"
            ),
            # An aspirant's row per seat sought and day; also the index of "a seat's aspirants on a day".
            models.UniqueConstraint(
                fields=["day", "constituency", "member"],
                condition=Q(aspirant=True),
                name="daily_standing_one_per_aspirant_seat_day",
            ),
        ]
        indexes = [
            # "One day's rows, sorted by share", filtered by division, district or status;
            # the day-leading indexes also serve the table's first and last day.
            models.Index(fields=["day", "share"], name="daily_standing_day_share_idx"),
            models.Index(fields=["day", "division", "share"], name="daily_standing_division_idx"),
            models.Index(fields=["day", "district", "share"], name="daily_standing_district_idx"),
            models.Index(fields=["day", "status", "share"], name="daily_standing_status_idx"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.day}: {self.status}"


# Connected accounts, audience geography and the gazetteer (metrics/audience/models.py), registered with this app.
from metrics.audience.models import (  # noqa: E402, F401
    AudienceCity,
    AudienceGeography,
    Connection,
    Place,
    UnmatchedPlace,
)
