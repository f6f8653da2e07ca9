"""The table pages read from the stored standings in SQL show what the live engine's Python shows.

The same members in the same order on every page for every sort (ties broken by name as ``sort_members``
breaks them, members without a value last), and the same headline figures, total and top lists.
"""

import io

import pytest
from django.core.management import call_command

from legislators.models import Legislator
from metrics.standings import daily, pages
from metrics.standings.filters import SORT_FIELDS
from tests import factories

pytestmark = pytest.mark.django_db

NAMES = ["anna Rao", "Anna Rao", "Anna rao", "ánna", "a b", "ab", "Zed", "zed", "B. Kumar", "b kumar"]
SORTS = [*SORT_FIELDS, *(f"-{name}" for name in SORT_FIELDS)]


@pytest.fixture
def roster():
    """Members with equal names but for case, equal shares (two batches alike), high and low shares, and
    members with no account (n/a: no share, no reach, no growth)."""
    place = factories.district()
    members = [
        *factories.many_members(5, district_=place),
        *factories.many_members(5, district_=place),
        *factories.many_members(4, district_=place, electors=60_000),
        *factories.many_members(3, district_=place, platforms=()),
    ]
    for member, name in zip(members, NAMES * 2, strict=False):
        Legislator.objects.filter(pk=member.pk).update(name=name)
    call_command("rebuild_standings", "--quiet", stdout=io.StringIO())


def every_page(sort, *, with_tops=False):
    """(the member ids page after page, the first page) of the overview's table in ``sort`` order."""
    ids, number, first = [], 1, None
    while True:
        table = pages.table_page(
            scope_user=None, filters={"day": None}, sort=sort, page_number=number, page_size=4, with_tops=with_tops
        )
        first = first or table
        ids += [member.id for member in table.page.object_list]
        if not table.page.has_next():
            return ids, first
        number += 1


def live(monkeypatch):
    ready_for = daily.ready_for
    monkeypatch.setattr(daily, "ready_for", lambda day: (False, ready_for(day)[1]))


@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_pages_through_the_members_in_the_live_order(roster, monkeypatch, sort):
    stored_ids, stored_table = every_page(sort)
    assert type(stored_table.standings).__name__ == "PagedStandings"  # read in parts from the table
    live(monkeypatch)
    live_ids, _ = every_page(sort)
    assert len(live_ids) == 17
    assert stored_ids == live_ids


def test_figures_total_and_top_lists_are_the_live_ones(roster, monkeypatch):
    def seen(table):
        total = table.total
        return (
            table.standings.summary(),
            (total.members, total.counted, total.meets, total.stretch, total.stagnant, total.not_applicable),
            (total.total_reach, total.total_electors),
            [[member.id for member in listed] for listed in (table.furthest, table.fastest, table.slipping)],
            sorted((m.id, m.share, m.needed, m.constituency_id) for m in table.standings.map_members),
        )

    stored = seen(every_page("share", with_tops=True)[1])
    live(monkeypatch)
    expected = seen(every_page("share", with_tops=True)[1])
    assert stored == expected
    assert expected[0]["tracked"] == 17 and expected[0]["not_applicable"] == 3
    assert len(expected[3][0]) == 10 and len(expected[3][1]) == 10
