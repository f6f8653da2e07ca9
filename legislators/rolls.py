"""The voter roll in force: electors(constituency, day) as a query expression.

The newest roll published on or before the day, else the oldest one (a day
before a seat's first roll uses that first roll).
"""

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import VoterRoll


def electors_in_force_expression(*, day, constituency_ref="constituency_id", field="total_electors"):
    """The total of the newest roll published on or before ``day``, else the oldest.

    ``field="published_on"``: that roll's date instead (after ``day`` when the
    day is before the seat's first roll, which pages and exports then say).
    """
    rolls = VoterRoll.objects.filter(constituency_id=OuterRef(constituency_ref))
    newest_before = rolls.filter(published_on__lte=day).order_by("-published_on").values(field)[:1]
    oldest = rolls.order_by("published_on").values(field)[:1]
    return Coalesce(Subquery(newest_before), Subquery(oldest))


def roll_in_force_annotations(*, day, constituency_ref="constituency_id"):
    """``electors`` and ``roll_day`` of the roll in force on ``day`` (for ``.annotate(**...)``): the standings'
    denominator and the date of the roll it comes from."""
    return {
        "electors": electors_in_force_expression(day=day, constituency_ref=constituency_ref),
        "roll_day": electors_in_force_expression(day=day, constituency_ref=constituency_ref, field="published_on"),
    }
