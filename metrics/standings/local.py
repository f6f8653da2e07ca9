"""The "Followers in their own constituency" page's selector: the standings, their local shares, the rollup.

(Here rather than in metrics.audience: it reads the standings engine, and metrics.audience must not.)"""

from dataclasses import dataclass

from django.conf import settings

from metrics.audience.local import LOCAL, NOT_LOCAL, UNKNOWN, local_rollup, local_shares

from .engine import standings

LOCAL_FILTERS = ("", LOCAL, NOT_LOCAL, UNKNOWN)


@dataclass
class LocalPage:
    day: object
    rows: list  # (MemberStanding, LocalShare), highest local share first, n/a last
    districts: list
    threshold: float
    counts: dict  # local status -> members (before the local filter)


def local_page(*, scope_user, filters, local=""):
    """The members (page filters, then the ``local`` filter) with their local shares, and the district rollup."""
    if local not in LOCAL_FILTERS:
        raise ValueError(local)
    result = standings(scope_user=scope_user, **filters)
    shares = local_shares(members=result.members, day=result.day)
    counts = {LOCAL: 0, NOT_LOCAL: 0, UNKNOWN: 0}
    for share in shares.values():
        counts[share.status] += 1
    rows = [(m, shares[m.id]) for m in result.members if not local or shares[m.id].status == local]
    rows.sort(key=lambda row: (row[1].share is None, -(row[1].share or 0), row[0].name.lower()))
    return LocalPage(
        day=result.day,
        rows=rows,
        districts=local_rollup(result.members, shares),
        threshold=settings.LOCAL_SHARE_MIN_PERCENT,
        counts=counts,
    )
