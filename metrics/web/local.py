"""Followers in their own constituency: the local share of every member (an estimate) and a district rollup."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from metrics.standings.filters import StandingsFilterForm
from metrics.standings.local import LOCAL_FILTERS, local_page

dashboard_required = permission_required("metrics.view_dashboard", raise_exception=True)


@login_required
@dashboard_required
def local(request):
    form = StandingsFilterForm(request.GET, user=request.user)
    chosen = request.GET.get("local", "")
    if form.is_valid() and chosen not in LOCAL_FILTERS:
        form.add_error(None, _("Unknown local status: use local, not_local or n/a."))
    if not form.is_valid():
        return render(request, "metrics/bad_filters.html", {"form": form}, status=400)
    page = local_page(scope_user=request.user, filters=form.selector_kwargs(), local=chosen)
    query = request.GET.copy()
    query.pop("local", None)
    return render(
        request,
        "metrics/local.html",
        {
            "form": form,
            "filter_fields": form.visible_fields_of(("q", "role", "party", "division", "district", "date")),
            "page": page,
            "chosen": chosen,
            "query": query.urlencode(),
            "export_query": request.GET.urlencode(),
        },
    )
