"""API calls one poll of 1,000 accounts costs on each platform.

Runs each real client against fake replies (the `responses` library; nothing
leaves the machine) for 1,000 accounts, counting the HTTP calls made:

    .venv/bin/python bench/api_calls.py

First poll (accounts known by handle only) and steady state (ids known) are
shown separately, plus Facebook with 1% unknown Pages (bisection cost).
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "follower_tracker.settings")
os.environ["PLATFORM_BUDGET_REDIS_URL"] = ""
for name in ("X_REQUESTS_PER_15_MIN", "FACEBOOK_REQUESTS_PER_HOUR", "INSTAGRAM_REQUESTS_PER_HOUR"):
    os.environ[name] = "1000000"
os.environ["YOUTUBE_REQUESTS_PER_DAY"] = "1000000"

import django  # noqa: E402

django.setup()

import responses  # noqa: E402

from legislators.models import SocialAccount  # noqa: E402
from metrics.polling.budget import RequestBudget  # noqa: E402
from metrics.polling.clients.facebook import FacebookClient  # noqa: E402
from metrics.polling.clients.instagram import InstagramClient  # noqa: E402
from metrics.polling.clients.x import XClient  # noqa: E402
from metrics.polling.clients.youtube import YouTubeClient  # noqa: E402

N = 1000
BATCH = {"x": 100, "facebook": 50, "instagram": 25, "youtube": 50}


def accounts(platform, *, with_ids):
    rows = []
    for n in range(N):
        platform_id = ""
        if with_ids:
            platform_id = f"UC{n:022d}" if platform == "youtube" else str(10_000 + n)
        rows.append(SocialAccount(pk=n + 1, platform=platform, handle=f"member_{n}", platform_id=platform_id))
    return rows


def x_reply(request):
    query = parse_qs(urlparse(request.url).query)
    keys = (query.get("ids") or query.get("usernames"))[0].split(",")
    by_id = "ids" in query
    data = [
        {
            "id": key if by_id else str(10_000 + int(key.split("_")[1])),
            "username": f"member_{int(key) - 10_000}" if by_id else key,
            "public_metrics": {"followers_count": 5, "following_count": 1, "tweet_count": 2, "listed_count": 0},
        }
        for key in keys
    ]
    return 200, {}, json.dumps({"data": data})


def graph_reply(bad):
    def reply(request):
        query = parse_qs(urlparse(request.url).query)
        if "ids" in query:
            ids = query["ids"][0].split(",")
            if bad & set(ids):
                return (
                    400,
                    {},
                    json.dumps(
                        {"error": {"message": "(#803) Some of the aliases you requested do not exist", "code": 803}}
                    ),
                )
            return 200, {}, json.dumps({i: {"id": i, "followers_count": 5} for i in ids})
        return 200, {}, json.dumps({"business_discovery": {"id": "1", "followers_count": 5, "media_count": 1}})

    return reply


def youtube_reply(request):
    query = parse_qs(urlparse(request.url).query)
    ids = query["id"][0].split(",") if "id" in query else [f"UC{0:022d}"]
    items = [{"id": i, "statistics": {"subscriberCount": "5", "videoCount": "1"}} for i in ids]
    return 200, {}, json.dumps({"items": items})


def run(platform, client, rows):
    calls = 0
    for start in range(0, len(rows), BATCH[platform]):
        calls += client.fetch(rows[start : start + BATCH[platform]]).api_calls
    return calls


def main():
    table = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, "https://x.test/2/users", callback=x_reply)
        mock.add_callback(responses.GET, "https://x.test/2/users/by", callback=x_reply)
        x = XClient(bearer_token="t", base_url="https://x.test", timeout=5, budget=RequestBudget("x"))
        table.append(("x", run("x", x, accounts("x", with_ids=False)), run("x", x, accounts("x", with_ids=True))))

        bad = set()
        mock.add_callback(responses.GET, "https://graph.test/v26.0/", callback=graph_reply(bad))
        fb = FacebookClient(access_token="t", base_url="https://graph.test", version="v26.0", timeout=5,
                            budget=RequestBudget("facebook"))  # fmt: skip
        clean = run("facebook", fb, accounts("facebook", with_ids=True))
        table.append(("facebook", clean, clean))
        bad.update(str(10_000 + n) for n in range(0, N, 100))  # 1% unknown Pages, one per batch
        with_bad = run("facebook", fb, accounts("facebook", with_ids=True))
        table.append(("facebook, 1% unknown Pages", with_bad, with_bad))

        mock.add_callback(responses.GET, "https://graph.test/v26.0/17841405309211844", callback=graph_reply(set()))
        ig = InstagramClient(access_token="t", business_account_id="17841405309211844", base_url="https://graph.test",
                             version="v26.0", timeout=5, budget=RequestBudget("instagram"))  # fmt: skip
        calls = run("instagram", ig, accounts("instagram", with_ids=False))
        table.append(("instagram", calls, calls))

        mock.add_callback(responses.GET, "https://yt.test/channels", callback=youtube_reply)
        yt = YouTubeClient(api_key="k", base_url="https://yt.test", timeout=5, budget=RequestBudget("youtube"))
        table.append(
            (
                "youtube",
                run("youtube", yt, accounts("youtube", with_ids=False)),
                run("youtube", yt, accounts("youtube", with_ids=True)),
            )
        )
    print(f"API calls per poll of {N:,} accounts")
    print(f"{'platform':30} {'first poll (handles)':>22} {'steady (ids known)':>20}")
    for name, first, steady in table:
        print(f"{name:30} {first:>22} {steady:>20}")


if __name__ == "__main__":
    main()
