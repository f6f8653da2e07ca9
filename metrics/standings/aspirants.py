"""The aspirants' standings on a day: each aspiration measured against the electors of the seat sought.

An aspirant is a person recorded against a seat without holding it
(``legislators.Aspirant``, from a day to a day; ``live.aspirants_queryset``).
Never counted among the members: the standings table keeps an aspirant's
row apart (``DailyStanding.aspirant``), one per seat sought per day, which
every member figure leaves out.

The same arithmetic as a member's (``live._member_standing`` on a row of the
same names: the seat's electors from the roll in force, the accounts'
totals of ``engine_sql``), so an aspirant's figures are the same whether
worked out here (``live_aspirants``, one query whatever the number) or read
from the table (``stored_aspirants``, one query).
"""

from collections import namedtuple

from django.core.exceptions import EmptyResultSet
from django.db import connection

from legislators.models import Legislator
from legislators.rolls import roll_in_force_annotations
from metrics.models import DailyStanding

from . import stored
from .engine_sql import TOTAL_COLUMNS, account_totals_sql
from .live import _member_standing, aspirants_queryset, today

# An aspiration's row under the names of the live engine's member row (live.MEMBER_FIELDS): the person,
# the aspiration's party and the seat sought with its place. Role and portfolio are a member's only ("").
ASPIRANT_FIELDS = {
    "id": "legislator_id",
    "name": "legislator__name",
    "name_hi": "legislator__name_hi",
    "party_id": "party_id",
    "party": "party__short_name",
    "party_colour": "party__colour",
    "constituency_id": "constituency_id",
    "constituency_number": "constituency__number",
    "constituency_name": "constituency__name",
    "constituency_name_hi": "constituency__name_hi",
    "district_id": "constituency__district_id",
    "district": "constituency__district__name",
    "district_hi": "constituency__district__name_hi",
    "division_id": "constituency__district__division_id",
    "division": "constituency__district__division__name",
    "division_hi": "constituency__district__division__name_hi",
}


def aspirations_on(*, day, constituency_id=None, person_ids=None):
    """The aspirations covering ``day`` (``live.aspirants_queryset``), of one seat, of some people."""
    aspirations = aspirants_queryset(day=day, constituency=constituency_id).select_related(None)
    if person_ids is not None:
        aspirations = aspirations.filter(legislator_id__in=person_ids)
    return aspirations


def live_aspirants(*, day, target, constituency_id=None, person_ids=None):
    """Each aspiration covering ``day``'s standing (a ``MemberStanding``: id = the person, constituency_id =
    the seat sought, party = the aspiration's), ordered by person then seat; one query (none for an empty
    id list)."""
    aspirations = aspirations_on(day=day, constituency_id=constituency_id, person_ids=person_ids)
    rows = (
        aspirations.annotate(**roll_in_force_annotations(day=day, constituency_ref="constituency_id"))
        .order_by()
        .values(*ASPIRANT_FIELDS.values(), "electors", "roll_day")
    )
    people = Legislator.objects.filter(pk__in=aspirations.values("legislator_id"))
    try:
        totals_sql, totals_params = account_totals_sql(
            day=day, members=people, platform="", latest_is_current=day >= today()
        )
        rows_sql, rows_params = rows.query.sql_with_params()
    except EmptyResultSet:
        return []
    quote = connection.ops.quote_name
    columns = [f"a.{quote(column)} AS {quote(name)}" for name, column in ASPIRANT_FIELDS.items()]
    columns += ["'' AS role", "'' AS portfolio", "a.electors AS electors", "a.roll_day AS roll_day"]
    columns += [f"t.{column}" for column in TOTAL_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM ({rows_sql}) AS a"
            f" LEFT JOIN ({totals_sql}) AS t ON t.legislator_id = a.{quote('legislator_id')}"
            f" ORDER BY a.{quote('legislator_id')}, a.{quote('constituency_id')}",
            (*rows_params, *totals_params),
        )
        row_type = namedtuple("AspirantRow", [column[0].lower() for column in cursor.description])
        records = [row_type._make(row) for row in cursor.fetchall()]
    return [_member_standing(row, day=day, target=target, role_labels={}) for row in records]


def stored_aspirants(*, day, target, constituency_id):
    """A seat's aspirants' standings on ``day`` read from the table (the same ``MemberStanding`` as
    ``live_aspirants``), ordered by person; one query."""
    rows = DailyStanding.objects.filter(day=day, aspirant=True, constituency_id=constituency_id)
    return stored.read_members(rows.order_by("member_id"), day=day, target=target)
