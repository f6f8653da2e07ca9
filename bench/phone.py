#!/usr/bin/env python
"""What a phone downloads before the overview is usable, and how long that takes on a slow connection.

    .venv/bin/python bench/phone.py --url http://127.0.0.1:8000 --username admin --password ...

Debian's headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium) through Playwright, at 390 x 844 px,
with the network emulated through the DevTools protocol (default "Slow 4G": 1.6 Mbit/s down, 750 kbit/s up,
150 ms round trip). Logs in (not measured), then opens the overview twice: a first visit with an empty cache,
and a later one (the hashed static files come from the browser's cache without asking). "Usable": the page
has loaded and the distribution chart is drawn (plotly's SVG is in the page). Prints the bytes on the wire
per kind (HTML, CSS, JS, other), the encodings the server chose, and the time.
"""

import argparse
import json
import os
import sys
import time
from collections import defaultdict

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PROFILES = {
    # name: (download bit/s, upload bit/s, round trip ms), as Chromium's DevTools presets.
    "slow-4g": (1.6e6, 750e3, 150),
    "fast-4g": (9e6, 1.5e6, 60),
    "3g": (400e3, 400e3, 400),
}


def kind_of(mime, url):
    if "html" in mime:
        return "HTML"
    if "css" in mime or url.split("?")[0].endswith(".css"):
        return "CSS"
    if "javascript" in mime or url.split("?")[0].endswith(".js"):
        return "JS"
    return "other"


def visit(page, client, url, ready_selector, timeout_ms):
    """Open ``url``; return (seconds until usable, {kind: bytes}, {kind: encodings}, requests)."""
    responses = {}
    finished = {}

    def on_response(event):
        response = event["response"]
        encoding = response.get("headers", {}).get("content-encoding") or response.get("headers", {}).get(
            "Content-Encoding", "identity"
        )
        responses[event["requestId"]] = (kind_of(response.get("mimeType", ""), response["url"]), encoding)

    def on_finished(event):
        finished[event["requestId"]] = event["encodedDataLength"]

    client.on("Network.responseReceived", on_response)
    client.on("Network.loadingFinished", on_finished)
    started = time.perf_counter()
    page.goto(url, wait_until="load", timeout=timeout_ms)
    page.wait_for_selector(ready_selector, state="attached", timeout=timeout_ms)
    seconds = time.perf_counter() - started
    page.wait_for_timeout(300)  # the last loadingFinished events
    client.remove_listener("Network.responseReceived", on_response)
    client.remove_listener("Network.loadingFinished", on_finished)
    by_kind, encodings = defaultdict(int), defaultdict(set)
    for request_id, (kind, encoding) in responses.items():
        by_kind[kind] += int(finished.get(request_id, 0))
        encodings[kind].add(encoding)
    return seconds, dict(by_kind), {k: sorted(v) for k, v in encodings.items()}, len(responses)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--path", default="/", help="the page measured (default: the overview)")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=os.environ.get("PHONE_PASSWORD", ""))
    parser.add_argument("--profile", choices=sorted(PROFILES), default="slow-4g")
    parser.add_argument("--language", default="en", choices=["en", "hi"])
    parser.add_argument("--ready", default="#distribution-chart .main-svg", help="CSS selector of 'usable'")
    parser.add_argument("--runs", type=int, default=2, help="first visits measured (each in a fresh context)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    down, up, rtt = PROFILES[args.profile]
    figures = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        for _run in range(args.runs):
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
            context.add_cookies([{"name": "django_language", "value": args.language, "url": args.url}])
            page = context.new_page()
            page.goto(f"{args.url}/accounts/login/")
            page.fill("input[name=username]", args.username)
            page.fill("input[name=password]", args.password)
            with page.expect_navigation():
                page.press("input[name=password]", "Enter")
            if "/accounts/login/" in page.url:
                raise SystemExit(f"could not log in as {args.username}")
            # A new page of the logged-in context: nothing cached yet but the session cookie.
            client = context.new_cdp_session(page)
            client.send("Network.enable")
            client.send("Network.setCacheDisabled", {"cacheDisabled": False})
            client.send("Network.clearBrowserCache")
            client.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": rtt, "downloadThroughput": down / 8, "uploadThroughput": up / 8},
            )
            target = args.url + args.path
            first = visit(page, client, target, args.ready, 120_000)
            again = visit(page, client, target, args.ready, 120_000)
            figures.append({"first": first, "again": again})
            context.close()
        browser.close()

    print(f"{args.url}{args.path} at {args.profile} ({down / 1e6:g} Mbit/s down, {rtt} ms), 390 px, {args.language}")
    for label in ("first", "again"):
        for number, figure in enumerate(figures, 1):
            seconds, by_kind, encodings, requests = figure[label]
            total = sum(by_kind.values())
            parts = ", ".join(
                f"{kind} {by_kind.get(kind, 0) / 1024:,.1f} KB ({'/'.join(encodings.get(kind, ['-']))})"
                for kind in ("HTML", "CSS", "JS", "other")
            )
            visit_name = "first visit, empty cache" if label == "first" else "next visit, cached static files"
            print(f"  {visit_name} #{number}: usable in {seconds:.2f} s, {total / 1024:,.1f} KB on the wire "
                  f"in {requests} requests: {parts}")  # fmt: skip
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
