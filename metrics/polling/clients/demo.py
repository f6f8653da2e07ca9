"""A client that simulates plausible growth, so a new user sees the system
move without any credentials. Each poll grows the account's latest count by
a daily rate fixed per account (steady, fast, stagnant or declining), for the
time elapsed since the last poll: a demo polled every minute grows about as
much in a day as one polled daily (no follower added per poll, so no false
"sudden rise" flags)."""

import random
import time
from datetime import datetime

import requests
from django.conf import settings
from django.utils import timezone

from legislators.models import Legislator, SocialAccount
from metrics.models import LatestCount

from .base import AccountResult, FetchOutcome, keeping_progress

# Daily growth rates a demo account may have, as fractions of its count.
PROFILES = {
    "steady": 0.0015,
    "fast": 0.006,
    "stagnant": 0.0,
    "declining": -0.001,
}


def profile_for(name):
    """A stable profile per member: 50% steady, 20% fast, 20% stagnant, 10% declining.

    seed_demo draws each member's history from the same profile, so polling
    continues the trend the history shows. It comes from the member's name,
    not the id: a demo seeded again (ids move on) keeps its members' trends.
    """
    bucket = random.Random(f"demo-profile:{name}").random()
    if bucket < 0.5:
        return "steady"
    if bucket < 0.7:
        return "fast"
    if bucket < 0.9:
        return "stagnant"
    return "declining"


class DemoClient:
    name = "demo"
    max_batch = 100

    def __init__(self, platform):
        self.platform = platform

    def fetch(self, accounts, *, now=None):
        outcome = FetchOutcome(api_calls=1)
        with keeping_progress(outcome):  # the fault suite's probe call counts even when it times out
            self._test_hooks()
        now = now or timezone.now()
        latest = {row.account_id: row for row in LatestCount.objects.filter(account__in=accounts)}
        names = dict(
            Legislator.objects.filter(pk__in={account.legislator_id for account in accounts}).values_list("pk", "name")
        )
        for account in accounts:
            previous = latest.get(account.pk)
            rng = random.Random(f"{account.pk}:{now.isoformat()}")
            if previous is None:
                followers = rng.randint(2_000, 40_000)
                posts = rng.randint(100, 3_000) if self.platform != "facebook" else None
            else:
                elapsed_days = max(_days_between(previous.fetched_at, now), 0.0)
                profile = profile_for(names.get(account.legislator_id, ""))
                day_noise = random.Random(f"{account.pk}:{timezone.localdate(now)}").uniform(0.8, 1.2)
                followers = next_count(previous.followers, PROFILES[profile] * day_noise, elapsed_days, rng)
                if previous.posts is None:
                    posts = None
                else:
                    posts = previous.posts + round(rng.uniform(0, 3) * elapsed_days)
            outcome.results.append(
                AccountResult(account_id=account.pk, status=SocialAccount.Status.OK, followers=followers, posts=posts)
            )
        return outcome

    def _test_hooks(self):
        """Fault-suite hooks, off by default: a slow batch, a platform reached over HTTP.

        DEMO_CLIENT_PROBE_URL stands in for a platform's API until the fault
        suite is pointed at the real clients: one GET per batch with the same
        timeout the real clients use, so a platform that never answers raises
        requests.Timeout after PLATFORM_HTTP_TIMEOUT seconds.
        """
        if settings.DEMO_CLIENT_PROBE_URL:
            timeout = settings.PLATFORM_HTTP_TIMEOUT
            requests.get(
                f"{settings.DEMO_CLIENT_PROBE_URL}{self.platform}", timeout=(timeout, timeout)
            ).raise_for_status()
        if settings.DEMO_CLIENT_DELAY_SECONDS:
            time.sleep(settings.DEMO_CLIENT_DELAY_SECONDS)


def next_count(followers, daily_rate, elapsed_days, rng):
    """The count after ``elapsed_days`` at ``daily_rate`` (a fraction a day); the fraction of a follower
    is kept as a chance, so many short polls add up to what one long one gives."""
    exact = followers * daily_rate * elapsed_days
    whole = int(exact // 1)
    change = whole + (1 if rng.random() < exact - whole else 0)
    return max(0, followers + change)


def _days_between(earlier: datetime, later: datetime):
    return (later - earlier).total_seconds() / 86400.0
