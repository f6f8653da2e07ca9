"""Downloads: the table of a page (or a report) as CSV or XLSX.

``/exports/<kind>.<csv|xlsx>?<the page's query string>``: the same filters,
selector and order as the page, so the file holds the screen's rows across
all its pages. Only users with ``metrics.export_reports`` download, and a
division/district-limited user gets only their members.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from . import tables, writers
from .options import KINDS, BadParameters


@login_required
@permission_required("metrics.export_reports", raise_exception=True)
def export(request, kind, fmt):
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    try:
        table = tables.build(kind, request.GET, user=request.user)
    except BadParameters as exc:
        return render(request, "metrics/export_error.html", {"forms": exc.forms}, status=400)
    if fmt == "csv":
        return writers.csv_response(table)
    try:
        return writers.xlsx_response(table)
    except writers.TooManyRows as exc:
        csv_url = reverse("metrics:export", kwargs={"kind": kind, "fmt": "csv"})
        if request.GET:
            csv_url += "?" + request.GET.urlencode()
        return render(
            request,
            "metrics/export_error.html",
            {"too_many_rows": exc.limit, "csv_url": csv_url, "limit_setting": settings.EXPORT_XLSX_MAX_ROWS},
            status=413,
        )
