"""The share-of-voters arithmetic: pure functions, no database.

Every page, export, command and the admin call these, so the numbers cannot
disagree between them. ``None`` means "n/a" throughout: a missing voter
count is never treated as zero and a missing baseline never as no growth.
"""

import functools
import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

GROWTH_WINDOW_DAYS = 30
PROJECTION_HORIZON_DAYS = 5 * 365


class Status(StrEnum):
    STRETCH = "stretch"  # at or above the stretch line
    MEETS = "meets"  # at or above the target, below the stretch line
    BELOW = "below"
    NOT_APPLICABLE = "n/a"  # no constituency or no voter roll


@dataclass(frozen=True)
class Projection:
    """When the target is reached at the recent rate.

    ``day`` is set when it is reached within the horizon; ``reached`` when it
    is met already; ``beyond`` when the rate reaches it only after the
    horizon; ``not_at_this_rate`` when growth is zero or negative.
    """

    day: date | None = None
    reached: bool = False
    beyond: bool = False
    not_at_this_rate: bool = False
    unknown: bool = False


def share_percent(reach, electors):
    """reach / electors × 100, or None when the electors are missing or zero."""
    if reach is None or not electors or electors <= 0:
        return None
    return reach * 100.0 / electors


@functools.lru_cache(maxsize=64)
def _percent_ratio(percent):
    """The percent as an exact fraction of one: (numerator, denominator)."""
    numerator, denominator = Decimal(str(percent)).as_integer_ratio()
    return numerator, denominator * 100


def percent_fraction(percent):
    """The percent as an exact fraction of one, (numerator, denominator): ``required_followers(percent, e)``
    is the ceiling of numerator × e / denominator (for the set-based writer of the standings table,
    ``standings.daily_sql``, which works the same integers out in SQL)."""
    return _percent_ratio(percent)


def required_followers(percent, electors):
    """The followers that the target percent of electors means (rounded up)."""
    if not electors or electors <= 0:
        return None
    # Exact arithmetic on the percent as written: 5% of 2,00,001 electors is
    # 10,000.05 → 10,001 (a ceiling division of integers, no float rounding).
    numerator, denominator = _percent_ratio(percent)
    return -(-numerator * electors // denominator)


def followers_needed(reach, electors, percent):
    required = required_followers(percent, electors)
    if required is None or reach is None:
        return None
    return max(0, required - reach)


def standing_status(reach, electors, target_percent, stretch_percent):
    return standing(reach, electors, target_percent, stretch_percent)[0]


def standing(reach, electors, target_percent, stretch_percent):
    """(status, followers needed) at once: the target line worked out once."""
    required = required_followers(target_percent, electors)
    if required is None or reach is None:
        return Status.NOT_APPLICABLE, None
    needed = max(0, required - reach)
    if reach >= required_followers(stretch_percent, electors):
        return Status.STRETCH, needed
    if reach >= required:
        return Status.MEETS, needed
    return Status.BELOW, needed


def is_stagnant(growth):
    """No growth over the window; unknown growth is not called stagnant."""
    return growth is not None and growth <= 0


def growth_percent(growth, base):
    """Growth as a percentage of where the accounts measured at both ends started; None when unknown.

    ``base``: the start counts of exactly the accounts whose growth is counted
    (an account added in between is in neither).
    """
    if growth is None or not base or base < 0:
        return None
    return growth * 100.0 / base


UNKNOWN = Projection(unknown=True)
REACHED = Projection(reached=True)
NOT_AT_THIS_RATE = Projection(not_at_this_rate=True)
BEYOND = Projection(beyond=True)


def project_target_date(*, needed, growth, window_days, today):
    """The day the target is reached if the last window's growth continues."""
    if needed is None:
        return UNKNOWN
    if needed <= 0:
        return REACHED
    if growth is None:
        return UNKNOWN
    if growth <= 0:
        return NOT_AT_THIS_RATE
    days = math.ceil(needed * window_days / growth)
    if days > PROJECTION_HORIZON_DAYS:
        return BEYOND
    return Projection(day=today + timedelta(days=days))


def project_fall_date(*, reach, electors, percent, growth, window_days, today):
    """The first day the share falls below ``percent`` if the last window's (negative) growth continues.

    A Projection with ``day`` (or ``beyond`` past the horizon), or None when the
    member is not slipping toward that line: below it already, growing or flat,
    or anything unknown. The share is below the line once the reach is under the
    followers the line means (``required_followers``): a member exactly on the
    line falls below on the first day of any loss.
    """
    required = required_followers(percent, electors)
    if required is None or reach is None or growth is None or growth >= 0 or reach < required:
        return None
    # Day t's reach is reach + growth × t / window; below the line once that is under `required`:
    # the first whole t with (reach - required) × window < -growth × t (exact integers, no float).
    days = (reach - required) * window_days // -growth + 1
    if days > PROJECTION_HORIZON_DAYS:
        return BEYOND
    return Projection(day=today + timedelta(days=days))


def is_slipping(*, status, growth):
    """Meets the target (or the stretch line) but lost followers over the window."""
    return status in (Status.MEETS, Status.STRETCH) and growth is not None and growth < 0


def daily_gain_needed(*, needed, today, deadline):
    """Followers a day still needed to reach the target by the deadline."""
    if needed is None:
        return None
    if needed <= 0:
        return 0.0
    days = (deadline - today).days
    if days <= 0:
        return None
    return needed / days


def weighted_attainment(total_reach, total_electors):
    """A rollup's share: total reach / total electors, not a mean of shares."""
    return share_percent(total_reach, total_electors)


def daily_rate(growth, window_days):
    """The average daily gain over a window (None when the growth is unknown)."""
    if growth is None or window_days <= 0:
        return None
    return growth / window_days


# A day's change is unusual when it lies this many "normal deviations" from
# the account's median daily change. The deviation is the median absolute
# deviation scaled to a standard deviation (robust to the spike itself), with
# a floor so that a perfectly flat account does not flag a change of one.
UNUSUAL_CHANGE_THRESHOLD = 5.0
MIN_CHANGES_TO_JUDGE = 7
DEVIATION_FLOOR_SHARE = 0.0005  # 0.05% of the followers
DEVIATION_FLOOR_ABSOLUTE = 5


@dataclass(frozen=True)
class UnusualChange:
    day: date
    change: float  # followers a day, averaged over a gap in the data
    kind: str  # "spike" or "drop"


def unusual_changes(points, *, threshold=UNUSUAL_CHANGE_THRESHOLD):
    """Day-over-day changes in ``points`` [(day, followers), ...] (ascending)
    that stand out from the account's normal variation."""
    changes = []
    for (day_before, before), (day, after) in zip(points, points[1:], strict=False):
        gap = (day - day_before).days
        if gap > 0:
            changes.append((day, (after - before) / gap, after))
    if len(changes) < MIN_CHANGES_TO_JUDGE:
        return []
    values = sorted(change for _day, change, _level in changes)
    median = _median(values)
    deviation = 1.4826 * _median(sorted(abs(value - median) for value in values))
    unusual = []
    for day, change, level in changes:
        floor = max(DEVIATION_FLOOR_ABSOLUTE, DEVIATION_FLOOR_SHARE * level)
        if abs(change - median) > threshold * max(deviation, floor):
            unusual.append(UnusualChange(day=day, change=change, kind="spike" if change > median else "drop"))
    return unusual


def _median(sorted_values):
    middle = len(sorted_values) // 2
    if len(sorted_values) % 2:
        return sorted_values[middle]
    return (sorted_values[middle - 1] + sorted_values[middle]) / 2


# The local share: followers among the member's own voters (connected accounts' audience by city)


def local_followers(*, metric, in_district, listed, total, followers):
    """One account's estimated followers living in the district, and the followers its cities cover.

    ``metric="followers"`` (Instagram, Facebook): the platform counts followers per city, so the estimate is
    the district's cities' count, and the covered followers are the listed cities' count; the platform's
    "other / unknown" remainder (``total - listed``) is not guessed at. ``metric="views"`` (YouTube):
    the district's share of the views, applied to the subscribers (``followers``); unknown subscribers: None.
    Returns (estimate, covered), both in followers (floats), or (None, None).
    """
    if metric == "followers":
        return float(in_district), float(listed)
    if not followers or not total:
        return None, None
    return followers * in_district / total, followers * listed / total


def apportion_to_seat(district_estimate, *, seat_electors, district_electors):
    """The district's estimate apportioned to one seat by its share of the district's electors."""
    if district_estimate is None or not seat_electors or not district_electors:
        return None
    return district_estimate * seat_electors / district_electors


def local_share_percent(seat_estimate, electors):
    """Estimated local followers as a share (%) of the constituency's voters; None without both."""
    if seat_estimate is None or not electors:
        return None
    return seat_estimate / electors * 100
