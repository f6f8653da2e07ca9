"""The shape of every reply the poller reads: one check per endpoint.

A platform that answers with valid JSON of the wrong shape (X ``{"data": {…}}``
instead of a list, YouTube ``{"error": "backendError"}`` with a string) must
fail its batch with a reason a person can read, not with an AttributeError
deep in a client. Each check takes the parsed body, looks only at what the
poller reads, against the documented shapes (the team's platform notes), and
returns it, or raises ``UnusableReply`` naming the endpoint and the first
thing wrong. Extra keys are allowed: the platforms add fields.

What concerns one account (a user without ``public_metrics``, a channel
without ``statistics``) is not the reply's fault: the clients turn it into
that account's status. Hand-written rather than a schema library: a handful
of small shapes, and the messages say exactly what is wrong.
"""

import json

from follower_tracker.logging import redact

from .base import UnusableReply

X_BY_ID = "x users lookup (GET /2/users?ids=)"
X_BY_USERNAME = "x users lookup (GET /2/users/by?usernames=)"
GRAPH_PAGES = "facebook pages (GET /?ids=)"
GRAPH_DISCOVERY = "instagram business discovery"
YOUTUBE_CHANNELS = "youtube channels.list"


def describe(value):
    """A JSON value in words, with a short sample: 'a string ("backendError")'."""
    if isinstance(value, dict):
        kind = "an object"
    elif isinstance(value, list):
        kind = "a list"
    elif isinstance(value, str):
        kind = "a string"
    elif isinstance(value, bool):
        kind = "a boolean"
    elif isinstance(value, int | float):
        kind = "a number"
    elif value is None:
        return "null"
    else:
        kind = type(value).__name__
    sample = json.dumps(value, ensure_ascii=False, default=str)
    if len(sample) > 60:
        sample = sample[:57] + "..."
    return redact(f"{kind} ({sample})")


def fail(endpoint, message):
    raise UnusableReply(f"{endpoint}: unusable reply: {message}")


def expect_object(value, endpoint, what):
    if not isinstance(value, dict):
        fail(endpoint, f"{what} is {describe(value)}, expected an object")
    return value


def expect_objects(value, endpoint, what):
    if not isinstance(value, list):
        fail(endpoint, f"{what} is {describe(value)}, expected a list")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            fail(endpoint, f"{what}[{index}] is {describe(item)}, expected an object")
    return value


def expect_string(value, endpoint, what):
    if not isinstance(value, str) or not value:
        fail(endpoint, f"{what} is {describe(value)}, expected a non-empty string")
    return value


# X API v2 users lookup


def x_error_text(error):
    """X's own words for one error or a top-level problem: its title, detail and message."""
    parts = []
    for key in ("title", "detail", "message"):
        value = error.get(key)
        if isinstance(value, str) and value and value not in parts:
            parts.append(value)
    return redact(": ".join(parts))[:300]


def x_users(body, endpoint):
    """``{"data": [user, …], "errors": [error, …]}``, either part optional but not both.

    A body with neither is unusable; when it holds only a top-level problem
    (``title``/``detail``) the reason keeps X's words.
    """
    expect_object(body, endpoint, "the reply")
    data = body.get("data")
    if data is not None:
        expect_objects(data, endpoint, "`data`")
        for index, user in enumerate(data):
            expect_string(user.get("id"), endpoint, f"`data[{index}].id`")
            if "username" in user and not isinstance(user["username"], str):
                fail(endpoint, f"`data[{index}].username` is {describe(user['username'])}, expected a string")
    errors = body.get("errors")
    if errors is not None:
        expect_objects(errors, endpoint, "`errors`")
    if data is None and errors is None:
        problem = x_error_text(body)
        if problem:
            raise UnusableReply(f"{endpoint}: the reply holds only an error: {problem}")
        fail(endpoint, "neither `data` nor `errors` in it")
    return body


# Graph API (Facebook Pages, Instagram Business Discovery)


def graph_error(body, endpoint):
    """The ``error`` object of a Graph reply, or None when there is none.

    Graph errors are ``{"error": {"message", "type", "code", "error_subcode"?}}``;
    an ``error`` of any other shape is an unusable reply.
    """
    expect_object(body, endpoint, "the reply")
    if "error" not in body:
        return None
    error = body["error"]
    if not isinstance(error, dict):
        raise UnusableReply(f"{endpoint}: the reply holds an error that is not an object: {describe(error)}")
    if not isinstance(error.get("code"), int) or isinstance(error.get("code"), bool):
        fail(endpoint, f"`error.code` is {describe(error.get('code'))}, expected a number")
    return error


def graph_pages(body, endpoint, requested):
    """A multi-id reply: an object keyed by the requested ids, each an object.

    Returns {lower-cased id: page}. Graph answers every requested id or fails
    the whole call with an error: a reply holding none of them is unusable.
    """
    expect_object(body, endpoint, "the reply")
    pages = {str(key).lower(): value for key, value in body.items()}
    present = [alias for alias in requested if alias in pages]
    if not present:
        keys = ", ".join(sorted(str(key) for key in body)[:5]) or "none"
        fail(endpoint, f"none of the {len(requested)} requested ids is in it (its keys: {keys})")
    for alias in present:
        expect_object(pages[alias], endpoint, f"the entry for {alias}")
    return pages


def graph_business_discovery(body, endpoint):
    """``{"business_discovery": {id, username, followers_count, media_count}, "id": …}``."""
    expect_object(body, endpoint, "the reply")
    return expect_object(body.get("business_discovery"), endpoint, "`business_discovery`")


# YouTube Data API channels.list


def youtube_error(body, endpoint):
    """The ``error`` object of a YouTube reply, or None when there is none.

    Google's errors are ``{"error": {"code", "message", "errors": [{"reason", …}]}}``;
    ``{"error": "backendError"}`` (a string) is an unusable reply.
    """
    expect_object(body, endpoint, "the reply")
    if "error" not in body:
        return None
    error = body["error"]
    if not isinstance(error, dict):
        raise UnusableReply(f"{endpoint}: the reply holds an error that is not an object: {describe(error)}")
    expect_objects(error.get("errors", []), endpoint, "`error.errors`")
    return error


def youtube_channels(body, endpoint):
    """A ``youtube#channelListResponse``: its ``items`` (absent when nothing matched), each with an ``id``."""
    expect_object(body, endpoint, "the reply")
    if "items" not in body:
        if not ("pageInfo" in body or body.get("kind") == "youtube#channelListResponse"):
            fail(endpoint, "no `items`, `pageInfo` or `kind`: not a channel list")
        return []
    items = expect_objects(body["items"], endpoint, "`items`")
    for index, item in enumerate(items):
        expect_string(item.get("id"), endpoint, f"`items[{index}].id`")
    return items


# Audience geography (connected accounts)

IG_FOLLOWER_DEMOGRAPHICS = "instagram insights follower_demographics (breakdown=city)"
FB_PAGE_FANS_CITY = "facebook page insights page_fans_city"
GRAPH_FOLLOWERS = "graph account (fields=followers_count)"
YOUTUBE_ANALYTICS = "youtube analytics reports.query"


def expect_count(value, endpoint, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        fail(endpoint, f"{what} is {describe(value)}, expected a whole number ≥ 0")
    return value


def ig_follower_demographics(body, endpoint=IG_FOLLOWER_DEMOGRAPHICS):
    """``{"data": [{"name": "follower_demographics", "total_value": {"breakdowns": [{"dimension_keys": ["city"],
    "results": [{"dimension_values": ["Bhopal, Madhya Pradesh"], "value": 1200}, …]}]}}]}`` → {city: followers}.

    ``data`` empty, or a metric without breakdowns or results: no data ({}).
    """
    expect_object(body, endpoint, "the reply")
    data = expect_objects(body.get("data"), endpoint, "`data`")
    cities = {}
    for index, metric in enumerate(data):
        total_value = metric.get("total_value")
        if total_value is None:
            continue
        expect_object(total_value, endpoint, f"`data[{index}].total_value`")
        breakdowns = expect_objects(
            total_value.get("breakdowns", []), endpoint, f"`data[{index}].total_value.breakdowns`"
        )
        for b_index, breakdown in enumerate(breakdowns):
            where = f"`data[{index}].total_value.breakdowns[{b_index}]`"
            results = expect_objects(breakdown.get("results", []), endpoint, f"{where}.results")
            for r_index, result in enumerate(results):
                values = result.get("dimension_values")
                if not isinstance(values, list) or not values or not isinstance(values[0], str):
                    fail(
                        endpoint, f"{where}.results[{r_index}].dimension_values is {describe(values)}, expected [city]"
                    )
                cities[values[0]] = cities.get(values[0], 0) + expect_count(
                    result.get("value"), endpoint, f"{where}.results[{r_index}].value"
                )
    return cities


def fb_page_fans_city(body, endpoint=FB_PAGE_FANS_CITY):
    """``{"data": [{"name": "page_fans_city", "values": [{"value": {"Bhopal, Madhya Pradesh, India": 1200, …},
    "end_time": …}, …]}]}`` → {city: fans} of the newest value; no data: {}."""
    expect_object(body, endpoint, "the reply")
    data = expect_objects(body.get("data"), endpoint, "`data`")
    if not data:
        return {}
    values = expect_objects(data[0].get("values", []), endpoint, "`data[0].values`")
    if not values:
        return {}
    newest = expect_object(values[-1].get("value", {}), endpoint, "`data[0].values[-1].value`")
    return {str(city): expect_count(count, endpoint, f"the count of {city!r}") for city, count in newest.items()}


def youtube_report(body, endpoint=YOUTUBE_ANALYTICS):
    """A ``youtubeAnalytics#resultTable``: ``columnHeaders`` [{name}, …] and ``rows`` (absent: no data) → rows."""
    expect_object(body, endpoint, "the reply")
    headers = expect_objects(body.get("columnHeaders"), endpoint, "`columnHeaders`")
    names = [header.get("name") for header in headers]
    rows = body.get("rows") or []
    if not isinstance(rows, list):
        fail(endpoint, f"`rows` is {describe(rows)}, expected a list")
    for index, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(names):
            fail(
                endpoint,
                f"`rows[{index}]` is {describe(row)}, expected {len(names)} values ({', '.join(map(str, names))})",
            )
    return names, rows
