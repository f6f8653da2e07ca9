"""A fake YouTube Data API v3 server on 127.0.0.1: ``GET /youtube/v3/channels``.

It answers as the API documents: a ``youtube#channelListResponse`` whose
``items`` hold the channels found (unknown ids silently left out; no
``items`` key at all when nothing matched), counts as strings,
``hiddenSubscriberCount``; ``forHandle`` (with or without ``@``) and
``forUsername`` (legacy usernames) find one channel; more than 50 ids is a
400 ``invalidFilters``; a key other than ``key`` (X-Goog-Api-Key) is a 400
"API key not valid". Queued replies take precedence (FakePlatform).
"""

from tests.fake_server import FakePlatform

ROOT = "/youtube/v3"


def youtube_error(code, reason, message, domain="global", **extra):
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
            **extra,
        }
    }


class FakeYouTube(FakePlatform):
    def __init__(self, *, key=""):
        super().__init__()
        self.key = key
        self.channels = {}  # id -> {"id", "handle", "username", "subscribers", "hidden", "videos"}

    @property
    def base_url(self):
        return self.url + ROOT

    def add_channel(self, channel_id, *, handle="", username="", subscribers=1000, hidden=False, videos=10):
        self.channels[channel_id] = {
            "id": channel_id,
            "handle": handle.lower().lstrip("@"),
            "username": username.lower(),
            "subscribers": subscribers,
            "hidden": hidden,
            "videos": videos,
        }

    def channel_calls(self):
        return [params for path, params in self.calls if path == f"{ROOT}/channels"]

    def reply(self, path, params, headers):
        if path != f"{ROOT}/channels":
            return 404, youtube_error(404, "notFound", "Not Found"), {}
        if self.key and headers.get("X-Goog-Api-Key") != self.key:
            message = "API key not valid. Please pass a valid API key."
            return 400, youtube_error(400, "badRequest", message, status="INVALID_ARGUMENT"), {}
        filters = [name for name in ("id", "forHandle", "forUsername") if name in params]
        if len(filters) != 1:
            message = "Incompatible parameters specified in the request: " + ", ".join(filters)
            return 400, youtube_error(400, "invalidCriteria", message, domain="youtube.parameter"), {}
        value = params[filters[0]][0]
        if filters[0] == "id":
            wanted = value.split(",")
            if len(wanted) > 50:
                message = "The request specifies an invalid filter parameter."
                return 400, youtube_error(400, "invalidFilters", message, domain="youtube.parameter"), {}
            found = [self.channels[key] for key in wanted if key in self.channels]
        elif filters[0] == "forHandle":
            found = [c for c in self.channels.values() if c["handle"] and c["handle"] == value.lower().lstrip("@")]
        else:
            found = [c for c in self.channels.values() if c["username"] and c["username"] == value.lower()]
        body = {
            "kind": "youtube#channelListResponse",
            "etag": "x",
            "pageInfo": {"totalResults": len(found), "resultsPerPage": max(5, len(found))},
        }
        if found:
            body["items"] = [self._item(channel) for channel in found]
        return 200, body, {}

    @staticmethod
    def _item(channel):
        statistics = {"viewCount": "5120033", "hiddenSubscriberCount": channel["hidden"]}
        if not channel["hidden"]:
            statistics["subscriberCount"] = str(channel["subscribers"])
        statistics["videoCount"] = str(channel["videos"])
        return {"kind": "youtube#channel", "etag": "a", "id": channel["id"], "statistics": statistics}
