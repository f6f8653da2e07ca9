"""Connected accounts: an Editor connects or revokes a member's accounts, or makes a staff link.

The member's social-media staff, given a signed link valid CONNECT_LINK_HOURS,
connect that one member's accounts without a login of their own: the link is
the authority, and it reaches nothing else. The provider sends the browser
back to ``callback`` with the flow's ``state`` kept in the session.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legislators.access import can_manage_connections, restrict_to_scope, visible_accounts
from legislators.models import Legislator
from metrics.audience import connections as services
from metrics.audience import oauth
from metrics.audience.models import Connection

logger = logging.getLogger(__name__)
FLOW_KEY = "connect_flow"


def _member_accounts(legislator):
    rows = []
    for account in legislator.accounts.filter(active=True).select_related("connection").order_by("platform", "pk"):
        provider = services.provider_for(account.platform)
        rows.append(
            {
                "account": account,
                "connection": getattr(account, "connection", None),
                "provider": provider,
                "configured": provider is not None and oauth.provider_configured(provider),
            }
        )
    return rows


def _context(legislator, *, link):
    return {
        "legislator": legislator,
        "rows": _member_accounts(legislator),
        "link": link,
        "editor": True,
        "link_hours": settings.CONNECT_LINK_HOURS,
    }


def _editor_member(request, pk):
    if not can_manage_connections(request.user):
        raise PermissionDenied
    members = restrict_to_scope(Legislator.objects.select_related("constituency"), user=request.user)
    return get_object_or_404(members, pk=pk)


@login_required
def member_connections(request, pk):
    """The member's accounts, each with its connection: connect, revoke; and the staff link."""
    legislator = _editor_member(request, pk)
    return render(
        request,
        "metrics/connections.html",
        _context(legislator, link=None),
    )


@login_required
@require_POST
def link_create(request, pk):
    legislator = _editor_member(request, pk)
    token = services.connect_link_make(legislator_id=legislator.pk, user_id=request.user.pk)
    link = request.build_absolute_uri(reverse("metrics:connect_link", args=[token]))
    return render(
        request,
        "metrics/connections.html",
        _context(legislator, link=link),
    )


@login_required
@require_POST
def connect_start(request, account_id):
    if not can_manage_connections(request.user):
        raise PermissionDenied
    account = get_object_or_404(visible_accounts(user=request.user).filter(active=True), pk=account_id)
    back = reverse("metrics:member_connections", args=[account.legislator_id])
    return _begin(request, account, user_id=request.user.pk, via_link=False, back=back)


@login_not_required
def link_page(request, token):
    """A staff link: the one member's accounts, with connect buttons (GET shows, POST starts one)."""
    found = services.connect_link_read(token)
    if found is None:
        return render(request, "metrics/connect_link_invalid.html", status=404)
    legislator = Legislator.objects.filter(pk=found[0]).first()
    if legislator is None:
        raise Http404
    if request.method == "POST":
        account = legislator.accounts.filter(active=True, pk=request.POST.get("account") or 0).first()
        if account is None:
            raise Http404
        return _begin(request, account, user_id=found[1], via_link=True, back=request.path)
    return render(
        request,
        "metrics/connections.html",
        {"legislator": legislator, "rows": _member_accounts(legislator), "link_token": token, "editor": False},
    )


def _begin(request, account, *, user_id, via_link, back):
    """To the provider's consent page, the flow kept in the session; ``back`` (our own page) when not configured."""
    try:
        url, flow = services.connect_begin(account=account, user_id=user_id, via_link=via_link)
    except services.ConnectError:
        messages.error(request, _("Connecting is not configured on this server (see README: connected accounts)."))
        return redirect(back)
    request.session[FLOW_KEY] = flow
    return redirect(url)


@login_not_required
def callback(request):
    """The provider sends the browser back here: check the state, exchange the code, store the tokens."""
    flow = request.session.pop(FLOW_KEY, None)
    if not flow or request.GET.get("state") != flow.get("state"):
        return render(
            request,
            "metrics/connect_done.html",
            {"ok": False, "reason": _("This link has expired: start again.")},
            status=400,
        )
    if request.GET.get("error") or not request.GET.get("code"):
        reason = _("Access was not granted.")
        return render(request, "metrics/connect_done.html", {"ok": False, "reason": reason}, status=400)
    try:
        connection = services.connect_complete(flow=flow, code=request.GET["code"])
    except services.ConnectError as exc:
        return render(request, "metrics/connect_done.html", {"ok": False, "reason": str(exc)}, status=400)
    if flow.get("via_link"):
        return render(request, "metrics/connect_done.html", {"ok": True, "connection": connection})
    messages.success(request, _("%(account)s is connected.") % {"account": connection.account})
    return redirect("metrics:member_connections", connection.account.legislator_id)


@login_required
@require_POST
def revoke(request, pk):
    if not can_manage_connections(request.user):
        raise PermissionDenied
    visible = visible_accounts(user=request.user)
    connection = get_object_or_404(Connection.objects.select_related("account").filter(account__in=visible), pk=pk)
    services.connection_revoke(
        connection=connection,
        user=request.user,
        reason=_("revoked by %(user)s") % {"user": request.user.get_username()},
    )
    messages.success(
        request, _("The connection of %(account)s is revoked: its tokens are erased.") % {"account": connection.account}
    )
    return redirect("metrics:member_connections", connection.account.legislator_id)
