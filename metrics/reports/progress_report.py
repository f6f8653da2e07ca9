"""The ``progress`` report: the party's progress over time from the stored daily standings.

One row per period (``step``: daily, weekly, monthly; the period's last kept
day stands for it) and group (``group``: role group, party or division; none:
everyone): members counted, meeting the target and the stretch line (count
and share), stagnant, left out, and the elector-weighted attainment. The
division, district and party filters and the user's scope apply.
"""

from django.utils.translation import gettext as _

from metrics.standings.progress import progress

from .options import filename_parts
from .writers import DATE, INTEGER, PERCENT, TEXT, Column, Table

PERIOD_OF_STEP = {"daily": "day", "weekly": "week", "monthly": "month"}


def progress_columns():
    return [
        Column("day", _("As on"), DATE, 12),
        Column("group", _("Group"), TEXT, 20),
        Column("tracked", _("Members tracked"), INTEGER),
        Column("counted", _("Members with a share"), INTEGER),
        Column("meets", _("Meeting the target"), INTEGER),
        Column("meets_share", _("Meeting the target %"), PERCENT),
        Column("stretch", _("Meeting the stretch line"), INTEGER),
        Column("stretch_share", _("Meeting the stretch line %"), PERCENT),
        Column("stagnant", _("Stagnant"), INTEGER),
        Column("not_applicable", _("Left out (n/a)"), INTEGER),
        Column("attainment", _("Elector-weighted attainment %"), PERCENT),
    ]


def progress_table(*, filters, options, user):
    data, chosen = options.cleaned_data, filters.cleaned_data
    step = data.get("step") or "weekly"
    group = data.get("group") or ""
    points = progress(
        period=PERIOD_OF_STEP[step],
        group=group,
        since=data.get("start"),
        until=data.get("end") or chosen.get("date"),
        scope_user=user,
        division=chosen["division"].pk if chosen.get("division") else None,
        district=chosen["district"].pk if chosen.get("district") else None,
        party=chosen["party"].pk if chosen.get("party") else None,
    )
    rows = [
        (
            point.day,
            point.label,
            point.tracked,
            point.counted,
            point.meets,
            point.meets_share,
            point.stretch,
            point.stretch_share,
            point.stagnant,
            point.not_applicable,
            point.attainment,
        )
        for point in points
    ]
    parts = [*filename_parts(filters), step, *([f"by-{group}"] if group else [])]
    return Table("progress", progress_columns(), rows, parts, points[-1].day if points else None)
