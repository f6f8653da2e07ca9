"""What the fake platform servers share: an HTTP server on 127.0.0.1 in a thread.

A subclass answers ``reply(path, params, headers)`` with (status, body,
extra headers) shaped as the platform documents. A test can queue replies
that take precedence (a 429, a 500, malformed JSON, the wrong shape), delay
the next requests (timeouts), hold requests until released (to kill a
worker mid-call), and read the log of the calls received.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakePlatform:
    def __init__(self):
        self.queued = []  # (status, headers, body bytes) answered before anything else
        self.scripted = {}  # call number (1 = the first call) -> (status, headers, body bytes)
        self.delays = []  # seconds to wait before answering the next requests (timeouts)
        self.calls = []  # (path, params)
        self.methods = []  # the HTTP method of each call
        self.headers_seen = []  # the request headers of each call
        self.hold = None  # a threading.Event: requests wait for it when set here
        self.received = threading.Event()
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

    def queue(self, status, body, headers=None):
        """Answer the next call with this (a dict or list is sent as JSON, bytes as they are)."""
        self.queued.append((status, headers or {}, _raw(body)))

    def script(self, call_number, status, body, headers=None):
        """Answer the ``call_number``-th call (counting from 1) with this."""
        self.scripted[call_number] = (status, headers or {}, _raw(body))

    def reply(self, path, params, headers):
        """(status, body, headers) for one call: the platform's documented answer."""
        raise NotImplementedError

    def reply_to(self, method, path, params, headers):
        """(status, body, headers) for a call of any method (GET goes to ``reply``); POST and DELETE
        servers (OAuth token endpoints) override this. A POST's form body is in ``params``."""
        return self.reply(path, params, headers)

    def default_headers(self):
        """Headers the platform sends on every reply."""
        return {}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server API)
                self._answer("GET")

            def do_POST(self):  # noqa: N802
                self._answer("POST")

            def do_DELETE(self):  # noqa: N802
                self._answer("DELETE")

            def _answer(self, method):
                parsed = urlparse(self.path)
                params = parse_qs(parsed.query)
                length = int(self.headers.get("content-length") or 0)
                if length:
                    for key, values in parse_qs(self.rfile.read(length).decode()).items():
                        params.setdefault(key, []).extend(values)
                with fake._lock:
                    fake.methods.append(method)
                    fake.calls.append((parsed.path, params))
                    fake.headers_seen.append(dict(self.headers))
                    queued = fake.scripted.pop(len(fake.calls), None)
                    if queued is None and fake.queued:
                        queued = fake.queued.pop(0)
                    delay = fake.delays.pop(0) if fake.delays else 0
                fake.received.set()
                if delay:
                    time.sleep(delay)
                if fake.hold is not None:
                    fake.hold.wait(60)
                if queued:
                    status, headers, raw = queued
                else:
                    status, body, headers = fake.reply_to(method, parsed.path, params, self.headers)
                    raw = json.dumps(body).encode()
                headers = {**fake.default_headers(), **headers}
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        return Handler


def _raw(body):
    return body if isinstance(body, bytes) else json.dumps(body).encode()
