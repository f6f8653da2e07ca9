"""One member's daily history, and the voter rolls of a seat."""

from django.db import connection

from legislators.models import VoterRoll
from metrics.models import FollowerSnapshot


def member_history(*, legislator_id, start=None, end=None):
    """Daily counts of one member's accounts: {platform: [(day, followers), ...]} and combined.

    One query; the combined line carries each account's last count forward
    over missing days so a gap in one account is not drawn as a drop.
    """
    snapshots = FollowerSnapshot.objects.filter(account__legislator_id=legislator_id, account__active=True)
    if start:
        snapshots = snapshots.filter(day__gte=start)
    if end:
        snapshots = snapshots.filter(day__lte=end)
    query = snapshots.order_by("day").values_list("account_id", "account__platform", "day", "followers").query
    # Read straight from the cursor: three years of four accounts is ~4,400
    # rows, and the ORM's per-row work cost more than the query.
    with connection.cursor() as cursor:
        cursor.execute(*query.sql_with_params())
        rows = cursor.fetchall()
    last = {}  # account -> its last count
    totals = {}  # platform -> the sum of its accounts' last counts
    series = {}  # platform -> [(day, total), ...]
    combined = []
    # One pass in day order, keeping running totals (three years of four
    # accounts is ~4,400 rows); a day is closed when the next one starts.
    current = None
    for account_id, platform, day, followers in rows:
        if day != current:
            if current is not None:
                for name, total in totals.items():
                    series[name].append((current, total))
                combined.append((current, sum(totals.values())))
            current = day
        if platform not in totals:
            totals[platform] = 0
            series[platform] = []
        totals[platform] += followers - last.get(account_id, 0)
        last[account_id] = followers
    if current is not None:
        for name, total in totals.items():
            series[name].append((current, total))
        combined.append((current, sum(totals.values())))
    return {"platforms": series, "combined": combined}


def voter_rolls_for(*, constituency_id):
    return list(VoterRoll.objects.filter(constituency_id=constituency_id).order_by("published_on"))
