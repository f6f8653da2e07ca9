"""Pages are private: no browser or proxy cache keeps a copy of one.

Every HTML response that does not set Cache-Control itself gets ``private, no-store``:
a page shows standings, names and counts to a logged-in official, and a shared
computer's back button or a caching proxy must not show it to the next person.
A response that chose its own Cache-Control (``never_cache`` views such as /healthz)
keeps it. Static files never reach this middleware: whitenoise, above it in
MIDDLEWARE, answers them first with its own long cache headers.
"""

NO_STORE = "private, no-store"


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = NO_STORE
        return response
