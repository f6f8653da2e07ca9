"""Property tests of the share arithmetic: no crash for any input, and no silent
wrong number: a share is reach / electors × 100 exactly, or None ("n/a")."""

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from metrics import arithmetic
from metrics.arithmetic import Status

counts = st.integers(min_value=0, max_value=10**12)
maybe_counts = st.none() | counts
electors_any = st.none() | st.integers(min_value=-(10**6), max_value=10**10)
electors_real = st.integers(min_value=1, max_value=10**10)
percents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


@given(maybe_counts, electors_any)
def test_share_is_reach_over_electors_times_100_or_none(reach, electors):
    share = arithmetic.share_percent(reach, electors)
    if reach is None or electors is None or electors <= 0:
        assert share is None
    else:
        exact = Fraction(reach * 100, electors)
        assert math.isclose(share, float(exact), rel_tol=1e-12)


@given(percents, electors_any)
def test_required_followers_is_the_exact_ceiling(percent, electors):
    required = arithmetic.required_followers(percent, electors)
    if not electors or electors <= 0:
        assert required is None
    else:
        exact = Fraction(percent) * electors / 100
        assert required == math.ceil(exact)
        assert required - 1 < exact <= required


@given(maybe_counts, electors_any, percents, percents)
def test_status_agrees_with_the_exact_share(reach, electors, target, extra):
    stretch = min(target + extra, Decimal(100))
    status = arithmetic.standing_status(reach, electors, target, stretch)
    needed = arithmetic.followers_needed(reach, electors, target)
    if reach is None or electors is None or electors <= 0:
        assert status == Status.NOT_APPLICABLE and needed is None
        return
    exact_share = Fraction(reach * 100, electors)
    assert needed >= 0
    assert needed == max(0, arithmetic.required_followers(target, electors) - reach)
    if status in (Status.MEETS, Status.STRETCH):
        assert exact_share >= Fraction(target) and needed == 0
    else:
        assert status == Status.BELOW and exact_share < Fraction(target) and needed > 0
    if status == Status.STRETCH:
        assert exact_share >= Fraction(stretch)


@given(st.lists(st.tuples(counts, electors_real), max_size=30))
def test_a_rollup_share_is_total_reach_over_total_electors(members):
    total_reach = sum(reach for reach, _ in members)
    total_electors = sum(electors for _, electors in members)
    share = arithmetic.weighted_attainment(total_reach, total_electors)
    if not members:
        assert share is None
    else:
        assert math.isclose(share, float(Fraction(total_reach * 100, total_electors)), rel_tol=1e-12)


@given(st.none() | st.integers(-(10**9), 10**12), st.none() | st.integers(-(10**9), 10**9), days)
def test_projection_never_crashes_and_is_in_the_future(needed, growth, today):
    projection = arithmetic.project_target_date(needed=needed, growth=growth, window_days=30, today=today)
    flags = [projection.day is not None, projection.reached, projection.beyond]
    flags += [projection.not_at_this_rate, projection.unknown]
    assert sum(flags) == 1
    if projection.day is not None:
        assert today < projection.day <= today + timedelta(days=arithmetic.PROJECTION_HORIZON_DAYS)
    if needed is not None and needed > 0 and growth is not None and growth <= 0:
        assert projection.not_at_this_rate


@given(st.none() | st.integers(-(10**6), 10**12), days, days)
def test_daily_gain_needed_is_none_or_non_negative(needed, today, deadline):
    gain = arithmetic.daily_gain_needed(needed=needed, today=today, deadline=deadline)
    assert gain is None or gain >= 0
    if gain and gain > 0:
        assert math.isclose(gain * (deadline - today).days, needed, rel_tol=1e-9)


@given(st.none() | counts)
def test_stagnant_only_when_growth_is_known(growth):
    assert arithmetic.is_stagnant(growth) == (growth is not None and growth <= 0)
