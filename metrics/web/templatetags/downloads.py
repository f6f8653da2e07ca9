"""{% export_url "csv" %}: the download link of the table on the current page.

A view may set ``export_kind`` and ``export_query`` in its context; when it
does not, the page's URL name decides, so that the file holds what the page
shows (the filters a page takes from its path, or forces, are added to the
query string; "page" is dropped: a download has every page).
"""

from django import template
from django.http import QueryDict
from django.urls import reverse

register = template.Library()


def page_export(request):
    """(kind, query string) for the page being rendered."""
    query = request.GET.copy()
    query.pop("page", None)
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match else ""
    kwargs = match.kwargs if match else {}
    kind = "standings"
    if name == "stagnant":
        # The stagnant list forces status=stagnant and sorts by growth unless told otherwise.
        query["status"] = "stagnant"
        if not query.get("sort"):
            query["sort"] = "growth"
    elif name == "district" and "pk" in kwargs:
        query["district"] = str(kwargs["pk"])
        query.pop("division", None)
    elif name == "division" and "pk" in kwargs:
        # A division's page lists its districts.
        kind = "rollup"
        query["division"] = str(kwargs["pk"])
        query.pop("district", None)
        query["by"] = "district"
    elif name == "divisions":
        kind = "rollup"
        if not query.get("by"):
            query["by"] = "division"
    elif name == "freshness":
        kind = "freshness"
        query = QueryDict(mutable=True)
        query["stale"] = "on"
    return kind, query.urlencode()


@register.simple_tag(takes_context=True)
def export_url(context, fmt):
    request = context["request"]
    kind, query = page_export(request)
    kind = context.get("export_kind") or kind
    if context.get("export_query") is not None:
        query = context["export_query"]
    url = reverse("metrics:export", kwargs={"kind": kind, "fmt": fmt})
    return f"{url}?{query}" if query else url
