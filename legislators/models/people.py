"""People and their dated terms, appointments and aspirations; overlaps checked against the stored rows."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .places import Constituency, Party


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
    portfolio_hi = models.CharField(_("portfolio (Hindi)"), max_length=300, blank=True, editable=False)
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
    portfolio_hi = models.CharField(
        _("portfolio (Hindi)"),
        max_length=300,
        blank=True,
        help_text=_("Shown instead of the portfolio when the page is in Hindi."),
    )
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
        messages = aspirant_conflicts(
            legislator_id=self.legislator_id,
            constituency_id=self.constituency_id,
            start=self.start,
            end=self.end,
            exclude_pk={self.pk, *getattr(self, "edited_together", ())},
        )
        if messages:
            raise ValidationError(messages)


# --- checks against the stored rows ------------------------------------------------------------
# The rules above are pure; these read the database (one query each), for
# the models' clean(), the services and the importers' single-row paths.
# Overlaps are not database constraints: an exclusion constraint needs
# PostgreSQL's btree_gist extension and SQLite has none, so every writer
# calls these (services.py, the importers, load_reference, admin forms).


def _span(start, end):
    return f"{start.isoformat()}–{end.isoformat() if end else gettext('open')}"


def _excluded(exclude_pk):
    """The ids not to compare with: the row itself, or (a set) the rows an admin form edits together."""
    if exclude_pk is None:
        return []
    return [pk for pk in exclude_pk if pk] if isinstance(exclude_pk, (set, frozenset, list, tuple)) else [exclude_pk]


def dates_conflict(start, end):
    """A message when ``end`` is before ``start``, else None."""
    if start is not None and end is not None and end < start:
        return gettext("The end %(end)s is before the start %(start)s: expected an end on or after the start.") % {
            "end": end.isoformat(),
            "start": start.isoformat(),
        }
    return None


def term_conflicts(*, legislator_id, constituency_id, start, end, exclude_pk=None):
    """Messages for a term that would overlap another term of the person or of the seat ([] when none)."""
    if start is None:
        return []
    problem = dates_conflict(start, end)
    if problem:
        return [problem]
    others = Term.objects.exclude(pk__in=_excluded(exclude_pk))
    messages = []
    if legislator_id:
        clash = overlapping(others.filter(legislator_id=legislator_id), start=start, end=end).first()
        if clash is not None:
            messages.append(
                gettext(
                    "This person already has a term %(span)s (%(seat)s) that overlaps %(new)s: expected terms of "
                    "one person that do not overlap (end the other term first)."
                )
                % {"span": _span(clash.start, clash.end), "seat": clash.constituency or "—", "new": _span(start, end)}
            )
    if constituency_id:
        clash = (
            overlapping(others.filter(constituency_id=constituency_id), start=start, end=end)
            .select_related("legislator")
            .first()
        )
        if clash is not None:
            messages.append(
                gettext(
                    "The seat is held by %(member)s %(span)s, which overlaps %(new)s: expected one member of a "
                    "seat at a time (end that term first)."
                )
                % {"member": clash.legislator.name, "span": _span(clash.start, clash.end), "new": _span(start, end)}
            )
    return messages


def appointment_conflicts(*, legislator_id, start, end, exclude_pk=None):
    if start is None:
        return []
    problem = dates_conflict(start, end)
    if problem:
        return [problem]
    others = Appointment.objects.exclude(pk__in=_excluded(exclude_pk))
    clash = overlapping(others.filter(legislator_id=legislator_id), start=start, end=end).first()
    if clash is None:
        return []
    return [
        gettext(
            "This person is already %(role)s %(span)s, which overlaps %(new)s: expected one appointment at a time "
            "(end the other one first)."
        )
        % {"role": clash.get_role_display(), "span": _span(clash.start, clash.end), "new": _span(start, end)}
    ]


def aspirant_conflicts(*, legislator_id, constituency_id, start, end, exclude_pk=None):
    if start is None:
        return []
    problem = dates_conflict(start, end)
    if problem:
        return [problem]
    others = Aspirant.objects.exclude(pk__in=_excluded(exclude_pk))
    clash = overlapping(
        others.filter(legislator_id=legislator_id, constituency_id=constituency_id), start=start, end=end
    ).first()
    if clash is None:
        return []
    return [
        gettext("This person is already an aspirant for this seat %(span)s: expected dates that do not overlap.")
        % {"span": _span(clash.start, clash.end)}
    ]
