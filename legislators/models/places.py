"""Places and parties: divisions, districts, constituencies, voter rolls."""

from django.db import models
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
    name_hi = models.CharField(
        _("name (Hindi)"),
        max_length=120,
        blank=True,
        help_text=_("Shown instead of the name when the page is in Hindi."),
    )
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


class ConstituencyShape(models.Model):
    """A constituency's boundary for the map: a GeoJSON geometry (Polygon or MultiPolygon, WGS84
    longitude/latitude, simplified on import), with where it came from and its licence.

    Written by the boundaries import (legislators/imports/boundaries.py) and ``load_reference``;
    the bounding box is kept beside it so a page can fit the map to its seats without parsing shapes.
    """

    constituency = models.OneToOneField(
        Constituency, on_delete=models.CASCADE, related_name="shape", verbose_name=_("constituency")
    )
    geometry = models.TextField(_("geometry (GeoJSON)"))
    west = models.FloatField(_("west"))
    south = models.FloatField(_("south"))
    east = models.FloatField(_("east"))
    north = models.FloatField(_("north"))
    points = models.PositiveIntegerField(_("points"), default=0)
    source = models.CharField(_("source"), max_length=300, blank=True)
    licence = models.CharField(_("licence"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["constituency"]
        verbose_name = _("constituency shape")
        verbose_name_plural = _("constituency shapes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(west__gte=-180, east__lte=180, south__gte=-90, north__lte=90),
                name="constituency_shape_degrees",
            ),
        ]

    def __str__(self):
        return str(self.constituency)
