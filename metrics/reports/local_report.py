"""The local-share report: the "Followers in their own constituency" page as a file (same filters, same rows).

Every local figure is an estimate, and the file says so in its headers, with the date of the geography
and the fraction of followers it covers on each row.
"""

from django.utils.translation import gettext as _

from metrics.standings.local import local_page

from .options import filename_parts
from .writers import BLANK, DATE, INTEGER, PERCENT, TEXT, Column, Table

STATUS_LABELS = {"local": "Local", "not_local": "Not local", "n/a": "n/a"}


def local_columns():
    return [
        Column("id", _("Member id"), INTEGER, 10),
        Column("name", _("Member"), TEXT, 30),
        Column("constituency_number", _("Constituency number"), INTEGER, 10),
        Column("constituency", _("Constituency"), TEXT, 24),
        Column("district", _("District"), TEXT, 18),
        Column("electors", _("Electors"), INTEGER, 14),
        Column("reach", _("Followers, all platforms"), INTEGER, 14),
        Column("share", _("Share of voters %"), PERCENT, 12),
        Column("local_share", _("Local share of voters % (estimate)"), PERCENT, 14),
        Column("local_followers", _("Estimated followers among the voters"), INTEGER, 16),
        Column("district_local_followers", _("Estimated followers in the district"), INTEGER, 16),
        Column("district_electors", _("Electors of the district"), INTEGER, 14),
        Column("geography_day", _("Audience by city as of"), DATE, 12),
        Column("coverage", _("Followers placed by city %"), PERCENT, 12),
        Column("local_status", _("Local status"), TEXT, 12),
        Column("local_note", _("Why no local share"), TEXT, 40),
    ]


def _whole(value):
    return None if value is None else round(value)


def local_table(*, filters, options, user):
    page = local_page(scope_user=user, filters=filters.selector_kwargs(), local=options.cleaned_data.get("local") or "")
    columns = local_columns()

    def rows():
        for member, share in page.rows:
            yield (
                member.id,
                member.name,
                member.constituency_number,
                member.constituency_name or None,
                member.district or None,
                member.electors or None,
                member.reach,
                member.share,
                share.share,
                _whole(share.seat_estimate),
                _whole(share.district_estimate),
                share.district_electors,
                share.day,
                None if share.coverage is None else share.coverage * 100,
                _(STATUS_LABELS[share.status]),
                share.reason or BLANK,
            )

    return Table("local", columns, rows(), filename_parts(filters), page.day)
