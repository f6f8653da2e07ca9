"""Fake OAuth providers and insights APIs on 127.0.0.1, shaped like the documented replies.

``FakeMeta`` (Graph API, Facebook Login for Business):
- ``GET /{v}/oauth/access_token`` with ``code`` → a short-lived user token; with
  ``grant_type=fb_exchange_token`` → a long-lived one ``{access_token, token_type, expires_in}``;
  an unknown code → ``{"error": {"message": "Invalid verification code format.", "code": 100, …}}``;
- ``GET /{v}/me/accounts`` → ``{"data": [{id, name, username, access_token, instagram_business_account}]}``;
- ``DELETE /{v}/me/permissions`` → ``{"success": true}`` (and the user's tokens stop working: 190/458... as
  set by ``revoke``);
- ``GET /{v}/{id}?fields=followers_count[,fan_count]`` and ``GET /{v}/{id}/insights`` with
  ``metric=follower_demographics`` (Instagram: ``total_value.breakdowns[].results[]``) or
  ``metric=page_fans_city`` (Pages: ``values[-1].value`` {city: fans});
- a token not (or no longer) valid → 190/463 (expired) or the subcode set in ``token_errors``.

``FakeGoogle``: ``POST /token`` (authorization_code with a PKCE ``code_verifier`` checked against the
challenge sent to the authorize URL; refresh_token), ``POST /revoke``, ``GET /youtube/v3/channels?mine=true``,
``GET /v2/reports`` (YouTube Analytics ``youtubeAnalytics#resultTable``).
"""

import base64
import hashlib
import itertools

from tests.fake_graph import graph_error
from tests.fake_server import FakePlatform

_tokens = itertools.count(1)


def new_token(prefix):
    return f"{prefix}{next(_tokens):04d}SECRETxyz{next(_tokens):06d}"


class FakeMeta(FakePlatform):
    def __init__(self, *, version="v26.0", app_id="app-123", app_secret="app-secret-xyz-987"):
        super().__init__()
        self.version, self.app_id, self.app_secret = version, app_id, app_secret
        self.codes = {}  # code -> True (valid, single use)
        self.user_tokens = {}  # token -> user name (valid)
        self.page_tokens = {}  # token -> page id
        self.token_errors = {}  # token -> error subcode (463 expired, 460 password changed...)
        self.pages = []  # me/accounts entries (page tokens filled on the fly)
        self.accounts = {}  # IG or page id -> {"followers_count": n, "cities": {...}} or {"error": body}
        self.permission_errors = set()  # ids whose insights answer code 10 (permission withdrawn)
        self.revoked = []

    def add_code(self):
        code = new_token("code-")
        self.codes[code] = True
        return code

    def add_page(self, page_id, username, *, ig_id=None, ig_username=None):
        page = {"id": page_id, "name": username.title(), "username": username}
        if ig_id:
            page["instagram_business_account"] = {"id": ig_id, "username": ig_username}
        self.pages.append(page)

    def set_audience(self, object_id, followers, cities):
        self.accounts[object_id] = {"followers_count": followers, "cities": cities}

    def reply_to(self, method, path, params, headers):
        prefix = f"/{self.version}/"
        if not path.startswith(prefix):
            return 404, graph_error(100, "Unknown path"), {}
        path = path[len(prefix) :]
        one = {key: values[0] for key, values in params.items()}
        if path == "oauth/access_token":
            return self._oauth(one)
        token = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if token in self.token_errors or (token not in self.user_tokens and token not in self.page_tokens):
            subcode = self.token_errors.get(token, 463)
            return 400, graph_error(190, "Error validating access token: Session has expired", subcode), {}
        if path == "me/accounts":
            data = []
            for page in self.pages:
                page_token = new_token("EAAPage")
                self.page_tokens[page_token] = page["id"]
                data.append({**page, "access_token": page_token})
            return 200, {"data": data, "paging": {"cursors": {"before": "a", "after": "b"}}}, {}
        if path == "me/permissions" and method == "DELETE":
            self.revoked.append(token)
            for known in list(self.user_tokens) + list(self.page_tokens):
                self.token_errors[known] = 458
            return 200, {"success": True}, {}
        return self._insights(path, one)

    def _oauth(self, one):
        if one.get("client_id") != self.app_id or one.get("client_secret") != self.app_secret:
            return 400, graph_error(101, "Error validating client secret."), {}
        if one.get("grant_type") == "fb_exchange_token":
            old = one.get("fb_exchange_token")
            if old not in self.user_tokens or old in self.token_errors:
                return 400, graph_error(190, "Error validating access token", self.token_errors.get(old, 463)), {}
            token = new_token("EAALong")
            self.user_tokens[token] = self.user_tokens[old]
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": 5183944}, {}
        if not self.codes.pop(one.get("code"), False):
            return 400, graph_error(100, "Invalid verification code format.", 36007), {}
        token = new_token("EAAShort")
        self.user_tokens[token] = "user"
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 5400}, {}

    def _insights(self, path, one):
        object_id = path.split("/")[0]
        if object_id in self.permission_errors:
            message = "(#10) Application does not have permission for this action"
            return 403, graph_error(10, message), {}
        account = self.accounts.get(object_id)
        if account is None:
            return 400, graph_error(100, f"Object with ID '{object_id}' does not exist", 33), {}
        if "error" in account:
            return account["status"], account["error"], {}
        if not path.endswith("/insights"):
            return 200, {"id": object_id, "followers_count": account["followers_count"]}, {}
        cities = account["cities"]
        if one.get("metric") == "follower_demographics":
            results = [{"dimension_values": [city], "value": value} for city, value in cities.items()]
            metric = {
                "name": "follower_demographics",
                "period": "lifetime",
                "title": "Follower demographics",
                "description": "The demographic characteristics of followers.",
                "id": f"{object_id}/insights/follower_demographics/lifetime",
            }
            if results:
                metric["total_value"] = {"breakdowns": [{"dimension_keys": ["city"], "results": results}]}
            return 200, {"data": [metric]}, {}
        values = [{"value": dict(cities), "end_time": "2026-11-28T08:00:00+0000"}] if cities else []
        return 200, {"data": [{"name": "page_fans_city", "period": "lifetime", "values": values, "id": object_id}]}, {}


class FakeGoogle(FakePlatform):
    def __init__(self, *, client_id="gclient-1", client_secret="gsecret-xyz-654"):
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.codes = {}  # code -> code_challenge
        self.access = {}  # access token -> channel id
        self.refresh = {}  # refresh token -> channel id
        self.channels = {}  # channel id -> {"handle", "total", "cities": {...}}
        self.forbidden = set()  # channel ids whose analytics answer 403 (permission withdrawn)
        self.revoked = []
        self.expires_in = 3599

    def add_code(self, challenge, channel_id):
        code = new_token("4/0gcode-")
        self.codes[code] = (challenge, channel_id)
        return code

    def add_channel(self, channel_id, handle, total=0, cities=None):
        self.channels[channel_id] = {"handle": handle, "total": total, "cities": cities or {}}

    def reply_to(self, method, path, params, headers):
        one = {key: values[0] for key, values in params.items()}
        if path == "/token" and method == "POST":
            return self._token(one)
        if path == "/revoke" and method == "POST":
            token = one.get("token")
            if token not in self.refresh and token not in self.access:
                return 400, {"error": "invalid_token", "error_description": "Token expired or revoked"}, {}
            self.revoked.append(token)
            channel_id = self.refresh.pop(token, None) or self.access.get(token)
            for key in [key for key, value in self.access.items() if value == channel_id]:
                del self.access[key]
            return 200, {}, {}
        token = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        channel_id = self.access.get(token)
        if channel_id is None:
            error = {
                "code": 401,
                "message": "Request had invalid authentication credentials.",
                "status": "UNAUTHENTICATED",
                "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError"}],
            }
            return 401, {"error": error}, {}
        if path == "/youtube/v3/channels":
            channel = self.channels[channel_id]
            item = {
                "kind": "youtube#channel",
                "id": channel_id,
                "snippet": {"title": "T", "customUrl": f"@{channel['handle']}"},
            }
            return 200, {"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": 1}, "items": [item]}, {}
        if path == "/v2/reports":
            return self._report(channel_id, one)
        return 404, {"error": {"code": 404, "message": "Not found", "errors": []}}, {}

    def _token(self, one):
        if one.get("client_id") != self.client_id or one.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}, {}
        if one.get("grant_type") == "authorization_code":
            found = self.codes.pop(one.get("code"), None)
            verifier = one.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if found is None or found[0] != challenge:
                return 400, {"error": "invalid_grant", "error_description": "Bad Request"}, {}
            channel_id = found[1]
            refresh = new_token("1//0grefresh-")
            self.refresh[refresh] = channel_id
        elif one.get("grant_type") == "refresh_token":
            refresh = one.get("refresh_token")
            channel_id = self.refresh.get(refresh)
            if channel_id is None:
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, {}
        else:
            return 400, {"error": "unsupported_grant_type"}, {}
        access = new_token("ya29.a0")
        self.access[access] = channel_id
        body = {
            "access_token": access,
            "expires_in": self.expires_in,
            "scope": "https://www.googleapis.com/auth/yt-analytics.readonly",
            "token_type": "Bearer",
        }
        if one.get("grant_type") == "authorization_code":
            body["refresh_token"] = refresh
        return 200, body, {}

    def _report(self, channel_id, one):
        if channel_id in self.forbidden:
            error = {
                "code": 403,
                "message": "Forbidden",
                "errors": [{"message": "Forbidden", "domain": "global", "reason": "forbidden"}],
            }
            return 403, {"error": error}, {}
        channel = self.channels[channel_id]
        if one.get("dimensions") == "city":
            headers = [
                {"name": "city", "columnType": "DIMENSION", "dataType": "STRING"},
                {"name": "views", "columnType": "METRIC", "dataType": "INTEGER"},
            ]
            rows = [[city, views] for city, views in sorted(channel["cities"].items(), key=lambda kv: -kv[1])]
        else:
            headers = [{"name": "views", "columnType": "METRIC", "dataType": "INTEGER"}]
            rows = [[channel["total"]]] if channel["total"] else []
        body = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
        if rows:
            body["rows"] = rows
        return 200, body, {}
