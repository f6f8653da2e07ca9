"""The "API tokens" page: a user makes, lists and revokes their own personal API tokens.

The secret is shown once, in the answer to the POST that made it (not kept
in a session or a message cookie for a redirect), with ``no-store`` so no
cache keeps the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from metrics.models import ApiToken
from metrics.tokens import api_token_create, api_token_revoke

from .forms import ApiTokenForm

# A token reads what its user may read: the page is for those who may read the dashboard.
dashboard_required = permission_required("metrics.view_dashboard", raise_exception=True)


@never_cache
@login_required
@dashboard_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        created, secret = api_token_create(
            user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
        )
        form = ApiTokenForm()
    now = timezone.now()
    tokens = [(token, token.state(now)) for token in ApiToken.objects.filter(user=request.user)]
    return render(
        request,
        "metrics/api_tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "created": created,
            "secret": secret,
            "api_base": request.build_absolute_uri("/api/v1/"),
        },
    )


@require_POST
@login_required
@dashboard_required
def api_token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # another user's token: 404
    api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("metrics:api_tokens")
