"""The demo client grows counts by the time elapsed: a demo polled every minute looks like real daily growth."""

import random
import statistics

from metrics.polling.clients.demo import PROFILES, next_count


def poll_every_minute(followers, daily_rate, minutes, seed=7):
    rng = random.Random(seed)
    counts = [followers]
    for _ in range(minutes):
        counts.append(next_count(counts[-1], daily_rate, 1 / 1440, rng))
    return counts


def test_a_day_of_minute_polls_grows_about_as_much_as_one_daily_poll():
    rate = PROFILES["steady"]  # 0.15% a day: 15 a day for 10,000 followers
    days = [poll_every_minute(10_000, rate, 1440, seed=seed)[-1] - 10_000 for seed in range(20)]
    assert 12 <= statistics.mean(days) <= 18
    assert next_count(10_000, rate, 1.0, random.Random(1)) == 10_015


def test_twelve_minutes_of_polls_add_at_most_a_follower_or_two_and_never_a_jump():
    counts = poll_every_minute(10_000, PROFILES["fast"], 12)
    steps = [later - earlier for earlier, later in zip(counts, counts[1:], strict=False)]
    # 0.6% a day of 10,000 is 60 a day, 0.04 a minute: about half a follower in twelve minutes.
    assert max(steps) <= 1 and counts[-1] - counts[0] <= 2


def test_a_declining_account_loses_and_a_stagnant_one_stays():
    assert poll_every_minute(50_000, PROFILES["declining"], 1440)[-1] < 50_000
    assert poll_every_minute(50_000, PROFILES["stagnant"], 1440)[-1] == 50_000
