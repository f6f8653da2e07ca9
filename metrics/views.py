"""Dashboard pages: thin views over the standings selector."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from legislators.models import Legislator, Platform, SocialAccount

from . import selectors
from .filters import StandingsFilterForm, sort_members
from .tasks import plan_fetch_task
from .templatetags.tracker import indian_number

logger = logging.getLogger(__name__)
PAGE_SIZE = 50


def _filters_or_400(request):
    form = StandingsFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, render(request, "metrics/bad_filters.html", {"form": form}, status=400)
    if not request.GET:
        form = StandingsFilterForm({})
        form.is_valid()
    return form, None


@login_required
@permission_required("metrics.view_dashboard", raise_exception=True)
def overview(request):
    form, error = _filters_or_400(request)
    if error:
        return error
    standings = selectors.standings(scope_user=request.user, **form.selector_kwargs())
    members = sort_members(standings.members, form.cleaned_data["sort"])
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "metrics/overview.html",
        {
            "form": form,
            "standings": standings,
            "summary": standings.summary(),
            "page": page,
            "sort": form.cleaned_data["sort"],
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
        },
    )


@login_required
@permission_required("metrics.view_dashboard", raise_exception=True)
def member_detail(request, pk):
    visible = selectors.restrict_to_scope(Legislator.objects.all(), user=request.user)
    legislator = visible.select_related("party", "constituency__district__division").filter(pk=pk).first()
    if legislator is None:
        raise Http404(_("No such member."))
    form, error = _filters_or_400(request)
    if error:
        return error
    day = form.cleaned_data.get("date") or selectors.today()
    standings = selectors.standings(day=day, member_ids=[pk], scope_user=request.user)
    standing = standings.members[0] if standings.members else None
    accounts = list(
        SocialAccount.objects.filter(legislator=legislator).select_related("latest").order_by("platform", "handle")
    )
    history = selectors.member_history(legislator_id=pk, end=day)
    rolls = selectors.voter_rolls_for(constituency_id=legislator.constituency_id) if legislator.constituency_id else []
    chart = _history_chart(history, standings.target, rolls, day)
    return render(
        request,
        "metrics/member_detail.html",
        {
            "legislator": legislator,
            "standing": standing,
            "target": standings.target,
            "accounts": accounts,
            "chart": chart,
            "has_youtube": any(account.platform == "youtube" for account in accounts),
            "day": day,
        },
    )


def _history_chart(history, target, rolls, day):
    """Plotly figure data: one line per platform, the combined line, target lines."""
    traces = []
    for platform, points in sorted(history["platforms"].items()):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": dict(SocialAccount._meta.get_field("platform").choices).get(platform, platform),
                "x": [d.isoformat() for d, _v in points],
                "y": [v for _d, v in points],
            }
        )
    combined = history["combined"]
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Combined"),
            "line": {"width": 3, "color": "#222"},
            "x": [d.isoformat() for d, _v in combined],
            "y": [v for _d, v in combined],
        }
    )
    if combined and rolls:
        xs = [d.isoformat() for d, _v in combined]
        for percent, label, dash in (
            (target.percent, _("Target %(percent)s%%") % {"percent": target.percent}, "dash"),
            (target.stretch_percent, _("Stretch %(percent)s%%") % {"percent": target.stretch_percent}, "dot"),
        ):
            ys = []
            for d, _v in combined:
                electors = _electors_on(rolls, d)
                ys.append(round(electors * percent / 100) if electors else None)
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": label,
                    "line": {"dash": dash, "color": "#c0392b" if dash == "dash" else "#27ae60"},
                    "x": xs,
                    "y": ys,
                }
            )
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 60, "r": 10, "t": 10, "b": 40},
            "legend": {"orientation": "h"},
            "yaxis": {"title": {"text": _("Followers")}, "rangemode": "tozero"},
            "xaxis": {"type": "date"},
            "shapes": [
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": roll.published_on.isoformat(),
                    "x1": roll.published_on.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#999", "dash": "dot", "width": 1},
                }
                for roll in rolls
                if combined and combined[0][0] <= roll.published_on <= day
            ],
            "annotations": [
                {
                    "x": roll.published_on.isoformat(),
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "text": _("Voter roll: %(electors)s") % {"electors": indian_number(roll.total_electors)},
                    "showarrow": False,
                    "yanchor": "bottom",
                    "font": {"size": 10},
                }
                for roll in rolls
                if combined and combined[0][0] <= roll.published_on <= day
            ],
        },
    }


def _electors_on(rolls, day):
    """The roll in force on ``day`` from an ascending list (the oldest when none is older)."""
    in_force = None
    for roll in rolls:
        if roll.published_on <= day:
            in_force = roll
    if in_force is None and rolls:
        in_force = rolls[0]
    return in_force.total_electors if in_force else None


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
        label = Platform(platform).label
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
    return render(request, "metrics/poll_now.html", {"platforms": selectors.last_runs_by_platform()})
