"""A fake X API v2 users-lookup server on 127.0.0.1, for tests and the bench.

It answers ``GET /2/users?ids=`` and ``GET /2/users/by?usernames=`` with the
bodies and headers X documents (``data`` beside ``errors`` for missing and
suspended users; ``x-rate-limit-*`` headers on every reply). A test can queue
replies that take precedence (a 429 with a reset, a 500, malformed JSON),
hold requests until released (to kill a worker mid-call), and read the log of
calls it received.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeX:
    def __init__(self):
        self.users = {}  # id -> {"id", "username", "followers", "tweets"}
        self.suspended = set()  # ids
        self.queued = []  # (status, headers, body bytes) answered before anything else
        self.delays = []  # seconds to wait before answering the next requests (timeouts)
        self.calls = []  # (path, params)
        self.bearer_seen = []
        self.hold = None  # a threading.Event: requests wait for it when set here
        self.received = threading.Event()
        self.limit_remaining = 299
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def add_user(self, user_id, username, followers, tweets=100):
        self.users[str(user_id)] = {"id": str(user_id), "username": username, "followers": followers, "tweets": tweets}

    def queue(self, status, body, headers=None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.queued.append((status, headers or {}, raw))

    def lookup_calls(self):
        return [call for call in self.calls if call[0].startswith("/2/users")]

    # The reply to one lookup, as X shapes it.
    def reply(self, path, params):
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
            return 404, {"title": "Not Found Error", "detail": "Unknown route", "status": 404}
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
        return 200, body

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server API)
                parsed = urlparse(self.path)
                params = parse_qs(parsed.query)
                with fake._lock:
                    fake.calls.append((parsed.path, params))
                    fake.bearer_seen.append(self.headers.get("Authorization", ""))
                    queued = fake.queued.pop(0) if fake.queued else None
                    delay = fake.delays.pop(0) if fake.delays else 0
                fake.received.set()
                if delay:
                    time.sleep(delay)
                if fake.hold is not None:
                    fake.hold.wait(60)
                reset = str(int(time.time()) + 900)
                if queued:
                    status, headers, raw = queued
                else:
                    status, body = fake.reply(parsed.path, params)
                    headers, raw = {}, json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("x-rate-limit-limit", "300")
                if "x-rate-limit-remaining" not in headers:
                    self.send_header("x-rate-limit-remaining", str(fake.limit_remaining))
                if "x-rate-limit-reset" not in headers:
                    self.send_header("x-rate-limit-reset", reset)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        return Handler
