"""Connected accounts, their audience geography, and the gazetteer that places a city in a district.

Registered with the ``metrics`` app (``metrics.models`` imports them), so
their migrations live in ``metrics/migrations``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from legislators.models import District, SocialAccount


class Provider(models.TextChoices):
    FACEBOOK = "facebook", _("Facebook Login for Business")
    GOOGLE = "google", _("Google")


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    EXPIRED = "expired", _("Expired: reconnect")
    REVOKED = "revoked", _("Revoked")
    ERROR = "error", _("Error")


class Connection(models.Model):
    """An account's owner granted us its insights (OAuth). Tokens encrypted at rest (follower_tracker.crypto).

    One per account: reconnecting replaces the tokens. A revoked connection
    keeps its row (who, when, why) and its stored geographies; its tokens are erased.
    """

    Status = ConnectionStatus

    account = models.OneToOneField(
        SocialAccount, on_delete=models.CASCADE, related_name="connection", verbose_name=_("account")
    )
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConnectionStatus.choices)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The platform's id of what was granted: the Page id, the Instagram user id, the YouTube channel id.
    external_id = models.CharField(_("platform id"), max_length=64, blank=True)
    access_token_encrypted = models.TextField(blank=True, editable=False)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    scopes = models.CharField(_("permissions granted"), max_length=500, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_via_link = models.BooleanField(_("connected through a staff link"), default=False)
    connected_at = models.DateTimeField(_("connected"))
    refreshed_at = models.DateTimeField(_("token refreshed"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_geography_at = models.DateTimeField(_("last geography"), null=True, blank=True)

    class Meta:
        ordering = ["account"]
        verbose_name = _("connected account")
        verbose_name_plural = _("connected accounts")
        permissions = [("manage_connections", "Can connect and revoke accounts' insights")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ConnectionStatus.values), name="connection_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(provider__in=Provider.values), name="connection_provider_valid"),
        ]
        indexes = [
            # The refresh job: connected tokens expiring soonest.
            models.Index(fields=["status", "expires_at"], name="connection_refresh_idx"),
        ]

    def __str__(self):
        return f"{self.account} ({self.get_status_display()})"

    @property
    def usable(self):
        return self.status == ConnectionStatus.CONNECTED


class AudienceGeography(models.Model):
    """One account's audience by city as the platform reported it on one day.

    ``metric``: "followers" (Instagram ``follower_demographics``, Facebook
    Page fans by city) or "views" (YouTube Analytics views by city).
    ``total``: the account's followers (or the views of the window) the
    cities are part of; ``other`` = total − the listed cities: the platform's
    own "other / unknown" remainder, kept.
    """

    class Metric(models.TextChoices):
        FOLLOWERS = "followers", _("followers")
        VIEWS = "views", _("views")

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="geographies")
    day = models.DateField(_("day"))
    metric = models.CharField(_("measure"), max_length=10, choices=Metric.choices)
    total = models.BigIntegerField(_("total"))
    other = models.BigIntegerField(_("other or unknown"))
    followers = models.BigIntegerField(_("followers on the day"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("taken at"))

    class Meta:
        ordering = ["account", "-day"]
        verbose_name = _("audience geography")
        verbose_name_plural = _("audience geographies")
        constraints = [
            # A second poll the same day (a retried batch) overwrites it.
            models.UniqueConstraint(fields=["account", "day"], name="geography_one_per_account_day"),
            models.CheckConstraint(condition=models.Q(total__gte=0, other__gte=0), name="geography_non_negative"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.day}"


class AudienceCity(models.Model):
    geography = models.ForeignKey(AudienceGeography, on_delete=models.CASCADE, related_name="cities")
    name = models.CharField(_("city, as the platform names it"), max_length=200)
    value = models.BigIntegerField(_("followers or views"))

    class Meta:
        ordering = ["geography", "-value"]
        constraints = [models.UniqueConstraint(fields=["geography", "name"], name="city_once_per_geography")]

    def __str__(self):
        return f"{self.name}: {self.value}"


class Place(models.Model):
    """The gazetteer: a city name as platforms write it → the district it lies in.

    ``key``: the name normalised (``metrics.audience.places.place_key``);
    ``district`` empty: a known place outside every district we track (another state).
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    name = models.CharField(_("name"), max_length=200)
    state_code = models.CharField(_("state"), max_length=2, blank=True)
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="places", verbose_name=_("district")
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["key"]
        verbose_name = _("place")
        verbose_name_plural = _("places (gazetteer)")

    def __str__(self):
        return self.name


class UnmatchedPlace(models.Model):
    """A city name a platform reported that the gazetteer does not know: for an admin to map."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    name = models.CharField(_("city, as the platform names it"), max_length=200)
    platforms = models.CharField(_("platforms"), max_length=60, blank=True)
    audience = models.BigIntegerField(_("followers or views in the latest geographies"), default=0)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))

    class Meta:
        ordering = ["-audience", "key"]
        verbose_name = _("unmatched place")
        verbose_name_plural = _("unmatched places")

    def __str__(self):
        return self.name
