"""A fake Graph API server on 127.0.0.1: Facebook Pages and Instagram Business Discovery.

It answers as the Graph API documents:

- ``GET /{version}/?ids=a,b&fields=…``: an object keyed by the ids asked, or
  the whole call fails: code 803 "(#803) Some of the aliases you requested do
  not exist: a" for unknown aliases, 100/33 "Object with ID '123' does not
  exist" for an unknown numeric id, "(#100) Too many IDs" above 50;
- ``GET /{version}/{our IG id}?fields=business_discovery.username(h){…}``:
  ``{"business_discovery": {…}, "id": …}``, 110/2207013 for a handle that is
  not a professional account, and 100/33 when the id asked is not our
  business account (a wrong INSTAGRAM_BUSINESS_ACCOUNT_ID);
- a token other than ``token`` (Authorization: Bearer) gets 190/463.

``X-App-Usage`` on every reply. Queued replies take precedence (FakePlatform).
"""

import re

from tests.fake_server import FakePlatform

DISCOVERY_RE = re.compile(r"business_discovery\.username\(([^)]*)\)")


def graph_error(code, message, subcode=None, error_type="OAuthException", **extra):
    error = {"message": message, "type": error_type, "code": code, "fbtrace_id": "AbC123", **extra}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


def unknown_object(object_id):
    return graph_error(
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation.",
        33,
        error_type="GraphMethodException",
    )


class FakeGraph(FakePlatform):
    def __init__(self, *, version="v26.0", token="", business_account_id="17841405309211844"):
        super().__init__()
        self.version = version
        self.token = token
        self.business_account_id = business_account_id
        self.pages = {}  # id -> {"id", "username", "followers_count"?, "fan_count"?}
        self.professional = {}  # IG username (lower) -> {"id", "username", "followers_count", "media_count"}
        self.call_count_percent = 12

    def add_page(self, page_id, username, followers=None, fans=None):
        page = {"id": str(page_id), "username": username, "name": username.title()}
        if followers is not None:
            page["followers_count"] = followers
        if fans is not None:
            page["fan_count"] = fans
        self.pages[str(page_id)] = page

    def add_professional(self, ig_id, username, followers, media=10):
        self.professional[username.lower()] = {
            "id": str(ig_id),
            "username": username,
            "followers_count": followers,
            "media_count": media,
        }

    def default_headers(self):
        usage = self.call_count_percent
        return {"X-App-Usage": f'{{"call_count":{usage},"total_cputime":5,"total_time":5}}'}

    def page_calls(self):
        return [params for path, params in self.calls if path == f"/{self.version}/" and "ids" in params]

    def discovery_calls(self):
        return [params for path, params in self.calls if "business_discovery" in params.get("fields", [""])[0]]

    def reply(self, path, params, headers):
        if self.token and headers.get("Authorization") != f"Bearer {self.token}":
            return 400, graph_error(190, "Error validating access token: Session has expired.", 463), {}
        if path == f"/{self.version}/" and "ids" in params:
            return self._pages(params["ids"][0].split(","))
        node = path.removeprefix(f"/{self.version}/")
        match = DISCOVERY_RE.search(params.get("fields", [""])[0])
        if match:
            return self._discovery(node, match.group(1))
        if node == self.business_account_id:
            return 200, {"id": node, "username": "our.account"}, {}
        return 400, unknown_object(node), {}

    def _pages(self, wanted):
        if len(wanted) > 50:
            return 400, graph_error(100, f"(#100) Too many IDs. Maximum: 50. Provided: {len(wanted)}."), {}
        by_alias = {**{page["username"].lower(): page for page in self.pages.values()}, **self.pages}
        unknown = [alias for alias in wanted if alias.lower() not in by_alias]
        numeric = [alias for alias in unknown if alias.isdigit()]
        if numeric:
            return 400, unknown_object(numeric[0]), {}
        if unknown:
            message = f"(#803) Some of the aliases you requested do not exist: {', '.join(unknown)}"
            return 400, graph_error(803, message), {}
        return 200, {alias: dict(by_alias[alias.lower()]) for alias in wanted}, {}

    def _discovery(self, node, handle):
        if node != self.business_account_id:
            return 400, unknown_object(node), {}
        found = self.professional.get(handle.lower())
        if found is None:
            body = graph_error(
                110,
                "Invalid user id",
                2207013,
                is_transient=False,
                error_user_title="Cannot find User",
                error_user_msg=f"The user with username: {handle} cannot be found.",
            )
            return 400, body, {}
        return 200, {"business_discovery": dict(found), "id": self.business_account_id}, {}
