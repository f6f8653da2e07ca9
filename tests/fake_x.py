"""A fake X API v2 users-lookup server on 127.0.0.1, for tests and the bench.

It answers ``GET /2/users?ids=`` and ``GET /2/users/by?usernames=`` with the
bodies and headers X documents (``data`` beside ``errors`` for missing and
suspended users; ``x-rate-limit-*`` headers on every reply). Queued replies,
delays, holds and the call log come from ``FakePlatform``.
"""

import time

from tests.fake_server import FakePlatform


class FakeX(FakePlatform):
    def __init__(self):
        super().__init__()
        self.users = {}  # id -> {"id", "username", "followers", "tweets"}
        self.suspended = set()  # ids
        self.limit_remaining = 299

    @property
    def bearer_seen(self):
        return [headers.get("Authorization", "") for headers in self.headers_seen]

    def add_user(self, user_id, username, followers, tweets=100):
        self.users[str(user_id)] = {"id": str(user_id), "username": username, "followers": followers, "tweets": tweets}

    def lookup_calls(self):
        return [call for call in self.calls if call[0].startswith("/2/users")]

    def default_headers(self):
        return {
            "x-rate-limit-limit": "300",
            "x-rate-limit-remaining": str(self.limit_remaining),
            "x-rate-limit-reset": str(int(time.time()) + 900),
        }

    # The reply to one lookup, as X shapes it.
    def reply(self, path, params, headers=None):
        fields = params.get("user.fields", [""])[0]
        data, errors = [], []
        if path == "/2/users":
            wanted = params.get("ids", [""])[0].split(",")
            found = {key: self.users.get(key) for key in wanted}
            parameter = "ids"
        elif path == "/2/users/by":
            wanted = params.get("usernames", [""])[0].split(",")
            by_name = {user["username"].lower(): user for user in self.users.values()}
            found = {key: by_name.get(key.lower()) for key in wanted}
            parameter = "usernames"
        else:
            return 404, {"title": "Not Found Error", "detail": "Unknown route", "status": 404}, {}
        for key, user in found.items():
            if user is None:
                errors.append(
                    {
                        "value": key,
                        "detail": f"Could not find user with {parameter}: [{key}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "parameter": parameter,
                        "resource_id": key,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                )
            elif user["id"] in self.suspended:
                errors.append(
                    {
                        "value": key,
                        "detail": f"User has been suspended: [{key}].",
                        "title": "Forbidden",
                        "resource_type": "user",
                        "parameter": parameter,
                        "resource_id": key,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                )
            else:
                entry = {"id": user["id"], "name": user["username"].title(), "username": user["username"]}
                if "public_metrics" in fields:
                    entry["public_metrics"] = {
                        "followers_count": user["followers"],
                        "following_count": 812,
                        "tweet_count": user["tweets"],
                        "listed_count": 9,
                    }
                data.append(entry)
        body = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return 200, body, {}
