"""Dashboard pages: thin views. Each parses the query string through the one
filter form, calls one selector and renders; the charts are plain data."""

import logging
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from legislators.access import is_whole_state, visible_accounts, visible_districts, visible_divisions
from legislators.models import AccountStatus, Platform
from legislators.names import platform_label
from metrics.audience.local import local_shares
from metrics.counts import snapshot_enter
from metrics.polling.tasks import plan_fetch_task
from metrics.standings import daily, engine, pages, progress
from metrics.standings import freshness as freshness_selectors
from metrics.standings import search as search_selectors
from metrics.standings.filters import StandingsFilterForm
from metrics.standings.rollups import ROLLUP_SORT_CHOICES
from metrics.standings.seat import seat_page
from metrics.standings.seat_map import seat_map

from . import charts
from .chart_cache import ChartCache
from .forms import CountEntryForm
from .map_chart import legend as map_legend
from .map_chart import seat_map_figure, seat_map_script
from .page_cache import cached_page
from .progress_chart import progress_chart

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
dashboard_required = permission_required("metrics.view_dashboard", raise_exception=True)


def _filters(request):
    """The cleaned filter form, or a 400 page naming what is wrong."""
    form = StandingsFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, render(request, "metrics/bad_filters.html", {"form": form}, status=400)
    return form, None


def _rollup_sort(request, form):
    """(the rollup tables' order, its context), or a 400 page for an unknown column."""
    sort = request.GET.get("rollup_sort", "")
    if sort and sort not in ROLLUP_SORT_CHOICES:
        form.add_error(None, _("Unknown sort column."))
        return None, render(request, "metrics/bad_filters.html", {"form": form}, status=400)
    query = request.GET.copy()
    query.pop("rollup_sort", None)
    return {"rollup_sort": sort, "rollup_sort_query": query.urlencode()}, None


def _district_export_query(request, **forced):
    """The districts table's download: the page's filters and order, grouped by district."""
    query = request.GET.copy()
    query.update(forced)
    query["by"] = "district"
    return query.urlencode()


def _drill_down_query(request):
    """The filters to carry into a division's or district's page (not the place itself)."""
    query = request.GET.copy()
    for name in ("division", "district", "page", "sort"):
        query.pop(name, None)
    return query.urlencode()


def _map_context(request, standings, kept, *, page, division=None, district=None):
    """The constituency map of a page's standings (the user's scope, the page's division or district).

    ``kept``: the page's ChartCache, whose filters decide which seats and colours are shown (a member the
    filters leave out is grey). The rendered data block and the notes under the map are cached with them
    (plus day, language and scope), so a later request with the same key runs none of the map's queries."""

    def build():
        found = seat_map(standings=standings, scope_user=request.user, division=division, district=district)
        figure = seat_map_figure(found)
        return {
            "shown": figure is not None,
            "script": str(seat_map_script(figure, found)),
            "notes": {"without_shape": found.without_shape, "credits": found.credits},
        }

    drawn = kept.figure(f"seat_map:{page}", build)
    return {
        "seat_map": drawn["notes"],
        "seat_map_figure": drawn["shown"],
        # Written by seat_map_script (format_html, every stored text escaped for a <script> block).
        "seat_map_script": mark_safe(drawn["script"]),  # noqa: S308
        "seat_map_legend": map_legend(standings.target),
    }


def _table_context(request, form, table, *, fields=StandingsFilterForm.TABLE_FIELDS, sort=None):
    """``sort``: the order the rows are in when the view chose one (the headers mark that column)."""
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return {
        "form": form,
        "filter_fields": form.visible_fields_of(fields),
        "table": table,
        "standings": table.standings,
        "page": table.page,
        "sort": sort or form.cleaned_data["sort"],
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
    }


@login_required
@dashboard_required
@cached_page("overview", "metrics/overview.html")
def overview(request, cached):
    form, error = _filters(request)
    if error:
        return error
    table = pages.table_page(
        scope_user=request.user,
        filters=form.selector_kwargs(),
        sort=form.cleaned_data["sort"],
        page_number=request.GET.get("page"),
        page_size=PAGE_SIZE,
        with_tops=True,
    )
    context = _table_context(request, form, table)
    context["summary"] = table.standings.summary()
    kept = ChartCache(user=request.user, filters=form.selector_kwargs(), version=cached.version)
    context["distribution"] = kept.figure(
        "distribution", lambda: charts.distribution_chart(table.standings.map_members, table.standings.target)
    )
    context["progress_chart"] = kept.figure(
        "progress",
        lambda: progress_chart(_weekly_progress(request, form, table.standings.day)),
        only=("day", "division", "district", "party"),
    )
    place = {name: form.cleaned_data[name].pk for name in ("division", "district") if form.cleaned_data.get(name)}
    context.update(_map_context(request, table.standings, kept, page="overview", **place))
    return cached.render(context)


PROGRESS_WEEKS = 26


def _weekly_progress(request, form, day):
    """The last half-year's weekly progress (stored daily standings), under the page's place and party filters."""
    chosen = form.cleaned_data
    return progress.progress(
        period="week",
        since=day - timedelta(weeks=PROGRESS_WEEKS),
        until=day,
        scope_user=request.user,
        **{name: chosen[name].pk for name in ("division", "district", "party") if chosen.get(name)},
    )


@login_required
@dashboard_required
@cached_page("stagnant", "metrics/stagnant.html")
def stagnant(request, cached):
    form, error = _filters(request)
    if error:
        return error
    filters = form.selector_kwargs() | {"status": "stagnant"}
    # Growth first unless told otherwise (the biggest losses at the top); the headers say so.
    sort = form.cleaned_data["sort"] if request.GET.get("sort") else "growth"
    table = pages.table_page(
        scope_user=request.user,
        filters=filters,
        sort=sort,
        page_number=request.GET.get("page"),
        page_size=PAGE_SIZE,
    )
    fields = [name for name in StandingsFilterForm.TABLE_FIELDS if name != "status"]
    context = _table_context(request, form, table, fields=fields, sort=sort)
    return cached.render(context)


@login_required
@dashboard_required
@cached_page("divisions", "metrics/divisions.html")
def divisions(request, cached):
    form, error = _filters(request)
    if error:
        return error
    ordering, error = _rollup_sort(request, form)
    if error:
        return error
    page = pages.rollup_page(scope_user=request.user, filters=form.selector_kwargs(), sort=ordering["rollup_sort"])
    target = page.standings.target
    kept = ChartCache(user=request.user, filters=form.selector_kwargs(), version=cached.version)
    return cached.render(
        {
            "form": form,
            "filter_fields": form.visible_fields_of(StandingsFilterForm.TABLE_FIELDS),
            "rollup": page,
            "filter_query": _drill_down_query(request),
            "division_chart": kept.figure("division_rollup", lambda: charts.rollup_chart(page.divisions, target)),
            "district_chart": kept.figure("district_rollup", lambda: charts.rollup_chart(page.districts, target)),
            "district_export_query": _district_export_query(request),
            **ordering,
        },
    )


@login_required
@dashboard_required
@cached_page("division", "metrics/division_detail.html")
def division_detail(request, pk, cached):
    division = get_object_or_404(visible_divisions(user=request.user), pk=pk)
    form, error = _filters(request)
    if error:
        return error
    ordering, error = _rollup_sort(request, form)
    if error:
        return error
    filters = form.selector_kwargs() | {"division": division.pk, "district": None}
    page = pages.rollup_page(scope_user=request.user, filters=filters, sort=ordering["rollup_sort"])
    kept = ChartCache(user=request.user, filters=filters, version=cached.version)
    fields = [name for name in StandingsFilterForm.TABLE_FIELDS if name not in ("division", "district")]
    return cached.render(
        {
            "form": form,
            "filter_fields": form.visible_fields_of(fields),
            "division": division,
            "rollup": page,
            "filter_query": _drill_down_query(request),
            "district_chart": kept.figure(
                "district_rollup", lambda: charts.rollup_chart(page.districts, page.standings.target)
            ),
            **_map_context(request, page.standings, kept, page="division", division=division.pk),
            **ordering,
        },
    )


@login_required
@dashboard_required
@cached_page("district", "metrics/district_detail.html")
def district_detail(request, pk, cached):
    district = get_object_or_404(visible_districts(user=request.user), pk=pk)
    form, error = _filters(request)
    if error:
        return error
    table = pages.table_page(
        scope_user=request.user,
        filters=form.selector_kwargs() | {"district": district.pk, "division": None},
        sort=form.cleaned_data["sort"],
        page_number=request.GET.get("page"),
        page_size=PAGE_SIZE,
    )
    fields = [name for name in StandingsFilterForm.TABLE_FIELDS if name not in ("division", "district")]
    context = _table_context(request, form, table, fields=fields)
    context["district"] = district
    kept = ChartCache(
        user=request.user,
        filters=form.selector_kwargs() | {"district": district.pk, "division": None},
        version=cached.version,
    )
    context["distribution"] = kept.figure(
        "distribution", lambda: charts.distribution_chart(table.standings.map_members, table.standings.target)
    )
    context.update(_map_context(request, table.standings, kept, page="district", district=district.pk))
    return cached.render(context)


@login_required
@dashboard_required
@cached_page("member", "metrics/member_detail.html")
def member_detail(request, pk, cached):
    form, error = _filters(request)
    if error:
        return error
    page = pages.member_page(
        legislator_id=pk,
        scope_user=request.user,
        day=form.cleaned_data.get("date"),
        deadline=form.cleaned_data.get("deadline"),
    )
    if page is None:
        raise Http404(_("No such member."))
    local = local_shares(members=[page.standing], day=page.day)[page.standing.id] if page.standing else None
    return cached.render(
        {
            "form": form,
            "filter_fields": form.visible_fields_of(StandingsFilterForm.MEMBER_FIELDS),
            "page": page,
            "legislator": page.legislator,
            "standing": page.standing,
            # The member's history chart (up to three years of days, five lines): drawn once per data version.
            "chart": ChartCache(
                user=request.user, filters={"member": page.legislator.pk, "day": page.day}, version=cached.version
            ).figure("history", lambda: charts.history_chart(page)),
            "local": local,
        },
    )


@login_required
@dashboard_required
@cached_page("seat", "metrics/constituency_detail.html")
def constituency_detail(request, pk, cached):
    """A seat: its electorate over time, the sitting member and the aspirants against the same electors, and
    its history of members (404 outside the user's scope)."""
    form, error = _filters(request)
    if error:
        return error
    page = seat_page(constituency_id=pk, scope_user=request.user, day=form.cleaned_data.get("date"))
    if page is None:
        raise Http404(_("No such constituency."))
    return cached.render(
        {
            "form": form,
            "filter_fields": form.visible_fields_of(("date",)),
            "page": page,
            "seat": page.constituency,
            "roll_chart": charts.roll_chart(page.rolls, page.day),
        },
    )


@login_required
@dashboard_required
def search(request):
    """The top bar's search: members, constituencies and districts the user may see, each linking to its page."""
    results = search_selectors.search_everything(user=request.user, query=request.GET.get("q", ""))
    return render(request, "metrics/search.html", {"results": results})


@login_required
@permission_required("metrics.view_freshness", raise_exception=True)
def freshness(request):
    return render(
        request,
        "metrics/freshness.html",
        {
            "fresh": freshness_selectors.freshness(scope_user=request.user),
            "statuses": AccountStatus.choices,
            # A run polls the whole state: its totals and notes are shown only to whole-state users.
            "whole_state": is_whole_state(request.user),
        },
    )


@login_required
@permission_required("metrics.add_followersnapshot", raise_exception=True)
def count_enter(request):
    """An analyst enters a count read by hand (a platform without API access), with its evidence."""
    initial = {"day": engine.today()}
    accounts = visible_accounts(user=request.user)
    account_id = request.GET.get("account") or ""
    account = accounts.filter(pk=account_id).first() if account_id.isdigit() else None
    if account is not None:
        initial.update(platform=account.platform, handle=account.handle)
    form = CountEntryForm(request.POST or None, initial=initial, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():  # the count and the standings it changes, together
            stored = snapshot_enter(
                account=data["account"],
                day=data["day"],
                followers=data["followers"],
                posts=data.get("posts"),
                evidence_url=data["evidence_url"],
                now=data.get("taken_at") or timezone.now(),
                user=request.user,
            )
            daily.settle()
        if stored:
            messages.success(
                request,
                _("Count stored for %(account)s on %(day)s.") % {"account": data["account"], "day": data["day"]},
            )
        else:
            messages.warning(
                request,
                _("Not stored: a newer count for that day is already recorded (both are in the audit trail)."),
            )
        return redirect("metrics:count_enter")
    return render(request, "metrics/count_enter.html", {"form": form})


@login_required
@permission_required("metrics.poll_now", raise_exception=True)
def poll_now(request):
    """Editors start a poll of one platform now; the page lists each platform's last run.

    Enqueuing needs the broker: when it is down the page says the queue is
    unavailable (and nothing else breaks) instead of failing with a 500.
    """
    if request.method == "POST":
        platform = request.POST.get("platform", "")
        if platform not in Platform.values:
            messages.error(request, _("Choose a platform to poll."))
            return redirect("metrics:poll")
        label = platform_label(platform)
        try:
            plan_fetch_task.delay(platform)
        except (KombuOperationalError, OSError):
            logger.warning("Poll now: the queue is unavailable", exc_info=True)
            messages.error(
                request,
                _("The queue is unavailable, so %(platform)s cannot be polled now. Try again in a few minutes.")
                % {"platform": label},
            )
        else:
            messages.success(request, _("A poll of %(platform)s is queued.") % {"platform": label})
        return redirect("metrics:poll")
    return render(request, "metrics/poll_now.html", {"platforms": freshness_selectors.last_runs_by_platform()})
