"""Cursor pagination for the API's lists.

Lists read from a table (members, constituencies, fetch runs) use DRF's
CursorPagination on a unique, unchanging order (the id). Lists the standings
engine computes (standings, rollups, freshness, a history) are Python lists
in a fixed order; their cursor names the last row seen by its key, signed,
so the next page starts after that row even when rows moved in between, and
a cursor made up by hand is refused. A cursor only ever moves within the
asking user's own list: it cannot reach a row outside their scope.
"""

from django.core import signing
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

CURSOR_SALT = "metrics.api.cursor"


class IdCursorPagination(pagination.CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class NewestFirstCursorPagination(IdCursorPagination):
    ordering = "-id"


class ListCursorPagination:
    """Pages of a computed list; ``key(row)`` must be unique within the list (JSON-able)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def __init__(self, *, page_size=100, max_page_size=1000):
        self.page_size = page_size
        self.max_page_size = max_page_size

    def paginate(self, rows, *, key, request, url=None):
        """(the page's rows, next URL, previous URL); ``url``: the links' base (default: this request's).

        ``key(row)`` gives an int, a str or a tuple of them. Keys are worked out for the
        page's edges only, and for the rows before the cursor's: not for the whole list.
        """
        size = self._page_size(request)
        start, end = 0, size
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            try:
                cursor = signing.loads(raw, salt=CURSOR_SALT)
                after, direction, offset = _tuple(cursor["k"]), cursor["d"], int(cursor["o"])
            except (signing.BadSignature, KeyError, TypeError, ValueError):
                raise NotFound("Invalid cursor.") from None
            position = next((index for index, row in enumerate(rows) if key(row) == after), None)
            found = position is not None
            if not found:  # the row has left the list since: start from its old place
                position = min(max(offset, 0), len(rows))
            if direction == "next":
                start = position + 1 if found else position
                end = start + size
            else:  # the page that ends just before the row
                end = position
                start = max(0, end - size)
        page = rows[start:end]
        url = url or request.build_absolute_uri()
        next_url = previous_url = None
        if end < len(rows) and page:
            next_url = self._url(url, key(rows[end - 1]), "next", end - 1)
        if start > 0 and page:
            previous_url = self._url(url, key(rows[start]), "previous", start)
        return page, next_url, previous_url

    def _page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size <= 0:
            return self.page_size
        return min(size, self.max_page_size)

    def _url(self, url, after, direction, offset):
        cursor = signing.dumps({"k": after, "d": direction, "o": offset}, salt=CURSOR_SALT, compress=True)
        return replace_query_param(url, self.cursor_query_param, cursor)


def paginated(results, next_url, previous_url, **meta):
    return Response({**meta, "next": next_url, "previous": previous_url, "results": results})


def _tuple(value):
    """A key as it comes back from JSON: a list is the tuple it was."""
    return tuple(value) if isinstance(value, list) else value
